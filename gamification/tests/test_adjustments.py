"""Staff adjust a learner's balance: through the ledger and the services, audited, refused below zero,
race-safe, and out of reach of the Content editor group."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import UserFactory
from gamification.jobs import run_job
from gamification.models import MAX_STREAK_FREEZES, HeartsLog, LedgerEntry, Streak, Wallet
from gamification.services.adjustments import InvalidAdjustment, Kind, adjust_balance
from gamification.services.ledger import check_ledger, credit, gems_entry, xp_entry
from gamification.tests.factories import T0, StreakFactory, WalletFactory
from gamification.tests.jobs_factories import learner

pytestmark = pytest.mark.django_db


def funded(*, xp=100, gems=30, **wallet_fields) -> Wallet:
    """A wallet whose totals come from real ledger entries (so check_ledger is clean to start with)."""
    wallet = WalletFactory(**wallet_fields)
    credit(
        wallet=wallet,
        entries=[
            xp_entry(user=wallet.user, amount=xp, reason="exercise", key=f"seed:{wallet.pk}:xp", now=T0),
            gems_entry(user=wallet.user, amount=gems, reason="run_passed", key=f"seed:{wallet.pk}:gems", now=T0),
        ],
    )
    return wallet


def adjust_url(wallet: Wallet) -> str:
    return reverse("admin:gamification_wallet_adjust", args=[wallet.pk])


# --- the service ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "field", "amount", "after"), [("xp", "xp_total", 50, 150), ("gems", "gems", -30, 0)])
def test_xp_and_gems_are_ledger_entries_and_the_ledger_stays_clean(kind, field, amount, after):
    wallet = funded()
    done = adjust_balance(user=wallet.user, kind=kind, amount=amount, reason="support ticket 12", now=T0)

    wallet.refresh_from_db()
    assert getattr(wallet, field) == after == done.after
    entry = LedgerEntry.objects.get(user=wallet.user, reason=LedgerEntry.Reason.ADJUSTMENT)
    assert (entry.currency, entry.amount, entry.key) == (kind, amount, f"adjustment:{done.audit_entry_id}")
    audit = LogEntry.objects.get(pk=done.audit_entry_id)
    assert audit.changes == {field: [after - amount, after]}
    assert audit.additional_data["reason"] == "support ticket 12"
    assert audit.additional_data["subject_user_id"] == wallet.user_id
    assert check_ledger() == []


def test_a_deduction_below_zero_is_refused_and_writes_nothing():
    wallet = funded(gems=30)
    for kind, amount in [("gems", -31), ("xp", -101), ("streak_freezes", -1), ("hearts", -6)]:
        with pytest.raises(InvalidAdjustment) as error:
            adjust_balance(user=wallet.user, kind=kind, amount=amount, reason="oops", now=T0)
        assert error.value.field == "amount"
    wallet.refresh_from_db()
    assert (wallet.xp_total, wallet.gems, wallet.streak_freezes, wallet.hearts) == (100, 30, 0, 5)
    assert not LedgerEntry.objects.filter(reason=LedgerEntry.Reason.ADJUSTMENT).exists()
    assert not LogEntry.objects.filter(additional_data__has_key="adjustment").exists()


def test_a_reason_is_required():
    wallet = funded()
    with pytest.raises(InvalidAdjustment) as error:
        adjust_balance(user=wallet.user, kind="gems", amount=5, reason="   ", now=T0)
    assert error.value.field == "reason"


def test_hearts_materialise_regeneration_then_log_the_adjustment():
    # 1 heart stored 8 hours ago: 3 by now; +1 → 4, both steps in the hearts log.
    wallet = funded(hearts=1, hearts_anchor_at=T0 - timedelta(hours=8))
    done = adjust_balance(user=wallet.user, kind="hearts", amount=1, reason="lost to a bug", now=T0)
    wallet.refresh_from_db()
    assert (done.before, done.after, wallet.hearts, wallet.hearts_anchor_at) == (3, 4, 4, T0)
    steps = list(
        HeartsLog.objects.filter(user=wallet.user).order_by("pk").values_list("hearts_before", "hearts_after", "reason")
    )
    assert steps == [(1, 3, "regenerated"), (3, 4, "adjustment")]
    with pytest.raises(InvalidAdjustment):
        adjust_balance(user=wallet.user, kind="hearts", amount=2, reason="too many", now=T0)


def test_freezes_use_the_wallet_field_the_streak_job_spends():
    wallet = funded(streak_freezes=1)
    adjust_balance(user=wallet.user, kind="streak_freezes", amount=1, reason="goodwill", now=T0)
    wallet.refresh_from_db()
    assert wallet.streak_freezes == 2 == MAX_STREAK_FREEZES
    with pytest.raises(InvalidAdjustment) as error:  # the most a learner may hold, as in the gem shop
        adjust_balance(user=wallet.user, kind="streak_freezes", amount=1, reason="more", now=T0)
    assert "at most 2" in error.value.message


def test_restoring_a_lost_streak_makes_it_alive_until_the_end_of_today():
    wallet = funded()
    StreakFactory(user=wallet.user, current=0, longest=12, last_day=None, alive_until=None)
    done = adjust_balance(user=wallet.user, kind="restore_streak", amount=12, reason="outage on 4 Jan", now=T0)
    streak = Streak.objects.get(user=wallet.user)
    assert (done.before, streak.current, streak.longest) == (0, 12, 12)
    assert streak.last_day == T0.date() - timedelta(days=1)
    assert streak.alive_until > T0
    assert LogEntry.objects.get(pk=done.audit_entry_id).changes == {"current": [0, 12]}


# --- the admin page ------------------------------------------------------------------------------


def test_staff_adjustment_in_admin_is_audited_with_user_and_ip(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    wallet = funded(gems=30)

    response = client.post(
        adjust_url(wallet),
        {"kind": "gems", "amount": "20", "reason": "refund for a broken lesson"},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302
    wallet.refresh_from_db()
    assert wallet.gems == 50
    entry = LogEntry.objects.get(additional_data__adjustment="gems")
    assert (entry.actor, entry.remote_addr, entry.changes) == (admin_user, "203.0.113.9", {"gems": [30, 50]})
    assert entry.action == LogEntry.Action.UPDATE
    assert check_ledger() == []


def test_deducting_below_zero_in_admin_is_a_form_error(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    wallet = funded(gems=30)
    response = client.post(adjust_url(wallet), {"kind": "gems", "amount": "-40", "reason": "chargeback"})
    assert response.status_code == 400
    assert "Deduct at most 30" in response.content.decode()
    assert response.context["form"].errors["amount"]
    wallet.refresh_from_db()
    assert wallet.gems == 30


def test_the_reason_is_required_in_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    wallet = funded()
    response = client.post(adjust_url(wallet), {"kind": "xp", "amount": "10", "reason": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]


def test_staff_with_the_permission_can_adjust(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="adjust_balance"))
    client.force_login(staff)
    wallet = funded()
    assert client.get(reverse("admin:gamification_wallet_changelist")).status_code == 200
    assert client.post(adjust_url(wallet), {"kind": "xp", "amount": "5", "reason": "x"}).status_code == 302
    wallet.refresh_from_db()
    assert wallet.xp_total == 105


def test_a_content_editor_sees_no_users_wallets_or_adjustments(client):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(editor)
    wallet = funded()
    for url in (
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[wallet.user_id]),
        reverse("admin:gamification_wallet_changelist"),
        reverse("admin:gamification_wallet_change", args=[wallet.pk]),
        adjust_url(wallet),
        reverse("admin:auditlog_logentry_changelist"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(adjust_url(wallet), {"kind": "gems", "amount": "5", "reason": "x"}).status_code == 403
    wallet.refresh_from_db()
    assert wallet.gems == 30


def test_the_wallet_page_is_read_only_even_for_a_superuser(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    wallet = funded()
    response = client.post(reverse("admin:gamification_wallet_change", args=[wallet.pk]), {"gems": "9999"})
    assert response.status_code == 403
    wallet.refresh_from_db()
    assert wallet.gems == 30


# --- two staff at once -------------------------------------------------------------------------


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_staff_adjustments_at_once_both_land():
    wallet = funded(gems=30)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def work(amount: int) -> None:
        try:
            barrier.wait()
            adjust_balance(user=wallet.user, kind=Kind.GEMS, amount=amount, reason=f"ticket {amount}", now=T0)
        except Exception as error:  # asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(amount,)) for amount in (7, 11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    wallet.refresh_from_db()
    assert wallet.gems == 48
    assert LedgerEntry.objects.filter(reason=LedgerEntry.Reason.ADJUSTMENT).count() == 2
    assert LogEntry.objects.filter(additional_data__adjustment="gems").count() == 2
    assert check_ledger() == []


# --- jobs: one entry per run ---------------------------------------------------------------------


def test_a_job_run_that_changes_rows_leaves_one_entry_signed_by_the_job():
    for _ in range(3):
        learner(tz="UTC", current=6, last_day=date(2026, 3, 1))
    now = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    before = LogEntry.objects.count()

    run_job("close_streaks", now=now, dry_run=True)
    assert LogEntry.objects.count() == before  # a dry run changes nothing
    run, result = run_job("close_streaks", now=now)
    assert result.rows_changed >= 3
    entry = LogEntry.objects.get_for_object(run).get()
    assert entry.actor_email == "job close_streaks"
    assert entry.changes == {"rows_changed": [None, result.rows_changed]}
    assert entry.additional_data["as_of"] == now.isoformat()
    assert "host" in entry.additional_data
    run_job("close_streaks", now=now)  # nothing left to change: no entry
    assert LogEntry.objects.count() == before + 1
