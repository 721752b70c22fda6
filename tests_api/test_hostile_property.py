"""Property: arbitrary JSON — deep, huge, odd types, NUL, lone surrogates — thrown at every API write
endpoint is a 4xx in the API's error shape and writes nothing; never a 500.

Bodies are sent as raw JSON text (``ensure_ascii=True``, so lone surrogates travel as ``\\ud800``
escapes, exactly as a hostile client would send them).
"""

import json
import uuid

import pytest
from django.apps import apps
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core.tests.api import API, assert_error, client_for
from courses.tests.sample_courses import new_course

pytestmark = pytest.mark.django_db

odd_text = st.text(
    alphabet=st.one_of(
        st.characters(codec=None, categories=None),  # any code point, surrogates included
        st.sampled_from(["\x00", "\ud800", "\udfff", "\u202e", "\ufeff", "'", '"', "\\", "<", "{"]),
    ),
    max_size=40,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
    st.just("x" * 50_000),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(odd_text, st.sampled_from(["email", "password", "answer", "exercise"])), children, max_size=4
        ),
    ),
    max_leaves=12,
)


def deep(levels: int, leaf="x"):
    value = leaf
    for i in range(levels):
        value = [value] if i % 2 else {"a": value}
    return value


def dumps(value) -> str:
    try:
        return json.dumps(value, ensure_ascii=True)
    except RecursionError:  # very deep values: build the text directly
        return "[" * 5000 + "]" * 5000


def row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in WRITTEN_APPS}


WRITTEN_APPS = {"accounts", "progress", "gamification", "authtoken", "axes"}

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture
def world(user):
    _course, lessons = new_course()
    api = client_for(user)
    run = api.post(f"{API}lessons/{lessons[0].slug}/runs/").json()
    return {"user": user, "api": api, "run": run, "lesson": lessons[0]}


def refused(client, method: str, url: str, value) -> None:
    before = row_counts()
    response = getattr(client, method)(url, dumps(value), content_type="application/json")
    assert 400 <= response.status_code < 500, (url, response.status_code, response.content[:300])
    assert_error(response, response.status_code)
    assert row_counts() == before, url


@PROPERTY
@given(value=json_values)
@example(value=deep(10_000))
@example(value={"email": "a@example.com", "password": deep(1_000)})
@example(value={"email": "a\ud800@example.com", "password": "p\x00w"})
def test_arbitrary_json_to_the_token_endpoint_is_a_4xx_and_writes_nothing(world, value):
    refused(APIClient(), "post", f"{API}auth/token/", value)


@PROPERTY
@given(value=json_values.filter(lambda v: v != {}))
@example(value=deep(1_000))
@example(value={"display_name": "Ana\ud800"})
@example(value={"display_name": "Ana\x00"})
@example(value={"daily_xp_goal": 10**30})
def test_arbitrary_json_to_settings_patch_is_a_4xx_and_writes_nothing(world, value):
    user = world["user"]
    before = {f: getattr(user, f) for f in ("display_name", "time_zone", "daily_xp_goal")}
    refused(world["api"], "patch", f"{API}me/settings/", value)
    user.refresh_from_db()
    assert {f: getattr(user, f) for f in before} == before


@PROPERTY
@given(value=json_values, exercise=scalars, client_id=scalars)
@example(value=deep(1_000), exercise=None, client_id=None)
def test_arbitrary_json_to_answers_is_a_4xx_and_writes_nothing(world, value, exercise, client_id):
    run = world["run"]
    url = f"{API}runs/{run['id']}/answers/"
    refused(world["api"], "post", url, value if not isinstance(value, dict) else {**value, "exercise": exercise})
    # The right keys with arbitrary values where the schema wants an exercise id and a UUID.
    bad_id = exercise if not isinstance(exercise, int) or isinstance(exercise, bool) else -abs(exercise) - 1
    refused(world["api"], "post", url, {"exercise": bad_id, "answer": value, "client_id": str(uuid.uuid4())})
    if not (isinstance(client_id, str) and _is_uuid(client_id)):
        body = {"exercise": run["current_exercise"]["id"], "answer": value, "client_id": client_id}
        refused(world["api"], "post", url, body)


@PROPERTY
@given(value=json_values)
def test_arbitrary_json_to_body_less_write_endpoints_is_never_a_500(world, value):
    """Endpoints that take no body (start a run, a checkpoint or a review, enrol, abandon, finish, refill) ignore it: a
    hostile body for an unknown object is still a clean 404, and nothing is written."""
    for url in (
        f"{API}lessons/no-such-lesson/runs/",
        f"{API}courses/no-such-course/review/",
        f"{API}courses/no-such-course/enrol/",
        f"{API}runs/999999999/abandon/",
        f"{API}runs/999999999/finish/",
        f"{API}checkpoints/no-such-checkpoint/runs/",
    ):
        refused(world["api"], "post", url, value)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
