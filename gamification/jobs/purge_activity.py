"""``purge_activity`` (nightly): delete answer and hearts detail older than the retention.

``settings.MALLARD_ACTIVITY_RETENTION_DAYS`` (env ``MALLARD_ACTIVITY_RETENTION_DAYS``, default 180)
sets the retention; the cut-off is the UTC midnight that many days before ``now``, so whole UTC days
go at once.

1. Rollups first: every UTC day that still has attempts before the cut-off but no
   ``CourseDailyMetric`` row is rolled up (``rollup_daily_metrics`` for that day) before anything is
   deleted, so the metrics authors read in admin survive the purge.
2. ``ExerciseAttempt`` rows before the cut-off are deleted in batches of ``batch_size`` (keyset on
   id, one short statement each) — never the attempts of a run that is still ACTIVE.
3. ``HeartsLog`` rows before the cut-off are deleted the same way.
4. The learners' activity log (``accounts.ActivityEvent``) is kept for its own retention,
   ``settings.MALLARD_ACTIVITY_LOG_RETENTION_DAYS`` (default: the same 180 days), cut at a UTC
   midnight too, and deleted the same way.

An interrupted purge has deleted whole batches only; the next run deletes the rest. A second run
at the same ``now`` finds nothing to delete. SQLite has its own day and delete statements (no
``AT TIME ZONE``, no ``DELETE … USING``): ``*_SQLITE`` below.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from accounts.models import ActivityEvent
from progress.models import ExerciseAttempt, LessonRun

from ..models import CourseDailyMetric, HeartsLog
from .base import JobResult, aware, db_datetime, job_connection
from .rollup_daily_metrics import retention_cutoff, run_rollup_daily_metrics

_UNROLLED_DAYS = """
    SELECT DISTINCT (created_at AT TIME ZONE 'UTC')::date AS day FROM {attempt} WHERE created_at < %(cutoff)s
    EXCEPT SELECT day FROM {metric}
    ORDER BY day
"""

# SQLite stores a datetime as UTC text: its day is date(created_at).
_UNROLLED_DAYS_SQLITE = _UNROLLED_DAYS.replace("(created_at AT TIME ZONE 'UTC')::date", "date(created_at)")

_DELETE_ATTEMPTS = """
    WITH doomed AS (
        SELECT a.id FROM {attempt} a JOIN {run} r ON r.id = a.run_id
        WHERE a.created_at < %(cutoff)s AND r.status <> 'active' AND a.id > %(after)s
        ORDER BY a.id LIMIT %(limit)s
    ), gone AS (
        DELETE FROM {attempt} a USING doomed WHERE a.id = doomed.id RETURNING a.id
    )
    SELECT count(*), max(id) FROM gone
"""

_DELETE_HEARTS = """
    WITH doomed AS (
        SELECT id FROM {hearts} WHERE created_at < %(cutoff)s AND id > %(after)s ORDER BY id LIMIT %(limit)s
    ), gone AS (
        DELETE FROM {hearts} h USING doomed WHERE h.id = doomed.id RETURNING h.id
    )
    SELECT count(*), max(id) FROM gone
"""

_DELETE_EVENTS = _DELETE_HEARTS.replace("{hearts}", "{events}")

# SQLite has no data-modifying CTE nor DELETE … USING: the same batch as a subquery, RETURNING the ids.
_DELETE_ATTEMPTS_SQLITE = """
    DELETE FROM {attempt} WHERE id IN (
        SELECT a.id FROM {attempt} a JOIN {run} r ON r.id = a.run_id
        WHERE a.created_at < %(cutoff)s AND r.status <> 'active' AND a.id > %(after)s
        ORDER BY a.id LIMIT %(limit)s
    ) RETURNING id
"""

_DELETE_HEARTS_SQLITE = """
    DELETE FROM {hearts} WHERE id IN (
        SELECT id FROM {hearts} WHERE created_at < %(cutoff)s AND id > %(after)s ORDER BY id LIMIT %(limit)s
    ) RETURNING id
"""

_DELETE_EVENTS_SQLITE = _DELETE_HEARTS_SQLITE.replace("{hearts}", "{events}")

_COUNT_ATTEMPTS = """
    SELECT count(*) FROM {attempt} a JOIN {run} r ON r.id = a.run_id
    WHERE a.created_at < %(cutoff)s AND r.status <> 'active'
"""


def run_purge_activity(
    *,
    now: datetime,
    dry_run: bool = False,
    batch_size: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> JobResult:
    now = aware(now)
    batch_size = batch_size or settings.MALLARD_JOB_BATCH_SIZE
    connection = job_connection(using)
    sqlite = connection.vendor == "sqlite"
    qn = connection.ops.quote_name
    tables = {
        "attempt": qn(ExerciseAttempt._meta.db_table),
        "run": qn(LessonRun._meta.db_table),
        "hearts": qn(HeartsLog._meta.db_table),
        "metric": qn(CourseDailyMetric._meta.db_table),
        "events": qn(ActivityEvent._meta.db_table),
    }
    cutoff = retention_cutoff(now)
    params = {"cutoff": db_datetime(connection, cutoff)}
    events_cutoff = activity_log_cutoff(now)
    with connection.cursor() as cursor:
        cursor.execute((_UNROLLED_DAYS_SQLITE if sqlite else _UNROLLED_DAYS).format(**tables), params)
        unrolled = [date.fromisoformat(day) if isinstance(day, str) else day for (day,) in cursor.fetchall()]
        if dry_run:
            cursor.execute(_COUNT_ATTEMPTS.format(**tables), params)
            attempts = cursor.fetchone()[0]
            hearts = HeartsLog.objects.using(using).filter(created_at__lt=cutoff).count()
            events = ActivityEvent.objects.using(using).filter(created_at__lt=events_cutoff).count()
            return JobResult(
                rows_changed=attempts + hearts + events,
                detail=f"would roll up {len(unrolled)} days first, then delete {attempts} attempts and "
                f"{hearts} hearts log rows before {cutoff:%Y-%m-%d} UTC, and {events} activity-log rows "
                f"before {events_cutoff:%Y-%m-%d} UTC",
            )

    rolled_rows = 0
    for day in unrolled:
        rolled_rows += run_rollup_daily_metrics(now=now, day=day, using=using).rows_changed

    delete_attempts, delete_hearts, delete_events = (
        (_DELETE_ATTEMPTS_SQLITE, _DELETE_HEARTS_SQLITE, _DELETE_EVENTS_SQLITE)
        if sqlite
        else (_DELETE_ATTEMPTS, _DELETE_HEARTS, _DELETE_EVENTS)
    )
    attempts = _delete_in_batches(connection, delete_attempts.format(**tables), params["cutoff"], batch_size)
    hearts = _delete_in_batches(connection, delete_hearts.format(**tables), params["cutoff"], batch_size)
    events = _delete_in_batches(
        connection, delete_events.format(**tables), db_datetime(connection, events_cutoff), batch_size
    )
    hooked = _run_hooks(now=now, dry_run=False)
    return JobResult(
        rows_changed=attempts + hearts + events + rolled_rows + sum(hooked.values()),
        detail=f"rolled up {len(unrolled)} days first ({rolled_rows} metric rows), deleted {attempts} attempts "
        f"and {hearts} hearts log rows before {cutoff:%Y-%m-%d} UTC (retention "
        f"{settings.MALLARD_ACTIVITY_RETENTION_DAYS} days), and {events} activity-log rows before "
        f"{events_cutoff:%Y-%m-%d} UTC (retention {settings.MALLARD_ACTIVITY_LOG_RETENTION_DAYS} days)"
        + "".join(f"; {name}: {n}" for name, n in hooked.items()),
    )


def _run_hooks(*, now: datetime, dry_run: bool) -> dict[str, int]:
    """The purges of higher apps, named in ``settings.MALLARD_PURGE_HOOKS`` (this app cannot import them):
    each ``hook(*, now, dry_run) -> rows`` purges its own data past its own retention."""
    from django.utils.module_loading import import_string

    return {
        path.rsplit(".", 1)[-1]: import_string(path)(now=now, dry_run=dry_run) for path in settings.MALLARD_PURGE_HOOKS
    }


def activity_log_cutoff(now: datetime) -> datetime:
    """Activity-log rows before this instant (a UTC midnight) are purged."""
    day = (now - timedelta(days=settings.MALLARD_ACTIVITY_LOG_RETENTION_DAYS)).date()
    return datetime.combine(day, time(0), tzinfo=UTC)


def _delete_in_batches(connection, sql: str, cutoff, batch_size: int) -> int:
    """One statement per batch; PostgreSQL's returns ``(count, max id)``, SQLite's the deleted ids."""
    deleted, after = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, {"cutoff": cutoff, "after": after, "limit": batch_size})
            if connection.vendor == "sqlite":
                ids = [row[0] for row in cursor.fetchall()]
                count, last = len(ids), max(ids, default=0)
            else:
                count, last = cursor.fetchone()
            if not count:
                return deleted
            deleted += count
            after = last
