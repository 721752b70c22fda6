"""Schemathesis (v4) against a live test server on PostgreSQL: every operation of /api/schema/.

For each operation, Hypothesis generates ``MAX_EXAMPLES`` requests from the schema (a fixed seed:
``derandomize=True``) — once with generated path parameters, and once more with real ids/slugs of
the seeded learner (their course, lesson and active run) so the happy paths are reached too. Each
response must pass ``not_a_server_error``, ``status_code_conformance``, ``content_type_conformance``
and ``response_schema_conformance``. Failures are collected, not shrunk, and reported together.

By hand, against ``make run``: docs/api.md "Schemathesis".
"""

import os
import time
import uuid
from datetime import timedelta

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tests.factories import UserFactory
from core.tests.api import API, client_for
from core.tests.fake_llm import Reply
from courses.tests.factories import CheckpointFactory
from courses.tests.sample_courses import every_type_course
from progress.models import LessonRun

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _known_parameters(operation, known: dict[str, str]) -> dict | None:
    names = {p.name for p in operation.iter_parameters() if p.location == "path"}
    if not names:
        return None
    if "id" in names:
        return {"id": known["tutor"] if operation.path.startswith("/api/v1/tutor/") else known["run"]}
    if operation.path.startswith("/api/v1/checkpoints/"):
        return {"slug": known["checkpoint"]}
    return {"slug": known["lesson"] if operation.path.startswith("/api/v1/lessons/") else known["course"]}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, fake_llm):
    fake_llm.responder = lambda body: Reply(content="¡Muy bien!")  # the tutor answers every message
    user = UserFactory()
    course, lesson = every_type_course()
    checkpoint = CheckpointFactory(unit=lesson.unit, draw=3, time_limit_sec=600)
    api = client_for(user)
    run = api.post(f"{API}lessons/{lesson.slug}/runs/").json()
    chat = api.post(f"{API}tutor/sessions/", {"lesson": lesson.slug, "run": run["id"]}, format="json").json()
    known = {
        "run": run["id"],
        "course": course.slug,
        "lesson": lesson.slug,
        "tutor": chat["session"]["id"],
        "checkpoint": checkpoint.slug,
    }
    token = api._credentials["HTTP_AUTHORIZATION"]

    response = requests.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.json())
    session = requests.Session()
    headers = {"Authorization": token}

    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: op.path.endswith("/abandon/"))  # the seeded run stays active until last
    only = os.environ.get("SCHEMATHESIS_ONLY")  # e.g. "runs" while debugging by hand
    if only:
        operations = [op for op in operations if only in op.label]
    failures: list[str] = []
    examples = 0

    for operation in operations:
        variants = [None]
        known_parameters = _known_parameters(operation, known)
        if known_parameters:
            variants.append(known_parameters)
        for path_parameters in variants:
            strategy = operation.as_strategy(path_parameters=path_parameters)

            @settings(
                max_examples=MAX_EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def exercise(case):
                nonlocal examples
                examples += 1
                if isinstance(case.body, dict) and "client_id" in case.body:
                    case.body["client_id"] = str(uuid.uuid4())  # fresh ids: replays are tested elsewhere
                response = case.call(base_url=live_server.url, session=session, headers=headers)
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except Exception as exc:
                    failures.append(f"{case.operation.label} {case.path_parameters} {case.query} {case.body!r}: {exc}")

            started = time.monotonic()
            exercise()
            print(f"  {operation.label} {bool(path_parameters)}: {time.monotonic() - started:.1f}s")

    print(f"schemathesis: {len(operations)} operations, {examples} examples, {len(failures)} failures")
    assert len(operations) == 35 or only
    assert examples >= len(operations) * 5
    assert not failures, "\n\n".join(failures[:10])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_happy_path_responses_conform_to_the_schema(live_server, fake_llm):
    """A scripted walk through every operation's success response (fuzzing rarely reaches them),
    each response validated against its operation in the served schema."""
    from django.utils import timezone

    from courses.tests.sample_courses import right_answer
    from gamification.tests.helpers import set_wallet

    user = UserFactory()
    course, lesson = every_type_course()
    response = requests.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    schema = schemathesis.openapi.from_dict(response.json())
    http = requests.Session()
    seen: list[tuple[str, int]] = []

    def call(method: str, template: str, expected: int, *, json=None, params=None, **path):
        url = live_server.url + "/api/v1/" + template.format(**path)
        response = http.request(method, url, json=json, params=params, timeout=30)
        assert response.status_code == expected, (method, url, response.status_code, response.text)
        schema["/api/v1/" + template][method].validate_response(response)
        seen.append((f"{method} {template}", expected))
        return response.json()

    token = call("POST", "auth/token/", 200, json={"email": user.email, "password": "correct-horse-battery"})
    http.headers["Authorization"] = f"Token {token['token']}"
    call("GET", "courses/", 200)
    call("GET", "courses/{slug}/", 200, slug=course.slug)
    call("POST", "courses/{slug}/enrol/", 200, slug=course.slug)
    call("GET", "courses/{slug}/path/", 200, slug=course.slug)
    run = call("POST", "lessons/{slug}/runs/", 201, slug=lesson.slug)
    mistake = True
    while run["current_exercise"]:
        exercise = run["current_exercise"]
        if exercise["type"] == "match_pairs":  # played pair by pair: the dog (left 0) is right 2
            check = call(
                "POST", "runs/{id}/pairs/", 200, json={"exercise": exercise["id"], "left": 0, "right": 2}, id=run["id"]
            )
            assert check["correct"] and not check["complete"]
        answer = "wrong" if mistake else right_answer(exercise)
        body = {"exercise": exercise["id"], "answer": answer, "client_id": str(uuid.uuid4())}
        outcome = call("POST", "runs/{id}/answers/", 200, json=body, id=run["id"])
        if mistake:
            report = {"kind": "other", "message": "The picture is unclear."}
            call("POST", "answers/{id}/report/", 201, json=report, id=outcome["attempt_id"])
        mistake = False
        run = call("GET", "runs/{id}/", 200, id=run["id"])
    assert run["status"] == "passed" and run["summary"] is not None
    words = call("GET", "courses/{slug}/words/", 200, slug=course.slug, params={"order": "weakest"})
    assert words["due_count"] == 0
    review = call("POST", "courses/{slug}/review/", 201, slug=course.slug)
    call("POST", "runs/{id}/skip/", 200, json={"kind": "speak"}, id=review["id"])
    call("POST", "runs/{id}/abandon/", 200, id=review["id"])
    # A timed checkpoint: its run, then (its deadline moved into the past) the end of a run whose time is up.
    checkpoint = CheckpointFactory(unit=lesson.unit, draw=3, time_limit_sec=60)
    test = call("POST", "checkpoints/{slug}/runs/", 201, slug=checkpoint.slug)
    assert test["kind"] == "checkpoint" and 50 <= test["seconds_left"] <= 60  # the live server's real clock
    LessonRun.objects.filter(pk=test["id"]).update(deadline_at=timezone.now() - timedelta(seconds=1))
    ended = call("POST", "runs/{id}/finish/", 200, id=test["id"])
    assert (ended["status"], ended["timed_out"], ended["summary"]["score_percent"]) == ("failed", True, 0)
    call("GET", "me/", 200)
    call("GET", "me/settings/", 200)
    call("PATCH", "me/settings/", 200, json={"daily_xp_goal": 240, "sound_effects": False})
    call("GET", "me/daily-xp/", 200, params={"days": 7})
    call("GET", "me/courses/", 200)
    set_wallet(user, hearts=2, hearts_anchor_at=timezone.now(), gems=100)
    call("POST", "me/hearts/refill/", 200)
    set_wallet(user, gems=150)
    call("GET", "me/streak-freezes/", 200)
    call("POST", "me/streak-freezes/", 200, json={"client_id": str(uuid.uuid4())})
    league = call("GET", "me/league/", 200)
    assert league["status"] == "member" and league["cohort"][0]["is_me"]
    achievements = call("GET", "me/achievements/", 200)
    assert any(a["earned"] for a in achievements["results"])
    history = call("GET", "me/history/", 200)
    assert [row["kind"] for row in history["results"]] == ["checkpoint", "review", "lesson"]
    assert history["results"][0]["lesson_title"] == f"Checkpoint: {lesson.unit.title}"
    chat = call("POST", "tutor/sessions/", 201, json={"lesson": lesson.slug, "run": run["id"]})
    call("GET", "tutor/sessions/", 200)
    call("GET", "tutor/sessions/{id}/", 200, id=chat["session"]["id"])
    fake_llm.reply_text("«Ser» says what something is.")
    exchange = call(
        "POST", "tutor/sessions/{id}/messages/", 201, json={"content": "Why ser?"}, id=chat["session"]["id"]
    )
    assert exchange["reply"]["status"] == "complete"
    # A bubble whose plan comes back as prose twice fails (generation runs eagerly here); its retry too.
    fake_llm.reply_text("Not JSON at all.")
    fake_llm.reply_text("Still not JSON.")
    bubble = call("POST", "bubbles/", 201, json={"course": course.pk, "topic": "Coffee", "level": "A1"})
    assert bubble["status"] == "failed" and bubble["study_sheet_open"] is False
    call("GET", "bubbles/", 200)
    call("GET", "bubbles/{id}/", 200, id=bubble["id"])
    fake_llm.reply_text("Not JSON at all.")
    fake_llm.reply_text("Still not JSON.")
    assert call("POST", "bubbles/{id}/retry/", 200, id=bubble["id"])["status"] == "failed"
    operations = {result.ok().label for result in schema.get_all_operations()}
    assert {label for label, _ in seen} == {label.replace("/api/v1/", "") for label in operations}
