"""``rollup_daily_metrics`` (nightly): per course and per exercise, one row per UTC day.

Per course: active learners (distinct learners who started a run or answered that day), runs
started, runs passed (finished as passed that day), XP earned from answers, answers and correct
answers (accuracy = correct / answers). Per exercise: attempts and errors (error rate). Then, in
the same transaction, the course-analytics rollups of the same day (``analytics.rollup``).

Two ``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE`` statements (aggregated in the database,
nothing loaded into Python), the same SQL on PostgreSQL and SQLite (``FILTER``, upsert and
``IS DISTINCT FROM`` are in both; ``WHERE true`` keeps SQLite from reading ``ON CONFLICT`` as a join's
``ON``). The update only touches rows whose numbers differ, so re-running a day
reports 0 rows changed. The default day is the UTC day before ``now``; ``--day`` backfills.

The rollups outlive the attempt detail (``purge_activity`` deletes attempts older than the retention
but first rolls up any day that has no rollup yet). To keep a good rollup from being overwritten by
numbers computed from purged detail, a day older than the retention that already has rollup rows is
refused.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

from analytics.rollup import rollup_analytics
from progress.models import ExerciseAttempt, LessonRun

from ..models import CourseDailyMetric, ExerciseDailyMetric
from .base import JobError, JobResult, aware, changed_rows, db_datetime, job_connection

_COURSE = """
    WITH started AS (
        SELECT course_id, count(*) AS n FROM {run}
        WHERE started_at >= %(start)s AND started_at < %(end)s GROUP BY course_id
    ), passed AS (
        SELECT course_id, count(*) AS n FROM {run}
        WHERE status = 'passed' AND finished_at >= %(start)s AND finished_at < %(end)s GROUP BY course_id
    ), answered AS (
        SELECT r.course_id, count(*) AS answers, count(*) FILTER (WHERE a.correct) AS correct,
               COALESCE(sum(a.xp_awarded), 0) AS xp
        FROM {attempt} a JOIN {run} r ON r.id = a.run_id
        WHERE a.created_at >= %(start)s AND a.created_at < %(end)s GROUP BY r.course_id
    ), active AS (
        SELECT course_id, count(DISTINCT user_id) AS n FROM (
            SELECT course_id, user_id FROM {run} WHERE started_at >= %(start)s AND started_at < %(end)s
            UNION ALL
            SELECT r.course_id, a.user_id FROM {attempt} a JOIN {run} r ON r.id = a.run_id
            WHERE a.created_at >= %(start)s AND a.created_at < %(end)s
        ) AS seen GROUP BY course_id
    ), courses AS (
        SELECT course_id FROM started UNION SELECT course_id FROM passed UNION SELECT course_id FROM answered
    )
    INSERT INTO {metric} AS m
        (course_id, day, active_learners, runs_started, runs_passed, xp_earned, answers, correct_answers)
    SELECT c.course_id, %(day)s, COALESCE(ac.n, 0), COALESCE(s.n, 0), COALESCE(p.n, 0),
           COALESCE(an.xp, 0), COALESCE(an.answers, 0), COALESCE(an.correct, 0)
    FROM courses c
    LEFT JOIN started s ON s.course_id = c.course_id
    LEFT JOIN passed p ON p.course_id = c.course_id
    LEFT JOIN answered an ON an.course_id = c.course_id
    LEFT JOIN active ac ON ac.course_id = c.course_id
    WHERE true
    ON CONFLICT (course_id, day) DO UPDATE SET
        active_learners = EXCLUDED.active_learners, runs_started = EXCLUDED.runs_started,
        runs_passed = EXCLUDED.runs_passed, xp_earned = EXCLUDED.xp_earned,
        answers = EXCLUDED.answers, correct_answers = EXCLUDED.correct_answers
    WHERE m.active_learners IS DISTINCT FROM EXCLUDED.active_learners
       OR m.runs_started IS DISTINCT FROM EXCLUDED.runs_started OR m.runs_passed IS DISTINCT FROM EXCLUDED.runs_passed
       OR m.xp_earned IS DISTINCT FROM EXCLUDED.xp_earned OR m.answers IS DISTINCT FROM EXCLUDED.answers
       OR m.correct_answers IS DISTINCT FROM EXCLUDED.correct_answers
"""

_EXERCISE = """
    INSERT INTO {metric} AS m (exercise_id, day, attempts, errors)
    SELECT exercise_id, %(day)s, count(*), count(*) FILTER (WHERE NOT correct)
    FROM {attempt}
    WHERE created_at >= %(start)s AND created_at < %(end)s
    GROUP BY exercise_id
    ON CONFLICT (exercise_id, day) DO UPDATE SET attempts = EXCLUDED.attempts, errors = EXCLUDED.errors
    WHERE m.attempts IS DISTINCT FROM EXCLUDED.attempts OR m.errors IS DISTINCT FROM EXCLUDED.errors
"""


def retention_cutoff(now: datetime) -> datetime:
    """Attempt detail before this instant (a UTC midnight) may have been purged."""
    day = (now - timedelta(days=settings.MALLARD_ACTIVITY_RETENTION_DAYS)).date()
    return datetime.combine(day, time(0), tzinfo=UTC)


def run_rollup_daily_metrics(
    *,
    now: datetime,
    dry_run: bool = False,
    batch_size: int | None = None,
    day: date | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> JobResult:
    """Upsert the metrics of one UTC ``day`` (default: the day before ``now``). ``batch_size`` is
    unused: the work is two aggregate statements whose output is one row per course/exercise."""
    now = aware(now)
    connection = job_connection(using)
    day = day or now.date() - timedelta(days=1)
    start = datetime.combine(day, time(0), tzinfo=UTC)
    end = start + timedelta(days=1)
    if end > now:
        raise JobError(f"{day} has not ended yet at {now:%Y-%m-%d %H:%M} UTC; roll up complete days only.")
    if start < retention_cutoff(now) and CourseDailyMetric.objects.using(using).filter(day=day).exists():
        raise JobError(
            f"{day} is older than the {settings.MALLARD_ACTIVITY_RETENTION_DAYS}-day retention and already rolled up; "
            "its attempt detail may have been purged, so the rollup is kept as it is."
        )
    qn = connection.ops.quote_name
    tables = {
        "run": qn(LessonRun._meta.db_table),
        "attempt": qn(ExerciseAttempt._meta.db_table),
    }
    params = {"day": day, "start": db_datetime(connection, start), "end": db_datetime(connection, end)}
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(_COURSE.format(metric=qn(CourseDailyMetric._meta.db_table), **tables), params)
        courses = changed_rows(connection, cursor)
        cursor.execute(_EXERCISE.format(metric=qn(ExerciseDailyMetric._meta.db_table), **tables), params)
        exercises = changed_rows(connection, cursor)
        analytics = rollup_analytics(day=day, using=using)
        if dry_run:
            transaction.set_rollback(True, using=using)
    verb = "would write" if dry_run else "wrote"
    return JobResult(
        rows_changed=courses + exercises + analytics.total,
        detail=f"{day}: {verb} {courses} course and {exercises} exercise metric rows; {analytics}",
    )
