"""The course-analytics part of the nightly ``rollup_daily_metrics`` job: one UTC day of lesson runs
and attempts summed into the tables of ``analytics.models``.

Four ``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE … WHERE … IS DISTINCT FROM …`` statements
(the same SQL on PostgreSQL and SQLite, like the job's own) and one grouped read for the wrong
answers, whose normalisation is the answer checker's own Python (``courses.answers.normalized_answer``):
the database groups the day's wrong answers by their exact text, Python folds the groups that
normalise alike and writes only the rows whose count differs. Only rows whose numbers differ are
written, so a re-run of a day changes nothing. Runs and attempts count only in lesson runs.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from courses.answers import normalized_answer
from courses.exercise_types import REGISTRY, answer_language_code
from courses.models import Exercise
from progress.models import ExerciseAttempt, LessonRun

from .models import ExerciseDay, ExerciseTime, LessonDay, LessonTime, WrongAnswerDay
from .rules import EXERCISE_BUCKETS, LESSON_BUCKETS

#: a normalised wrong answer is kept to this many characters (the column's length)
ANSWER_MAX_CHARS = WrongAnswerDay._meta.get_field("answer").max_length or 200
#: how a wrong answer with no words left after normalisation (only punctuation, or empty) is listed
NO_WORDS = "(no words)"

_LESSON_DAY = """
    WITH started AS (
        SELECT lesson_id, count(*) AS n FROM {run}
        WHERE kind = 'lesson' AND started_at >= %(start)s AND started_at < %(end)s GROUP BY lesson_id
    ), ended AS (
        SELECT lesson_id, count(*) FILTER (WHERE status = 'passed') AS passed,
               count(*) FILTER (WHERE status = 'failed') AS failed,
               count(*) FILTER (WHERE status = 'abandoned') AS quit
        FROM {run}
        WHERE kind = 'lesson' AND finished_at >= %(start)s AND finished_at < %(end)s GROUP BY lesson_id
    ), lessons AS (
        SELECT lesson_id FROM started UNION SELECT lesson_id FROM ended
    )
    INSERT INTO {table} AS m (lesson_id, day, started, passed, failed, quit)
    SELECT l.lesson_id, %(day)s, COALESCE(s.n, 0), COALESCE(e.passed, 0), COALESCE(e.failed, 0), COALESCE(e.quit, 0)
    FROM lessons l LEFT JOIN started s ON s.lesson_id = l.lesson_id LEFT JOIN ended e ON e.lesson_id = l.lesson_id
    WHERE true
    ON CONFLICT (lesson_id, day) DO UPDATE SET
        started = EXCLUDED.started, passed = EXCLUDED.passed, failed = EXCLUDED.failed, quit = EXCLUDED.quit
    WHERE m.started IS DISTINCT FROM EXCLUDED.started OR m.passed IS DISTINCT FROM EXCLUDED.passed
       OR m.failed IS DISTINCT FROM EXCLUDED.failed OR m.quit IS DISTINCT FROM EXCLUDED.quit
"""

# A passed run's time: its answers' time_spent_ms summed, in LESSON_BUCKETS.
_LESSON_TIME = """
    INSERT INTO {table} AS m (lesson_id, day, bucket, runs)
    SELECT lesson_id, %(day)s, bucket, count(*) FROM (
        SELECT r.lesson_id,
               CASE WHEN COALESCE(sum(a.time_spent_ms), 0) >= {last_ms} THEN {last}
                    ELSE COALESCE(sum(a.time_spent_ms), 0) / {width} END AS bucket
        FROM {run} r LEFT JOIN {attempt} a ON a.run_id = r.id
        WHERE r.kind = 'lesson' AND r.status = 'passed' AND r.finished_at >= %(start)s AND r.finished_at < %(end)s
        GROUP BY r.id, r.lesson_id
    ) AS timed
    GROUP BY lesson_id, bucket
    ON CONFLICT (lesson_id, day, bucket) DO UPDATE SET runs = EXCLUDED.runs
    WHERE m.runs IS DISTINCT FROM EXCLUDED.runs
"""

# A first try: the first answer (lowest id) to an exercise in its run. Per (run, exercise) answered
# that day, the day's first answer is the run's first unless the run began on an earlier day and
# has an earlier answer (checked only for those runs, once per pair).
_EXERCISE_DAY = """
    WITH pairs AS (
        SELECT run_id, exercise_id, min(id) AS first_id FROM {attempt}
        WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY run_id, exercise_id
    ), firsts AS (
        SELECT p.first_id FROM pairs p JOIN {run} r ON r.id = p.run_id
        WHERE r.kind = 'lesson' AND (r.started_at >= %(start)s OR NOT EXISTS (
            SELECT 1 FROM {attempt} b WHERE b.run_id = p.run_id AND b.exercise_id = p.exercise_id AND b.id < p.first_id
        ))
    )
    INSERT INTO {table} AS m (lesson_id, exercise_id, day, attempts, errors, first_tries, first_try_correct)
    SELECT r.lesson_id, a.exercise_id, %(day)s, count(*), count(*) FILTER (WHERE NOT a.correct),
           count(f.first_id), count(f.first_id) FILTER (WHERE a.correct)
    FROM {attempt} a JOIN {run} r ON r.id = a.run_id LEFT JOIN firsts f ON f.first_id = a.id
    WHERE r.kind = 'lesson' AND a.created_at >= %(start)s AND a.created_at < %(end)s
    GROUP BY r.lesson_id, a.exercise_id
    ON CONFLICT (lesson_id, exercise_id, day) DO UPDATE SET
        attempts = EXCLUDED.attempts, errors = EXCLUDED.errors,
        first_tries = EXCLUDED.first_tries, first_try_correct = EXCLUDED.first_try_correct
    WHERE m.attempts IS DISTINCT FROM EXCLUDED.attempts OR m.errors IS DISTINCT FROM EXCLUDED.errors
       OR m.first_tries IS DISTINCT FROM EXCLUDED.first_tries
       OR m.first_try_correct IS DISTINCT FROM EXCLUDED.first_try_correct
"""

_EXERCISE_TIME = """
    INSERT INTO {table} AS m (lesson_id, exercise_id, day, bucket, attempts)
    SELECT lesson_id, exercise_id, %(day)s, bucket, count(*) FROM (
        SELECT r.lesson_id, a.exercise_id,
               CASE WHEN a.time_spent_ms >= {last_ms} THEN {last} ELSE a.time_spent_ms / {width} END AS bucket
        FROM {attempt} a JOIN {run} r ON r.id = a.run_id
        WHERE r.kind = 'lesson' AND a.created_at >= %(start)s AND a.created_at < %(end)s
    ) AS timed
    GROUP BY lesson_id, exercise_id, bucket
    ON CONFLICT (lesson_id, exercise_id, day, bucket) DO UPDATE SET attempts = EXCLUDED.attempts
    WHERE m.attempts IS DISTINCT FROM EXCLUDED.attempts
"""

# The day's wrong answers grouped by their exact stored JSON and the result's ``best_match``, which
# for a choice (an index into the run's shuffled options) names the option chosen.
_WRONG_ANSWERS = """
    SELECT r.lesson_id, a.exercise_id, {answer} AS answer, {chosen} AS chosen, count(*)
    FROM {attempt} a JOIN {run} r ON r.id = a.run_id
    WHERE r.kind = 'lesson' AND NOT a.correct AND a.created_at >= %(start)s AND a.created_at < %(end)s
    GROUP BY r.lesson_id, a.exercise_id, {answer}, {chosen}
"""
_ANSWER_SQL = {
    "postgresql": ("a.answer::text", "a.result ->> 'best_match'"),
    "sqlite": ("a.answer", "json_extract(a.result, '$.best_match')"),
}


@dataclass(frozen=True)
class AnalyticsRows:
    """Rows written (or, in a dry run, that would be written) per table."""

    lessons: int
    lesson_times: int
    exercises: int
    exercise_times: int
    wrong_answers: int

    @property
    def total(self) -> int:
        return self.lessons + self.lesson_times + self.exercises + self.exercise_times + self.wrong_answers

    def __str__(self) -> str:
        return (
            f"{self.lessons} lesson, {self.lesson_times} lesson-time, {self.exercises} exercise, "
            f"{self.exercise_times} exercise-time and {self.wrong_answers} wrong-answer analytics rows"
        )


def rollup_analytics(*, day: date, using: str = DEFAULT_DB_ALIAS) -> AnalyticsRows:
    """Roll up one UTC ``day`` (the caller, ``rollup_daily_metrics``, has checked that the day has
    ended and holds the transaction)."""
    connection = connections[using]
    start = datetime.combine(day, time(0), tzinfo=UTC)
    ops = connection.ops
    params = {
        "day": day,
        "start": ops.adapt_datetimefield_value(start),
        "end": ops.adapt_datetimefield_value(start + timedelta(days=1)),
    }
    qn = ops.quote_name
    names = {
        "run": qn(LessonRun._meta.db_table),
        "attempt": qn(ExerciseAttempt._meta.db_table),
    }
    with transaction.atomic(using=using), connection.cursor() as cursor:

        def upsert(sql: str, model, **extra) -> int:
            cursor.execute(sql.format(table=qn(model._meta.db_table), **names, **extra), params)
            return _changed_rows(connection, cursor)

        def buckets(b) -> dict:
            return {"width": b.width_ms, "last": b.last, "last_ms": b.last * b.width_ms}

        lessons = upsert(_LESSON_DAY, LessonDay)
        lesson_times = upsert(_LESSON_TIME, LessonTime, **buckets(LESSON_BUCKETS))
        exercises = upsert(_EXERCISE_DAY, ExerciseDay)
        exercise_times = upsert(_EXERCISE_TIME, ExerciseTime, **buckets(EXERCISE_BUCKETS))
        answer_sql, chosen_sql = _ANSWER_SQL[connection.vendor]
        cursor.execute(_WRONG_ANSWERS.format(answer=answer_sql, chosen=chosen_sql, **names), params)
        counts = _normalised_counts(_fetch_all(cursor), using=using)
        wrong = _write_wrong_answers(day=day, counts=counts, using=using)
        return AnalyticsRows(lessons, lesson_times, exercises, exercise_times, wrong)


def _changed_rows(connection, cursor) -> int:
    """Rows changed by the statement just executed (sqlite3 reports -1 for a statement starting WITH)."""
    if connection.vendor == "sqlite":
        cursor.execute("SELECT changes()")
        return cursor.fetchone()[0]
    return cursor.rowcount


def _fetch_all(cursor, size: int = 5000) -> Iterable[tuple]:
    while rows := cursor.fetchmany(size):
        yield from rows


def _normalised_counts(rows: Iterable[tuple], *, using: str) -> dict[tuple[int, int, str], int]:
    """(lesson id, exercise id, normalised answer) → wrong answers, from the grouped exact answers."""
    grouped = list(rows)
    exercises = {
        e.pk: e
        for e in Exercise.objects.using(using)
        .filter(pk__in={row[1] for row in grouped})
        .select_related("course__from_language", "course__to_language")
    }
    counts: dict[tuple[int, int, str], int] = defaultdict(int)
    for lesson_id, exercise_id, raw, chosen, n in grouped:
        exercise = exercises.get(exercise_id)
        if exercise is None:
            continue
        text = answer_text(exercise, raw, chosen)
        if text is not None:
            counts[(lesson_id, exercise_id, text)] += n
    return counts


def answer_text(exercise: Exercise, raw: Any, chosen: str | None) -> str | None:
    """The normalised text of one stored wrong answer, or None for answers that are not text: tiles
    or pairs (positions in the run's own shuffled order), a speaking exercise's self-assessment, an
    exercise of an unknown type. A choice is the option chosen."""
    kind = REGISTRY.get(exercise.type)
    if kind is None:
        return None
    value = json.loads(raw) if isinstance(raw, str) else raw
    if kind.answer_language(exercise.payload) is None:  # choices and pairs: no text was typed
        value = chosen
    elif isinstance(value, dict):
        value = value.get("transcript")
    if not isinstance(value, str):
        return None
    language = answer_language_code(kind, exercise.payload, exercise.course)
    return (normalized_answer(value, language) or NO_WORDS)[:ANSWER_MAX_CHARS]


def _write_wrong_answers(*, day: date, counts: dict[tuple[int, int, str], int], using: str) -> int:
    """Make the day's rows equal ``counts``: insert or update the counts that differ, delete the
    answers no longer there. Returns the rows written or deleted."""
    existing = {
        (lesson_id, exercise_id, answer): (pk, count)
        for pk, lesson_id, exercise_id, answer, count in WrongAnswerDay.objects.using(using)
        .filter(day=day)
        .values_list("pk", "lesson_id", "exercise_id", "answer", "count")
    }
    changed = [
        WrongAnswerDay(lesson_id=key[0], exercise_id=key[1], day=day, answer=key[2], count=n)
        for key, n in counts.items()
        if existing.get(key, (None, None))[1] != n
    ]
    stale = [pk for key, (pk, _) in existing.items() if key not in counts]
    if changed:
        WrongAnswerDay.objects.using(using).bulk_create(
            changed,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["lesson", "exercise", "day", "answer"],
            update_fields=["count"],
        )
    for i in range(0, len(stale), 2000):
        WrongAnswerDay.objects.using(using).filter(pk__in=stale[i : i + 2000]).delete()
    return len(changed) + len(stale)
