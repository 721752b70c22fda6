"""A small, hand-counted set of lesson runs and answers for the course-analytics tests.

Day ``DAY`` (UTC), lesson ``l1`` (exercises ``typed``, a translation into Spanish, and ``choice``, a
multiple choice) and lesson ``l2`` (``typed`` again):

| run | learner | lesson | started | ended on DAY | answers on DAY (exercise, right?, ms, text) |
| --- | --- | --- | --- | --- | --- |
| A | alice | l1 | DAY | passed | typed ✗ 5000 "¡Estoy bien, gracias!"; choice ✓ 3000; typed ✓ 4000 |
| B | bob | l1 | DAY | failed | typed ✗ 2000 "estoy  bien gracias"; choice ✗ 1000 ("hola"); typed ✗ 1500 "xyz" |
| C | carol | l1 | DAY | quit | typed ✓ 20000 |
| D | dave | l1 | DAY | (active) | — |
| E | erin | l1 | DAY - 1 | passed | (typed ✓ 10000 on DAY - 1); choice ✗ 20000 ("Hola"); choice ✓ 10000 |
| F | frank | l2 | DAY | passed | typed ✓ 1000 |
| R | frank | review | DAY | passed | typed ✗ 9000 "nope" (reviews are not counted) |

Hand counts for DAY: l1 started 4 (A to D), passed 2 (A, E), failed 1 (B), quit 1 (C); passed-run times
12 s (A) and 40 s (E: its answers of both days). typed in l1: 5 answers, 3 wrong, 3 first tries, 1
right first time; choice in l1: 4 answers, 2 wrong, 3 first tries, 1 right first time; typed in l2:
1, 0, 1, 1. Wrong answers: typed in l1 "estoy bien gracias" x2 and "xyz" x1; choice in l1 "hola" x2.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from accounts.tests.factories import UserFactory
from courses.models import Course, Exercise, Lesson
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LanguageFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    UnitFactory,
)
from progress.models import ExerciseAttempt, LessonRun

DAY = date(2026, 3, 2)
NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)
NEXT_NIGHT = datetime(2026, 3, 3, 0, 20, tzinfo=UTC)


@dataclass
class Scene:
    course: Course
    l1: Lesson
    l2: Lesson
    typed: Exercise
    choice: Exercise


def _run(user, lesson, *, at, status, kind=LessonRun.Kind.LESSON, course=None):
    finished = None if status == LessonRun.Status.ACTIVE else NOON + timedelta(hours=1)
    return LessonRun.objects.create(
        user=user,
        course=course or lesson.unit.section.course,
        lesson=lesson,
        kind=kind,
        status=status,
        started_at=at,
        finished_at=finished,
    )


def _answer(run, exercise, *, correct, ms, answer="", chosen=None, at=None):
    at = at or NOON + timedelta(minutes=ExerciseAttempt.objects.count())
    return ExerciseAttempt.objects.create(
        run=run,
        user=run.user,
        exercise=exercise,
        answer=answer,
        correct=correct,
        xp_awarded=10 if correct else 0,
        time_spent_ms=ms,
        result={"correct": correct, "best_match": chosen},
        created_at=at,
    )


def build_scene() -> Scene:
    course = CourseFactory(
        to_language=LanguageFactory(code="es", name="Spanish", native_name="Español"), slug="es", title="Spanish"
    )
    unit = UnitFactory(section=SectionFactory(course=course, ordinal=1), ordinal=1)
    l1 = LessonFactory(unit=unit, ordinal=1, title="Greetings")
    l2 = LessonFactory(unit=unit, ordinal=2, title="Farewells")
    typed = ExerciseFactory(
        course=course,
        payload={"text": "I am fine, thanks", "solutions": ["Estoy bien, gracias"], "direction": "to_target"},
    )
    choice = ExerciseFactory(
        course=course,
        type="multiple_choice",
        payload={"question": "Which one means “thank you”?", "choices": ["gracias", "por favor", "hola"], "answer": 0},
    )
    LessonExerciseFactory(lesson=l1, exercise=typed, ordinal=1)
    LessonExerciseFactory(lesson=l1, exercise=choice, ordinal=2)
    LessonExerciseFactory(lesson=l2, exercise=typed, ordinal=1)
    P, S = LessonRun.Status, NOON - timedelta(hours=2)
    alice, bob, carol, dave, erin, frank = (UserFactory() for _ in range(6))

    a = _run(alice, l1, at=S, status=P.PASSED)
    _answer(a, typed, correct=False, ms=5000, answer="¡Estoy bien, gracias!")
    _answer(a, choice, correct=True, ms=3000, answer=0, chosen="gracias")
    _answer(a, typed, correct=True, ms=4000, answer="Estoy bien gracias")
    b = _run(bob, l1, at=S, status=P.FAILED)
    _answer(b, typed, correct=False, ms=2000, answer="estoy  bien gracias")
    _answer(b, choice, correct=False, ms=1000, answer="2", chosen="hola")
    _answer(b, typed, correct=False, ms=1500, answer="xyz")
    c = _run(carol, l1, at=S, status=P.ABANDONED)
    _answer(c, typed, correct=True, ms=20000, answer="Estoy bien, gracias")
    _run(dave, l1, at=S, status=P.ACTIVE)
    e = _run(erin, l1, at=S - timedelta(days=1), status=P.PASSED)
    _answer(e, typed, correct=True, ms=10000, answer="Estoy bien, gracias", at=S - timedelta(days=1))
    _answer(e, choice, correct=False, ms=20000, answer=2, chosen="Hola")
    _answer(e, choice, correct=True, ms=10000, answer=0, chosen="gracias")
    f = _run(frank, l2, at=S, status=P.PASSED)
    _answer(f, typed, correct=True, ms=1000, answer="Estoy bien, gracias")
    r = _run(frank, None, at=S, status=P.PASSED, kind=LessonRun.Kind.REVIEW, course=course)
    _answer(r, typed, correct=False, ms=9000, answer="nope")
    return Scene(course=course, l1=l1, l2=l2, typed=typed, choice=choice)
