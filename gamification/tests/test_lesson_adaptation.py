"""The lesson adapts: a word seen fewer than 4 times is met in a recognition exercise before a
production exercise asks for it; switchable per lesson."""

import io

import pytest

from courses.course_files import export_course, import_course
from courses.tests.factories import ExerciseFactory, LessonExerciseFactory, TokenFactory
from courses.tests.sample_courses import make_course
from gamification import services
from progress.errors import LessonLocked
from progress.models import TokenMastery
from progress.rules import adapt_lesson_order

from .helpers import T0, pass_lesson

MC = {"question": "Hello?", "choices": ["Hello", "Bye"], "answer": 0}


def test_recognition_moves_before_production_for_new_words_only():
    # (id, is_recognition, tokens) in the author's order
    lesson = [(1, False, [10]), (2, False, [11]), (3, True, [10]), (4, True, [11]), (5, False, [12])]
    assert adapt_lesson_order(lesson, seen={}) == [3, 1, 4, 2, 5]  # 12 has no recognition exercise
    assert adapt_lesson_order(lesson, seen={10: 4}) == [1, 4, 2, 3, 5]  # 10 is known: as written
    assert adapt_lesson_order(lesson, seen={10: 3, 11: 9}) == [3, 1, 2, 4, 5]
    # A word already met in a recognition exercise earlier in the run is not moved again.
    assert adapt_lesson_order([(1, True, [10]), (2, False, [10]), (3, True, [10])], seen={}) == [1, 2, 3]
    # One recognition exercise can introduce two words; nothing is served twice.
    both = [(1, False, [10, 11]), (2, True, [10, 11])]
    assert adapt_lesson_order(both, seen={}) == [2, 1]


def _word_asked_then_recognised(lesson):
    """A new word, and two exercises added at the end of ``lesson`` teaching it: a translate (production)
    then a multiple choice (recognition)."""
    course = lesson.unit.section.course
    word = TokenFactory(language=course.to_language, text="hola")
    translate = ExerciseFactory(course=course)
    choice = ExerciseFactory(course=course, type="multiple_choice", payload=MC)
    last = lesson.lesson_exercises.count()
    for ordinal, exercise in enumerate((translate, choice), start=last + 1):
        exercise.tokens.add(word)
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=ordinal)
    return word, translate, choice


@pytest.mark.django_db
def test_a_new_learners_run_is_adapted_unless_the_lesson_is_switched_off(user):
    _course, (lesson, _) = make_course(exercises=0, tokens=0)
    word, translate, choice = _word_asked_then_recognised(lesson)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    assert run.exercise_ids == [choice.pk, translate.pk]
    services.abandon_run(user=user, run_id=run.pk, now=T0)

    TokenMastery.objects.create(user=user, token=word, seen_count=4)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    order = run.exercise_ids
    assert order.index(translate.pk) < order.index(choice.pk)  # a known word: the author's order
    services.abandon_run(user=user, run_id=run.pk, now=T0)

    TokenMastery.objects.filter(user=user).update(seen_count=0)
    lesson.adaptive_order = False
    lesson.save()
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    assert run.exercise_ids == [translate.pk, choice.pk]


@pytest.mark.django_db
def test_a_later_lesson_is_unlocked_and_adapted_from_one_read_of_the_learners_rows(user, django_assert_num_queries):
    """Unlocking (the lessons passed) and the adapted order (the words seen) read one statement."""
    _course, (first, second) = make_course(exercises=1, tokens=1)
    word, translate, choice = _word_asked_then_recognised(second)
    with pytest.raises(LessonLocked):
        services.start_lesson_run(user=user, lesson=second, now=T0)
    pass_lesson(user, first)  # the learner has passed the first lesson and seen its word
    TokenMastery.objects.create(user=user, token=word, seen_count=3)
    # the lesson (with the current enrolment), savepoint, wallet lock, active run, the learner's rows
    # (lessons passed UNION ALL words seen), run insert, lesson progress update (then insert: a first
    # run of the lesson), activity-log insert, release
    with django_assert_num_queries(10):
        run = services.start_lesson_run(user=user, lesson=second.slug, now=T0)
    order = run.exercise_ids
    assert order.index(choice.pk) < order.index(translate.pk)  # seen 3 times: met in the choice first
    services.abandon_run(user=user, run_id=run.pk, now=T0)
    TokenMastery.objects.filter(user=user, token=word).update(seen_count=4)
    with django_assert_num_queries(9):
        run = services.start_lesson_run(user=user, lesson=second.slug, now=T0)
    order = run.exercise_ids
    assert order.index(translate.pk) < order.index(choice.pk)  # a known word: the author's order


@pytest.mark.django_db
def test_adaptive_order_round_trips_in_the_course_format():
    course, (lesson, _) = make_course(exercises=1, tokens=0)
    lesson.adaptive_order = False
    lesson.save()
    text = export_course(course=course)
    assert "adaptive_order: false" in text
    lesson.adaptive_order = True
    lesson.save()
    import_course(source=io.StringIO(text), name="course.yaml")
    lesson.refresh_from_db()
    assert lesson.adaptive_order is False
