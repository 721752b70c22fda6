"""``check_ledger`` (nightly): every wallet's XP and gems equal the sum of its ledger rows.

The check itself is the game rules' ``gamification.services.ledger.check_ledger()`` (set-based: one
aggregate query over wallets and their ledger, one for ledger rows without a wallet). This job
changes nothing; it reports each difference, and its outcome is ``problems`` when there is one
(the command then exits non-zero).
"""

from datetime import datetime

from django.db import DEFAULT_DB_ALIAS

from ..services.ledger import check_ledger
from .base import JobResult, aware

#: At most this many differences are written into the JobRun detail (the count is always exact).
MAX_LISTED = 200


def run_check_ledger(
    *,
    now: datetime,
    dry_run: bool = False,
    batch_size: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> JobResult:
    aware(now)
    problems = check_ledger()
    if not problems:
        return JobResult(rows_changed=0, detail="every wallet total equals the sum of its ledger")
    lines = [f"{len(problems)} totals differ from their ledger:"]
    lines += [str(p) for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"… and {len(problems) - MAX_LISTED} more")
    return JobResult(rows_changed=0, detail="\n".join(lines), problems=len(problems))
