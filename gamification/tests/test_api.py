"""API: lesson runs, answers, profile, daily XP, course progress and hearts (docs/api.md)."""

import json
import uuid

import pytest

from core.api.throttling import ScopedRateThrottle
from core.tests.api import API, assert_error, client_for
from courses.exercise_types import REGISTRY, get_type, served_payload
from courses.tests.sample_courses import every_type_course, new_course, right_answer
from gamification.models import Wallet
from gamification.tests.helpers import set_wallet
from progress.models import ExerciseAttempt, LessonRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user):
    return client_for(user)


@pytest.fixture
def lesson():
    _course, lessons = new_course()
    return lessons[0]


def start(api, lesson):
    response = api.post(f"{API}lessons/{lesson.slug}/runs/")
    assert response.status_code == 201, response.content
    return response.json()


def answer(api, run, *, text="Hello", exercise=None, client_id=None):
    body = {
        "exercise": exercise if exercise is not None else run["current_exercise"]["id"],
        "answer": text,
        "client_id": str(client_id or uuid.uuid4()),
    }
    return api.post(f"{API}runs/{run['id']}/answers/", body, format="json")


# --- Starting and reading runs -----------------------------------------------------------------


def test_start_run_returns_the_run_with_public_exercises(api, lesson):
    run = start(api, lesson)
    assert run["status"] == "active" and run["kind"] == "lesson"
    assert run["lesson"] == lesson.slug and run["total"] == 3 and run["done"] == 0
    assert len(run["exercises"]) == 3 and run["current_exercise"]["id"] == run["queue"][0]
    assert run["current_exercise"]["public"] == {"text": "Hola", "direction": "to_source"}
    assert run["summary"] is None and run["hearts"] == 5
    # Two tabs: starting again returns the same active run.
    assert start(api, lesson)["id"] == run["id"]


def test_run_payloads_never_hold_a_solution_for_any_exercise_type(user, api):
    _course, lesson = every_type_course()
    run = start(api, lesson)
    by_type = {e["type"]: e for e in run["exercises"]}
    assert set(by_type) == set(REGISTRY)
    fetched = api.get(f"{API}runs/{run['id']}/").json()
    for payload in (run, fetched):
        text = json.dumps(payload, ensure_ascii=False)
        for key in ('"solutions"', '"answer"', '"pairs"', '"explanation"'):
            assert key not in text
    for name, exercise in by_type.items():
        kind = get_type(name)
        served = served_payload(kind, kind.example, run_id=run["id"], exercise_id=exercise["id"])
        assert exercise["public"] == kind.public_payload(served)  # choices and tiles in the run's order
    text = json.dumps(run, ensure_ascii=False)
    assert "Buenos días" not in text  # listen: the text is the answer
    assert "Hello" not in text  # translate
    assert "como pan" not in text  # word_bank's solution, tiles only


def test_every_exercise_type_can_be_answered_over_the_api(user, api):
    _course, lesson = every_type_course()
    run = start(api, lesson)
    body = None
    while run["current_exercise"]:
        exercise = run["current_exercise"]
        response = answer(api, run, text=right_answer(exercise))
        assert response.status_code == 200, (exercise["type"], response.content)
        body = response.json()
        assert body["correct"], (exercise["type"], body)
        run = api.get(f"{API}runs/{run['id']}/").json()
    assert body["passed"] is True and body["run_status"] == "passed"
    assert run["status"] == "passed" and run["summary"]["xp_earned"] == body["run_xp"] > 0


def test_answer_returns_verdict_solution_xp_and_hearts(api, lesson):
    run = start(api, lesson)
    wrong = answer(api, run, text="Goodbye").json()
    assert wrong["correct"] is False and wrong["solution"] == "Hello" and wrong["hearts"] == 4
    assert wrong["next_heart_at"] is not None and wrong["passed"] is False and wrong["repeated"] is False
    run = api.get(f"{API}runs/{run['id']}/").json()
    right = answer(api, run).json()
    assert right["correct"] is True and right["xp_awarded"] >= 0 and right["run_status"] == "active"


def test_a_repeated_client_id_returns_the_first_result_and_changes_nothing(user, api, lesson):
    run = start(api, lesson)
    client_id = uuid.uuid4()
    first = answer(api, run, text="Goodbye", client_id=client_id).json()
    again = answer(api, run, text="Hello", client_id=client_id)
    assert again.status_code == 200
    assert again.json() == {**first, "repeated": True}
    assert ExerciseAttempt.objects.filter(user=user).count() == 1
    assert Wallet.objects.get(user=user).hearts == 4


def test_a_client_id_reused_for_another_exercise_is_a_conflict(api, lesson):
    run = start(api, lesson)
    client_id = uuid.uuid4()
    answer(api, run, client_id=client_id)
    run = api.get(f"{API}runs/{run['id']}/").json()
    assert_error(answer(api, run, client_id=client_id), 409, "client_id_conflict", "client_id")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "exercise"),
        ({"answer": "Hello", "client_id": "5b0c6c2e-3c3e-4d0e-8d3e-6f7f0f2a9b11"}, "exercise"),
        ({"exercise": 1, "client_id": "5b0c6c2e-3c3e-4d0e-8d3e-6f7f0f2a9b11"}, "answer"),
        ({"exercise": 1, "answer": "Hello"}, "client_id"),
        ({"exercise": "one", "answer": "Hello", "client_id": "5b0c6c2e-3c3e-4d0e-8d3e-6f7f0f2a9b11"}, "exercise"),
        ({"exercise": 1, "answer": "Hello", "client_id": "not-a-uuid"}, "client_id"),
        ({"exercise": 1, "answer": "Hello", "client_id": 12}, "client_id"),
        ({"exercise": 1, "answer": None, "client_id": "5b0c6c2e-3c3e-4d0e-8d3e-6f7f0f2a9b11"}, "answer"),
        ({"exercise": "1", "answer": "x", "client_id": "5b0c6c2e-3c3e-4d0e-8d3e-6f7f0f2a9b11"}, "exercise"),
        ({"exercise": True, "answer": "x", "client_id": "5b0c6c2e-3c3e-4d0e-8d3e-6f7f0f2a9b11"}, "exercise"),
        (
            {"exercise": 1, "answer": "x", "client_id": "5b0c6c2e-3c3e-4d0e-8d3e-6f7f0f2a9b11", "time_spent_ms": -1},
            "time_spent_ms",
        ),
    ],
)
def test_bad_answer_bodies_are_400_with_the_field(user, api, lesson, body, field):
    run = start(api, lesson)
    assert_error(api.post(f"{API}runs/{run['id']}/answers/", body, format="json"), 400, "invalid", field)
    assert not ExerciseAttempt.objects.filter(user=user).exists()


def test_an_answer_of_the_wrong_type_for_the_exercise_is_invalid_answer(api, lesson):
    run = start(api, lesson)
    assert_error(answer(api, run, text=7), 400, "invalid_answer", "answer")
    assert_error(answer(api, run, text={"x": 1}), 400, "invalid_answer", "answer")


def test_text_postgresql_cannot_store_is_cleaned_and_judged(user, api, lesson):
    run = start(api, lesson)
    response = answer(api, run, text="Hel\x00lo")
    assert response.status_code == 200 and response.json()["correct"] is True
    run = api.get(f"{API}runs/{run['id']}/").json()
    response = api.post(
        f"{API}runs/{run['id']}/answers/",
        json.dumps({"exercise": run["current_exercise"]["id"], "client_id": str(uuid.uuid4())})[:-1]
        + ', "answer": "\\ud800x"}',  # a lone surrogate escape: valid JSON, not storable text
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["correct"] is False
    assert ExerciseAttempt.objects.filter(user=user).count() == 2


def test_an_exercise_not_in_the_run_is_400(api, lesson):
    run = start(api, lesson)
    assert_error(answer(api, run, exercise=10**12), 400, "exercise_not_in_run", "exercise")


def test_a_body_that_is_not_json_is_400(api, lesson):
    run = start(api, lesson)
    response = api.post(f"{API}runs/{run['id']}/answers/", "{not json", content_type="application/json")
    assert_error(response, 400, "malformed_request")
    response = api.post(f"{API}runs/{run['id']}/answers/", "a=b", content_type="application/x-www-form-urlencoded")
    assert_error(response, 415, "unsupported_media_type")


def test_answering_a_finished_run_is_409(user, api, lesson):
    run = start(api, lesson)
    while run["current_exercise"]:
        assert answer(api, run).status_code == 200
        run = api.get(f"{API}runs/{run['id']}/").json()
    assert run["status"] == "passed" and run["summary"] is not None
    assert_error(answer(api, run, exercise=run["exercises"][0]["id"]), 409, "run_finished")
    assert api.post(f"{API}runs/{run['id']}/abandon/").json()["status"] == "passed"  # unchanged


def test_abandon_then_answer_is_409(api, lesson):
    run = start(api, lesson)
    abandoned = api.post(f"{API}runs/{run['id']}/abandon/")
    assert abandoned.status_code == 200 and abandoned.json()["status"] == "abandoned"
    assert_error(answer(api, run), 409, "run_finished")
    assert api.post(f"{API}runs/{run['id']}/abandon/").json()["status"] == "abandoned"  # idempotent


def test_no_hearts_refuses_a_new_run(user, api, lesson):
    from django.utils import timezone

    set_wallet(user, hearts=0, hearts_anchor_at=timezone.now())
    assert_error(api.post(f"{API}lessons/{lesson.slug}/runs/"), 409, "out_of_hearts")
    assert not LessonRun.objects.filter(user=user).exists()


def test_a_locked_lesson_is_409_and_unknown_lessons_404(api):
    _course, lessons = new_course()
    assert_error(api.post(f"{API}lessons/{lessons[1].slug}/runs/"), 409, "lesson_locked")
    assert_error(api.post(f"{API}lessons/no-such-lesson/runs/"), 404, "not_found")
    assert_error(api.post(f"{API}lessons/bad%20slug!/runs/"), 404, "not_found")


def test_unpublished_lessons_are_invisible_even_to_staff(user, api):
    _course, lessons = new_course(published=False)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    assert_error(api.post(f"{API}lessons/{lessons[0].slug}/runs/"), 404, "not_found")


@pytest.mark.parametrize("run_id", ["999999999", "abc", "-1", "99999999999999999999999"])
def test_unknown_or_malformed_run_ids_are_404(api, run_id):
    assert_error(api.get(f"{API}runs/{run_id}/"), 404, "not_found")
    body = {"exercise": 1, "answer": "x", "client_id": str(uuid.uuid4())}
    assert_error(api.post(f"{API}runs/{run_id}/answers/", body, format="json"), 404, "not_found")


def test_review_with_nothing_due_is_409(api, lesson):
    course = lesson.unit.section.course
    assert_error(api.post(f"{API}courses/{course.slug}/review/"), 409, "nothing_to_review")


def test_review_after_a_mistake_starts_a_review_run(api, lesson):
    run = start(api, lesson)
    answer(api, run, text="Goodbye")
    course = lesson.unit.section.course
    response = api.post(f"{API}courses/{course.slug}/review/")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "review" and response.json()["lesson"] is None


def test_answers_are_throttled_with_429_in_the_error_shape(api, lesson, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "answers", "2/min")
    run = start(api, lesson)
    assert answer(api, run, text="Goodbye").status_code == 200
    assert answer(api, run, text="Goodbye").status_code == 200
    response = answer(api, run, text="Goodbye")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


# --- Me ------------------------------------------------------------------------------------------


def test_me_shows_profile_wallet_streak_and_goal(user, api, lesson):
    user.daily_xp_goal = 80
    user.save(update_fields=["daily_xp_goal"])
    run = start(api, lesson)
    while run["current_exercise"]:
        answer(api, run)
        run = api.get(f"{API}runs/{run['id']}/").json()
    me = api.get(f"{API}me/").json()
    assert me["display_name"] == user.display_name and me["email"] == user.email
    assert me["avatar_url"] is None
    # Achievements may add XP of their own on top of the run's.
    assert me["xp_total"] >= run["xp_earned"] > 0 and me["gems"] >= run["summary"]["gems_earned"] > 0
    assert me["hearts"] == {"hearts": 5, "max": 5, "next_heart_at": None, "refill_price": 50, "can_refill": False}
    assert me["streak"]["current"] == 1
    assert me["today"]["xp"] == me["xp_total"] and me["today"]["goal"] == 80 and me["today"]["met"] is True


def _me_as_serialized(user) -> dict:
    """``me/`` as ``MeSerializer`` (the documented shape) writes it, through the JSON renderer."""
    from django.utils import timezone
    from rest_framework.renderers import JSONRenderer

    from gamification import selectors
    from gamification.api.serializers import MeSerializer

    p = selectors.summary(user=user, now=timezone.now())
    data = {
        "display_name": user.name,
        "avatar_url": None,
        "email": user.email,
        "xp_total": p.xp_total,
        "level": p.level,
        "gems": p.gems,
        "hearts": p.hearts,
        "streak": {"current": p.streak_current, "longest": p.streak_longest, "freezes": p.streak_freezes},
        "today": {"date": p.today, "xp": p.today_xp, "goal": p.daily_goal, "met": p.goal_met},
    }
    return json.loads(JSONRenderer().render(MeSerializer(data).data))


def test_me_answers_exactly_what_its_serializer_documents(user, api):
    """``me/`` is built as plain data (no serializer per request): the same JSON as ``MeSerializer``,
    for a learner with no wallet yet and one whose hearts are regenerating, with a broken streak."""
    from datetime import timedelta

    from django.utils import timezone

    from gamification.models import Streak

    fresh = api.get(f"{API}me/").json()
    assert fresh == _me_as_serialized(user)
    assert fresh["hearts"]["hearts"] == 5 and fresh["xp_total"] == 0 and fresh["streak"]["current"] == 0

    set_wallet(user, hearts=2, hearts_anchor_at=timezone.now() - timedelta(minutes=7), gems=80, xp_total=2345)
    Streak.objects.filter(user=user).update(current=4, longest=9, alive_until=timezone.now() - timedelta(hours=1))
    me = api.get(f"{API}me/").json()
    assert me == _me_as_serialized(user)
    assert me["hearts"]["next_heart_at"].endswith("Z") and me["hearts"]["can_refill"] is True
    assert (me["level"], me["gems"], me["streak"]) == (2, 80, {"current": 0, "longest": 9, "freezes": 0})


def test_me_without_credentials_is_401(db):
    from rest_framework.test import APIClient

    assert_error(APIClient().get(f"{API}me/"), 401, "not_authenticated")
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert_error(bad.get(f"{API}me/"), 401, "authentication_failed")


def test_daily_xp_is_zero_filled_and_validated(api):
    response = api.get(f"{API}me/daily-xp/", {"days": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["days"] == 3 and [d["xp"] for d in body["results"]] == [0, 0, 0]
    assert len(api.get(f"{API}me/daily-xp/").json()["results"]) == 14
    assert len(api.get(f"{API}me/daily-xp/", {"days": 365}).json()["results"]) == 365
    for bad in ("0", "366", "-4", "ten", "1.5"):
        assert_error(api.get(f"{API}me/daily-xp/", {"days": bad}), 400, "invalid", "days")
    assert_error(api.get(f"{API}me/daily-xp/?days=3&days=4"), 400, "invalid", "days")


def test_my_courses_is_paginated_with_progress(user, api, lesson):
    run = start(api, lesson)
    while run["current_exercise"]:
        answer(api, run)
        run = api.get(f"{API}runs/{run['id']}/").json()
    body = api.get(f"{API}me/courses/").json()
    assert body["count"] == 1 and body["next"] is None
    (item,) = body["results"]
    assert item["course"]["slug"] == lesson.unit.section.course.slug and item["is_current"] is True
    assert (item["lessons_total"], item["lessons_passed"], item["completion_pct"]) == (2, 1, 50)
    assert_error(api.get(f"{API}me/courses/", {"page": 9}), 404, "not_found")


def test_refill_spends_gems(user, api):
    from django.utils import timezone

    set_wallet(user, hearts=1, hearts_anchor_at=timezone.now(), gems=80)
    response = api.post(f"{API}me/hearts/refill/")
    assert response.status_code == 200, response.content
    assert response.json()["hearts"] == 5
    assert Wallet.objects.get(user=user).gems == 30


def test_refill_without_enough_gems_or_with_full_hearts_is_409(user, api):
    from django.utils import timezone

    assert_error(api.post(f"{API}me/hearts/refill/"), 409, "hearts_full")
    set_wallet(user, hearts=1, hearts_anchor_at=timezone.now(), gems=10)
    assert_error(api.post(f"{API}me/hearts/refill/"), 409, "not_enough_gems")
    wallet = Wallet.objects.get(user=user)
    assert (wallet.hearts, wallet.gems) == (1, 10)


def test_session_auth_works_for_the_sites_pages_and_needs_csrf_for_writes(user, lesson):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get(f"{API}me/").json()["email"] == user.email
    assert_error(browser.post(f"{API}lessons/{lesson.slug}/runs/"), 403, "permission_denied")
    assert not LessonRun.objects.filter(user=user).exists()


@pytest.mark.parametrize("exercises", [3, 12])
def test_run_detail_runs_a_fixed_number_of_queries(user, api, django_assert_num_queries, exercises):
    _course, lessons = new_course(lessons=1, exercises=exercises)
    run = start(api, lessons[0])
    # token auth, the run, the run's exercises (the current one among them; + audio variants only when
    # there is audio), the hearts
    with django_assert_num_queries(4):
        assert api.get(f"{API}runs/{run['id']}/").status_code == 200


def test_an_answer_responds_exactly_what_its_serializer_documents(api, lesson):
    """An answer's response is built as plain data (``answer_outcome_data``, no serializer per
    request): the same JSON as ``AnswerOutcomeSerializer`` for outcomes of every shape — right, wrong
    with a word diff and a note, a replay, a time in another zone, lazy text — and through the API."""
    from datetime import UTC, datetime, timedelta, timezone

    from django.utils.functional import lazystr
    from rest_framework.renderers import JSONRenderer

    from gamification.api.serializers import AnswerOutcomeSerializer, answer_outcome_data
    from gamification.services.types import AnswerOutcome

    def rendered(data) -> dict:
        return json.loads(JSONRenderer().render(data))

    base = AnswerOutcome(
        attempt_id=7, exercise_id=3, correct=True, note=None, solution="Hola", best_match=None, xp_awarded=10,
        run_xp=20, hearts=5, next_heart_at=None, run_status="active", remaining=4, total=8,
    )  # fmt: skip
    paris = timezone(timedelta(hours=1))
    outcomes = [
        base,
        base.__class__(**{**base.__dict__, "run_status": "passed", "remaining": 0, "repeated": True}),
        base.__class__(
            **{
                **base.__dict__,
                "correct": False,
                "note": lazystr("Mind the accent."),  # lazy text, as a translated note is
                "best_match": "Tengo un perro",
                "hearts": 4,
                "next_heart_at": datetime(2026, 3, 2, 13, 30, 15, 123456, tzinfo=paris),
                "your_answer": "tengo un pero <b>",
                "diff": {"answer": [("tengo", True), ("pero", False)], "solution": [("Tengo", True), ("perro", False)]},
                "excused": True,
                "run_kind": "review",
            }
        ),
        base.__class__(**{**base.__dict__, "next_heart_at": datetime(2026, 3, 2, 12, 0, tzinfo=UTC), "diff": None}),
    ]
    for outcome in outcomes:
        assert rendered(answer_outcome_data(outcome)) == rendered(AnswerOutcomeSerializer(outcome).data)
    assert rendered(answer_outcome_data(outcomes[2]))["next_heart_at"] == "2026-03-02T12:30:15.123456Z"

    run = start(api, lesson)
    body = {"exercise": run["current_exercise"]["id"], "answer": "Hallo there", "client_id": str(uuid.uuid4())}
    wrong = api.post(f"{API}runs/{run['id']}/answers/", body, format="json").json()
    again = api.post(f"{API}runs/{run['id']}/answers/", body, format="json").json()
    stored = ExerciseAttempt.objects.get(client_id=body["client_id"])
    expected = AnswerOutcome.from_stored(attempt_id=stored.pk, result=stored.result, repeated=False)
    assert wrong == rendered(AnswerOutcomeSerializer(expected).data)
    assert wrong["correct"] is False and wrong["diff"] is not None and wrong["next_heart_at"].endswith("Z")
    assert again == {**wrong, "repeated": True}
