"""Profile, hearts pages and the header stats."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from gamification.models import DailyActivity, HeartsLog, Wallet

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def make_wallet(user, **fields):
    defaults = {"hearts_anchor_at": NOW, "hearts": 5}
    defaults.update(fields)
    wallet, _ = Wallet.objects.update_or_create(user=user, defaults=defaults)
    return wallet


def test_pages_need_login(client):
    for name in ("profile", "out_of_hearts"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response.url
    response = client.post(reverse("refill_hearts"))
    assert response.status_code == 302 and "login" in response.url


@time_machine.travel(NOW, tick=False)
def test_profile_shows_totals_hearts_in_the_learners_zone_and_chart(client, learner):
    learner.time_zone = "Asia/Tokyo"  # UTC+9
    learner.save()
    make_wallet(learner, xp_total=2150, gems=42, hearts=3, hearts_anchor_at=NOW - timedelta(hours=1))
    today = datetime(2026, 3, 11).date()  # 00:00 in Tokyo already
    DailyActivity.objects.create(user=learner, day=today, xp=35, goal=20, goal_met=True)
    DailyActivity.objects.create(user=learner, day=today - timedelta(days=3), xp=12, goal=20)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="profile-xp">2150<' in html
    assert "level 2" in html
    assert 'id="profile-gems">42<' in html
    assert 'id="profile-hearts">3<' in html
    # Next heart: anchor + 4 h = 18:00 UTC = 03:00 in Tokyo.
    assert "03:00" in html
    # Chart: 14 bars, a title, and the same data in a table.
    assert html.count('class="bar-rect') == 14
    assert '<title id="chart-svg-title">' in html
    assert "<caption>XP earned each day, last 14 days</caption>" in html
    assert "<td>35</td>" in html and "<td>12</td>" in html
    assert "35 / 160 XP" in html  # today's XP of the learner's goal (Regular)
    assert "Daily goal: 35 of 160 XP (100%), met" in html  # met today under the goal of the day, stays met


def test_hearts_page_offers_refill_and_review(client, learner):
    make_wallet(learner, hearts=0, gems=10, hearts_anchor_at=datetime.now(UTC))
    html = client.get(reverse("out_of_hearts")).content.decode()
    assert "out of hearts" in html
    assert f"{settings.MALLARD_HEART_REFILL_PRICE_GEMS} gems" in html
    assert "disabled" in html  # not enough gems, with the reason
    assert "You need" in html
    assert "review" in html.lower()


def test_refill_with_gems(client, learner):
    price = settings.MALLARD_HEART_REFILL_PRICE_GEMS
    make_wallet(learner, hearts=0, gems=price + 5, hearts_anchor_at=datetime.now(UTC))
    response = client.post(reverse("refill_hearts"), {"next": "/courses/es/"})
    assert response.status_code == 302 and response.url == "/courses/es/"
    wallet = Wallet.objects.get(user=learner)
    assert wallet.hearts == 5 and wallet.gems == 5
    assert HeartsLog.objects.filter(user=learner, reason="gem_refill").count() == 1


def test_refill_without_enough_gems_changes_nothing(client, learner, settings):
    settings.MALLARD_HEART_REFILL_PRICE_GEMS = 50
    make_wallet(learner, hearts=0, gems=1, hearts_anchor_at=datetime.now(UTC))
    response = client.post(reverse("refill_hearts"), follow=True)
    assert "costs 50 gems; you have 1" in response.content.decode()
    wallet = Wallet.objects.get(user=learner)
    assert wallet.hearts == 0 and wallet.gems == 1


def test_refill_ignores_an_offsite_next(client, learner):
    make_wallet(learner, hearts=2, gems=500, hearts_anchor_at=datetime.now(UTC))
    response = client.post(reverse("refill_hearts"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("out_of_hearts")


def test_header_shows_stats_for_learners_only(client, user):
    make_wallet(user, xp_total=77, gems=9, hearts=4, hearts_anchor_at=datetime.now(UTC))
    assert "Your stats" not in client.get(reverse("home")).content.decode()
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert "Your stats" in html
    assert '77<span class="visually-hidden"> XP' in html
    assert '9<span class="visually-hidden"> gems' in html
    assert 'id="nav-hearts">4<' in html


def test_header_regenerates_hearts_lazily_without_writing(client, user):
    make_wallet(user, hearts=1, hearts_anchor_at=datetime.now(UTC) - timedelta(hours=8, minutes=5))
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-hearts">3<' in html
    assert Wallet.objects.get(user=user).hearts == 1


def test_chart_geometry():
    from datetime import date

    from gamification.charts import xp_chart

    days = [(date(2026, 3, d), xp) for d, xp in zip(range(1, 15), [0] * 13 + [40], strict=True)]
    chart = xp_chart(days, goal=20, today=date(2026, 3, 14))
    assert len(chart.bars) == 14
    assert chart.bars[-1].is_today and chart.bars[-1].y == 18  # the tallest bar reaches the top
    assert chart.bars[0].height == 0
    assert chart.goal_y == pytest.approx(chart.axis_y - (chart.axis_y - 18) / 2)


def test_refill_from_the_hearts_page_returns_to_the_current_course(client, learner):
    from courses.tests.factories import CourseFactory

    course = CourseFactory(slug="es")
    client.post(reverse("enroll", args=["es"]))
    make_wallet(learner, hearts=0, gems=500, hearts_anchor_at=datetime.now(UTC))
    html = client.get(reverse("out_of_hearts")).content.decode()
    assert f'name="next" value="{reverse("course_path", args=[course.slug])}"' in html
    assert reverse("start_review", args=[course.slug]) in html
    assert "disabled" not in html


def test_goal_ring_geometry():
    from gamification.charts import goal_ring

    half = goal_ring(xp=80, goal=160, met=False)
    assert (half.percent, half.met, half.dash) == (50, False, round(half.circumference / 2, 2))
    assert goal_ring(xp=0, goal=80, met=False).dash == 0
    assert goal_ring(xp=500, goal=400, met=False).percent == 100
    # Met earlier under a lower goal stays met (and full) after the goal is raised.
    raised = goal_ring(xp=100, goal=400, met=True)
    assert (raised.percent, raised.met) == (100, True)
