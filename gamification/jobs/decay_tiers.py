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

The bounds of the work come from the partial index ``lesson_progress_decayable`` (tier IN (2, 3));
the UPDATEs then walk the primary key in ranges of ``batch_size`` ids, one short statement each,
so an interrupted run has committed whole batches and the next run simply finishes the rest.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Max, Min

from progress.models import LessonProgress

from .base import JobResult, aware, id_ranges, require_postgresql

DECAY_PERIOD = timedelta(days=14)
DECAYABLE = (LessonProgress.Tier.SILVER, LessonProgress.Tier.GOLD)

# In SET every column reference reads the row as it was, so both expressions use the old anchor.
_UPDATE = """
    UPDATE {table} SET
        tier = GREATEST(
            %(floor)s,
            tier - floor(extract(epoch FROM (%(now)s - tier_anchor_at)) / %(period)s)::int
        ),
        tier_anchor_at = tier_anchor_at
            + floor(extract(epoch FROM (%(now)s - tier_anchor_at)) / %(period)s)::int * %(period_interval)s,
        last_decayed_at = %(now)s
    WHERE id > %(lo)s AND id <= %(hi)s
      AND tier IN (2, 3)
      AND tier_anchor_at <= %(cutoff)s
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

    bounds = due.aggregate(lo=Min("id"), hi=Max("id"))
    sql = _UPDATE.format(table=connection.ops.quote_name(LessonProgress._meta.db_table))
    params = {
        "now": now,
        "cutoff": cutoff,
        "period": DECAY_PERIOD.total_seconds(),
        "period_interval": DECAY_PERIOD,
        "floor": int(LessonProgress.Tier.BRONZE),
    }
    changed = batches = 0
    with connection.cursor() as cursor:
        for lo, hi in id_ranges(bounds["lo"], bounds["hi"], batch_size):
            # Autocommit: each batch is its own short transaction.
            cursor.execute(sql, {**params, "lo": lo, "hi": hi})
            changed += cursor.rowcount
            batches += 1
    return JobResult(
        rows_changed=changed,
        detail=f"decayed {changed} lesson tiers in {batches} batches of ≤ {batch_size} ids "
        f"(cut-off {cutoff:%Y-%m-%d %H:%M} UTC)",
    )
