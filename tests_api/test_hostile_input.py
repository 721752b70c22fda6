"""Hostile input to the API: a clear 4xx in the error shape, nothing written — never a 500."""

import pytest

from core.tests.api import API, assert_error, client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days", ["7.0", "7.", "+7", " 7", "7 ", "1e1", "\u0667", "0x7", "9" * 5000])
def test_days_query_accepts_only_plain_digits(user, days):
    assert_error(client_for(user).get(f"{API}me/daily-xp/", {"days": days}), 400, "invalid", "days")


def test_days_query_plain_digits_still_work(user):
    assert client_for(user).get(f"{API}me/daily-xp/", {"days": "007"}).json()["days"] == 7


# --- Deep JSON: bounded before any recursive walk ----------------------------------------------


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def post_raw(client, url: str, body: str | bytes, method: str = "post", content_type="application/json"):
    return getattr(client, method)(url, body, content_type=content_type)


def test_deep_json_on_the_anonymous_token_endpoint_is_a_400():
    from rest_framework.test import APIClient

    body = '{"email": "a@example.com", "password": ' + deep(10_000) + "}"
    response = post_raw(APIClient(), f"{API}auth/token/", body)
    assert "nested more than" in assert_error(response, 400, "malformed_request")["detail"]


def test_deep_json_in_an_answer_is_a_400_and_writes_nothing(user):
    from courses.tests.sample_courses import new_course
    from progress.models import ExerciseAttempt

    _course, lessons = new_course()
    api = client_for(user)
    run = api.post(f"{API}lessons/{lessons[0].slug}/runs/").json()
    exercise = run["current_exercise"]["id"]
    body = f'{{"exercise": {exercise}, "client_id": "6f1c2b8e-3c1d-4b8a-9f0e-1a2b3c4d5e6f", "answer": {deep(1_000)}}}'
    assert_error(post_raw(api, f"{API}runs/{run['id']}/answers/", body), 400, "malformed_request")
    assert not ExerciseAttempt.objects.exists()


def test_deep_json_in_a_settings_patch_is_a_400_and_changes_nothing(user):
    before = (user.display_name, user.daily_xp_goal)
    body = '{"display_name": ' + deep(1_000) + "}"
    assert_error(post_raw(client_for(user), f"{API}me/settings/", body, "patch"), 400, "malformed_request")
    user.refresh_from_db()
    assert (user.display_name, user.daily_xp_goal) == before


def test_json_as_deep_as_the_limit_still_parses(user):
    from core.api.parsers import MAX_DEPTH

    body = '{"display_name": ' + deep(MAX_DEPTH - 1) + "}"
    response = post_raw(client_for(user), f"{API}me/settings/", body, "patch")
    assert_error(response, 400, "invalid", "display_name")  # parsed, then refused by the field


# --- Bodies over the upload limit --------------------------------------------------------------


def test_api_body_over_the_upload_limit_is_a_413_in_the_error_shape(user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"display_name": "' + "x" * 20_000 + '"}'
    assert_error(post_raw(client_for(user), f"{API}me/settings/", body, "patch"), 413, "request_too_large")
    from rest_framework.test import APIClient

    anonymous = post_raw(APIClient(), f"{API}auth/token/", '{"email": "' + "x" * 20_000 + '"}')
    assert_error(anonymous, 413, "request_too_large")


def test_api_form_body_over_the_upload_limit_is_in_the_error_shape(settings):
    from rest_framework.test import APIClient

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = "email=" + "x" * 20_000
    response = post_raw(APIClient(), f"{API}auth/token/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 413, 415)
    assert_error(response, response.status_code)


# --- Unexpected errors ---------------------------------------------------------------------------


def test_api_500_is_in_the_error_shape_and_logged(user, caplog):
    from courses.models import Exercise
    from courses.tests.sample_courses import new_course

    _course, lessons = new_course()
    api = client_for(user)
    run = api.post(f"{API}lessons/{lessons[0].slug}/runs/").json()
    Exercise.objects.filter(pk=run["current_exercise"]["id"]).update(payload={})  # bad data: a bug surfaces
    response = api.get(f"{API}runs/{run['id']}/")
    body = assert_error(response, 500, "server_error")
    assert "Traceback" not in body["detail"]
    assert "Internal Server Error" in caplog.text and "KeyError" in caplog.text


# --- Text no database can store ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Ana\\u0000", "Ana\\ud800", "\\udfff"])
def test_settings_patch_with_nul_or_surrogate_is_a_400(user, text):
    before = user.display_name
    body = '{"display_name": "' + text + '"}'
    assert_error(post_raw(client_for(user), f"{API}me/settings/", body, "patch"), 400, "invalid", "display_name")
    user.refresh_from_db()
    assert user.display_name == before


@pytest.mark.parametrize(
    "body",
    [
        '{"email": "a\\ud800@example.com", "password": "x"}',
        '{"email": "a@example.com", "password": "pass\\ud800word"}',
        '{"email": "a@example.com", "password": "pass\\u0000word"}',
    ],
)
def test_token_endpoint_with_nul_or_surrogate_is_a_400(body):
    from rest_framework.test import APIClient

    assert_error(post_raw(APIClient(), f"{API}auth/token/", body), 400, "invalid")
