"""``close_streaks`` (hourly): break the streaks of learners whose local day has just ended without XP.

For each distinct ``User.time_zone`` (a few hundred at most) we compute, with zoneinfo, the local
date at ``now`` and so *yesterday*: the latest local day that has fully ended, and the instant it
started (``midnight``, DST-safe), with the same "yesterday" as the loop (``activity.local_yesterday``).
A learner's streak is broken exactly when ``gamification.services.activity.streak_alive`` would say so
— the same test as the learner's loop:

    current > 0
    AND alive_until <= now                                   -- the streak's deadline has passed
        (rows without alive_until: no XP recorded on yesterday or later, by last_day or by the
         instant of the last XP in the learner's zone)
    AND (closed_through IS NULL OR closed_through < yesterday)     -- not closed already

For each such learner, in one transaction per batch:

- ``missed`` = days without XP = yesterday - the latest local day with XP (``last_day`` or the local
  date of ``last_activity_at``, whichever is later). Normally 1 (the job runs every hour).
- If the wallet holds at least ``missed`` streak freezes, they are spent: ``Wallet.streak_freezes -=
  missed``, ``Streak.freezes_used += missed``, ``last_day = yesterday`` and ``alive_until`` = the end
  of today (the frozen days count as kept, so XP today extends the streak) and ``current`` is
  unchanged (a frozen day adds no length).
  Each kept day is recorded as a ``FrozenDay`` (the streak calendar shows it), and the streak keeps a
  notice for the learner's next visit (``freeze_notice_streak`` = the length saved,
  ``freeze_notice_freezes`` += the freezes spent; ``gamification.services.notices``).
- Otherwise ``current = 0`` and no freeze is spent (freezes that cannot save the streak are kept); a
  pending freeze notice is dropped (the streak it announced is over).
- Either way ``closed_through = yesterday``: a second run at the same ``now`` finds nothing.

Not a minute early: at 23:59 local time, *yesterday* is still the day before, so today is untouched.

Batches walk ``Streak.id`` in ranges of ``batch_size``; the zones are passed as arrays and joined
in SQL, so one pass over the table handles every zone. Each batch first locks the learners' wallet
rows (ordered by id) — the same lock the learner's loop takes before it extends a streak — and then
updates wallets and streaks in one statement that re-reads the rows, so a learner earning XP at the
same moment is never reset. (Every learner has a wallet — ``ensure_learner`` creates both rows;
a streak without a wallet would be skipped.)

On SQLite (the laptop default) each batch is ``_close_sqlite_batch``: the same tests in one SELECT
with the zones as a VALUES list, the days missed computed with zoneinfo for the due rows, and three
prepared UPDATEs, all in one immediate transaction (docs/jobs.md, "PostgreSQL and SQLite").
"""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

from accounts.models import User

from ..models import FrozenDay, Streak, Wallet
from ..services.activity import local_yesterday
from .base import JobResult, aware, db_datetime, id_ranges, job_connection


def zone_days(*, now: datetime, zones: list[str]) -> tuple[dict[str, tuple[date, datetime, datetime]], list[str]]:
    """``{zone: (local yesterday, the instant it began, the instant today ends)}`` and the unknown zones."""
    known: dict[str, tuple[date, datetime, datetime]] = {}
    unknown: list[str] = []
    for name in zones:
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            unknown.append(name)
            continue
        yesterday, midnight = local_yesterday(zone, now)
        known[name] = (yesterday, midnight, datetime.combine(yesterday + timedelta(days=2), time(0), tzinfo=zone))
    return known, unknown


# The zones of the distinct User.time_zone values, with each zone's local yesterday and the instant it began.
_ZONES = """
    zones(tz, yday, midnight, deadline) AS (
        SELECT * FROM unnest(
            %(tz)s::text[], %(yday)s::date[], %(midnight)s::timestamptz[], %(deadline)s::timestamptz[]
        )
    )
"""

# Streaks that may be due, read with their learner's zone. ``%(latest)s`` is the latest "yesterday" of
# any zone: a row that fails the test against it fails it in every zone, so most rows are dropped
# before the per-zone test. OFFSET 0 keeps PostgreSQL from joining the zones before the learners.
_CANDIDATES = """
    candidates AS (
        SELECT s.id, s.user_id, s.last_day, s.last_activity_at, s.alive_until, s.closed_through, u.time_zone
        FROM {streak} s JOIN {user} u ON u.id = s.user_id
        WHERE {where}
          AND s.current > 0
          AND (s.last_day IS NULL OR s.last_day < %(latest)s)
          AND (s.closed_through IS NULL OR s.closed_through < %(latest)s)
        OFFSET 0
    )
"""

# The per-zone test: exactly streak_alive() in gamification.services.activity, negated.
_DUE_IN_ZONE = """
    FROM candidates c
    JOIN zones z ON z.tz = c.time_zone
    WHERE CASE WHEN c.alive_until IS NOT NULL THEN c.alive_until <= %(now)s
               ELSE (c.last_day IS NULL OR c.last_day < z.yday)
                    AND (c.last_activity_at IS NULL OR c.last_activity_at < z.midnight) END
      AND (c.closed_through IS NULL OR c.closed_through < z.yday)
"""

# At least 1: after a move west the last XP's date may not be before yesterday in the new zone.
_MISSED = "GREATEST(1, z.yday - GREATEST(c.last_day, (c.last_activity_at AT TIME ZONE z.tz)::date))"

_DUE = (
    ("WITH " + _ZONES + ", " + _CANDIDATES + "SELECT w.user_id, <missed> AS missed, w.streak_freezes" + _DUE_IN_ZONE)
    .replace("{where}", "s.id > %(lo)s AND s.id <= %(hi)s")
    .replace(
        "JOIN zones z ON z.tz = c.time_zone",
        "JOIN zones z ON z.tz = c.time_zone JOIN {wallet} w ON w.user_id = c.user_id",
    )
    .replace("<missed>", _MISSED)
)

_CLOSE_TAIL = """,
    due AS (
        SELECT c.id, c.user_id, z.yday, z.deadline, <missed> AS missed
        <due_in_zone>
    ),
    spent AS (
        UPDATE {wallet} w SET streak_freezes = w.streak_freezes - d.missed
        FROM due d
        WHERE w.user_id = d.user_id AND d.missed IS NOT NULL AND w.streak_freezes >= d.missed
        RETURNING w.user_id, d.missed
    ),
    frozen_days AS (
        INSERT INTO {frozen_day} (user_id, day, created_at)
        SELECT sp.user_id, d.yday - g.n, %(now)s
        FROM spent sp JOIN due d ON d.user_id = sp.user_id CROSS JOIN generate_series(0, sp.missed - 1) AS g(n)
        ON CONFLICT (user_id, day) DO NOTHING
    ),
    closed AS (
        UPDATE {streak} s SET
            closed_through = d.yday,
            current = CASE WHEN sp.user_id IS NULL THEN 0 ELSE s.current END,
            freeze_notice_streak = CASE WHEN sp.user_id IS NULL THEN NULL ELSE s.current END,
            freeze_notice_freezes = CASE WHEN sp.user_id IS NULL THEN 0
                                         ELSE s.freeze_notice_freezes + sp.missed END,
            last_day = CASE WHEN sp.user_id IS NULL THEN s.last_day ELSE GREATEST(s.last_day, d.yday) END,
            alive_until = CASE WHEN sp.user_id IS NULL THEN s.alive_until
                               ELSE GREATEST(s.alive_until, d.deadline) END,
            freezes_used = s.freezes_used + COALESCE(sp.missed, 0)
        FROM due d LEFT JOIN spent sp ON sp.user_id = d.user_id
        WHERE s.id = d.id
        RETURNING sp.user_id IS NOT NULL AS frozen, COALESCE(sp.missed, 0) AS freezes
    )
    SELECT count(*) FILTER (WHERE frozen), count(*) FILTER (WHERE NOT frozen), COALESCE(sum(freezes), 0)
    FROM closed
"""

_CLOSE = (
    "".join(["WITH ", _ZONES, ", ", _CANDIDATES, _CLOSE_TAIL])
    .replace("{where}", "s.user_id = ANY(%(user_ids)s)")
    .replace("<due_in_zone>", _DUE_IN_ZONE)
    .replace("<missed>", _MISSED)
)


def run_close_streaks(
    *,
    now: datetime,
    dry_run: bool = False,
    batch_size: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> JobResult:
    now = aware(now)
    batch_size = batch_size or settings.MALLARD_JOB_BATCH_SIZE
    connection = job_connection(using)
    qn = connection.ops.quote_name
    tables = {
        "streak": qn(Streak._meta.db_table),
        "user": qn(User._meta.db_table),
        "wallet": qn(Wallet._meta.db_table),
        "frozen_day": qn(FrozenDay._meta.db_table),
    }
    names = list(User.objects.using(using).order_by().values_list("time_zone", flat=True).distinct())
    days, unknown = zone_days(now=now, zones=names)
    params = {
        "tz": list(days),
        "yday": [d for d, _, _ in days.values()],
        "midnight": [m for _, m, _ in days.values()],
        "deadline": [e for _, _, e in days.values()],
        "latest": max((d for d, _, _ in days.values()), default=now.date()),
        "now": now,
    }
    bounds = Streak.objects.using(using).filter(current__gt=0).order_by()
    lo = bounds.order_by("id").values_list("id", flat=True).first()
    hi = bounds.order_by("-id").values_list("id", flat=True).first()

    frozen = reset = freezes = batches = 0
    due_sql = _DUE.format(**tables)
    close_sql = _CLOSE.format(**tables)
    if connection.vendor == "sqlite":
        for a, b in id_ranges(lo, hi, batch_size) if days else ():
            batches += 1
            with transaction.atomic(using=using), connection.cursor() as cursor:
                f, r, n = _close_sqlite_batch(
                    cursor, connection=connection, tables=tables, days=days, now=now, lo=a, hi=b, dry_run=dry_run
                )
            frozen, reset, freezes = frozen + f, reset + r, freezes + n
        lo = hi = None  # done: the PostgreSQL loop below has nothing to do
    for a, b in id_ranges(lo, hi, batch_size):
        batches += 1
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if dry_run:
                cursor.execute(due_sql, {**params, "lo": a, "hi": b})
                for _user_id, missed, held in cursor.fetchall():
                    if missed is not None and held >= missed:
                        frozen += 1
                        freezes += missed
                    else:
                        reset += 1
                continue
            # Lock the wallets first, in id order: the learner's loop locks the wallet before it
            # touches the streak, so taking the locks in the same order cannot deadlock.
            cursor.execute(due_sql + " ORDER BY w.id FOR NO KEY UPDATE OF w", {**params, "lo": a, "hi": b})
            user_ids = [row[0] for row in cursor.fetchall()]
            if not user_ids:
                continue
            # A new statement sees rows committed while we waited for the locks: re-check and close.
            cursor.execute(close_sql, {**params, "user_ids": user_ids})
            f, r, n = cursor.fetchone()
            frozen, reset, freezes = frozen + f, reset + r, freezes + n

    verb = "would " if dry_run else ""
    detail = (
        f"{verb}reset {reset} streaks, {verb}keep {frozen} with {freezes} streak freezes; "
        f"{len(days)} time zones, {batches} batches of ≤ {batch_size} ids"
    )
    if unknown:
        detail += f"; skipped unknown time zones: {', '.join(sorted(unknown))}"
    return JobResult(rows_changed=frozen + reset, detail=detail)


# SQLite: no arrays, no AT TIME ZONE, no data-modifying CTEs. The zones are a VALUES list; the same
# candidate and per-zone tests select the due streaks; the days missed are computed with zoneinfo for
# those rows only, and the writes are three prepared statements run for the batch's rows.
_DUE_SQLITE = """
    WITH zones(tz, yday, midnight) AS (VALUES {zones})
    SELECT s.id, s.user_id, u.time_zone, s.last_day, s.last_activity_at, w.streak_freezes
    FROM {streak} s
    JOIN {user} u ON u.id = s.user_id
    JOIN zones z ON z.tz = u.time_zone
    JOIN {wallet} w ON w.user_id = s.user_id
    WHERE s.id > %s AND s.id <= %s AND s.current > 0
      AND (s.last_day IS NULL OR s.last_day < %s)
      AND (s.closed_through IS NULL OR s.closed_through < %s)
      AND CASE WHEN s.alive_until IS NOT NULL THEN s.alive_until <= %s
               ELSE (s.last_day IS NULL OR s.last_day < z.yday)
                    AND (s.last_activity_at IS NULL OR s.last_activity_at < z.midnight) END
      AND (s.closed_through IS NULL OR s.closed_through < z.yday)
    ORDER BY s.id
"""

_SPEND_SQLITE = "UPDATE {wallet} SET streak_freezes = streak_freezes - %s WHERE user_id = %s"
# SQLite's two-argument max() is NULL when either is: COALESCE gives PostgreSQL's GREATEST.
_KEEP_SQLITE = """
    UPDATE {streak} SET closed_through = %s, last_day = max(COALESCE(last_day, %s), %s),
        alive_until = max(COALESCE(alive_until, %s), %s), freezes_used = freezes_used + %s,
        freeze_notice_streak = current, freeze_notice_freezes = freeze_notice_freezes + %s
    WHERE id = %s
"""
_RESET_SQLITE = """
    UPDATE {streak} SET closed_through = %s, current = 0, freeze_notice_streak = NULL, freeze_notice_freezes = 0
    WHERE id = %s
"""
_FROZEN_DAY_SQLITE = """
    INSERT INTO {frozen_day} (user_id, day, created_at) VALUES (%s, %s, %s) ON CONFLICT (user_id, day) DO NOTHING
"""


def _close_sqlite_batch(
    cursor, *, connection, tables: dict, days: dict, now: datetime, lo: int, hi: int, dry_run: bool
) -> tuple[int, int, int]:
    """One batch on SQLite, inside the caller's transaction. Django opens SQLite transactions
    IMMEDIATE (config/settings.py): the write lock is held from BEGIN, so no learner's XP can be
    recorded between this read and the writes below, which is what the wallet row locks ensure on
    PostgreSQL. Returns (frozen, reset, freezes spent)."""
    zones = ", ".join(["(%s, %s, %s)"] * len(days))
    params = [v for tz, (yday, midnight, _) in days.items() for v in (tz, yday, db_datetime(connection, midnight))]
    latest = max(yday for yday, _, _ in days.values())
    cursor.execute(
        _DUE_SQLITE.format(zones=zones, **tables), [*params, lo, hi, latest, latest, db_datetime(connection, now)]
    )
    spend, keep, reset, frozen_days = [], [], [], []
    for streak_id, user_id, tz, last_day, last_activity_at, held in cursor.fetchall():
        yday, _, deadline = days[tz]
        last_days = [d for d in (last_day, _local_date(last_activity_at, tz)) if d is not None]
        missed = max(1, (yday - max(last_days)).days) if last_days else 1  # as GREATEST(1, …) in _MISSED
        if held >= missed:
            spend.append((missed, user_id))
            deadline = db_datetime(connection, deadline)
            keep.append((yday, yday, yday, deadline, deadline, missed, missed, streak_id))
            stamp = db_datetime(connection, now)
            frozen_days += [(user_id, yday - timedelta(days=n), stamp) for n in range(missed)]
        else:
            reset.append((yday, streak_id))
    if not dry_run:
        cursor.executemany(_SPEND_SQLITE.format(**tables), spend)
        cursor.executemany(_KEEP_SQLITE.format(**tables), keep)
        cursor.executemany(_RESET_SQLITE.format(**tables), reset)
        cursor.executemany(_FROZEN_DAY_SQLITE.format(**tables), frozen_days)
    return len(keep), len(reset), sum(missed for missed, _ in spend)


def _local_date(moment: datetime | str | None, tz: str) -> date | None:
    """The local date in ``tz`` of a datetime read raw from SQLite (naive UTC)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zoneinfo.ZoneInfo(tz)).date()
