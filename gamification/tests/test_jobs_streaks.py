"""close_streaks: local midnight per time zone, DST nights, freezes, idempotence."""

from datetime import UTC, date, datetime, timedelta

import pytest

from gamification.jobs import run_close_streaks
from gamification.models import FrozenDay, Wallet
from gamification.services.activity import record_activity

from .jobs_factories import learner, streak

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "missed_day", "midnight_utc"),
    [
        # UTC+14: local 2026-03-03 00:00 is 2026-03-02 10:00 UTC.
        ("Pacific/Kiritimati", date(2026, 3, 2), utc(2026, 3, 2, 10, 0)),
        # UTC-11: local 2026-03-03 00:00 is 2026-03-03 11:00 UTC.
        ("Pacific/Pago_Pago", date(2026, 3, 2), utc(2026, 3, 3, 11, 0)),
        ("UTC", date(2026, 3, 2), utc(2026, 3, 3, 0, 0)),
        # India, UTC+5:30: local 2026-03-03 00:00 is 2026-03-02 18:30 UTC.
        ("Asia/Kolkata", date(2026, 3, 2), utc(2026, 3, 2, 18, 30)),
        # Fall-back night: 2026-11-01 lasts 25 hours in New York; it ends at 00:00 EST = 05:00 UTC
        # (not 04:00, as the day's starting offset, EDT, would suggest).
        ("America/New_York", date(2026, 11, 1), utc(2026, 11, 2, 5, 0)),
        # Spring-forward: 2026-03-29 lasts 23 hours in Berlin; it ends at 00:00 CEST = 22:00 UTC.
        ("Europe/Berlin", date(2026, 3, 29), utc(2026, 3, 29, 22, 0)),
    ],
)
def test_streak_breaks_at_local_midnight_and_not_a_minute_early(tz, missed_day, midnight_utc):
    lapsed = learner(tz=tz, current=6, last_day=missed_day - timedelta(days=1))
    kept = learner(tz=tz, current=4, last_day=missed_day)

    early = run_close_streaks(now=midnight_utc - timedelta(minutes=1))
    assert early.rows_changed == 0
    assert streak(lapsed).current == 6

    result = run_close_streaks(now=midnight_utc)
    assert result.rows_changed == 1
    s = streak(lapsed)
    assert (s.current, s.longest, s.closed_through) == (0, 6, missed_day)
    assert streak(kept).current == 4
    assert streak(kept).closed_through is None


def test_zones_are_closed_each_at_their_own_midnight():
    day = date(2026, 3, 2)
    east = learner(tz="Pacific/Kiritimati", current=3, last_day=day - timedelta(days=1))
    west = learner(tz="Pacific/Pago_Pago", current=3, last_day=day - timedelta(days=1))
    berlin = learner(tz="Europe/Berlin", current=3, last_day=day - timedelta(days=1))

    # 2026-03-02 12:00 UTC: Kiritimati is already on 3 March; Berlin and Pago Pago are still on 2 March.
    assert run_close_streaks(now=utc(2026, 3, 2, 12)).rows_changed == 1
    assert [streak(u).current for u in (east, west, berlin)] == [0, 3, 3]
    # 23:00 UTC: Berlin (UTC+1) has passed midnight, Pago Pago has not.
    assert run_close_streaks(now=utc(2026, 3, 2, 23)).rows_changed == 1
    assert [streak(u).current for u in (east, west, berlin)] == [0, 3, 0]
    assert run_close_streaks(now=utc(2026, 3, 3, 11)).rows_changed == 1
    assert [streak(u).current for u in (east, west, berlin)] == [0, 0, 0]


def test_second_run_at_the_same_time_changes_nothing():
    now = utc(2026, 3, 3, 0, 5)
    users = [learner(current=n + 1, last_day=date(2026, 3, 1)) for n in range(3)]
    users.append(learner(current=2, last_day=date(2026, 3, 1), freezes=1))
    first = run_close_streaks(now=now)
    assert first.rows_changed == 4
    before = [(s.current, s.last_day, s.freezes_used) for s in map(streak, users)]
    assert run_close_streaks(now=now).rows_changed == 0
    assert run_close_streaks(now=now + timedelta(minutes=50)).rows_changed == 0
    assert [(s.current, s.last_day, s.freezes_used) for s in map(streak, users)] == before
    assert Wallet.objects.get(user=users[-1]).streak_freezes == 0


def test_a_freeze_keeps_the_streak_and_the_frozen_day_counts_as_kept():
    user = learner(current=9, last_day=date(2026, 3, 1), freezes=2)
    result = run_close_streaks(now=utc(2026, 3, 3, 0, 5))
    assert result.rows_changed == 1
    assert "keep 1 with 1 streak freezes" in result.detail
    s = streak(user)
    assert (s.current, s.last_day, s.freezes_used, s.closed_through) == (9, date(2026, 3, 2), 1, date(2026, 3, 2))
    assert Wallet.objects.get(user=user).streak_freezes == 1

    # XP on 3 March extends the streak as if 2 March had been kept.
    record_activity(user=user, now=utc(2026, 3, 3, 9), xp=10)
    assert streak(user).current == 10


def test_freezes_run_out_then_the_streak_breaks():
    user = learner(current=5, last_day=date(2026, 3, 1), freezes=1)
    run_close_streaks(now=utc(2026, 3, 3, 1))  # 2 March missed: freeze spent
    assert (streak(user).current, Wallet.objects.get(user=user).streak_freezes) == (5, 0)
    run_close_streaks(now=utc(2026, 3, 4, 1))  # 3 March missed: no freeze left
    s = streak(user)
    assert (s.current, s.freezes_used, s.closed_through) == (0, 1, date(2026, 3, 3))


def test_after_a_missed_run_freezes_are_spent_only_if_they_cover_every_missed_day():
    # The job did not run for two days; both learners missed 2 and 3 March.
    covered = learner(current=5, last_day=date(2026, 3, 1), freezes=2)
    short = learner(current=5, last_day=date(2026, 3, 1), freezes=1)
    run_close_streaks(now=utc(2026, 3, 4, 1))
    c, s = streak(covered), streak(short)
    assert (c.current, c.last_day, c.freezes_used) == (5, date(2026, 3, 3), 2)
    assert (c.freeze_notice_streak, c.freeze_notice_freezes) == (5, 2)
    assert Wallet.objects.get(user=covered).streak_freezes == 0
    assert set(FrozenDay.objects.filter(user=covered).values_list("day", flat=True)) == {
        date(2026, 3, 2),
        date(2026, 3, 3),
    }
    assert (s.current, s.freezes_used, s.freeze_notice_streak) == (0, 0, None)
    assert Wallet.objects.get(user=short).streak_freezes == 1
    assert not FrozenDay.objects.filter(user=short).exists()


def test_a_spent_freeze_leaves_a_notice_and_a_frozen_day_once():
    user = learner(current=12, last_day=date(2026, 3, 1), freezes=1)
    run_close_streaks(now=utc(2026, 3, 3, 0, 5))
    run_close_streaks(now=utc(2026, 3, 3, 1, 5))  # idempotent: nothing more
    s = streak(user)
    assert (s.freeze_notice_streak, s.freeze_notice_freezes) == (12, 1)
    assert list(FrozenDay.objects.filter(user=user).values_list("day", flat=True)) == [date(2026, 3, 2)]


def test_a_broken_streak_drops_a_pending_freeze_notice():
    user = learner(current=4, last_day=date(2026, 3, 1), freezes=1)
    run_close_streaks(now=utc(2026, 3, 3, 1))  # 2 March kept by the freeze
    run_close_streaks(now=utc(2026, 3, 4, 1))  # 3 March missed, no freeze left
    s = streak(user)
    assert (s.current, s.freeze_notice_streak, s.freeze_notice_freezes) == (0, None, 0)


def test_xp_after_local_midnight_yesterday_keeps_the_streak_after_a_zone_change():
    # Last XP at 2026-03-02 23:30 UTC was recorded as 2 March (then in UTC). The learner now lives in
    # Tokyo, where that instant is 3 March 08:30: at Tokyo's 4 March 00:10 yesterday had XP.
    user = learner(tz="Asia/Tokyo", current=3, last_day=date(2026, 3, 2), last_activity_at=utc(2026, 3, 2, 23, 30))
    assert run_close_streaks(now=utc(2026, 3, 3, 15, 10)).rows_changed == 0
    assert streak(user).current == 3


def test_learners_without_a_streak_or_active_today_are_untouched():
    zero = learner(current=0, last_day=date(2026, 2, 1))
    today = learner(current=2, last_day=date(2026, 3, 3))
    run_close_streaks(now=utc(2026, 3, 3, 12))
    assert streak(zero).closed_through is None
    assert streak(today).current == 2


def test_dry_run_reports_and_changes_nothing():
    user = learner(current=5, last_day=date(2026, 3, 1), freezes=1)
    learner(current=5, last_day=date(2026, 3, 1))
    result = run_close_streaks(now=utc(2026, 3, 3, 1), dry_run=True)
    assert result.rows_changed == 2
    assert "would reset 1" in result.detail
    assert streak(user).current == 5
    assert streak(user).closed_through is None
    assert Wallet.objects.get(user=user).streak_freezes == 1


def test_small_batches_give_the_same_result():
    users = [learner(tz=tz, current=3, last_day=date(2026, 3, 1)) for tz in ["UTC", "Europe/Berlin", "Asia/Tokyo"] * 3]
    result = run_close_streaks(now=utc(2026, 3, 3, 6), batch_size=2)
    assert result.rows_changed == 9
    assert {streak(u).current for u in users} == {0}
