"""manage.py run_jobs: every periodic job once (the laptop's stand-in for Celery beat)."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from courses.tests.factories import LessonFactory
from gamification.jobs import JOBS
from gamification.management.commands.run_jobs import ORDER
from gamification.models import JobRun, Wallet

from .jobs_factories import learner, progress, streak

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 1, 30, tzinfo=UTC)


def test_every_job_runs_once_in_schedule_order_as_of_now():
    lapsed = learner(current=4, last_day=date(2026, 3, 17))
    gold = progress(user=UserFactory(), lesson=LessonFactory(), tier=3, anchor=NOW - timedelta(days=15))

    call_command("run_jobs", "--now", NOW.isoformat(), stdout=(out := StringIO()))

    runs = list(JobRun.objects.order_by("id").values_list("job", "outcome", "as_of"))
    assert runs == [(job, "ok", NOW) for job in ORDER]
    assert sorted(ORDER) == sorted(JOBS)
    assert streak(lapsed).current == 0
    gold.refresh_from_db()
    assert gold.tier == 2
    assert out.getvalue().count(" rows changed") == len(ORDER)


def test_a_job_with_problems_does_not_stop_the_others_and_the_command_fails():
    user = learner(current=0)
    Wallet.objects.filter(user=user).update(xp_total=99)  # no ledger behind it
    with pytest.raises(CommandError, match=f"1 of {len(ORDER)} jobs did not finish cleanly: check_ledger"):
        call_command("run_jobs", "--now", NOW.isoformat(), stdout=StringIO(), stderr=StringIO())
    assert list(JobRun.objects.order_by("id").values_list("job", flat=True)) == ORDER
    assert JobRun.objects.get(job="check_ledger").outcome == JobRun.Outcome.PROBLEMS


def test_a_future_now_is_refused_once_before_any_job_runs():
    with pytest.raises(CommandError, match="more than 10 minutes in the future"):
        call_command("run_jobs", "--now", "2999-01-01T00:00Z", stdout=StringIO())
    assert not JobRun.objects.exists()
    call_command("run_jobs", "--dry-run", "--now", "2999-01-01T00:00Z", stdout=StringIO())
    assert set(JobRun.objects.values_list("outcome", flat=True)) == {"dry_run"}
