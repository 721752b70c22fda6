"""The league page, the header badge and notice, the league API and the privacy setting."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.tests.api import client_for as api_client
from gamification.jobs import run_close_league_week
from gamification.league_selectors import league_table
from gamification.models import LeagueMembership

from .league_helpers import CLOSE, MIDWEEK, MONDAY, WEEK, earn, learners

pytestmark = pytest.mark.django_db


def _fill(n, *, start=MIDWEEK):
    users = learners(n)
    for i, user in enumerate(users):
        earn(user, 10 * (n - i), now=start + timedelta(minutes=i))
    return users


def _history(user, weeks):
    """``weeks`` closed weeks before WEEK (the learner's history)."""
    for k in range(1, weeks + 1):
        start = WEEK - timedelta(days=7 * k)
        LeagueMembership.objects.create(
            user=user,
            week_start=start,
            division=0,
            xp=10,
            reached_at=MONDAY - timedelta(days=7 * k),
            joined_at=MONDAY - timedelta(days=7 * k),
            closed_at=MONDAY - timedelta(days=7 * k - 7),
            rank=1,
            move=0,
            division_after=0,
            result_seen_at=MONDAY,
        )


def test_the_table_ranks_the_cohort_with_zones(time_machine):
    time_machine.move_to(MIDWEEK + timedelta(hours=2), tick=False)
    users = _fill(30)
    table = league_table(user=users[10], now=MIDWEEK + timedelta(hours=2))
    assert table.status == "member" and table.my_rank == 11 and table.my_xp == 200
    assert [r.rank for r in table.rows] == list(range(1, 31))
    assert [r.zone for r in table.rows] == ["promotion"] * 7 + [""] * 23  # Bronze: nobody moves down
    assert table.promoted == 7 and table.demoted == 0
    assert table.time_left == timedelta(days=3, hours=10)


def test_league_page_shows_names_never_emails_and_hides_hidden_learners(client, time_machine):
    time_machine.move_to(MIDWEEK + timedelta(hours=2), tick=False)
    users = _fill(5)
    users[2].hide_from_leaderboards = True
    users[2].save(update_fields=["hide_from_leaderboards"])
    nameless = users[3]
    nameless.display_name = ""
    nameless.save(update_fields=["display_name"])
    client.force_login(users[0])
    html = client.get(reverse("league")).content.decode()
    assert "<table" in html and 'scope="col"' in html and "<caption" in html
    for user in users:
        assert user.email not in html
        assert user.email.split("@")[0] not in html or user.email.split("@")[0] in (user.display_name or "")
    assert users[1].display_name in html and users[2].display_name not in html
    assert "Mallard learner" in html  # the learner without a display name
    assert "promotion zone" in html and "ends in" in html


def test_another_cohorts_learners_never_appear(client, time_machine):
    time_machine.move_to(MIDWEEK + timedelta(hours=2), tick=False)
    mine = _fill(30)
    theirs = _fill(3, start=MIDWEEK + timedelta(hours=1))  # cohort 2
    client.force_login(mine[0])
    html = client.get(reverse("league")).content.decode()
    body = api_client(mine[0]).get("/api/v1/me/league/").json()
    for user in theirs:
        assert user.display_name not in html and user.email not in html
        assert user.display_name not in str(body) and user.email not in str(body)
    assert len(body["cohort"]) == 30


def test_league_page_reads_in_a_fixed_number_of_queries(client, django_assert_num_queries, time_machine):
    time_machine.move_to(MIDWEEK + timedelta(hours=2), tick=False)
    small = _fill(2)
    big_cohort = _fill(30, start=MIDWEEK + timedelta(hours=1))
    _history(small[0], 0)
    _history(big_cohort[0], 8)
    counts = []
    for user in (small[0], big_cohort[0]):
        client.force_login(user)
        with django_assert_num_queries(5) as captured:  # session, user, header, learner's rows, cohort
            assert client.get(reverse("league")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_selector_is_two_queries_whatever_the_cohort_or_history(django_assert_num_queries):
    small, big = _fill(2), _fill(30, start=MIDWEEK + timedelta(hours=1))
    _history(big[5], 10)
    for user in (small[1], big[5]):
        with django_assert_num_queries(2):
            league_table(user=user, now=MIDWEEK + timedelta(hours=2))


def test_a_visitor_sees_how_leagues_work(client):
    response = client.get(reverse("league"))
    assert response.status_code == 200 and b"Weekly leagues" in response.content and b"Sign up" in response.content


def test_the_header_badge_and_the_result_shown_once(client):
    users = _fill(10)
    client.force_login(users[2])
    html = client.get(reverse("home")).content.decode()
    assert "Bronze" in html and reverse("league") in html
    run_close_league_week(now=CLOSE)
    first = client.get(reverse("home")).content.decode()
    assert "You finished 3rd and moved up to Silver." in first and "Silver" in first
    second = client.get(reverse("home")).content.decode()
    assert "You finished 3rd" not in second and "Silver" in second  # the badge stays, the notice is gone


def test_api_league_member_and_last_result(time_machine):
    users = _fill(4)
    run_close_league_week(now=CLOSE)
    time_machine.move_to(CLOSE + timedelta(hours=1), tick=False)
    earn(users[0], 10, now=CLOSE + timedelta(minutes=30))
    body = api_client(users[0]).get("/api/v1/me/league/").json()
    assert body["status"] == "member" and body["division"] == {"index": 1, "name": "Silver"}
    assert body["cohort"] == [
        {
            "rank": 1,
            "display_name": users[0].display_name,
            "avatar_url": None,
            "xp": 10,
            "is_me": True,
            "zone": "promotion",
        }
    ]
    assert body["last_result"]["rank"] == 1 and body["last_result"]["gems"] == 50
    assert body["last_result"]["division_before"]["name"] == "Bronze"
    assert body["last_result"]["sentence"] == "You finished 1st and moved up to Silver."
    assert "@" not in str(body)


def test_api_league_needs_a_login():
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/me/league/").status_code == 401


def test_hiding_in_settings_page_and_api(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("settings")).content.decode()
    assert 'name="hide_from_leaderboards"' in page and reverse("league") in page
    api = api_client(user)
    assert api.get("/api/v1/me/settings/").json()["hide_from_leaderboards"] is False
    response = api.patch("/api/v1/me/settings/", {"hide_from_leaderboards": True}, format="json")
    assert response.status_code == 200 and response.json()["hide_from_leaderboards"] is True
    assert api.patch("/api/v1/me/settings/", {"hide_from_leaderboards": "yes"}, format="json").status_code == 400
    user.refresh_from_db()  # as the next request loads it
    earn(user, 10)
    assert LeagueMembership.objects.get(user=user).cohort_id is None
    assert api.get("/api/v1/me/league/").json()["status"] == "hidden"


def test_signup_page_links_the_leaderboards(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert f'href="{reverse("league")}"' in html
