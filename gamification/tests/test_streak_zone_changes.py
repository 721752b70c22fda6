"""One streak rule for "alive" and "extend": a zone change never breaks a streak, and hopping zones
never banks several streak days in a few real minutes."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from gamification import selectors
from gamification.jobs.close_streaks import run_close_streaks
from gamification.models import Streak
from gamification.services.activity import streak_alive

from .test_streaks import earn, utc

pytestmark = pytest.mark.django_db

MINUS_11 = "Pacific/Pago_Pago"  # UTC-11 all year
PLUS_14 = "Pacific/Kiritimati"  # UTC+14 all year
MINUS_10 = "Pacific/Honolulu"  # UTC-10 all year


def move(user, zone: str) -> None:
    user.time_zone = zone
    user.save(update_fields=["time_zone"])


def alive(user, now) -> bool:
    s = Streak.objects.get(user=user)
    return streak_alive(
        user, last_day=s.last_day, last_activity_at=s.last_activity_at, alive_until=s.alive_until, now=now
    )


def three_day_streak_in_minus_11(user) -> datetime:
    """XP at noon on 1, 2 and 3 March in UTC-11; returns 4 March 23:30 there (no XP on the 4th yet)."""
    move(user, MINUS_11)
    for day in (1, 2, 3):
        earn(user, utc(2026, 3, day, 23))  # 12:00 local
    assert Streak.objects.get(user=user).current == 3
    return utc(2026, 3, 5, 10, 30)  # 4 March 23:30 in UTC-11


def test_streak_zone_change_skipping_two_dates_does_not_reset_a_live_streak(user):
    late = three_day_streak_in_minus_11(user)
    assert selectors.profile(user=user, now=late).streak_current == 3  # alive: still time on the 4th

    move(user, PLUS_14)  # five minutes later it is 6 March 00:35 there: two dates skipped
    later = late + timedelta(minutes=5)
    assert selectors.profile(user=user, now=later).streak_current == 3  # the profile agrees
    s = earn(user, later)
    assert (s.current, s.last_day) == (4, date(2026, 3, 6))  # extended, not reset to 1


def test_streak_zone_change_never_breaks_a_streak_that_was_alive(user):
    """For every pair of zones and every moment: alive just before the move ⇒ alive after it, and
    the next XP extends (never restarts) it."""
    zones = [MINUS_11, MINUS_10, "America/Sao_Paulo", "UTC", "Asia/Kathmandu", "Asia/Tokyo", PLUS_14]
    for index, (start, target) in enumerate(itertools.product(zones, zones)):
        for hours in (20, 30, 40, 46):
            move(user, start)
            base = utc(2026, 3, 2, 12) + timedelta(days=3 * index)
            earn(user, base)
            earn(user, base + timedelta(days=1))
            now = base + timedelta(days=1, hours=hours)
            was_alive = alive(user, now)
            move(user, target)
            assert alive(user, now) == was_alive, (start, target, hours)
            before = Streak.objects.get(user=user).current
            after = earn(user, now).current
            assert after >= before if was_alive else after == 1, (start, target, hours, before, after)
            Streak.objects.filter(user=user).delete()


def test_streak_hopping_zones_east_banks_no_days(user):
    move(user, MINUS_11)
    start = utc(2026, 3, 3, 10, 50)  # 2 March 23:50 in UTC-11
    assert earn(user, start).current == 1
    move(user, MINUS_10)
    assert earn(user, start + timedelta(minutes=5)).current == 1  # 3 March 00:55 there
    move(user, PLUS_14)
    assert earn(user, start + timedelta(minutes=10)).current == 1  # 4 March 01:00 there
    # The next streak day needs the next local midnight in the zone the learner is in.
    assert earn(user, utc(2026, 3, 4, 9, 59)).current == 1  # 4 March 23:59 in UTC+14
    assert earn(user, utc(2026, 3, 4, 10, 1)).current == 2  # 5 March 00:01


def test_streak_hopping_zones_never_gives_two_days_within_a_few_hours(user):
    """Chasing midnights westward and eastward: at most one extra day per local midnight, and no
    more than two streak days within 22 hours whatever the zones."""
    zones = [PLUS_14, "Pacific/Chatham", "Asia/Kathmandu", "Asia/Kolkata", "UTC", MINUS_10, MINUS_11]
    move(user, MINUS_11)
    t = utc(2026, 3, 3, 10, 50)
    earn(user, t)
    gains = []
    for _ in range(40):  # every 15 minutes, XP in whichever zone would extend the streak
        t += timedelta(minutes=15)
        before = Streak.objects.get(user=user).current
        for zone in zones:
            move(user, zone)
            if earn(user, t).current > before:
                gains.append(t)
                break
    assert all(b - a >= timedelta(hours=22) for a, b in zip(gains, gains[2:], strict=False)), gains
    assert len(gains) <= 2


def test_streak_close_job_keeps_a_streak_alive_after_a_zone_change(user):
    late = three_day_streak_in_minus_11(user)
    move(user, PLUS_14)
    result = run_close_streaks(now=late + timedelta(minutes=5))
    assert Streak.objects.get(user=user).current == 3, result.detail
    # Once the deadline passes (the end of 4 March in UTC-11), the job breaks it.
    run_close_streaks(now=datetime(2026, 3, 5, 11, 1, tzinfo=UTC))
    assert Streak.objects.get(user=user).current == 0
