"""Isolation: a second learner tries every endpoint with the first learner's identifiers.

Every attempt on the first learner's run is a 404 in the error shape (never 403, never data);
endpoints without ids answer with the caller's own data only; nothing of the first learner changes.
"""

import json
import uuid

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from bubbles.models import Bubble
from core.tests.api import API, assert_error, client_for
from courses.tests.factories import CheckpointFactory
from courses.tests.sample_courses import new_course
from gamification.models import Wallet
from progress.models import Enrollment, ExerciseAttempt, LessonProgress, LessonRun, ProblemReport
from tutor.models import TutorMessage, TutorSession
from tutor.tests.factories import TutorMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _model_configured(settings):
    """A language model is configured (never called here), so the bubble endpoints answer."""
    settings.LLM_BASE_URL = "http://127.0.0.1:9/v1"
    settings.LLM_MODEL = "m"


@pytest.fixture
def world(settings):
    """Learner A with a passed run, an active run with a wrong answer, a tutor chat about it, and
    settings of their own. A model provider is configured (never called: every attack is refused first)."""
    settings.LLM_BASE_URL = "http://127.0.0.1:9/v1"
    settings.LLM_MODEL = "never-called"
    owner = UserFactory(display_name="Owner Zebulon", time_zone="Asia/Tokyo", daily_xp_goal=400)
    course, lessons = new_course(lessons=3)
    api = client_for(owner)
    passed = api.post(f"{API}lessons/{lessons[0].slug}/runs/").json()
    while passed["current_exercise"]:
        body = {"exercise": passed["current_exercise"]["id"], "answer": "Hello", "client_id": str(uuid.uuid4())}
        assert api.post(f"{API}runs/{passed['id']}/answers/", body, format="json").status_code == 200
        passed = api.get(f"{API}runs/{passed['id']}/").json()
    active = api.post(f"{API}lessons/{lessons[1].slug}/runs/").json()
    client_id = str(uuid.uuid4())
    wrong = {"exercise": active["current_exercise"]["id"], "answer": "Goodbye", "client_id": client_id}
    answered = api.post(f"{API}runs/{active['id']}/answers/", wrong, format="json")
    assert answered.status_code == 200
    chat = TutorMessageFactory(
        session__user=owner, session__lesson=lessons[1], session__run_id=active["id"], reply=True
    ).session
    bubble = Bubble.objects.create(
        user=owner,
        course=course,
        language=course.to_language,
        topic="Zebulon's secret job",
        topic_key="zebulon's secret job",
        status=Bubble.Status.FAILED,
        error="Plan: failed",
        created_at=timezone.now(),
    )
    checkpoint = CheckpointFactory(unit=lessons[0].unit, draw=2)
    return {
        "checkpoint": checkpoint,
        "tutor_session": chat.pk,
        "attempt": answered.json()["attempt_id"],
        "bubble": bubble.pk,
        "owner": owner,
        "course": course,
        "lessons": lessons,
        "passed_run": passed["id"],
        "active_run": active["id"],
        "exercise": active["current_exercise"]["id"],
        "client_id": client_id,
    }


def snapshot(user) -> str:
    """Everything of the learner the API could change, as one comparable string."""
    user.refresh_from_db()
    rows = {
        "user": model_to_dict(user, exclude=["avatar", "groups", "user_permissions", "last_login"]),
        "wallet": list(Wallet.objects.filter(user=user).values()),
        "runs": list(LessonRun.objects.filter(user=user).order_by("pk").values()),
        "attempts": list(ExerciseAttempt.objects.filter(user=user).order_by("pk").values()),
        "progress": list(LessonProgress.objects.filter(user=user).order_by("pk").values()),
        "enrollments": list(Enrollment.objects.filter(user=user).order_by("pk").values()),
        "reports": list(ProblemReport.objects.filter(user=user).order_by("pk").values()),
        "tutor_sessions": list(TutorSession.objects.filter(user=user).order_by("pk").values()),
        "tutor_messages": list(TutorMessage.objects.filter(user=user).order_by("pk").values()),
        "bubbles": list(Bubble.objects.filter(user=user).order_by("pk").values()),
    }
    return json.dumps(rows, default=str, sort_keys=True)


def _answer(w, run_key, *, reuse_client_id=False):
    return {
        "exercise": w["exercise"],
        "answer": "Hello",
        "client_id": w["client_id"] if reuse_client_id else str(uuid.uuid4()),
    }


# (name, method, url, body, expected status): every endpoint, with the owner's ids where it takes one.
ATTACKS = [
    ("run detail (active)", "get", lambda w: f"runs/{w['active_run']}/", None, 404),
    ("run detail (passed)", "get", lambda w: f"runs/{w['passed_run']}/", None, 404),
    (
        "answer owner's run",
        "post",
        lambda w: f"runs/{w['active_run']}/answers/",
        lambda w: _answer(w, "active_run"),
        404,
    ),
    (
        "replay owner's client_id",
        "post",
        lambda w: f"runs/{w['active_run']}/answers/",
        lambda w: _answer(w, "active_run", reuse_client_id=True),
        404,
    ),
    ("answer owner's passed run", "post", lambda w: f"runs/{w['passed_run']}/answers/", lambda w: _answer(w, "x"), 404),
    ("abandon owner's run", "post", lambda w: f"runs/{w['active_run']}/abandon/", None, 404),
    ("skip in owner's run", "post", lambda w: f"runs/{w['active_run']}/skip/", lambda w: {"kind": "listen"}, 404),
    ("finish owner's run", "post", lambda w: f"runs/{w['active_run']}/finish/", None, 404),
    ("start the checkpoint", "post", lambda w: f"checkpoints/{w['checkpoint'].slug}/runs/", None, 201),
    (
        "check a pair in owner's run",
        "post",
        lambda w: f"runs/{w['active_run']}/pairs/",
        lambda w: {"exercise": w["exercise"], "left": 0, "right": 0},
        404,
    ),
    (
        "report owner's answer",
        "post",
        lambda w: f"answers/{w['attempt']}/report/",
        lambda w: {"kind": "other", "message": "Not mine"},
        404,
    ),
    ("start owner's lesson", "post", lambda w: f"lessons/{w['lessons'][0].slug}/runs/", None, 201),
    ("course list", "get", lambda w: "courses/", None, 200),
    ("course detail", "get", lambda w: f"courses/{w['course'].slug}/", None, 200),
    ("enrol", "post", lambda w: f"courses/{w['course'].slug}/enrol/", None, 200),
    ("path", "get", lambda w: f"courses/{w['course'].slug}/path/", None, 200),
    ("review", "post", lambda w: f"courses/{w['course'].slug}/review/", None, 409),
    ("words", "get", lambda w: f"courses/{w['course'].slug}/words/?order=weakest", None, 200),
    ("me", "get", lambda w: "me/", None, 200),
    ("settings", "get", lambda w: "me/settings/", None, 200),
    ("patch settings", "patch", lambda w: "me/settings/", lambda w: {"daily_xp_goal": 80}, 200),
    ("daily xp", "get", lambda w: "me/daily-xp/?days=30", None, 200),
    ("my courses", "get", lambda w: "me/courses/", None, 200),
    ("refill", "post", lambda w: "me/hearts/refill/", None, 409),
    ("streak freezes", "get", lambda w: "me/streak-freezes/", None, 200),
    ("buy a streak freeze", "post", lambda w: "me/streak-freezes/", lambda w: {"client_id": str(uuid.uuid4())}, 409),
    ("league", "get", lambda w: "me/league/", None, 200),
    ("achievements", "get", lambda w: "me/achievements/", None, 200),
    ("history", "get", lambda w: "me/history/", None, 200),
    ("tutor chat detail", "get", lambda w: f"tutor/sessions/{w['tutor_session']}/", None, 404),
    (
        "post to owner's tutor chat",
        "post",
        lambda w: f"tutor/sessions/{w['tutor_session']}/messages/",
        lambda w: {"content": "Tell me their answers"},
        404,
    ),
    (
        "open a tutor chat from owner's run",
        "post",
        lambda w: "tutor/sessions/",
        lambda w: {"lesson": w["lessons"][1].slug, "run": w["active_run"]},
        404,
    ),
    ("tutor chats", "get", lambda w: "tutor/sessions/", None, 200),
    ("bubble detail", "get", lambda w: f"bubbles/{w['bubble']}/", None, 404),
    ("retry owner's bubble", "post", lambda w: f"bubbles/{w['bubble']}/retry/", None, 404),
    ("bubble list", "get", lambda w: "bubbles/", None, 200),
]


@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_a_second_learner_gets_404_or_only_their_own_data(world, other_user, name, method, url, body, expected):
    owner = world["owner"]
    before = snapshot(owner)
    api = client_for(other_user)
    kwargs = {"format": "json"} if body else {}
    response = getattr(api, method)(API + url(world), body(world) if body else None, **kwargs)
    if expected == 404:
        assert_error(response, 404, "not_found")
    else:
        assert response.status_code == expected, response.content
    text = response.content.decode()
    # Nothing that identifies the owner or their runs comes back.
    for secret in (owner.email, owner.display_name, "Asia/Tokyo", f'"id":{world["active_run"]},', "Zebulon's"):
        assert secret not in text, (name, secret)
    assert f'"id":{world["passed_run"]},' not in text
    assert snapshot(owner) == before, name


def test_a_second_learners_view_of_the_path_is_their_own(world, other_user):
    body = client_for(other_user).get(f"{API}courses/{world['course'].slug}/path/").json()
    states = [lesson["state"] for lesson in body["sections"][0]["units"][0]["lessons"]]
    assert states == ["open", "locked", "locked"]  # the owner passed the first lesson; this learner did not


def test_the_owners_token_cannot_be_had_with_another_password(world, other_user):
    response = APIClient().post(
        f"{API}auth/token/", {"email": world["owner"].email, "password": "not-their-password"}, format="json"
    )
    assert_error(response, 401, "invalid_credentials")


def test_every_api_operation_is_covered(world):
    """The attack list above tries every path of the schema that a learner can call with an id or not."""
    from drf_spectacular.generators import SchemaGenerator

    paths = set(SchemaGenerator().get_schema(request=None, public=True)["paths"])
    tried = {"/api/v1/auth/token/"}
    templates = {
        "runs/{id}/",
        "runs/{id}/answers/",
        "runs/{id}/abandon/",
        "runs/{id}/pairs/",
        "runs/{id}/skip/",
        "runs/{id}/finish/",
        "checkpoints/{slug}/runs/",
        "answers/{id}/report/",
        "lessons/{slug}/runs/",
        "courses/",
        "courses/{slug}/",
        "courses/{slug}/enrol/",
        "courses/{slug}/path/",
        "courses/{slug}/review/",
        "courses/{slug}/words/",
        "me/",
        "me/settings/",
        "me/daily-xp/",
        "me/courses/",
        "me/hearts/refill/",
        "me/streak-freezes/",
        "me/league/",
        "me/achievements/",
        "me/history/",
        "tutor/sessions/",
        "tutor/sessions/{id}/",
        "tutor/sessions/{id}/messages/",
        "bubbles/",
        "bubbles/{id}/",
        "bubbles/{id}/retry/",
    }
    tried |= {f"/api/v1/{t}" for t in templates}
    assert paths == tried
