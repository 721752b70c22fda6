"""course_path and run_state: content, no solutions, NotFound, and fixed query counts."""

import json
from datetime import timedelta

import pytest

from accounts.tests.factories import UserFactory
from core.errors import NotFound
from courses.tests.factories import LessonFactory, SectionFactory, UnitFactory
from courses.tests.sample_courses import add_exercises, make_course
from gamification import selectors as game_selectors
from gamification import services
from progress import selectors
from progress.models import TokenMastery

from .helpers import T0, answer, pass_lesson

pytestmark = pytest.mark.django_db


def test_course_path_states_tiers_next_and_percentages(user):
    course, lessons = make_course(units=2, lessons_per_unit=2, exercises=2, tokens=1)
    pass_lesson(user, lessons[0])
    path = selectors.course_path(user=user, course=course)
    flat = [lesson for s in path.sections for u in s.units for lesson in u.lessons]
    assert [lesson.state for lesson in flat] == ["passed", "open", "locked", "locked"]
    assert [lesson.is_next for lesson in flat] == [False, True, False, False]
    assert path.next_lesson.id == lessons[1].pk
    assert (flat[0].tier, flat[0].tier_label) == (1, "Bronze")
    assert (path.lessons_passed, path.lessons_total, path.completion_pct) == (1, 4, 25)
    # Two exercises x one word per lesson: the unit lists its four words.
    assert len(path.sections[0].units[0].tokens) == 4
    assert path.tokens_total == 8 and path.mastery_pct == 0


def test_mastery_percent_counts_mastered_words(user):
    course, lessons = make_course(units=1, lessons_per_unit=1, exercises=4, tokens=1)
    pass_lesson(user, lessons[0])
    tokens = list(TokenMastery.objects.filter(user=user))
    assert len(tokens) == 4 and all(t.seen_count == 1 and t.stability < 21 for t in tokens)
    # Mastered = stability of at least 21 days; a correct streak alone no longer counts.
    TokenMastery.objects.filter(pk=tokens[0].pk).update(stability=21)
    TokenMastery.objects.filter(pk=tokens[1].pk).update(stability=80.5)
    TokenMastery.objects.filter(pk=tokens[2].pk).update(stability=20.9, correct_streak=9)
    # Another learner's mastered words do not count for this one.
    other = UserFactory()
    TokenMastery.objects.bulk_create(TokenMastery(user=other, token_id=t.token_id, stability=30) for t in tokens)
    path = selectors.course_path(user=user, course=course)
    assert (path.tokens_mastered, path.tokens_total, path.mastery_pct) == (2, 4, 50)
    assert selectors.course_path(user=other, course=course).mastery_pct == 100


def test_course_path_hides_unpublished_content(user):
    course, lessons = make_course(units=2, lessons_per_unit=1)
    lessons[1].unit.is_published = False
    lessons[1].unit.save()
    path = selectors.course_path(user=user, course=course)
    assert [u.id for s in path.sections for u in s.units] == [lessons[0].unit_id]
    course.is_published = False
    course.save()
    with pytest.raises(NotFound):
        selectors.course_path(user=user, course=course)


def test_run_state_shows_public_payload_only(user, other_user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    state = game_selectors.run_state(user=user, run_id=run.pk, now=T0)
    assert state.exercise.pk == run.queue[0]
    assert state.public == {"text": "Hola", "direction": "to_source"}
    assert "Hello" not in json.dumps(state.public)
    assert (state.done, state.total, state.hearts, state.is_review) == (0, 3, 5, False)
    assert state.lesson == first
    answer(user, run, correct=False)
    state = game_selectors.run_state(user=user, run_id=run.pk, now=T0 + timedelta(hours=1))
    assert (state.done, state.hearts) == (0, 4)
    assert state.next_heart_at == T0 + timedelta(hours=4)
    with pytest.raises(NotFound):
        game_selectors.run_state(user=other_user, run_id=run.pk)
    with pytest.raises(NotFound):
        game_selectors.run_state(user=user, run_id="abc")


def test_run_state_of_a_finished_run_has_no_exercise(user, django_assert_num_queries):
    _, (first, _) = make_course()
    run, _ = pass_lesson(user, first)
    with django_assert_num_queries(2):  # run, wallet
        state = game_selectors.run_state(user=user, run_id=run.pk, now=T0)
    assert state.exercise is None and state.public is None and state.status == "passed"
    assert (state.done, state.total) == (3, 3)


def _big_course(units: int, lessons_per_unit: int, exercises: int):
    course, lessons = make_course(units=units, lessons_per_unit=lessons_per_unit, exercises=exercises, tokens=2)
    return course, lessons


@pytest.mark.slow
def test_course_path_query_count_is_fixed(django_assert_num_queries):
    small_course, _ = _big_course(1, 1, 3)
    big_course, big_lessons = make_course(units=4, lessons_per_unit=4, exercises=3, tokens=2)
    extra = SectionFactory(course=big_course, ordinal=2)
    add_exercises(LessonFactory(unit=UnitFactory(section=extra, ordinal=1), ordinal=1), 3, tokens_per_exercise=1)
    veteran = UserFactory()
    for lesson in big_lessons[:6]:
        pass_lesson(veteran, lesson)
    newbie = UserFactory()
    # The first view of a course reads its structure (units, lessons, prerequisites, exercises, the
    # course's words, its checkpoints: courses.structure; each unit's words: unit_words), then the
    # learner's lesson progress and words.
    with django_assert_num_queries(9):
        selectors.course_path(user=newbie, course=small_course)
    # Later views, by any learner: two queries (three when a checkpoint is reached: test_checkpoint_path.py).
    with django_assert_num_queries(2):
        selectors.course_path(user=newbie, course=small_course)
    selectors.course_path(user=newbie, course=big_course)
    with django_assert_num_queries(2):
        path = selectors.course_path(user=veteran, course=big_course)
    assert len(path.sections) == 2 and path.lessons_passed == 6


@pytest.mark.slow
def test_run_state_query_count_is_fixed(django_assert_num_queries, user):
    _, (small, _) = make_course(exercises=3, tokens=1)
    _, (big, _) = make_course(exercises=15, tokens=3)
    run_small = services.start_lesson_run(user=user, lesson=small, now=T0)
    run_big = services.start_lesson_run(user=user, lesson=big, now=T0)
    for _ in range(5):
        answer(user, run_big)
    # run, exercise (+audio/image), wallet; plus the course's glosses for the word hints of a translate
    # exercise the first time (then cached)
    with django_assert_num_queries(4):
        game_selectors.run_state(user=user, run_id=run_small.pk, now=T0)
    with django_assert_num_queries(3):
        game_selectors.run_state(user=user, run_id=run_small.pk, now=T0)
    with django_assert_num_queries(4):
        game_selectors.run_state(user=user, run_id=run_big.pk, now=T0)
    with django_assert_num_queries(3):
        state = game_selectors.run_state(user=user, run_id=run_big.pk, now=T0)
    assert (state.done, state.total) == (5, 15)
