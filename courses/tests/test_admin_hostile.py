"""Hostile input in the admin exercise form: a form error, nothing written — never a 500."""

import json

import pytest
from django.urls import reverse

from courses.models import Exercise

from .test_admin import editor, exercise_post, tree  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "payload",
    [
        '{"question": "Thank\\u0000 you?", "choices": ["gracias", "hola"], "answer": 0}',  # NUL
        '{"question": "Thank you?", "choices": ["gra\\ud800cias", "hola"], "answer": 0}',  # lone surrogate
        '{"question": "Thank you?", "choices": ["gracias", "hola"], "answer": 0, "\\u0000": 1}',  # in a key
    ],
)
def test_admin_exercise_payload_with_nul_or_surrogate_is_a_form_error(client, editor, tree, payload):  # noqa: F811
    before = Exercise.objects.count()
    response = client.post(reverse("admin:courses_exercise_add"), exercise_post(tree["course"], payload=payload))
    assert response.status_code == 200
    assert "payload" in response.context["adminform"].form.errors
    assert Exercise.objects.count() == before


def test_admin_exercise_form_with_invalid_utf8_is_not_a_500(client, editor, tree):  # noqa: F811
    data = exercise_post(tree["course"], prompt="x")
    body = "&".join(f"{k}={v}" for k, v in {**data, "payload": json.dumps(json.loads(data["payload"]))}.items())
    raw = body.replace("prompt=x", "prompt=%FF%FEx%00").encode()
    response = client.post(reverse("admin:courses_exercise_add"), raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200  # the form again: "Null characters are not allowed."
    assert "prompt" in response.context["adminform"].form.errors
    assert not Exercise.objects.filter(prompt__startswith="\ufffd").exists()


def test_admin_exercise_payload_nested_10000_deep_is_a_form_error(client, editor, tree):  # noqa: F811
    before = Exercise.objects.count()
    payload = '{"question": "q", "choices": ' + "[" * 10_000 + "]" * 10_000 + ', "answer": 0}'
    response = client.post(reverse("admin:courses_exercise_add"), exercise_post(tree["course"], payload=payload))
    assert response.status_code == 200
    assert "nested more than" in " ".join(response.context["adminform"].form.errors["payload"])
    assert Exercise.objects.count() == before
