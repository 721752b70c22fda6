"""Run a job and record it as a JobRun (start, end, as-of time, rows, outcome, detail, trigger).

The JobRun row is written before the job starts (outcome ``running``) and completed when it ends,
outside the job's own transactions, so an operator sees a running or crashed job in admin.
"""

import traceback
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from ..models import JobRun
from .base import JobResult, aware


def record(
    job: str,
    func: Callable[..., JobResult],
    *,
    now: datetime,
    dry_run: bool = False,
    triggered_by: str = "command",
    **kwargs,
) -> tuple[JobRun, JobResult]:
    """Run ``func(now=…, dry_run=…, **kwargs)`` as job ``job``; re-raises the job's exception after
    recording it as ``failed``."""
    now = aware(now)
    run = JobRun.objects.create(
        job=job, started_at=timezone.now(), as_of=now, dry_run=dry_run, triggered_by=triggered_by
    )
    try:
        result = func(now=now, dry_run=dry_run, **kwargs)
    except Exception as exc:
        run.outcome = JobRun.Outcome.FAILED
        run.detail = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "detail", "finished_at"])
        raise
    if result.problems:
        run.outcome = JobRun.Outcome.PROBLEMS
    elif dry_run:
        run.outcome = JobRun.Outcome.DRY_RUN
    else:
        run.outcome = JobRun.Outcome.OK
    run.rows_changed = result.rows_changed
    run.detail = result.detail
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "rows_changed", "detail", "finished_at"])
    return run, result
