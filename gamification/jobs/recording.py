"""Run a job and record it as a JobRun (start, end, as-of time, rows, outcome, detail, trigger).

The JobRun row is written before the job starts (outcome ``running``) and completed when it ends,
outside the job's own transactions, so an operator sees a running or crashed job in admin.
"""

import traceback
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from accounts.audit import Action, acting_as, log_event

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
        with acting_as(f"job {job}"):
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
    if result.rows_changed and not dry_run:
        _audit(run)
    return run, result


def _audit(run: JobRun) -> None:
    """A job's bulk writes leave one entry in the audit trail per run, not one per row (a nightly job
    changes up to millions of rows with set-based SQL): which job, as of when, how many rows; the
    JobRun it points at holds the detail."""
    with acting_as(f"job {run.job}"):
        log_event(
            obj=run,
            action=Action.UPDATE,
            changes={"rows_changed": [None, run.rows_changed]},
            data={"job": run.job, "as_of": run.as_of.isoformat(), "triggered_by": run.triggered_by},
        )
