"""Adaptive review sessions: weakest due words first, recent mistakes, varied exercise types, no
repeat of an item answered right in the session."""

import itertools
from datetime import timedelta

import pytest

from courses.tests.factories import ExerciseFactory, LessonExerciseFactory, TokenFactory
from courses.tests.sample_courses import make_course
from gamification import services
from progress.models import TokenMastery
from progress.rules import pick_review_exercises

from .helpers import T0, answer

pytestmark = pytest.mark.django_db

MC = {"question": "Hello?", "choices": ["Hello", "Bye"], "answer": 0}


def test_pick_varies_types_covers_weakest_first_and_never_repeats():
    teaching = {
        1: [(10, "translate"), (11, "multiple_choice")],
        2: [(12, "translate"), (10, "translate")],
        3: [(13, "translate"), (14, "listen")],
        4: [(15, "translate")],
    }
    picked = pick_review_exercises(mistakes=[], weak_tokens=[1, 2, 3, 4], teaching=teaching, types={}, limit=10)
    # word 1: 10 (translate, lowest id, nothing used yet); word 2: already taught by 10; word 3:
    # listen beats a second translate; word 4: its only exercise.
    assert picked == [10, 14, 15]
    assert len(set(picked)) == len(picked)
    # A chosen exercise teaching several words covers them all.
    assert pick_review_exercises(
        mistakes=[], weak_tokens=[1, 2], teaching={1: [(10, "t")], 2: [(10, "t"), (12, "t")]}, types={}, limit=5
    ) == [10]


def test_pick_mistakes_take_at_most_half_when_words_are_weak():
    teaching = {t: [(100 + t, "translate")] for t in range(1, 9)}
    types = {m: "picture" for m in (1, 2, 3, 4, 5, 6)}
    picked = pick_review_exercises(
        mistakes=[1, 2, 3, 4, 5, 6], weak_tokens=list(range(1, 9)), teaching=teaching, types=types, limit=6
    )
    assert picked[:3] == [1, 2, 3] and picked[3:] == [101, 102, 103]
    only_mistakes = pick_review_exercises(mistakes=[1, 2, 2, 3], weak_tokens=[], teaching={}, types=types, limit=10)
    assert only_mistakes == [1, 2, 3]
    # A mistake that is no longer visible (not in types) is skipped.
    assert pick_review_exercises(mistakes=[9, 1], weak_tokens=[], teaching={}, types=types, limit=10) == [1]


def _answer_head(user, run, *, now, correct=True):
    from courses.exercise_types import get_type, served_payload
    from courses.models import Exercise

    run.refresh_from_db()
    exercise = Exercise.objects.get(pk=run.queue[0])
    if exercise.type == "multiple_choice":
        # The run serves the choices in its own order: answer the index it shows.
        served = served_payload(get_type("multiple_choice"), exercise.payload, run_id=run.pk, exercise_id=exercise.pk)
        right = served["answer"]
        return answer(user, run, now=now, text=right if correct else 1 - right)
    return answer(user, run, now=now, text="Hello" if correct else "Goodbye")


def _play(user, run, *, now):
    while True:
        run.refresh_from_db()
        if not run.queue:
            return
        _answer_head(user, run, now=now)


def _course_with_words(n_words: int):
    """A course whose first lesson teaches ``n_words`` words, each by a translate exercise and a
    multiple-choice one."""
    course, (lesson, _) = make_course(exercises=0, tokens=0)
    words = []
    for i in range(n_words):
        word = TokenFactory(language=course.to_language, text=f"palabra-{i}")
        for j, extra in enumerate(({}, {"type": "multiple_choice", "payload": MC})):
            exercise = ExerciseFactory(course=course, **extra)
            exercise.tokens.add(word)
            LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=2 * i + j + 1)
        words.append(word)
    return course, lesson, words


def test_review_serves_the_due_words_with_the_lowest_predicted_recall_first(user):
    course, lesson, words = _course_with_words(6)
    _play(user, services.start_lesson_run(user=user, lesson=lesson, now=T0), now=T0)
    later = T0 + timedelta(days=10)
    # All due; words 4 and 1 are the weakest (smallest stability), word 5 is not due.
    TokenMastery.objects.filter(user=user).update(due_at=later - timedelta(days=1), stability=30)
    TokenMastery.objects.filter(user=user, token=words[4]).update(stability=0.5)
    TokenMastery.objects.filter(user=user, token=words[1]).update(stability=2)
    TokenMastery.objects.filter(user=user, token=words[5]).update(due_at=later + timedelta(days=1), stability=0.1)
    review = services.start_review_session(user=user, course=course, now=later)
    taught = [set(lesson.lesson_exercises.get(exercise_id=e).exercise.tokens.all()) for e in review.exercise_ids]
    assert [t.pop() for t in taught] == [words[4], words[1], words[0], words[2], words[3]]
    types = [lesson.lesson_exercises.get(exercise_id=e).exercise.type for e in review.exercise_ids]
    assert all(a != b for a, b in itertools.pairwise(types))  # the type alternates
    assert len(set(review.exercise_ids)) == len(review.exercise_ids)


def test_a_review_never_serves_again_an_item_answered_right(user):
    course, lesson, _words = _course_with_words(3)
    _play(user, services.start_lesson_run(user=user, lesson=lesson, now=T0), now=T0)
    later = T0 + timedelta(days=30)
    review = services.start_review_session(user=user, course=course, now=later)
    served, right = [], set()
    first = True
    while True:
        review.refresh_from_db()
        if not review.queue:
            break
        head = review.queue[0]
        assert head not in right
        served.append(head)
        outcome = _answer_head(user, review, now=later, correct=not first)
        if outcome.correct:
            right.add(head)
        first = False
    assert review.status == "passed"
    assert len(served) == len(set(review.exercise_ids)) + 1  # only the wrong one came back
