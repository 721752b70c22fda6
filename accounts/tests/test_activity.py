"""The learner's activity log: what writes it (log-in, log-out, failed log-in, settings, export), the
client it records (IP modes, user agent), the "Recent activity" page, admin, export and erasure.
The learner's-loop events (lessons, answers, refills) are tested in gamification/tests/test_activity_log.py."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts import activity, services
from accounts.models import ActivityEvent
from accounts.tests.factories import ActivityEventFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
AGENT = "Mozilla/5.0 (Mallard test)"


def kinds(user) -> list[str]:
    return list(ActivityEvent.objects.filter(user=user).order_by("created_at", "id").values_list("kind", flat=True))


# --- record -------------------------------------------------------------------------------------


def test_record_is_one_insert_with_the_client_of_the_block(user, django_assert_num_queries):
    with activity.client(activity.Client(ip="198.51.100.7", user_agent=AGENT)), django_assert_num_queries(1):
        activity.record_all(user=user, events=[("answer", {"correct": True}), ("lesson_finish", None)], now=T0)
    rows = list(ActivityEvent.objects.filter(user=user).order_by("id"))
    assert [(r.kind, r.payload, r.ip, r.user_agent, r.created_at) for r in rows] == [
        ("answer", {"correct": True}, "198.51.100.7", AGENT, T0),
        ("lesson_finish", {}, "198.51.100.7", AGENT, T0),
    ]


def test_without_a_request_there_is_no_client(user):
    event = activity.record(user=user, kind="settings", now=T0)
    assert (event.ip, event.user_agent) == (None, "")


def test_an_unknown_kind_is_refused(user):
    with pytest.raises(ValueError):
        activity.record(user=user, kind="teleport", now=T0)
    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize(
    ("mode", "address", "stored"),
    [
        ("full", "203.0.113.77", "203.0.113.77"),
        ("truncated", "203.0.113.77", "203.0.113.0"),
        ("truncated", "2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
        ("none", "203.0.113.77", None),
        ("full", "not an address", None),
        ("full", "", None),
    ],
)
def test_ip_modes(settings, mode, address, stored):
    settings.MALLARD_ACTIVITY_LOG_IP = mode
    assert activity.stored_ip(address) == stored


def test_the_request_gives_ip_and_a_cut_user_agent(rf, user, settings):
    settings.MALLARD_ACTIVITY_LOG_IP = "truncated"
    request = rf.get("/", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="A" * 400 + "\x00")
    event = activity.record(user=user, kind="login", now=T0, request=request)
    event.refresh_from_db()
    assert event.ip == "203.0.113.0"
    assert event.user_agent == "A" * 255


# --- log-in, log-out, failed log-in ---------------------------------------------------------------


def test_login_and_logout_are_logged_with_ip_and_user_agent(client, user):
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": "correct-horse-battery"},
        HTTP_USER_AGENT=AGENT,
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 302
    client.post(reverse("account_logout"), HTTP_USER_AGENT=AGENT, REMOTE_ADDR="198.51.100.20")
    rows = list(ActivityEvent.objects.filter(user=user).order_by("id").values_list("kind", "ip", "user_agent"))
    assert rows == [("login", "198.51.100.20", AGENT), ("logout", "198.51.100.20", AGENT)]


def test_a_failed_login_on_an_account_is_logged_for_that_account(client, user, other_user):
    client.post(reverse("account_login"), {"login": user.email.upper(), "password": "wrong"}, HTTP_USER_AGENT=AGENT)
    assert kinds(user) == ["login_failed"]
    assert kinds(other_user) == []


def test_a_failed_login_for_an_unknown_address_writes_no_row(client, user):
    response = client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert not ActivityEvent.objects.exists()


def test_the_api_token_endpoint_logs_failures_too(client, user):
    response = client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": "wrong"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert kinds(user) == ["login_failed"]


# --- settings and export ------------------------------------------------------------------------------


def test_a_settings_change_is_logged_with_the_fields_changed(client, learner):
    data = {
        "display_name": learner.display_name,
        "time_zone": "Europe/Madrid",
        "daily_xp_goal": 240,
        "audio_quality": learner.audio_quality,
        "theme": learner.theme,
        "sound_effects": "on",
        "notify_streak_reminders": "on",
        "notify_reengagement": "on",
        "streak_reminder_hour": learner.streak_reminder_hour,
    }
    assert client.post(reverse("settings"), data, REMOTE_ADDR="198.51.100.5").status_code == 302
    event = ActivityEvent.objects.get(user=learner, kind="settings")
    assert event.payload == {"fields": ["daily_xp_goal", "time_zone"]}
    assert event.ip == "198.51.100.5"


def test_refused_settings_write_no_activity(user):
    with pytest.raises(ValidationError):
        services.update_settings(user=user, daily_xp_goal=25)
    assert not ActivityEvent.objects.exists()


def test_export_contains_the_activity_log_and_its_own_trace(user):
    ActivityEventFactory(user=user, kind="login")
    ActivityEventFactory(kind="login")  # someone else's
    data = services.export_user_data(user=user, now=T0)["data"]["accounts.activityevent"]
    assert [row["kind"] for row in data] == ["login", "data_export"]
    assert all(row["user"] == user.pk for row in data)


def test_erasure_deletes_the_activity_log(user, other_user):
    ActivityEventFactory(user=user)
    ActivityEventFactory(user=user, kind="answer")
    ActivityEventFactory(user=other_user)
    counts = services.erase_user(user=user)
    assert counts["accounts.ActivityEvent"] == 2
    assert list(ActivityEvent.objects.values_list("user", flat=True)) == [other_user.pk]


def test_export_user_command_logs_the_export(user, tmp_path):
    call_command("export_user", user.email, stdout=io.StringIO())
    assert kinds(user) == ["data_export"]


# --- Recent activity (settings) ------------------------------------------------------------------------


def test_recent_activity_shows_only_ones_own_newest_first_paginated(client, learner, other_user):
    ActivityEvent.objects.all().delete()  # the fixture's log-in
    for i in range(30):
        ActivityEventFactory(
            user=learner, kind="answer", payload={"correct": True, "xp": 10}, created_at=T0 + timedelta(minutes=i)
        )
    ActivityEventFactory(user=other_user, kind="refill", ip="203.0.113.99", payload={"gems": 77})
    first = client.get(reverse("activity"))
    assert first.status_code == 200
    page = first.context["page"]
    assert page.paginator.count == 30 and len(page.object_list) == 25
    assert page.object_list[0].created_at == T0 + timedelta(minutes=29)
    html = first.content.decode()
    assert "Page 1 of 2" in html and "203.0.113.99" not in html and "77 gems" not in html
    assert "right · +10 XP" in html
    second = client.get(reverse("activity"), {"page": "2"})
    assert len(second.context["page"].object_list) == 5
    # A malformed or too large page number gives the nearest page, never an error.
    assert client.get(reverse("activity"), {"page": "x"}).status_code == 200
    assert client.get(reverse("activity"), {"page": "99"}).context["page"].number == 2


def test_recent_activity_needs_login_and_is_linked_from_settings(client, learner):
    assert 'href="/settings/activity/"' in client.get(reverse("settings")).content.decode()
    client.logout()
    response = client.get(reverse("activity"))
    assert response.status_code == 302 and "login" in response.url


def test_recent_activity_runs_a_fixed_number_of_queries(client, learner, django_assert_num_queries):
    for i in range(3):
        ActivityEventFactory(user=learner, created_at=T0 + timedelta(minutes=i))
    client.get(reverse("activity"))
    # session, user, count, page (the header's stats are lazy and not shown on this page's body)
    for i in range(30):
        ActivityEventFactory(user=learner, created_at=T0 + timedelta(hours=1, minutes=i))
    with django_assert_num_queries(5):
        assert client.get(reverse("activity")).status_code == 200


# --- admin ----------------------------------------------------------------------------------------------


def test_staff_admin_sees_anyones_activity_read_only(client, user):
    admin = UserFactory(is_staff=True, is_superuser=True)
    event = ActivityEventFactory(user=user, kind="refill", payload={"gems": 50})
    client.force_login(admin)
    listing = client.get("/admin/accounts/activityevent/")
    assert listing.status_code == 200 and str(user) in listing.content.decode()
    detail = client.get(f"/admin/accounts/activityevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert client.get("/admin/accounts/activityevent/add/").status_code == 403
    assert client.post(f"/admin/accounts/activityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/accounts/activityevent/{event.pk}/change/", {"kind": "login"})
    event.refresh_from_db()
    assert event.kind == "refill"


def test_content_editors_cannot_see_the_activity_log(client):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(editor)
    assert client.get("/admin/accounts/activityevent/").status_code == 403
