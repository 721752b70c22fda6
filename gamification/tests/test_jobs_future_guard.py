"""The job commands refuse a --now far in the future unless --dry-run or --allow-future."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gamification.jobs import JOBS
from gamification.management.jobcommand import FUTURE_TOLERANCE
from gamification.models import JobRun

from .jobs_factories import learner, streak

pytestmark = pytest.mark.django_db


def iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("job", sorted(JOBS))
def test_every_job_command_refuses_a_now_in_the_future_and_changes_nothing(job):
    typo = timezone.now() + timedelta(days=365)
    with pytest.raises(CommandError, match=r"more than 10 minutes in the future.*--allow-future"):
        call_command(job, "--now", iso(typo), stdout=StringIO())
    assert not JobRun.objects.exists()


def test_a_year_typo_would_break_every_streak_and_is_refused():
    today = timezone.now().date()
    user = learner(current=7, last_day=today)
    with pytest.raises(CommandError):
        call_command("close_streaks", "--now", iso(timezone.now() + timedelta(days=366)), stdout=StringIO())
    assert (streak(user).current, streak(user).closed_through) == (7, None)


def test_dry_run_and_allow_future_accept_a_future_now():
    today = timezone.now().date()
    user = learner(current=7, last_day=today)
    later = timezone.now() + timedelta(days=3)

    call_command("close_streaks", "--dry-run", "--now", iso(later), stdout=(out := StringIO()))
    assert "[dry run] close_streaks" in out.getvalue()
    assert streak(user).current == 7

    call_command("close_streaks", "--allow-future", "--now", iso(later), stdout=StringIO())
    assert streak(user).current == 0
    assert streak(user).closed_through == later.date() - timedelta(days=1)
    assert list(JobRun.objects.order_by("id").values_list("outcome", flat=True)) == ["dry_run", "ok"]


def test_a_now_within_the_tolerance_runs():
    soon = timezone.now() + FUTURE_TOLERANCE - timedelta(minutes=1)
    call_command("check_ledger", "--now", iso(soon), stdout=(out := StringIO()))
    assert "check_ledger at" in out.getvalue()
