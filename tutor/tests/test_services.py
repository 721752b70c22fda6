"""The tutor's services against the fake model server: replies, failures, limits, availability."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import NotFound
from core.llm.models import LLMCall
from gamification import services as game
from progress.tests.factories import T0
from tutor import services
from tutor.errors import InvalidMessage, NotAboutThisLesson, TutorBusy, TutorNotAvailable, TutorRateLimited
from tutor.models import TutorMessage, TutorSession

from .conftest import SECRETS, answer_head
from .factories import TutorMessageFactory

pytestmark = pytest.mark.django_db


def _open(user, lesson3, **kwargs):
    return services.start_session(user=user, lesson_slug=lesson3.lesson.slug, now=timezone.now(), **kwargs)


def _rows(user):
    return list(TutorMessage.objects.filter(user=user).order_by("session", "ordinal").values_list("sender", "status"))


# --- Opening a chat ----------------------------------------------------------------------------------


def test_opening_a_chat_writes_the_session_and_its_opening_note(user, lesson3, tutor_on):
    run = game.start_lesson_run(user=user, lesson=lesson3.lesson, now=T0)
    answer_head(user, run, "The dog sleeps")

    session = _open(user, lesson3, run_id=run.pk, exercise_id=lesson3.cat.pk)

    assert (session.user, session.lesson, session.run, session.exercise) == (user, lesson3.lesson, run, lesson3.cat)
    note = session.messages.get()
    assert (note.ordinal, note.sender, note.status) == (1, "system", "complete")
    assert "Greetings and cats" in note.content and "Translate this sentence" in note.content
    # The same place again (a double click) is the same chat.
    assert _open(user, lesson3, run_id=run.pk, exercise_id=lesson3.cat.pk) == session
    assert TutorSession.objects.count() == 1


def test_opening_refuses_other_learners_runs_unknown_lessons_and_foreign_exercises(user, other_user, lesson3, tutor_on):
    theirs = game.start_lesson_run(user=other_user, lesson=lesson3.lesson, now=T0)
    with pytest.raises(NotFound):
        _open(user, lesson3, run_id=theirs.pk)
    with pytest.raises(NotFound):
        services.start_session(user=user, lesson_slug="no-such-lesson", now=timezone.now())
    from courses.tests.factories import ExerciseFactory

    with pytest.raises(NotAboutThisLesson):
        _open(user, lesson3, exercise_id=ExerciseFactory().pk)
    assert not TutorSession.objects.exists()


def test_without_a_provider_nothing_opens_and_nothing_is_sent(user, lesson3, settings):
    settings.LLM_BASE_URL = ""
    assert not services.tutor_available()
    with pytest.raises(TutorNotAvailable):
        _open(user, lesson3)
    session = TutorMessageFactory(session__user=user, session__lesson=lesson3.lesson).session
    with pytest.raises(TutorNotAvailable):
        services.ask_tutor(user=user, session_id=session.pk, content="Hola", now=timezone.now())
    assert TutorMessage.objects.count() == 1


# --- A reply --------------------------------------------------------------------------------------------


def test_a_reply_is_stored_with_its_tokens_and_the_context_sent(user, lesson3, fake_llm):
    run = game.start_lesson_run(user=user, lesson=lesson3.lesson, now=T0)
    answer_head(user, run, "The dog sleeps")
    session = _open(user, lesson3, run_id=run.pk, exercise_id=lesson3.cat.pk)
    fake_llm.reply_text("«Duerme» comes from dormir.", prompt_tokens=321, completion_tokens=45)

    exchange = services.ask_tutor(user=user, session_id=session.pk, content="  Why duerme?  ", now=timezone.now())

    assert (exchange.message.ordinal, exchange.message.content) == (2, "Why duerme?")
    reply = exchange.reply
    assert (reply.ordinal, reply.sender, reply.status) == (3, "tutor", "complete")
    assert reply.content == "«Duerme» comes from dormir."
    assert (reply.prompt_tokens, reply.completion_tokens, reply.model) == (321, 45, "fake-model")
    assert reply.completed_at is not None
    (request,) = fake_llm.chat_requests()
    body = request.body
    assert body["max_tokens"] == 800 and not body.get("stream")
    system, question = body["messages"]
    assert system["role"] == "system" and "The learner's recent mistakes" in system["content"]
    assert "answered “The dog sleeps”; the accepted answer is “The cat sleeps”" in system["content"]
    assert SECRETS["night"][0] not in system["content"]  # not answered yet in the open run
    assert question == {"role": "user", "content": "Why duerme?"}
    assert LLMCall.objects.get().feature == "tutor"


@pytest.mark.parametrize(
    ("script", "code", "words"),
    [
        (lambda f: f.reply_delay(), "llm_timeout", "took too long"),
        (lambda f: [f.reply_status(500) for _ in range(3)], "llm_error", "could not answer"),
        (lambda f: [f.reply_status(429, retry_after="1") for _ in range(3)], "llm_rate_limited", "busy right now"),
        (
            lambda f: f.reply(__import__("core.tests.fake_llm", fromlist=["Reply"]).Reply(status=400, body="{}")),
            "llm_bad_response",
            "could not answer",
        ),
    ],
    ids=["timeout", "500", "429", "400"],
)
def test_a_provider_failure_keeps_the_message_and_marks_the_reply(
    user, lesson3, fake_llm, settings, script, code, words
):
    settings.LLM_TIMEOUT = 0.5
    session = _open(user, lesson3)
    script(fake_llm)

    exchange = services.ask_tutor(user=user, session_id=session.pk, content="Hola?", now=timezone.now())

    assert exchange.message.content == "Hola?" and exchange.message.status == "complete"
    reply = exchange.reply
    assert (reply.status, reply.error_code, reply.content) == ("failed", code, "")
    assert words in reply.error and "Your message is saved" in reply.error
    assert _rows(user) == [("system", "complete"), ("learner", "complete"), ("tutor", "failed")]


def test_a_429_then_an_answer_is_retried_by_the_client(user, lesson3, fake_llm):
    session = _open(user, lesson3)
    fake_llm.reply_status(429, retry_after="3")
    fake_llm.reply_text("Hola")
    reply = services.ask_tutor(user=user, session_id=session.pk, content="Hi", now=timezone.now()).reply
    assert (reply.status, reply.content) == ("complete", "Hola")
    assert fake_llm.sleeps == [3.0]


def test_the_cost_cap_stops_the_tutor_with_a_clear_reason(user, lesson3, fake_llm, settings):
    from decimal import Decimal

    from core.llm.usage import record_call

    settings.LLM_MONTHLY_COST_CAP = "1"
    record_call(
        feature="bubbles",
        model="m",
        ok=True,
        response_id="",
        prompt_tokens=0,
        completion_tokens=0,
        cost=Decimal("1.5"),
        duration_ms=0,
    )
    session = _open(user, lesson3)

    reply = services.ask_tutor(user=user, session_id=session.pk, content="Hola?", now=timezone.now()).reply

    assert (reply.status, reply.error_code) == ("failed", "llm_cost_cap_reached")
    assert "this month's budget" in reply.error
    assert fake_llm.chat_requests() == []  # nothing was sent


def test_the_failed_reply_is_left_out_of_the_next_request(user, lesson3, fake_llm):
    session = _open(user, lesson3)
    fake_llm.reply_status(400, body="{}")
    services.ask_tutor(user=user, session_id=session.pk, content="First", now=timezone.now())
    fake_llm.reply_text("Second answer")
    services.ask_tutor(user=user, session_id=session.pk, content="Second", now=timezone.now())
    messages = fake_llm.chat_requests()[-1].body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "user"]


# --- Limits ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "Write a message"),
        ("   \n ", "Write a message"),
        ("x" * 1001, "1000 characters or fewer (it has 1001)"),
        ("a\x00b", "not text"),
        (5, "as text"),
    ],
)
def test_a_bad_message_is_refused_with_nothing_written(user, lesson3, tutor_on, content, message):
    session = _open(user, lesson3)
    with pytest.raises(InvalidMessage, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        services.send_message(user=user, session_id=session.pk, content=content, now=timezone.now())
    assert caught.value.field == "content"
    assert _rows(user) == [("system", "complete")]


def test_the_longest_message_is_accepted(user, lesson3, tutor_on):
    session = _open(user, lesson3)
    exchange = services.send_message(user=user, session_id=session.pk, content="x" * 1000, now=timezone.now())
    assert len(exchange.message.content) == 1000


def test_the_hourly_and_daily_limits(user, lesson3, tutor_on, settings):
    settings.MALLARD_TUTOR_MESSAGES_PER_HOUR = 3
    settings.MALLARD_TUTOR_MESSAGES_PER_DAY = 4
    session = _open(user, lesson3)
    now = timezone.now()

    def send(at):
        exchange = services.send_message(user=user, session_id=session.pk, content="Hola", now=at)
        services.finish_reply(reply=exchange.reply, text="ok", model="m", prompt_tokens=1, completion_tokens=1, now=at)

    for minute in (0, 10, 20):
        send(now + timedelta(minutes=minute))
    with pytest.raises(TutorRateLimited, match=r"3 messages in the last hour.*again in 39 minutes"):
        send(now + timedelta(minutes=21))
    send(now + timedelta(minutes=61))  # the first one is more than an hour old
    with pytest.raises(TutorRateLimited, match="4 messages in the last 24 hours"):
        send(now + timedelta(minutes=200))
    send(now + timedelta(days=1, minutes=1))
    assert TutorMessage.objects.filter(user=user, sender="learner").count() == 5


def test_one_reply_at_a_time_until_a_stale_one_counts_as_interrupted(user, lesson3, tutor_on):
    session = _open(user, lesson3)
    now = timezone.now()
    first = services.send_message(user=user, session_id=session.pk, content="One", now=now)
    with pytest.raises(TutorBusy):
        services.send_message(user=user, session_id=session.pk, content="Two", now=now + timedelta(seconds=5))
    later = now + timedelta(seconds=601)
    services.send_message(user=user, session_id=session.pk, content="Two", now=later)
    first.reply.refresh_from_db()
    assert (first.reply.status, first.reply.error_code) == ("failed", "interrupted")


def test_someone_elses_chat_is_not_found(user, other_user, lesson3, tutor_on):
    session = _open(user, lesson3)
    for session_id in (session.pk, "abc", 10**12):
        with pytest.raises(NotFound):
            services.send_message(user=other_user, session_id=session_id, content="Hi", now=timezone.now())
    assert _rows(other_user) == []
