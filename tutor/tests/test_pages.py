"""Ask Tutor pages: the buttons on the feedback and end screen, the chat, the streamed reply and
its no-JS fallback, refusals, and another learner's chat (404)."""

import json
import re
import uuid

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import reverse

from core.llm.models import LLMCall
from gamification import services as game
from progress.tests.factories import T0
from tutor.models import TutorMessage, TutorSession

from .conftest import SECRETS, answer_head, finish_run

pytestmark = pytest.mark.django_db


def _played(user, lesson3):
    """An open run whose first exercise (cat) was answered wrongly."""
    run = game.start_lesson_run(user=user, lesson=lesson3.lesson, now=T0)
    answer_head(user, run, "The dog sleeps")
    return run


def _open(client, lesson3, run, exercise=None):
    data = {"run": run.pk} | ({"exercise": exercise.pk} if exercise else {})
    response = client.post(reverse("tutor_start", args=[lesson3.lesson.slug]), data)
    assert response.status_code == 302, response.content
    return TutorSession.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def events(response) -> list[tuple[str, dict]]:
    """The server-sent events of a streamed response, read to the end."""
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    out = []
    for block in body.split("\n\n"):
        if block.strip():
            name = re.search(r"^event: (.+)$", block, re.M).group(1)
            data = re.search(r"^data: (.+)$", block, re.M).group(1)
            out.append((name, json.loads(data)))
    return out


# --- The buttons ----------------------------------------------------------------------------------------


def test_the_feedback_and_end_screen_offer_the_tutor(client, learner, lesson3, fake_llm):
    run = game.start_lesson_run(user=learner, lesson=lesson3.lesson, now=T0)
    response = client.post(
        reverse("answer", args=[run.pk]),
        {"exercise": lesson3.cat.pk, "answer": "The dog sleeps", "client_id": uuid.uuid4()},
        headers={"X-Mallard-Fragment": "1"},
    )
    html = response.content.decode()
    assert f'action="{reverse("tutor_start", args=[lesson3.lesson.slug])}"' in html
    assert f'name="run" value="{run.pk}"' in html and f'name="exercise" value="{lesson3.cat.pk}"' in html
    attempt = run.attempts.get()
    page = client.get(reverse("answer_feedback", args=[run.pk, attempt.pk])).content.decode()
    assert "Ask the tutor about this" in page
    finish_run(learner, run, lesson3)
    done = client.get(reverse("run_done", args=[run.pk])).content.decode()
    assert "Ask the tutor about this lesson" in done and f'name="run" value="{run.pk}"' in done


def test_no_provider_no_buttons_and_the_pages_say_so(client, learner, lesson3, settings):
    settings.LLM_BASE_URL = ""
    run = game.start_lesson_run(user=learner, lesson=lesson3.lesson, now=T0)
    html = client.post(
        reverse("answer", args=[run.pk]),
        {"exercise": lesson3.cat.pk, "answer": "The dog sleeps", "client_id": uuid.uuid4()},
        headers={"X-Mallard-Fragment": "1"},
    ).content.decode()
    assert "tutor" not in html.lower()
    response = client.post(reverse("tutor_start", args=[lesson3.lesson.slug]), {"run": run.pk}, follow=True)
    assert "The tutor is not available" in response.content.decode()
    assert not TutorSession.objects.exists()
    page = client.get(reverse("tutor_sessions")).content.decode()
    assert "The tutor is not available on this Mallard" in page


# --- The chat ---------------------------------------------------------------------------------------------


def test_the_chat_page_is_labelled_and_keyboard_usable(client, learner, lesson3, tutor_on):
    session = _open(client, lesson3, _played(learner, lesson3), lesson3.cat)
    html = client.get(reverse("tutor_session", args=[session.pk])).content.decode()
    assert 'role="log"' in html and 'aria-live="polite"' in html and 'role="status"' in html
    assert '<label for="id_content">Your message</label>' in html
    assert 'id="tutor-error" class="form-error" role="alert"' in html
    assert 'maxlength="1000"' in html and "Ctrl+Enter sends" in html
    assert re.search(r'<script src="/static/js/tutor.js" defer></script>', html)
    assert "<script>" not in html  # nothing inline: the CSP allows only files and nonces
    assert f'href="{reverse("run", args=[session.run_id])}"' in html  # back to the open run
    assert "Ask the tutor about the lesson “Greetings and cats”" in html


def test_a_streamed_reply_reaches_the_page_and_is_stored(client, learner, lesson3, fake_llm):
    session = _open(client, lesson3, _played(learner, lesson3), lesson3.cat)
    fake_llm.reply_text("Dormir changes its o to ue: duerme.", prompt_tokens=250, completion_tokens=12)

    response = client.post(
        reverse("tutor_send", args=[session.pk]), {"content": "Why duerme?"}, headers={"Accept": "text/event-stream"}
    )

    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    got = events(response)
    names = [name for name, _ in got]
    assert names[0] == "message" and names[-1] == "done" and set(names[1:-1]) == {"delta"}
    assert len(names) > 3  # the reply came in several pieces
    assert got[0][1]["content"] == "Why duerme?" and got[0][1]["sender"] == "learner"
    assert "".join(data["text"] for name, data in got if name == "delta") == "Dormir changes its o to ue: duerme."
    done = got[-1][1]
    reply = TutorMessage.objects.get(pk=done["id"])
    assert (reply.sender, reply.status, reply.ordinal) == ("tutor", "complete", 3)
    assert reply.content == "Dormir changes its o to ue: duerme."
    assert (
        (reply.prompt_tokens, reply.completion_tokens)
        == (250, 12)
        == (done["prompt_tokens"], done["completion_tokens"])
    )
    request = fake_llm.chat_requests()[0].body
    assert request["stream"] is True
    assert SECRETS["night"][0] not in json.dumps(request)
    assert LLMCall.objects.get().feature == "tutor"
    page = client.get(reverse("tutor_session", args=[session.pk])).content.decode()
    assert "Dormir changes its o to ue: duerme." in page


def test_a_stream_that_breaks_marks_the_reply_failed_and_keeps_the_text(client, learner, lesson3, fake_llm):
    from core.tests.fake_llm import Reply

    session = _open(client, lesson3, _played(learner, lesson3))
    fake_llm.reply(Reply(content="Half of an answer", stream_break=True))
    got = events(
        client.post(
            reverse("tutor_send", args=[session.pk]), {"content": "Hm?"}, headers={"Accept": "text/event-stream"}
        )
    )
    assert [name for name, _ in got] == ["message", "delta", "failed"]
    failed = got[-1][1]
    assert failed["status"] == "failed" and "could not answer" in failed["error"]
    reply = TutorMessage.objects.get(pk=failed["id"])
    assert (reply.status, reply.content, reply.error_code) == ("failed", "Half", "llm_bad_response")
    assert TutorMessage.objects.filter(session=session, sender="learner", content="Hm?").exists()


def test_a_stream_refused_before_it_starts_is_a_failed_event(client, learner, lesson3, fake_llm):
    session = _open(client, lesson3, _played(learner, lesson3))
    for _ in range(3):
        fake_llm.reply_status(500)
    got = events(
        client.post(
            reverse("tutor_send", args=[session.pk]), {"content": "Hm?"}, headers={"Accept": "text/event-stream"}
        )
    )
    assert [name for name, _ in got] == ["message", "failed"]
    assert got[-1][1]["error_code"] == "llm_error"


def test_closing_the_page_mid_reply_stores_it_as_interrupted(rf, learner, lesson3, fake_llm):
    from django.utils import timezone

    from tutor import services, views

    session = services.start_session(user=learner, lesson_slug=lesson3.lesson.slug, now=timezone.now())
    fake_llm.reply_text("One two three four five")
    request = rf.post(
        reverse("tutor_send", args=[session.pk]), {"content": "Count"}, headers={"Accept": "text/event-stream"}
    )
    request.user = learner
    response = views.send(request, session_id=session.pk)
    stream = iter(response.streaming_content)
    next(stream)  # the learner's message
    next(stream)  # the first piece of the reply
    # The browser went away: the server closes the response (request_finished would also close the
    # test's database connection, as it does at the end of every request).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    reply = TutorMessage.objects.get(session=session, sender="tutor")
    assert (reply.status, reply.error_code, reply.content) == ("failed", "interrupted", "One")
    assert "interrupted" in reply.error


def test_without_javascript_the_form_posts_and_the_chat_shows_the_whole_reply(client, learner, lesson3, fake_llm):
    session = _open(client, lesson3, _played(learner, lesson3))
    fake_llm.reply_text("Use «ser» for what something is.")

    response = client.post(reverse("tutor_send", args=[session.pk]), {"content": "Ser or estar?"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('tutor_session', args=[session.pk])}#message-3"
    page = client.get(response["Location"]).content.decode()
    assert "Ser or estar?" in page and "Use «ser» for what something is." in page
    assert fake_llm.chat_requests()[0].body.get("stream") is not True


def test_without_javascript_a_timeout_shows_the_reason_and_keeps_the_message(
    client, learner, lesson3, fake_llm, settings
):
    settings.LLM_TIMEOUT = 0.5
    session = _open(client, lesson3, _played(learner, lesson3))
    fake_llm.reply_delay()
    page = client.post(reverse("tutor_send", args=[session.pk]), {"content": "Still there?"}, follow=True)
    html = page.content.decode()
    assert "Still there?" in html
    assert 'class="tutor-failed"' in html and "The tutor took too long to answer" in html


@pytest.mark.parametrize("stream", [False, True])
def test_a_too_long_message_is_a_form_error_and_nothing_is_written(client, learner, lesson3, tutor_on, stream):
    session = _open(client, lesson3, _played(learner, lesson3))
    headers = {"Accept": "text/event-stream"} if stream else {}
    response = client.post(reverse("tutor_send", args=[session.pk]), {"content": "y" * 1001}, headers=headers)
    assert response.status_code == 400
    if stream:
        body = response.json()
        assert body["error"] == "invalid_message" and "content" in body["fields"]
    else:
        html = response.content.decode()
        assert "Keep your message to 1000 characters or fewer (it has 1001)." in html
        assert 'aria-invalid="true"' in html and "y" * 1001 in html  # what was typed is kept
    assert TutorMessage.objects.filter(sender="learner").count() == 0


@pytest.mark.parametrize("stream", [False, True])
def test_the_rate_limit_is_shown_and_nothing_is_written(client, learner, lesson3, fake_llm, settings, stream):
    settings.MALLARD_TUTOR_MESSAGES_PER_HOUR = 1
    session = _open(client, lesson3, _played(learner, lesson3))
    fake_llm.reply_text("Hi")
    client.post(reverse("tutor_send", args=[session.pk]), {"content": "One"})
    headers = {"Accept": "text/event-stream"} if stream else {}
    response = client.post(reverse("tutor_send", args=[session.pk]), {"content": "Two"}, headers=headers)
    assert response.status_code == 429
    text = response.json()["detail"] if stream else response.content.decode()
    assert "1 messages in the last hour" in text or "1 message" in text
    assert list(TutorMessage.objects.filter(sender="learner").values_list("content", flat=True)) == ["One"]


def test_another_learners_chat_is_404_to_read_and_to_post(client, learner, other_user, lesson3, fake_llm):
    run = game.start_lesson_run(user=other_user, lesson=lesson3.lesson, now=T0)
    from django.utils import timezone

    from tutor import services

    theirs = services.start_session(user=other_user, lesson_slug=lesson3.lesson.slug, run_id=run.pk, now=timezone.now())
    assert client.get(reverse("tutor_session", args=[theirs.pk])).status_code == 404
    for headers in ({}, {"Accept": "text/event-stream"}):
        response = client.post(reverse("tutor_send", args=[theirs.pk]), {"content": "Hi"}, headers=headers)
        assert response.status_code == 404
    response = client.post(reverse("tutor_start", args=[lesson3.lesson.slug]), {"run": run.pk})
    assert response.status_code == 404
    assert TutorMessage.objects.filter(sender="learner").count() == 0
    assert fake_llm.chat_requests() == []
    assert "Greetings" not in client.get(reverse("tutor_sessions")).content.decode()


def test_pages_need_a_log_in(client, lesson3):
    for url in (reverse("tutor_sessions"), reverse("tutor_session", args=[1])):
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_the_list_of_chats(client, learner, lesson3, fake_llm):
    session = _open(client, lesson3, _played(learner, lesson3))
    fake_llm.reply_text("Hi")
    client.post(reverse("tutor_send", args=[session.pk]), {"content": "One"})
    html = client.get(reverse("tutor_sessions")).content.decode()
    assert f'href="{reverse("tutor_session", args=[session.pk])}">Greetings and cats</a>' in html
    assert "1 message " in html
