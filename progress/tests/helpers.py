"""Shared helpers for the game-rules tests (progress and gamification)."""

import itertools
import uuid
from datetime import UTC, datetime

from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LanguageFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    TokenFactory,
    UnitFactory,
)
from gamification import services

RIGHT = "Hello"
WRONG = "Goodbye"
_UNSET = object()
_languages = itertools.count(1)
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, noon UTC


def add_exercises(lesson, count: int, *, tokens_per_exercise: int = 0, start: int = 1):
    course = lesson.unit.section.course
    exercises = []
    for i in range(start, start + count):
        exercise = ExerciseFactory(course=course)
        if tokens_per_exercise:
            exercise.tokens.set(
                [
                    TokenFactory(language=course.to_language, text=f"{exercise.slug}-w{j}")
                    for j in range(tokens_per_exercise)
                ]
            )
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=i)
        exercises.append(exercise)
    return exercises


def make_course(*, units: int = 1, lessons_per_unit: int = 2, exercises: int = 3, tokens: int = 1, **lesson_kwargs):
    """A published course: one section, ``units`` units of ``lessons_per_unit`` lessons each."""
    code = f"x{next(_languages)}"
    course = CourseFactory(to_language=LanguageFactory(code=code, name=f"Language {code}", native_name=code))
    section = SectionFactory(course=course, ordinal=1)
    lessons = []
    for u in range(1, units + 1):
        unit = UnitFactory(section=section, ordinal=u)
        for n in range(1, lessons_per_unit + 1):
            lesson = LessonFactory(unit=unit, ordinal=n, **lesson_kwargs)
            add_exercises(lesson, exercises, tokens_per_exercise=tokens)
            lessons.append(lesson)
    return course, lessons


def answer(user, run, *, correct: bool = True, now=T0, exercise_id=None, client_id=None, text=_UNSET, time_spent_ms=0):
    """Answer the head of the run's queue (or ``exercise_id``)."""
    run.refresh_from_db()
    return services.submit_answer(
        user=user,
        run_id=run.pk,
        exercise_id=exercise_id if exercise_id is not None else run.queue[0],
        answer=(RIGHT if correct else WRONG) if text is _UNSET else text,
        client_id=client_id or uuid.uuid4(),
        now=now,
        time_spent_ms=time_spent_ms,
    )


def pass_lesson(user, lesson, *, now=T0, mistakes: int = 0):
    """Start and pass a lesson run, with ``mistakes`` wrong answers first. Returns (run, last outcome)."""
    run = services.start_lesson_run(user=user, lesson=lesson, now=now)
    for _ in range(mistakes):
        answer(user, run, correct=False, now=now)
    outcome = None
    while True:
        run.refresh_from_db()
        if not run.queue or run.status != "active":
            break
        outcome = answer(user, run, now=now)
    run.refresh_from_db()
    return run, outcome
