"""The periodic jobs (docs/jobs.md): one module per job, each a set-based service
``run_<job>(*, now, dry_run=False, batch_size=settings.MALLARD_JOB_BATCH_SIZE) -> JobResult``.

``run_job(name, …)`` runs one by name and records it as a JobRun; the management commands and the
Celery tasks (gamification/tasks.py) both call it.
"""

from collections.abc import Callable
from datetime import datetime

from ..models import JobRun
from .base import JobError, JobResult, parse_now
from .check_ledger import run_check_ledger
from .close_league_week import run_close_league_week
from .close_streaks import run_close_streaks
from .decay_tiers import run_decay_tiers
from .fit_memory_models import run_fit_memory_models
from .purge_activity import run_purge_activity
from .recording import record
from .rollup_daily_metrics import run_rollup_daily_metrics
from .send_reengagement import run_send_reengagement
from .send_streak_reminders import run_send_streak_reminders

JOBS: dict[str, Callable[..., JobResult]] = {
    "close_streaks": run_close_streaks,
    "decay_tiers": run_decay_tiers,
    "rollup_daily_metrics": run_rollup_daily_metrics,
    "check_ledger": run_check_ledger,
    "purge_activity": run_purge_activity,
    "send_reengagement": run_send_reengagement,
    "send_streak_reminders": run_send_streak_reminders,
    "fit_memory_models": run_fit_memory_models,
    "close_league_week": run_close_league_week,
}


def run_job(
    name: str, *, now: datetime, dry_run: bool = False, triggered_by: str = "command", **kwargs
) -> tuple[JobRun, JobResult]:
    if name not in JOBS:
        raise JobError(f"Unknown job {name!r}; the jobs are {', '.join(JOBS)}.")
    return record(name, JOBS[name], now=now, dry_run=dry_run, triggered_by=triggered_by, **kwargs)


__all__ = [
    "JOBS",
    "JobError",
    "JobResult",
    "parse_now",
    "run_check_ledger",
    "run_close_league_week",
    "run_close_streaks",
    "run_decay_tiers",
    "run_fit_memory_models",
    "run_job",
    "run_purge_activity",
    "run_rollup_daily_metrics",
    "run_send_reengagement",
    "run_send_streak_reminders",
]
