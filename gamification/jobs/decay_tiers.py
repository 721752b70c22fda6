"""``decay_tiers`` (nightly): silver and gold lessons lose one tier per full 14 days without a pass.

The rule is ``progress.rules.decayed_tier`` (with its constants ``DECAY_PERIOD``,
``DECAYABLE_TIERS``, ``DECAY_FLOOR``); this job applies it set-based, in SQL built from the same
constants. With ``anchor`` = ``tier_anchor_at`` (the later of the last pass and the last decay),

    steps          = floor((now - anchor) / 14 days)
    tier           = greatest(bronze, tier - steps)
    tier_anchor_at = anchor + steps x 14 days       -- whole steps only: no time lost or granted twice
    last_decayed_at = now

for rows with ``tier IN (silver, gold)`` and ``anchor <= now - 14 days``. Bronze never drops further
and legendary never decays (neither is selected). Running every night therefore decays once per
14 days; a missed week loses nothing (the next run takes every step due); a second run at the same
``now`` finds nothing (the new anchor is less than 14 days before ``now``).

Batches are keyset pages in id order (``id > last id of the previous batch``, ``LIMIT batch_size``),
one short statement each, so the work is linear in the rows due and an interrupted run has committed
whole batches only: the next run simply finishes the rest. The selection ``tier IN (2, 3)`` matches
the partial index ``lesson_progress_decayable``, which PostgreSQL uses when few rows are due.

On SQLite (the laptop default) each batch reads the same due rows and writes ``decayed_tier``'s
result for each (``_decay_sqlite``); ``workers`` must be 1 there.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from progress.models import LessonProgress
from progress.rules import DECAY_FLOOR, DECAY_PERIOD, DECAYABLE_TIERS, decayed_tier

from .base import JobError, JobResult, aware, job_connection

#: ``tier IN (2, 3)``: also the predicate of the partial index ``lesson_progress_decayable``.
_DECAYABLE_SQL = ", ".join(str(int(tier)) for tier in DECAYABLE_TIERS)

# One batch: the next ``limit`` due rows after ``after`` in id order, updated in one statement. With
# many rows due PostgreSQL walks the primary key and stops after ``limit`` matches; with few (a normal
# night) it reads them from the partial index. In SET every column reference reads the row as it was,
# so both expressions use the old anchor; the WHERE is re-checked on rows changed concurrently (a pass
# at this moment moves the anchor and the row is skipped).
_UPDATE = """
    WITH batch AS (
        SELECT id FROM {table}
        WHERE tier IN ({decayable}) AND tier_anchor_at <= %(cutoff)s AND id > %(after)s AND id <= %(upto)s
        ORDER BY id LIMIT %(limit)s
    ), decayed AS (
        UPDATE {table} AS lp SET
            tier = GREATEST(
                %(floor)s,
                lp.tier - floor(extract(epoch FROM (%(now)s - lp.tier_anchor_at)) / %(period)s)::int
            ),
            tier_anchor_at = lp.tier_anchor_at
                + floor(extract(epoch FROM (%(now)s - lp.tier_anchor_at)) / %(period)s)::int * %(period_interval)s,
            last_decayed_at = %(now)s
        FROM batch
        WHERE lp.id = batch.id AND lp.tier IN ({decayable}) AND lp.tier_anchor_at <= %(cutoff)s
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM decayed), (SELECT max(id) FROM batch)
"""


def run_decay_tiers(
    *,
    now: datetime,
    dry_run: bool = False,
    batch_size: int | None = None,
    workers: int = 1,
    using: str = DEFAULT_DB_ALIAS,
) -> JobResult:
    """``workers`` > 1 splits the id space into that many contiguous slices, each worked through by
    its own thread and database connection (a catch-up over millions of rows on a multi-core
    server). Slices are disjoint, so the result is the same as with one worker. Threads open their
    own connections: use ``workers=1`` inside a transaction (tests)."""
    now = aware(now)
    batch_size = batch_size or settings.MALLARD_JOB_BATCH_SIZE
    if workers < 1:
        raise JobError("workers must be at least 1")
    connection = job_connection(using)
    if workers > 1 and connection.vendor != "postgresql":
        raise JobError("--workers needs PostgreSQL: SQLite has one writer at a time, so use one worker.")
    cutoff = now - DECAY_PERIOD
    # tier IN (2, 3) matches the partial index's predicate, so PostgreSQL answers from it.
    due = LessonProgress.objects.using(using).filter(tier__in=DECAYABLE_TIERS, tier_anchor_at__lte=cutoff).order_by()
    if dry_run:
        count = due.count()
        return JobResult(
            rows_changed=count, detail=f"would decay {count} lesson tiers (cut-off {cutoff:%Y-%m-%d %H:%M} UTC)"
        )

    sql = _UPDATE.format(table=connection.ops.quote_name(LessonProgress._meta.db_table), decayable=_DECAYABLE_SQL)
    params = {
        "now": now,
        "cutoff": cutoff,
        "period": DECAY_PERIOD.total_seconds(),
        "period_interval": DECAY_PERIOD,
        "floor": int(DECAY_FLOOR),
        "limit": batch_size,
    }
    if connection.vendor == "sqlite":
        changed, batches = _decay_sqlite(using=using, now=now, cutoff=cutoff, batch_size=batch_size)
    elif workers == 1:
        changed, batches = _work_slice(connection, sql, params, after=0, upto=_MAX_ID)
    else:
        top = LessonProgress.objects.using(using).order_by("-id").values_list("id", flat=True).first() or 0
        step = top // workers + 1
        slices = [(i * step, (i + 1) * step if i < workers - 1 else _MAX_ID) for i in range(workers)]

        def work(bounds: tuple[int, int]) -> tuple[int, int]:
            try:
                return _work_slice(connections[using], sql, params, after=bounds[0], upto=bounds[1])
            finally:
                connections[using].close()  # this thread's own connection

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(work, slices))
        changed, batches = sum(r[0] for r in results), sum(r[1] for r in results)
    return JobResult(
        rows_changed=changed,
        detail=f"decayed {changed} lesson tiers in {batches} batches of ≤ {batch_size}"
        + (f" on {workers} connections" if workers > 1 else "")
        + f" (cut-off {cutoff:%Y-%m-%d %H:%M} UTC)",
    )


_MAX_ID = 2**63 - 1


def _work_slice(connection, sql: str, params: dict, *, after: int, upto: int) -> tuple[int, int]:
    """Keyset batches over ids in (after, upto]; each batch commits on its own (autocommit)."""
    changed = batches = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, {**params, "after": after, "upto": upto})
            count, last = cursor.fetchone()
            if last is None:
                return changed, batches
            changed += count
            batches += 1
            after = last


def _decay_sqlite(*, using: str, now: datetime, cutoff: datetime, batch_size: int) -> tuple[int, int]:
    """SQLite: the same keyset batches, each one immediate transaction (SQLite's write lock is taken
    at BEGIN, so no pass can land between the read and the write) that reads the due rows and writes
    the rule's own result, ``decayed_tier`` row by row, in one ``bulk_update``. SQLite has no interval
    arithmetic, and its datetimes are text, so this avoids re-implementing the rule in text SQL."""
    changed = batches = after = 0
    while True:
        with transaction.atomic(using=using):
            rows = list(
                LessonProgress.objects.using(using)
                .filter(tier__in=DECAYABLE_TIERS, tier_anchor_at__lte=cutoff, id__gt=after)
                .order_by("id")
                .only("id", "tier", "tier_anchor_at")[:batch_size]
            )
            if not rows:
                return changed, batches
            for row in rows:
                assert row.tier_anchor_at is not None  # selected by tier_anchor_at <= cutoff
                row.tier, row.tier_anchor_at = decayed_tier(tier=row.tier, anchor=row.tier_anchor_at, now=now)
                row.last_decayed_at = now
            LessonProgress.objects.using(using).bulk_update(rows, ["tier", "tier_anchor_at", "last_decayed_at"])
        changed += len(rows)
        batches += 1
        after = rows[-1].id
