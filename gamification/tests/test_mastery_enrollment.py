"""Token mastery on every answer (counts, streak, SM-2 when selected), and the current course on a start."""

from datetime import timedelta

import pytest

from courses.tests.factories import ExerciseFactory, LessonExerciseFactory, LessonFactory, TokenFactory
from courses.tests.sample_courses import make_course
from gamification import services
from progress.models import Enrollment, TokenMastery

from .helpers import T0, answer

pytestmark = pytest.mark.django_db


def _mastery(user, token):
    return TokenMastery.objects.get(user=user, token=token)


def test_every_answer_updates_every_token_of_the_exercise(user, settings):
    settings.MALLARD_SCHEDULER = "sm2"
    _, (first, _) = make_course(exercises=3, tokens=2)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    head = run.queue[0]
    answer(user, run, correct=False)
    tokens = list(TokenMastery.objects.filter(user=user, token__exercises=head))
    assert len(tokens) == 2
    for m in tokens:
        assert (m.seen_count, m.correct_count, m.correct_streak, m.repetitions, m.interval_days) == (1, 0, 0, 0, 1)
        assert m.due_at == T0 + timedelta(days=1) and m.last_seen_at == T0
        assert m.ease_factor == pytest.approx(2.5 - 0.32)
    # Served again two answers later; correct on a retry -> quality 4 (SM-2 leaves the ease as it is).
    answer(user, run)
    answer(user, run)
    later = T0 + timedelta(days=2)
    retry = answer(user, run, now=later)
    assert retry.exercise_id == head and retry.correct
    for m in TokenMastery.objects.filter(user=user, token__exercises=head):
        assert (m.seen_count, m.correct_count, m.correct_streak, m.repetitions, m.interval_days) == (2, 1, 1, 1, 1)
        assert m.ease_factor == pytest.approx(2.18)
        assert m.due_at == later + timedelta(days=1)


def test_first_try_correct_is_quality_five_and_early_repeats_do_not_advance(user, settings):
    settings.MALLARD_SCHEDULER = "sm2"
    course, (first, _) = make_course(exercises=2, tokens=0)
    word = TokenFactory(language=course.to_language, text="hola")
    for link in first.lesson_exercises.all():
        link.exercise.tokens.add(word)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    answer(user, run)
    m = _mastery(user, word)
    assert (m.repetitions, m.interval_days, m.ease_factor) == (1, 1, pytest.approx(2.6))
    answer(user, run, now=T0 + timedelta(minutes=1))  # same word again, not due: counts only
    m = _mastery(user, word)
    assert (m.seen_count, m.correct_count, m.correct_streak) == (2, 2, 2)
    assert (m.repetitions, m.interval_days, m.due_at) == (1, 1, T0 + timedelta(days=1))


def test_accent_note_grades_four(user):
    course, (lesson, _) = make_course(exercises=0, tokens=0)
    word = TokenFactory(language=course.to_language, text="café")
    exercise = ExerciseFactory(
        course=course, payload={"text": "coffee", "solutions": ["café"], "direction": "to_target"}
    )
    exercise.tokens.add(word)
    LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=1)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    outcome = answer(user, run, text="cafe")
    assert outcome.correct and outcome.note
    assert _mastery(user, word).ease_factor == pytest.approx(2.5)  # quality 4 leaves 2.5 unchanged


def test_starting_a_lesson_in_another_course_makes_it_current(user):
    _, (a, _) = make_course()
    second, (b, _) = make_course()
    services.start_lesson_run(user=user, lesson=a, now=T0)
    services.start_lesson_run(user=user, lesson=b, now=T0)
    assert Enrollment.objects.get(user=user, is_current=True).course == second
    assert LessonFactory._meta.model.objects.count() == 4
