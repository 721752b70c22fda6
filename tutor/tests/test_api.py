"""The tutor's API: chats and messages, errors in the API's one shape, another learner's chat 404."""

import pytest

from core.tests.api import API, assert_error, client_for
from gamification import services as game
from progress.tests.factories import T0
from tutor.models import TutorMessage, TutorSession

from .conftest import SECRETS, answer_head

pytestmark = pytest.mark.django_db

SESSIONS = f"{API}tutor/sessions/"


def _open(api, lesson3, **extra):
    response = api.post(SESSIONS, {"lesson": lesson3.lesson.slug, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_chat_round_trip(user, lesson3, fake_llm):
    api = client_for(user)
    run = game.start_lesson_run(user=user, lesson=lesson3.lesson, now=T0)
    answer_head(user, run, "The dog sleeps")
    chat = _open(api, lesson3, run=run.pk, exercise=lesson3.cat.pk)
    assert chat["available"] is True
    assert chat["session"] | {"id": 0, "created_at": "", "updated_at": ""} == {
        "id": 0,
        "lesson": lesson3.lesson.slug,
        "lesson_title": "Greetings and cats",
        "course": lesson3.lesson.unit.section.course.slug,
        "run": run.pk,
        "exercise": lesson3.cat.pk,
        "created_at": "",
        "updated_at": "",
    }
    assert [m["sender"] for m in chat["messages"]] == ["system"]
    session_id = chat["session"]["id"]
    fake_llm.reply_text("Duerme: o → ue.", prompt_tokens=90, completion_tokens=9)

    response = client_for(user).post(f"{SESSIONS}{session_id}/messages/", {"content": "Why?"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"]["content"] == "Why?" and body["message"]["sender"] == "learner"
    reply = body["reply"]
    assert (reply["sender"], reply["status"], reply["content"], reply["error"]) == (
        "tutor",
        "complete",
        "Duerme: o → ue.",
        "",
    )
    assert (reply["prompt_tokens"], reply["completion_tokens"], reply["ordinal"]) == (90, 9, 3)
    assert SECRETS["night"][0] not in str(fake_llm.chat_requests()[0].body)

    detail = api.get(f"{SESSIONS}{session_id}/").json()
    assert [(m["ordinal"], m["sender"], m["status"]) for m in detail["messages"]] == [
        (1, "system", "complete"),
        (2, "learner", "complete"),
        (3, "tutor", "complete"),
    ]
    listing = api.get(SESSIONS).json()
    assert listing["count"] == 1 and listing["results"][0]["learner_messages"] == 1


def test_opening_twice_is_the_same_chat(user, lesson3, tutor_on):
    api = client_for(user)
    assert _open(api, lesson3)["session"]["id"] == _open(api, lesson3)["session"]["id"]
    assert TutorSession.objects.count() == 1


def test_a_provider_failure_is_a_201_with_a_failed_reply(user, lesson3, fake_llm, settings):
    settings.LLM_TIMEOUT = 0.5
    api = client_for(user)
    session_id = _open(api, lesson3)["session"]["id"]
    fake_llm.reply_delay()
    body = api.post(f"{SESSIONS}{session_id}/messages/", {"content": "Hello?"}, format="json").json()
    assert body["message"]["content"] == "Hello?"
    assert (body["reply"]["status"], body["reply"]["error_code"]) == ("failed", "llm_timeout")
    assert "took too long" in body["reply"]["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "z" * 1001}, "content"),
        ({"content": "   "}, "content"),
        ({"content": 3}, "content"),
        ({}, "content"),
    ],
)
def test_a_bad_message_is_a_400_naming_the_field(user, lesson3, tutor_on, body, field):
    api = client_for(user)
    session_id = _open(api, lesson3)["session"]["id"]
    assert_error(api.post(f"{SESSIONS}{session_id}/messages/", body, format="json"), 400, "invalid", field)
    assert not TutorMessage.objects.filter(sender="learner").exists()


def test_the_rate_limit_is_a_429(user, lesson3, fake_llm, settings):
    settings.MALLARD_TUTOR_MESSAGES_PER_HOUR = 1
    api = client_for(user)
    session_id = _open(api, lesson3)["session"]["id"]
    fake_llm.reply_text("Hi")
    assert api.post(f"{SESSIONS}{session_id}/messages/", {"content": "One"}, format="json").status_code == 201
    body = assert_error(
        api.post(f"{SESSIONS}{session_id}/messages/", {"content": "Two"}, format="json"), 429, "tutor_rate_limited"
    )
    assert "1 messages in the last hour" in body["detail"]


def test_without_a_provider_the_api_says_so_and_writes_nothing(user, lesson3, settings):
    settings.LLM_BASE_URL = ""
    api = client_for(user)
    assert_error(api.post(SESSIONS, {"lesson": lesson3.lesson.slug}, format="json"), 503, "llm_not_configured")
    assert not TutorSession.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"lesson": "no-such-lesson"}, 404, "not_found", None),
        ({"lesson": "bad slug!"}, 400, "invalid", "lesson"),
        ({"lesson": 7}, 400, "invalid", "lesson"),
        ({"lesson": "LESSON", "run": "1"}, 400, "invalid", "run"),
    ],
)
def test_opening_refusals(user, lesson3, tutor_on, body, status, code, field):
    if body.get("lesson") == "LESSON":
        body = {**body, "lesson": lesson3.lesson.slug}
    assert_error(client_for(user).post(SESSIONS, body, format="json"), status, code, field)


def test_an_exercise_of_another_lesson_is_a_400(user, lesson3, tutor_on):
    from courses.tests.factories import ExerciseFactory

    body = {"lesson": lesson3.lesson.slug, "exercise": ExerciseFactory().pk}
    assert_error(client_for(user).post(SESSIONS, body, format="json"), 400, "not_about_this_lesson", "exercise")


def test_another_learners_chat_is_404(user, other_user, lesson3, fake_llm):
    theirs = _open(client_for(other_user), lesson3)["session"]["id"]
    api = client_for(user)
    assert_error(api.get(f"{SESSIONS}{theirs}/"), 404, "not_found")
    assert_error(api.post(f"{SESSIONS}{theirs}/messages/", {"content": "Hi"}, format="json"), 404, "not_found")
    assert_error(api.get(f"{SESSIONS}abc/"), 404, "not_found")
    assert api.get(SESSIONS).json()["count"] == 0
    assert fake_llm.chat_requests() == []
