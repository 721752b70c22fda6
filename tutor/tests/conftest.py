"""Fixtures of the tutor tests: a lesson whose every solution is a string found nowhere else, and
a learner part-way through it."""

import uuid
from dataclasses import dataclass

import pytest

from courses.exercise_types import get_type, served_payload
from courses.models import Exercise, Lesson
from courses.tests.factories import ExerciseFactory, LessonExerciseFactory
from courses.tests.sample_courses import new_course
from gamification import services as game
from progress.models import LessonRun
from progress.tests.factories import T0

#: Solutions and explanations of the lesson's exercises: none may reach the model before the
#: learner has answered the exercise in their open run.
SECRETS = {
    "cat": ("The cat sleeps", "EXPLAIN-CAT: dormir becomes duerme"),
    "night": ("Good night", "EXPLAIN-NIGHT: noches is plural"),
}


@dataclass
class Lesson3:
    lesson: Lesson
    cat: Exercise  # translate "El gato duerme" → "The cat sleeps"
    choice: Exercise  # multiple choice, answer "gracias"
    night: Exercise  # translate "Buenas noches" → "Good night"


@pytest.fixture
def lesson3(db) -> Lesson3:
    course, (lesson,) = new_course(lessons=1, exercises=0)
    Lesson.objects.filter(pk=lesson.pk).update(title="Greetings and cats", adaptive_order=False, notes="Ser vs estar.")
    lesson.refresh_from_db()
    cat = ExerciseFactory(
        course=course,
        prompt="Translate this sentence",
        payload={"text": "El gato duerme", "solutions": [SECRETS["cat"][0]], "direction": "to_source"},
        explanation=SECRETS["cat"][1],
    )
    choice = ExerciseFactory(
        course=course,
        type="multiple_choice",
        prompt="Pick the right word",
        payload={"question": "Which one means “thank you”?", "choices": ["gracias", "por favor", "hola"], "answer": 0},
        explanation="EXPLAIN-CHOICE",
    )
    night = ExerciseFactory(
        course=course,
        prompt="Translate this sentence",
        payload={"text": "Buenas noches", "solutions": [SECRETS["night"][0]], "direction": "to_source"},
        explanation=SECRETS["night"][1],
    )
    for ordinal, exercise in enumerate([cat, choice, night], start=1):
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=ordinal)
    return Lesson3(lesson=lesson, cat=cat, choice=choice, night=night)


def answer_head(user, run: LessonRun, text, *, now=T0):
    """Answer the exercise waiting at the head of the run's queue."""
    run.refresh_from_db()
    return game.submit_answer(
        user=user, run_id=run.pk, exercise_id=run.queue[0], answer=text, client_id=uuid.uuid4(), now=now
    )


def finish_run(user, run: LessonRun, lesson3: Lesson3, *, now=T0) -> None:
    """Answer every exercise still waiting in the run rightly, whatever order they come in."""
    kind = get_type("multiple_choice")
    served = served_payload(kind, lesson3.choice.payload, run_id=run.pk, exercise_id=lesson3.choice.pk)
    right = {
        lesson3.cat.pk: SECRETS["cat"][0],
        lesson3.choice.pk: served["answer"],
        lesson3.night.pk: SECRETS["night"][0],
    }
    run.refresh_from_db()
    while run.status == LessonRun.Status.ACTIVE:
        answer_head(user, run, right[run.queue[0]], now=now)
        run.refresh_from_db()


@pytest.fixture
def tutor_on(settings):
    """A provider configured but never called (pages and services that only check availability)."""
    settings.LLM_BASE_URL = "http://127.0.0.1:9/v1"
    settings.LLM_MODEL = "not-called"
