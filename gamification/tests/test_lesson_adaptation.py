"""The lesson adapts: a word seen fewer than 4 times is met in a recognition exercise before a
production exercise asks for it; switchable per lesson."""

import io

import pytest

from courses.course_files import export_course, import_course
from courses.tests.factories import ExerciseFactory, LessonExerciseFactory, TokenFactory
from courses.tests.sample_courses import make_course
from gamification import services
from progress.models import TokenMastery
from progress.rules import adapt_lesson_order

from .helpers import T0

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


@pytest.mark.django_db
def test_a_new_learners_run_is_adapted_unless_the_lesson_is_switched_off(user):
    course, (lesson, _) = make_course(exercises=0, tokens=0)
    word = TokenFactory(language=course.to_language, text="hola")
    translate = ExerciseFactory(course=course)
    choice = ExerciseFactory(course=course, type="multiple_choice", payload=MC)
    for ordinal, exercise in enumerate((translate, choice), start=1):
        exercise.tokens.add(word)
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=ordinal)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    assert run.exercise_ids == [choice.pk, translate.pk]
    services.abandon_run(user=user, run_id=run.pk, now=T0)

    TokenMastery.objects.create(user=user, token=word, seen_count=4)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    assert run.exercise_ids == [translate.pk, choice.pk]  # a known word: the author's order
    services.abandon_run(user=user, run_id=run.pk, now=T0)

    TokenMastery.objects.filter(user=user).update(seen_count=0)
    lesson.adaptive_order = False
    lesson.save()
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    assert run.exercise_ids == [translate.pk, choice.pk]


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
