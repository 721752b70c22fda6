"""``decay_tiers`` (nightly): silver and gold lessons lose one tier per full 14 days without a pass.

Exact and set-based, like the hearts rule (DESIGN §3): with ``anchor`` = ``tier_anchor_at`` (the later
of the last pass and the last decay),

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
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from progress.models import LessonProgress

from .base import JobResult, aware, require_postgresql

DECAY_PERIOD = timedelta(days=14)
DECAYABLE = (LessonProgress.Tier.SILVER, LessonProgress.Tier.GOLD)

# One batch: the next ``limit`` due rows after ``after`` in id order, updated in one statement. With
# many rows due PostgreSQL walks the primary key and stops after ``limit`` matches; with few (a normal
# night) it reads them from the partial index. In SET every column reference reads the row as it was,
# so both expressions use the old anchor; the WHERE is re-checked on rows changed concurrently (a pass
# at this moment moves the anchor and the row is skipped).
_UPDATE = """
    WITH batch AS (
        SELECT id FROM {table}
        WHERE tier IN (2, 3) AND tier_anchor_at <= %(cutoff)s AND id > %(after)s
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
        WHERE lp.id = batch.id AND lp.tier IN (2, 3) AND lp.tier_anchor_at <= %(cutoff)s
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM decayed), (SELECT max(id) FROM batch)
"""


def run_decay_tiers(
    *,
    now: datetime,
    dry_run: bool = False,
    batch_size: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> JobResult:
    now = aware(now)
    batch_size = batch_size or settings.MALLARD_JOB_BATCH_SIZE
    connection = require_postgresql(using)
    cutoff = now - DECAY_PERIOD
    # tier IN (2, 3) matches the partial index's predicate, so PostgreSQL answers from it.
    due = LessonProgress.objects.using(using).filter(tier__in=DECAYABLE, tier_anchor_at__lte=cutoff).order_by()
    if dry_run:
        count = due.count()
        return JobResult(
            rows_changed=count, detail=f"would decay {count} lesson tiers (cut-off {cutoff:%Y-%m-%d %H:%M} UTC)"
        )

    sql = _UPDATE.format(table=connection.ops.quote_name(LessonProgress._meta.db_table))
    params = {
        "now": now,
        "cutoff": cutoff,
        "period": DECAY_PERIOD.total_seconds(),
        "period_interval": DECAY_PERIOD,
        "floor": int(LessonProgress.Tier.BRONZE),
        "limit": batch_size,
    }
    changed = batches = 0
    after = 0
    with connection.cursor() as cursor:
        while True:
            # Autocommit: each batch is its own short transaction.
            cursor.execute(sql, {**params, "after": after})
            count, last = cursor.fetchone()
            if last is None:
                break
            changed += count
            batches += 1
            after = last
    return JobResult(
        rows_changed=changed,
        detail=f"decayed {changed} lesson tiers in {batches} batches of ≤ {batch_size} "
        f"(cut-off {cutoff:%Y-%m-%d %H:%M} UTC)",
    )
