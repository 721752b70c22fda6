"""Celery tasks for the periodic jobs: thin wrappers around ``gamification.jobs.run_job``.

Each task takes an optional ``now`` (ISO 8601) so a task can be replayed for a given time; beat sends
none and the task uses the current time. Every run is recorded as a JobRun (triggered_by "celery").
"""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from .jobs import parse_now, run_job


def _run(name: str, now: str | None, dry_run: bool, **kwargs) -> dict:
    moment: datetime = parse_now(now) if now else timezone.now()
    run, result = run_job(name, now=moment, dry_run=dry_run, triggered_by="celery", **kwargs)
    return {"job": name, "job_run": run.pk, "outcome": run.outcome, "rows_changed": result.rows_changed}


@shared_task(name="gamification.close_streaks")
def close_streaks(now: str | None = None, dry_run: bool = False) -> dict:
    return _run("close_streaks", now, dry_run)


@shared_task(name="gamification.decay_tiers")
def decay_tiers(now: str | None = None, dry_run: bool = False) -> dict:
    return _run("decay_tiers", now, dry_run)


@shared_task(name="gamification.rollup_daily_metrics")
def rollup_daily_metrics(now: str | None = None, dry_run: bool = False) -> dict:
    return _run("rollup_daily_metrics", now, dry_run)


@shared_task(name="gamification.check_ledger")
def check_ledger(now: str | None = None, dry_run: bool = False) -> dict:
    return _run("check_ledger", now, dry_run)


@shared_task(name="gamification.purge_activity")
def purge_activity(now: str | None = None, dry_run: bool = False) -> dict:
    return _run("purge_activity", now, dry_run)


@shared_task(name="gamification.send_reengagement")
def send_reengagement(now: str | None = None, dry_run: bool = False) -> dict:
    return _run("send_reengagement", now, dry_run)


@shared_task(name="gamification.send_streak_reminders")
def send_streak_reminders(now: str | None = None, dry_run: bool = False) -> dict:
    return _run("send_streak_reminders", now, dry_run)


@shared_task(name="gamification.close_league_week")
def close_league_week(now: str | None = None, dry_run: bool = False) -> dict:
    return _run("close_league_week", now, dry_run)


@shared_task(name="gamification.fit_memory_models")
def fit_memory_models(now: str | None = None, dry_run: bool = False) -> dict:
    return _run("fit_memory_models", now, dry_run)
