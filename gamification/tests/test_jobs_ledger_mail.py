"""check_ledger and send_reengagement."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from gamification.jobs import run_check_ledger, run_send_reengagement
from gamification.models import JobRun, LedgerEntry, Streak, Wallet

from .jobs_factories import learner

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 16, 0, tzinfo=UTC)


def ledger(user, currency, amount, key):
    LedgerEntry.objects.create(user=user, currency=currency, amount=amount, reason="exercise", key=key, created_at=NOW)


def test_check_ledger_passes_when_every_total_matches():
    user = learner()
    ledger(user, "xp", 30, "a")
    ledger(user, "gems", 3, "b")
    Wallet.objects.filter(user=user).update(xp_total=30, gems=3)
    result = run_check_ledger(now=NOW)
    assert (result.rows_changed, result.problems) == (0, 0)
    out = StringIO()
    call_command("check_ledger", stdout=out)
    assert "0 rows changed" in out.getvalue()
    assert JobRun.objects.get(job="check_ledger").outcome == JobRun.Outcome.OK


def test_check_ledger_reports_differences_and_the_command_fails():
    good, bad = learner(), learner()
    ledger(good, "xp", 10, "g")
    Wallet.objects.filter(user=good).update(xp_total=10)
    ledger(bad, "xp", 10, "b1")
    ledger(bad, "gems", 5, "b2")
    Wallet.objects.filter(user=bad).update(xp_total=25, gems=5)

    result = run_check_ledger(now=NOW)
    assert result.problems == 1
    assert f"user {bad.pk}: wallet xp = 25, ledger sum = 10" in result.detail
    with pytest.raises(CommandError, match="found 1 problems"):
        call_command("check_ledger", stdout=StringIO())
    run = JobRun.objects.get(job="check_ledger")
    assert run.outcome == JobRun.Outcome.PROBLEMS
    assert f"user {bad.pk}" in run.detail


def test_reengagement_mails_each_lapsed_learner_once_per_lapse():
    away = NOW - timedelta(days=15)
    lapsed = learner(last_activity_at=away, display_name="Ana")
    learner(last_activity_at=NOW - timedelta(days=13))  # not 14 days yet
    learner(last_activity_at=away, notify_reengagement=False)  # opted out
    learner(last_activity_at=away, is_active=False)  # closed account
    told = learner(last_activity_at=away)
    Streak.objects.filter(user=told).update(reengagement_sent_at=away + timedelta(days=14))  # already told
    back_again = learner(last_activity_at=away)  # told for an earlier lapse, came back, lapsed again
    Streak.objects.filter(user=back_again).update(reengagement_sent_at=away - timedelta(days=30))
    learner()  # never active: no streak activity, nothing to re-engage

    Streak.objects.filter(user=lapsed).update(longest=12)
    assert run_send_reengagement(now=NOW, dry_run=True).rows_changed == 2
    assert mail.outbox == []

    result = run_send_reengagement(now=NOW, batch_size=1)
    assert result.rows_changed == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lapsed.email, back_again.email])
    message = next(m for m in mail.outbox if m.to == [lapsed.email])
    assert message.subject == "We miss you at Mallard"
    assert "Hi Ana" in message.body and "15 days" in message.body and "12 days" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Continue learning" in html
    assert Streak.objects.get(user=lapsed).reengagement_sent_at == NOW

    assert run_send_reengagement(now=NOW + timedelta(days=1)).rows_changed == 0
    assert len(mail.outbox) == 2


def test_reengagement_claim_is_undone_when_sending_fails(monkeypatch):
    user = learner(last_activity_at=NOW - timedelta(days=20))

    def broken(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    result = run_send_reengagement(now=NOW)
    assert (result.rows_changed, result.problems) == (0, 1)
    assert Streak.objects.get(user=user).reengagement_sent_at is None
    monkeypatch.undo()
    assert run_send_reengagement(now=NOW).rows_changed == 1
    assert len(mail.outbox) == 1
