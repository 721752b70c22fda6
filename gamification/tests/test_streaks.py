"""Streaks and daily activity by the learner's local day, across DST changes and time-zone moves."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from courses.tests.sample_courses import make_course
from gamification import selectors, services
from gamification.models import DailyActivity, Streak
from gamification.tests.helpers import answer, pass_lesson

pytestmark = pytest.mark.django_db


def earn(user, when: datetime, xp: int = 10):
    services.ensure_learner(user=user, now=when)
    services.record_activity(user=user, now=when, xp=xp)
    return Streak.objects.get(user=user)


def days(user):
    return dict(DailyActivity.objects.filter(user=user).values_list("day", "xp"))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_first_xp_of_a_day_extends_and_gaps_restart(user):
    s = earn(user, utc(2026, 3, 2, 9))
    assert (s.current, s.longest, s.last_day) == (1, 1, date(2026, 3, 2))
    s = earn(user, utc(2026, 3, 2, 20))  # same day: no change
    assert (s.current, s.longest) == (1, 1)
    s = earn(user, utc(2026, 3, 3, 0, 1))
    s = earn(user, utc(2026, 3, 4, 23, 59))
    assert (s.current, s.longest, s.last_day) == (3, 3, date(2026, 3, 4))
    s = earn(user, utc(2026, 3, 6, 8))  # 5 March had no XP
    assert (s.current, s.longest) == (1, 3)
    assert days(user) == {date(2026, 3, 2): 20, date(2026, 3, 3): 10, date(2026, 3, 4): 10, date(2026, 3, 6): 10}


def test_no_xp_means_no_streak_day(user):
    services.ensure_learner(user=user, now=utc(2026, 3, 2))
    services.record_activity(user=user, now=utc(2026, 3, 2, 9), xp=0, seconds=30)
    assert Streak.objects.get(user=user).current == 0
    assert DailyActivity.objects.get(user=user).seconds_spent == 30


def test_the_day_is_the_learners_local_date(user):
    user.time_zone = "America/Los_Angeles"
    user.save()
    earn(user, utc(2026, 3, 2, 7))  # 23:00 on 1 March in Los Angeles
    s = earn(user, utc(2026, 3, 2, 9))  # 01:00 on 2 March
    assert s.current == 2
    assert days(user) == {date(2026, 3, 1): 10, date(2026, 3, 2): 10}


def test_spring_forward_day_has_23_hours(user):
    user.time_zone = "America/New_York"  # 8 March 2026: 02:00 EST → 03:00 EDT
    user.save()
    earn(user, utc(2026, 3, 8, 4, 30))  # 7 March 23:30 EST
    earn(user, utc(2026, 3, 8, 5, 30))  # 8 March 00:30 EST
    s = earn(user, utc(2026, 3, 9, 3, 30))  # 8 March 23:30 EDT: still the 8th
    assert (s.current, s.last_day) == (2, date(2026, 3, 8))
    s = earn(user, utc(2026, 3, 9, 4, 10))  # 9 March 00:10 EDT
    assert (s.current, s.last_day) == (3, date(2026, 3, 9))
    assert days(user) == {date(2026, 3, 7): 10, date(2026, 3, 8): 20, date(2026, 3, 9): 10}


def test_fall_back_day_has_25_hours_and_counts_once(user):
    user.time_zone = "America/New_York"  # 1 November 2026: 02:00 EDT → 01:00 EST
    user.save()
    earn(user, utc(2026, 10, 31, 12))
    earn(user, utc(2026, 11, 1, 4, 30))  # 1 Nov 00:30 EDT
    earn(user, utc(2026, 11, 1, 5, 30))  # 1 Nov 01:30 EDT
    earn(user, utc(2026, 11, 1, 6, 30))  # 1 Nov 01:30 EST (the repeated hour)
    s = earn(user, utc(2026, 11, 2, 4, 30))  # 1 Nov 23:30 EST: the 25th hour of the same day
    assert (s.current, s.last_day) == (2, date(2026, 11, 1))
    assert days(user)[date(2026, 11, 1)] == 40
    s = earn(user, utc(2026, 11, 2, 5, 30))  # 2 Nov 00:30 EST
    assert (s.current, s.last_day) == (3, date(2026, 11, 2))


def test_flying_east_across_midnight_does_not_break_the_streak(user):
    user.time_zone = "America/Los_Angeles"
    user.save()
    earn(user, utc(2026, 3, 2, 7))  # LA 1 March 23:00
    s = earn(user, utc(2026, 3, 3, 7))  # LA 2 March 23:00 → 2
    assert (s.current, s.last_day) == (2, date(2026, 3, 2))
    # Boards an 11-hour flight to Tokyo; on landing the calendar there already says 4 March.
    user.time_zone = "Asia/Tokyo"
    user.save()
    s = earn(user, utc(2026, 3, 3, 20))  # Tokyo 4 March 05:00
    # 3 March never existed for this learner, but no whole day passed without XP:
    # in Tokyo time the last XP was at 16:00 on 3 March, i.e. yesterday.
    assert (s.current, s.last_day) == (3, date(2026, 3, 4))


def test_flying_west_never_counts_a_day_twice(user):
    user.time_zone = "Asia/Tokyo"
    user.save()
    earn(user, utc(2026, 3, 1, 23))  # Tokyo 2 March 08:00
    s = earn(user, utc(2026, 3, 2, 23))  # Tokyo 3 March 08:00
    assert (s.current, s.last_day) == (2, date(2026, 3, 3))
    user.time_zone = "America/Los_Angeles"
    user.save()
    s = earn(user, utc(2026, 3, 3, 1))  # LA 2 March 17:00: a date already behind the streak
    assert (s.current, s.last_day) == (2, date(2026, 3, 3))
    s = earn(user, utc(2026, 3, 3, 20))  # LA 3 March 12:00: 3 March already counted in Tokyo
    assert (s.current, s.longest, s.last_day) == (2, 2, date(2026, 3, 3))
    s = earn(user, utc(2026, 3, 4, 20))  # LA 4 March: the next day
    assert (s.current, s.last_day) == (3, date(2026, 3, 4))


def test_a_real_gap_still_breaks_after_a_zone_change(user):
    user.time_zone = "America/Los_Angeles"
    user.save()
    earn(user, utc(2026, 3, 2, 20))  # LA 2 March
    user.time_zone = "Asia/Tokyo"
    user.save()
    s = earn(user, utc(2026, 3, 5, 3))  # Tokyo 5 March 12:00: all of Tokyo's 4 March passed without XP
    assert s.current == 1


def test_live_streak_is_zero_after_a_missed_day_before_the_nightly_job(user):
    earn(user, utc(2026, 3, 2, 9))
    earn(user, utc(2026, 3, 3, 9))
    assert selectors.profile(user=user, now=utc(2026, 3, 4, 23)).streak_current == 2  # still time today
    profile = selectors.profile(user=user, now=utc(2026, 3, 5, 1))
    assert (profile.streak_current, profile.streak_longest) == (0, 2)


def test_daily_goal_row_and_activities(user):
    user.daily_xp_goal = 80
    user.save()
    _, (first, _) = make_course(exercises=3)
    with time_machine.travel(utc(2026, 3, 2, 9), tick=False):
        now = timezone.now()
        run = services.start_lesson_run(user=user, lesson=first, now=now)
        answer(user, run, now=now, time_spent_ms=2000)
        row = DailyActivity.objects.get(user=user, day=date(2026, 3, 2))
        assert (row.xp, row.goal, row.goal_met, row.activities, row.seconds_spent) == (10, 80, False, 0, 2)
        answer(user, run, now=now)
        answer(user, run, now=now)
    row.refresh_from_db()
    # 30 XP from the lesson, plus achievements (First Lesson +50, Perfect Practice +75, XP Collector +25).
    assert (row.xp, row.goal_met, row.activities) == (30 + 50 + 75 + 25, True, 1)
    assert Streak.objects.get(user=user).current == 1


def test_goal_met_stays_met_and_snapshots_the_latest_goal(user):
    user.daily_xp_goal = 80
    user.save()
    earn(user, utc(2026, 3, 2, 9), xp=80)
    user.daily_xp_goal = 400
    user.save()
    earn(user, utc(2026, 3, 2, 10), xp=5)
    row = DailyActivity.objects.get(user=user)
    assert (row.xp, row.goal, row.goal_met) == (85, 400, True)


def test_achievement_xp_counts_toward_the_day_and_streak(user):
    _, (first, _) = make_course(exercises=1)
    with time_machine.travel(utc(2026, 3, 2, 9), tick=False):
        pass_lesson(user, first, now=timezone.now())
    # 10 XP, First Lesson +50, Perfect Practice +75, then XP Collector +25 (135 ≥ 50 XP).
    assert days(user) == {date(2026, 3, 2): 10 + 50 + 75 + 25}
    assert selectors.daily_xp(user=user, days=3, now=utc(2026, 3, 2, 12)) == [
        (date(2026, 2, 28), 0),
        (date(2026, 3, 1), 0),
        (date(2026, 3, 2), 160),
    ]


def test_daily_xp_uses_the_local_calendar(user):
    user.time_zone = "Pacific/Auckland"  # UTC+13 in March
    user.save()
    earn(user, utc(2026, 3, 2, 12), xp=7)  # 3 March 01:00 in Auckland
    series = selectors.daily_xp(user=user, days=2, now=utc(2026, 3, 2, 12) + timedelta(minutes=1))
    assert series == [(date(2026, 3, 2), 0), (date(2026, 3, 3), 7)]
