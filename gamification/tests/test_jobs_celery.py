"""Commands (--now, --dry-run, JobRun), eager tasks and a real worker on Redis."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from courses.tests.factories import LessonFactory
from gamification import tasks
from gamification.jobs import JOBS, JobError, parse_now
from gamification.models import JobRun
from progress.models import LessonProgress

from .jobs_factories import learner, progress, streak

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_command_with_now_and_dry_run_prints_rows_and_records_a_job_run():
    user = learner(tz="Europe/Berlin", current=4, last_day=date(2026, 3, 1))
    out = StringIO()
    call_command("close_streaks", "--dry-run", "--now", "2026-03-03T00:30:00+01:00", stdout=out)
    assert "[dry run] close_streaks at 2026-03-02T23:30:00Z: 1 rows would change" in out.getvalue()
    assert streak(user).current == 4

    out = StringIO()
    call_command("close_streaks", "--now", "2026-03-02T23:30", stdout=out)
    assert "1 rows changed" in out.getvalue()
    assert streak(user).current == 0
    call_command("close_streaks", "--now", "2026-03-02T23:30", stdout=(out := StringIO()))
    assert "0 rows changed" in out.getvalue()

    runs = list(JobRun.objects.filter(job="close_streaks").order_by("started_at", "id"))
    assert [(r.outcome, r.rows_changed, r.dry_run, r.triggered_by) for r in runs] == [
        ("dry_run", 1, True, "command"),
        ("ok", 1, False, "command"),
        ("ok", 0, False, "command"),
    ]
    assert runs[1].as_of == datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert runs[1].finished_at >= runs[1].started_at


@pytest.mark.django_db
@pytest.mark.parametrize("job", sorted(JOBS))
def test_every_job_has_a_command_that_runs_with_now_and_dry_run(job):
    out = StringIO()
    call_command(job, "--dry-run", "--now", "2026-03-02T12:00:00Z", stdout=out)
    assert f"[dry run] {job} at 2026-03-02T12:00:00Z: 0 rows would change" in out.getvalue()
    assert JobRun.objects.get(job=job).outcome == JobRun.Outcome.DRY_RUN


@pytest.mark.django_db
def test_bad_input_is_a_clear_command_error():
    with pytest.raises(CommandError, match="not an ISO date-time"):
        call_command("decay_tiers", "--now", "yesterday")
    with pytest.raises(CommandError, match="has not ended yet"):
        call_command("rollup_daily_metrics", "--now", "2026-03-02T12:00Z", "--day", "2026-03-02")
    assert JobRun.objects.get(job="rollup_daily_metrics").outcome == JobRun.Outcome.FAILED


def test_parse_now_is_the_one_reading_of_a_jobs_now():
    assert parse_now("2026-11-02T05:00") == datetime(2026, 11, 2, 5, tzinfo=UTC)  # no offset: UTC
    assert parse_now("2026-11-02T05:00:00+01:00") == datetime(2026, 11, 2, 4, tzinfo=UTC)
    assert parse_now("2026-11-02") == datetime(2026, 11, 2, tzinfo=UTC)
    with pytest.raises(JobError, match="not an ISO date-time"):
        parse_now("yesterday")


@pytest.mark.django_db
def test_eager_task_calls_the_job_and_records_celery_as_trigger():
    row = progress(user=UserFactory(), lesson=LessonFactory(), tier=3, anchor=T0 - timedelta(days=15))
    result = tasks.decay_tiers.delay(now=T0.isoformat()).get()
    assert result["rows_changed"] == 1 and result["outcome"] == "ok"
    row.refresh_from_db()
    assert row.tier == 2
    assert JobRun.objects.get(pk=result["job_run"]).triggered_by == "celery"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_on_redis_runs_a_scheduled_task_end_to_end(celery_worker_app):
    row = progress(user=UserFactory(), lesson=LessonFactory(), tier=3, anchor=T0 - timedelta(days=29))
    task = celery_worker_app.tasks["gamification.decay_tiers"]
    assert task.app is celery_worker_app
    with start_worker(celery_worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        outcome = task.delay(now=T0.isoformat()).get(timeout=60)
    assert outcome["rows_changed"] == 1
    row = LessonProgress.objects.get(pk=row.pk)
    assert (row.tier, row.tier_anchor_at) == (1, T0 - timedelta(days=1))
    assert JobRun.objects.get(pk=outcome["job_run"]).triggered_by == "celery"
