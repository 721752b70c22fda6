"""API: the token endpoint (lockout, throttling) and the learner's settings."""

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from core.api.throttling import ScopedRateThrottle
from core.tests.api import API, assert_error, client_for

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
TOKEN_URL = f"{API}auth/token/"


def token_request(email, password, **extra):
    return APIClient().post(TOKEN_URL, {"email": email, "password": password}, format="json", **extra)


def test_token_for_the_right_password(user):
    response = token_request(user.email.upper(), PASSWORD)
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert Token.objects.get(user=user).key == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{API}me/").json()["email"] == user.email
    assert token_request(user.email, PASSWORD).json()["token"] == key  # the same token again


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "a@example.com"}, "password"),
        ({"password": "x"}, "email"),
        ({"email": "not-an-address", "password": "x"}, "email"),
        ({"email": ["a@example.com"], "password": "x"}, "email"),
        ({"email": "a@example.com", "password": ["x"]}, "password"),
        ({"email": "a@example.com", "password": 12345678}, "password"),
    ],
)
def test_token_bad_inputs(db, body, field):
    assert_error(APIClient().post(TOKEN_URL, body, format="json"), 400, "invalid", field)


def test_token_wrong_password_is_401(user):
    assert_error(token_request(user.email, "wrong-password"), 401, "invalid_credentials")
    assert_error(token_request("ghost@example.com", PASSWORD), 401, "invalid_credentials")


@override_settings(AXES_FAILURE_LIMIT=3)
def test_token_lockout_refuses_even_the_right_password(user):
    for _ in range(2):
        assert_error(token_request(user.email, "wrong-password"), 401, "invalid_credentials")
    assert_error(token_request(user.email, "wrong-password"), 403, "account_locked")
    response = token_request(user.email, PASSWORD)
    body = assert_error(response, 403, "account_locked")
    assert "token" not in body and not Token.objects.filter(user=user).exists()
    assert response["Content-Type"] == "application/json"
    # Another learner from the same address is not locked out.
    other = UserFactory()
    assert token_request(other.email, PASSWORD).status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3)
def test_failures_on_the_login_form_count_for_the_token_endpoint(user, client):
    for _ in range(3):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
    assert_error(token_request(user.email, PASSWORD), 403, "account_locked")


def test_token_endpoint_is_throttled(user, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "auth", "2/min")
    assert token_request(user.email, PASSWORD).status_code == 200
    assert token_request(user.email, PASSWORD).status_code == 200
    response = token_request(user.email, PASSWORD)
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_settings_get_and_patch(user):
    api = client_for(user)
    assert api.get(f"{API}me/settings/").json()["daily_xp_goal"] == 160
    response = api.patch(
        f"{API}me/settings/",
        {"daily_xp_goal": 240, "time_zone": "Europe/Madrid", "display_name": "  Ana  María ", "theme": "dark"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["daily_xp_goal"], body["time_zone"], body["display_name"], body["theme"]) == (
        240,
        "Europe/Madrid",
        "Ana María",
        "dark",
    )
    user.refresh_from_db()
    assert (user.daily_xp_goal, user.time_zone, user.display_name) == (240, "Europe/Madrid", "Ana María")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"daily_xp_goal": 25}, "daily_xp_goal"),
        ({"daily_xp_goal": "many"}, "daily_xp_goal"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "\u200b"}, "display_name"),
        ({"theme": "neon"}, "theme"),
        ({"sound_effects": "loud"}, "sound_effects"),
        ({"sound_effects": 0}, "sound_effects"),
        ({"daily_xp_goal": "240"}, "daily_xp_goal"),
        ({"native_language": 0}, "native_language"),
        ({"time_zone": 3}, "time_zone"),
        ({"daily_xp_goal": True}, "daily_xp_goal"),
        ({"email": "new@example.com"}, "email"),
        ({"is_staff": True}, "is_staff"),
    ],
)
def test_settings_bad_inputs_change_nothing(user, body, field):
    api = client_for(user)
    assert_error(api.patch(f"{API}me/settings/", body, format="json"), 400, "invalid", field)
    fresh = type(user).objects.get(pk=user.pk)
    assert (fresh.daily_xp_goal, fresh.time_zone, fresh.display_name, fresh.email, fresh.is_staff) == (
        user.daily_xp_goal,
        user.time_zone,
        user.display_name,
        user.email,
        False,
    )


def test_settings_body_must_be_an_object(user):
    api = client_for(user)
    assert_error(api.patch(f"{API}me/settings/", [1, 2], format="json"), 400, "invalid")


def test_unknown_api_urls_are_json_404(user):
    assert_error(client_for(user).get(f"{API}nothing/here/"), 404, "not_found")
