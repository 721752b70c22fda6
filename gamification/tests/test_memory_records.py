"""The memory model's records: review log per answer, the data migration's replay, export and erasure."""

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from accounts.services import erase_user, export_user_data
from courses.tests.factories import TokenFactory
from courses.tests.sample_courses import make_course
from gamification import services
from progress.models import ExerciseAttempt, MemoryParameters, ReviewLog, TokenMastery
from progress.services.scheduling import AGAIN, DEFAULT_PARAMETERS, GOOD, HARD

from .helpers import T0, answer

pytestmark = pytest.mark.django_db

replay_migration = importlib.import_module("progress.migrations.0004_replay_attempts_into_fsrs")


def _play(user):
    """A lesson of two translate exercises teaching one word each: wrong, right, right on a retry,
    then a review of the same words two days later."""
    course, (lesson, _) = make_course(exercises=2, tokens=1)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    answer(user, run, correct=False, now=T0)
    answer(user, run, now=T0 + timedelta(minutes=1))
    answer(user, run, now=T0 + timedelta(minutes=2))  # the missed one, on a retry: Hard
    return course, lesson


def test_every_answer_logs_one_review_per_word_with_its_rating(user):
    _play(user)
    logs = list(ReviewLog.objects.filter(user=user).order_by("reviewed_at", "id"))
    assert [log.rating for log in logs] == [AGAIN, GOOD, HARD]
    assert logs[0].token_id == logs[2].token_id != logs[1].token_id
    assert all(log.exercise_id for log in logs)
    attempts = list(ExerciseAttempt.objects.filter(user=user).order_by("created_at", "id"))
    assert [log.attempt_id for log in logs] == [a.pk for a in attempts]
    first = TokenMastery.objects.get(user=user, token_id=logs[1].token_id)
    assert first.stability == pytest.approx(DEFAULT_PARAMETERS[GOOD - 1])
    assert first.due_at == T0 + timedelta(minutes=1) + timedelta(days=round(first.stability))


def test_the_migration_replay_rebuilds_the_log_and_the_state_from_the_attempts(user):
    _play(user)
    expected_logs = list(
        ReviewLog.objects.filter(user=user).order_by("reviewed_at", "token_id").values_list("token_id", "rating")
    )
    expected_state = {m.token_id: (m.stability, m.difficulty, m.due_at) for m in TokenMastery.objects.filter(user=user)}
    # A word whose attempts were purged long ago keeps only its SM-2 schedule.
    old = TokenFactory(text="antiguo")
    TokenMastery.objects.create(user=user, token=old, seen_count=3, interval_days=12, ease_factor=2.5)
    ReviewLog.objects.all().delete()
    TokenMastery.objects.filter(user=user).update(stability=None, difficulty=None, due_at=None)

    replay_migration.replay(apps, SimpleNamespace(connection=connection))  # what migrate passes: its connection

    replayed = list(
        ReviewLog.objects.filter(user=user).order_by("reviewed_at", "token_id").values_list("token_id", "rating")
    )
    assert replayed == expected_logs
    assert set(ReviewLog.objects.values_list("attempt_id", flat=True)) == set(
        ExerciseAttempt.objects.values_list("pk", flat=True)
    )
    for m in TokenMastery.objects.filter(user=user).exclude(token=old):
        stability, difficulty, due_at = expected_state[m.token_id]
        assert (m.stability, m.difficulty, m.due_at) == (pytest.approx(stability), pytest.approx(difficulty), due_at)
    converted = TokenMastery.objects.get(user=user, token=old)
    # SM-2's 12-day interval at 90% retention: the FSRS stability is about 12 days.
    assert converted.stability == pytest.approx(12, rel=0.05)
    assert 1 <= converted.difficulty <= 10


def test_review_log_and_parameters_are_exported_and_erased_with_the_account(user):
    _play(user)
    MemoryParameters.objects.create(user=user, parameters=list(DEFAULT_PARAMETERS), reviews_used=10)
    data = export_user_data(user=user)["data"]
    assert [row["rating"] for row in data["progress.reviewlog"]] == [AGAIN, GOOD, HARD]
    assert data["progress.memoryparameters"][0]["reviews_used"] == 10
    counts = erase_user(user=user)
    assert counts["progress.ReviewLog"] == 3 and counts["progress.MemoryParameters"] == 1
    assert not ReviewLog.objects.exists() and not MemoryParameters.objects.exists()


def test_purging_an_attempt_keeps_its_review_log(user):
    _play(user)
    ExerciseAttempt.objects.all().delete()
    assert ReviewLog.objects.count() == 3
    assert set(ReviewLog.objects.values_list("attempt_id", flat=True)) == {None}
