"""Shared helpers for the learner's-loop tests: answers, passes, a wallet's state (courses to play:
``courses.tests.sample_courses``)."""

import uuid
from datetime import UTC, datetime

from django.utils import timezone

from gamification import services
from gamification.models import Wallet

RIGHT = "Hello"
WRONG = "Goodbye"
_UNSET = object()
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, noon UTC


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


def set_wallet(user, **fields) -> Wallet:
    services.ensure_learner(user=user, now=timezone.now())
    Wallet.objects.filter(user=user).update(**fields)
    return Wallet.objects.get(user=user)
