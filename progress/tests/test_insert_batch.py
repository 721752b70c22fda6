"""The answer's new rows written together (``core.inserts.InsertBatch``) and the learner's word rows read
on the run lock (``progress.services.lock_run(token_ids=…)``): the rows, ids and values are exactly those
the plain ORM writes and reads, the batch on PostgreSQL (one statement) and on SQLite (one ``bulk_create`` each)."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from accounts.models import ActivityEvent
from accounts.tests.factories import UserFactory
from core import inserts
from core.inserts import IdOf, InsertBatch
from courses.tests.factories import TokenFactory
from courses.tests.sample_courses import make_course
from progress.models import ExerciseAttempt, LessonRun, ReviewLog, TokenMastery
from progress.services import lock_run

from .factories import T0, LessonRunFactory

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


def _attempt(run, **kwargs) -> ExerciseAttempt:
    fields = {
        "run": run,
        "user_id": run.user_id,
        "exercise_id": run.exercise_ids[0],
        "client_id": uuid.uuid4(),
        "answer": "Hello",
        "correct": True,
        "created_at": T0,
    }
    return ExerciseAttempt(**{**fields, **kwargs})


@pytest.fixture
def run():
    _, (lesson, _) = make_course()
    return LessonRunFactory(lesson=lesson)


def test_rows_of_several_models_and_their_references_in_one_statement(run, django_assert_num_queries):
    tokens = [TokenFactory() for _ in range(3)]
    attempt = _attempt(run)
    logs = [
        ReviewLog(user_id=run.user_id, token=t, reviewed_at=T0, rating=3, exercise_id=attempt.exercise_id)
        for t in tokens
    ]
    for log in logs:
        log.attempt_id = IdOf(attempt)
    event = ActivityEvent(
        user_id=run.user_id, kind="answer", payload={"run": run.pk, "attempt": IdOf(attempt)}, created_at=T0
    )
    batch = InsertBatch()
    batch.add(attempt)
    batch.add(*logs)
    batch.add(event)
    assert len(batch) == 5
    # PostgreSQL: one statement; elsewhere one bulk_create per group (attempt, review logs, event).
    with django_assert_num_queries(1 if POSTGRESQL else 3):
        batch.write()
    assert len(batch) == 0
    assert attempt.pk == ExerciseAttempt.objects.get(client_id=attempt.client_id).pk
    # Each instance got its own row's id (in the order added), and its references resolved.
    for log, token in zip(logs, tokens, strict=True):
        assert log.attempt_id == attempt.pk
        stored = ReviewLog.objects.get(pk=log.pk)
        assert (stored.token_id, stored.attempt_id) == (token.pk, attempt.pk)
    assert event.payload == {"run": run.pk, "attempt": attempt.pk}
    assert ActivityEvent.objects.get(pk=event.pk).payload == {"run": run.pk, "attempt": attempt.pk}
    assert not attempt._state.adding


def test_an_empty_batch_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        InsertBatch().write()


def test_a_reference_must_name_a_row_added_before(run):
    attempt = _attempt(run)
    batch = InsertBatch()
    batch.add(ActivityEvent(user_id=run.user_id, kind="answer", payload={"attempt": IdOf(attempt)}, created_at=T0))
    batch.add(attempt)
    with pytest.raises(ValueError, match="before"):
        batch.write()
    with pytest.raises(ValueError, match="primary key"):
        InsertBatch().add(run)


def test_a_violated_constraint_writes_none_of_the_rows(run):
    """The batch is one unit: a duplicate client_id (the answer's backstop) leaves no review log behind."""
    first = _attempt(run)
    first.save()
    duplicate = _attempt(run, client_id=first.client_id)
    log = ReviewLog(user_id=run.user_id, token=TokenFactory(), reviewed_at=T0, rating=1)
    log.attempt_id = IdOf(duplicate)
    batch = InsertBatch()
    batch.add(duplicate, log)
    with pytest.raises(IntegrityError), transaction.atomic():
        batch.write()
    assert not ReviewLog.objects.exists()
    assert ExerciseAttempt.objects.count() == 1


@pytest.mark.postgresql_only  # (SQLite reads them on their own: progress.services.mastery.word_rows)
def test_word_rows_ride_on_the_run_lock_with_their_exact_values(run, django_assert_num_queries):
    tokens = [TokenFactory() for _ in range(3)]
    TokenMastery.objects.create(
        user=run.user,
        token=tokens[0],
        seen_count=7,
        correct_count=5,
        correct_streak=2,
        ease_factor=2.36,
        interval_days=4,
        repetitions=3,
        stability=0.1 + 0.2,  # 0.30000000000000004: read back exactly, not as 0.3
        difficulty=1 / 3,
        due_at=T0 + timedelta(days=3, microseconds=123457),
        last_seen_at=T0 - timedelta(microseconds=1),
    )
    TokenMastery.objects.create(user=run.user, token=tokens[1], stability=None, difficulty=None, due_at=None)
    TokenMastery.objects.create(user=UserFactory(), token=tokens[2], seen_count=9)  # someone else's
    with transaction.atomic(), django_assert_num_queries(1):
        locked = lock_run(user=run.user, run_id=run.pk, client_id=uuid.uuid4(), token_ids=[t.pk for t in tokens])
    fields = ("token_id", "user_id", *(f.attname for f in TokenMastery._meta.concrete_fields[3:]))
    expected = sorted(
        (tuple(getattr(m, f) for f in fields) for m in TokenMastery.objects.filter(user=run.user)),
        key=lambda row: row[0],
    )
    assert sorted((tuple(getattr(m, f) for f in fields) for m in locked.word_rows), key=lambda row: row[0]) == expected
    assert expected[0][fields.index("stability")] == 0.1 + 0.2
    # No row of those words: an empty list.
    with transaction.atomic():
        assert lock_run(user=run.user, run_id=run.pk, client_id=uuid.uuid4(), token_ids=[tokens[2].pk]).word_rows == []


def test_an_update_rides_on_the_batchs_statement_on_postgresql(run, django_assert_num_queries):
    """``InsertBatch.update``: on PostgreSQL one more part of the same statement, nothing sent before
    ``write()``; elsewhere at once, as ``QuerySet.update``."""
    attempt = _attempt(run)
    batch = InsertBatch()
    with django_assert_num_queries(0 if POSTGRESQL else 1):
        batch.update(LessonRun, run.pk, xp_earned=F("xp_earned") + 10, queue=[7, 8])
    assert batch.updates(LessonRun, run.pk) is POSTGRESQL
    batch.add(attempt)
    with django_assert_num_queries(1):
        batch.write()
    run.refresh_from_db()
    assert (run.xp_earned, run.queue) == (10, [7, 8])
    assert ExerciseAttempt.objects.filter(pk=attempt.pk).exists()
    assert not batch.updates(LessonRun, run.pk)  # written: the batch is empty again


@pytest.mark.postgresql_only
def test_a_second_update_of_a_row_in_one_batch_is_refused_and_updates_alone_are_written(run):
    """PostgreSQL applies only one of two parts of a statement that change the same row: refused."""
    batch = InsertBatch()
    batch.update(LessonRun, run.pk, xp_earned=F("xp_earned") + 1)
    with pytest.raises(ValueError, match="already updated"):
        batch.update(LessonRun, run.pk, mistakes=F("mistakes") + 1)
    batch.write()  # no rows to add: the update on its own
    run.refresh_from_db()
    assert (run.xp_earned, run.mistakes) == (1, 0)


@pytest.mark.postgresql_only
def test_an_update_in_a_failed_batch_is_rolled_back_with_its_rows(run):
    first = _attempt(run)
    first.save()
    batch = InsertBatch()
    batch.update(LessonRun, run.pk, xp_earned=F("xp_earned") + 5)
    batch.add(_attempt(run, client_id=first.client_id))  # a duplicate client id: the statement fails
    with pytest.raises(IntegrityError), transaction.atomic():
        batch.write()
    run.refresh_from_db()
    assert run.xp_earned == 0


def test_an_upsert_rides_on_the_batchs_statement_on_postgresql(run, django_assert_num_queries):
    """``InsertBatch.upsert``: ``bulk_create(update_conflicts=True)`` as one more part of the statement
    on PostgreSQL (a second one of the model refused), at once elsewhere; new rows and rows updated."""
    known, new = TokenFactory(), TokenFactory()
    TokenMastery.objects.create(user_id=run.user_id, token=known, seen_count=2, due_at=T0)
    rows = [
        TokenMastery(user_id=run.user_id, token=token, seen_count=seen, due_at=T0 + timedelta(days=1))
        for token, seen in ((known, 3), (new, 1))
    ]
    batch = InsertBatch()
    with django_assert_num_queries(0 if POSTGRESQL else 1):
        batch.upsert(rows, unique_fields=["user", "token"], update_fields=["seen_count", "due_at"])
    if POSTGRESQL:
        with pytest.raises(ValueError, match="already upserted"):
            batch.upsert(rows[:1], unique_fields=["user", "token"], update_fields=["seen_count"])
    batch.add(_attempt(run))
    with django_assert_num_queries(1):
        batch.write()
    assert sorted(
        TokenMastery.objects.filter(user_id=run.user_id).values_list("token_id", "seen_count", "due_at")
    ) == sorted([(known.pk, 3, T0 + timedelta(days=1)), (new.pk, 1, T0 + timedelta(days=1))])


@pytest.mark.postgresql_only
@pytest.mark.parametrize("count", [1, 3], ids=["one row", "several rows"])
def test_an_upserts_sql_is_compiled_once_and_its_parameters_are_the_orms(run, count, monkeypatch):
    """The upsert's SQL is the ORM's, compiled for the first rows of a shape only (one row, or several:
    an array per column); later rows of that shape get the parameters the ORM would give them."""
    monkeypatch.setattr(inserts, "_UPSERT_SQL", {})
    compiled = []
    original = inserts.InsertQuery.get_compiler

    def counted(self, *args, **kwargs):
        compiled.extend([self.model] if self.model is TokenMastery else [])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(inserts.InsertQuery, "get_compiler", counted)
    fields = {"unique_fields": ["user", "token"], "update_fields": ["seen_count", "due_at", "stability"]}
    for round_ in range(3):
        rows = [
            TokenMastery(user_id=run.user_id, token=TokenFactory(), seen_count=round_ + i, due_at=T0, stability=0.5 * i)
            for i in range(count)
        ]
        batch = InsertBatch()
        batch.upsert(rows, **fields)
        [(_, sql, params)] = batch._updates
        query = inserts.InsertQuery(
            TokenMastery,
            on_conflict=inserts.OnConflict.UPDATE,
            update_fields=[TokenMastery._meta.get_field(f) for f in fields["update_fields"]],
            unique_fields=[TokenMastery._meta.get_field(f) for f in fields["unique_fields"]],
        )
        query.insert_values(inserts._fields(TokenMastery), rows)
        [(orm_sql, orm_params)] = original(query, "default").as_sql()
        assert (sql, params) == (orm_sql, list(orm_params))
        batch.add(_attempt(run))
        batch.write()
    assert len(compiled) == 1  # the first round's; the checks above compiled their own
    assert TokenMastery.objects.filter(user_id=run.user_id).count() == 3 * count
