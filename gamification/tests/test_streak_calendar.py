"""The streak calendar on the profile: a month of days with XP, days kept by a freeze and today, in the
learner's own zone; months by links; a fixed number of queries."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import UserFactory
from gamification import selectors
from gamification.models import DailyActivity, FrozenDay

pytestmark = pytest.mark.django_db

# 31 March 2026 12:00 UTC: already 1 April 02:00 at UTC+14, still 31 March 01:00 at UTC-11.
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
JOINED = datetime(2026, 2, 10, tzinfo=UTC)


def days(calendar):
    return {d.day: d for week in calendar.weeks for d in week if d}


def test_the_month_and_today_follow_the_learners_zone():
    east = UserFactory(time_zone="Pacific/Kiritimati", date_joined=JOINED)
    west = UserFactory(time_zone="Pacific/Pago_Pago", date_joined=JOINED)
    for user in (east, west):
        DailyActivity.objects.create(user=user, day=date(2026, 3, 30), xp=40)
        DailyActivity.objects.create(user=user, day=date(2026, 3, 31), xp=20)
        FrozenDay.objects.create(user=user, day=date(2026, 3, 29), created_at=NOW)

    e = selectors.streak_calendar(user=east, now=NOW)
    assert e.month == date(2026, 4, 1)
    assert [d.day for d in days(e).values() if d.is_today] == [date(2026, 4, 1)]
    assert (e.days_with_xp, e.days_frozen, e.next_month, e.previous_month) == (0, 0, None, date(2026, 3, 1))

    w = selectors.streak_calendar(user=west, now=NOW)
    assert w.month == date(2026, 3, 1)
    march = days(w)
    assert march[date(2026, 3, 31)].is_today and march[date(2026, 3, 31)].xp == 20
    assert march[date(2026, 3, 30)].xp == 40 and not march[date(2026, 3, 30)].frozen
    assert march[date(2026, 3, 29)].frozen and march[date(2026, 3, 29)].xp == 0
    assert (w.days_with_xp, w.days_frozen) == (2, 1)

    # The east learner's March, asked for by link, has the same days; their "today" is not in it.
    e_march = selectors.streak_calendar(user=east, now=NOW, month=date(2026, 3, 1))
    assert (e_march.days_with_xp, e_march.days_frozen, e_march.next_month) == (2, 1, date(2026, 4, 1))
    assert not any(d.is_today for d in days(e_march).values())


def test_weeks_start_on_monday_and_months_are_clamped_to_the_learners_time():
    user = UserFactory(time_zone="UTC", date_joined=JOINED)
    march = selectors.streak_calendar(user=user, now=NOW, month=date(2026, 3, 15))
    assert march.weeks[0][:6] == [None] * 6  # 1 March 2026 is a Sunday
    assert march.weeks[0][6].day == date(2026, 3, 1)
    assert all(len(week) == 7 for week in march.weeks)
    feb = selectors.streak_calendar(user=user, now=NOW, month=date(2026, 2, 1))
    assert feb.previous_month is None  # joined in February
    assert selectors.streak_calendar(user=user, now=NOW, month=date(2020, 1, 1)).month == date(2026, 2, 1)
    assert selectors.streak_calendar(user=user, now=NOW, month=date(2030, 1, 1)).month == date(2026, 3, 1)


@time_machine.travel(NOW, tick=False)
def test_the_profile_page_renders_an_accessible_month_with_links_between_months(client):
    user = UserFactory(time_zone="Pacific/Pago_Pago", date_joined=JOINED)
    client.force_login(user)
    DailyActivity.objects.create(user=user, day=date(2026, 3, 30), xp=40)
    FrozenDay.objects.create(user=user, day=date(2026, 3, 29), created_at=NOW)
    html = client.get(reverse("profile")).content.decode()
    assert "<caption>March 2026: 1 day with XP, 1 kept by a streak freeze</caption>" in html
    assert 'aria-current="date" data-day="2026-03-31"' in html
    assert "40 XP</span>" in html and "kept by a streak freeze</span>" in html
    assert 'href="?month=2026-02#streak-calendar" rel="prev"' in html
    assert 'rel="next"' not in html
    feb = client.get(reverse("profile"), {"month": "2026-02"}).content.decode()
    assert "<caption>February 2026: 0 days with XP" in feb and 'href="?month=2026-03#streak-calendar" rel="next"' in feb
    for bad in ("2026-13", "x", "2026-02-01", ""):
        assert client.get(reverse("profile"), {"month": bad}).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_the_profile_page_reads_in_a_fixed_number_of_queries(client, django_assert_num_queries):
    user = UserFactory(time_zone="UTC", date_joined=JOINED)
    client.force_login(user)
    client.get(reverse("profile"))
    # session, user, the profile (7, and 3 for the achievements: published levels, measures, units left), the
    # calendar (2), header
    with django_assert_num_queries(14) as few:
        client.get(reverse("profile"))
    for n in range(1, 31):
        DailyActivity.objects.create(user=user, day=date(2026, 3, n), xp=10 * n)
        if n % 5 == 0 and n <= 28:
            FrozenDay.objects.create(user=user, day=date(2026, 2, n), created_at=NOW)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("profile"))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("profile"), {"month": "2026-02"})
