"""The tutor's writes: open a chat about a lesson, send a message, write (or fail) the tutor's reply.

A reply takes three steps so that no database transaction is held open while the model answers
(it can take a minute):

1. ``send_message`` — one transaction under the learner's row lock: checks the message and the
   learner's limits, stores the learner's message and a ``pending`` reply after it.
2. the model is asked (``ask_tutor`` waits for the whole answer; ``stream_reply`` yields it piece
   by piece), with the context of ``tutor.context`` rebuilt for this reply;
3. ``finish_reply`` stores the text and token counts, or ``fail_reply`` marks the reply failed with
   a sentence for the learner — their own message stays either way.

The rules (docs/llm.md, "Ask Tutor"): a message is 1 to ``MALLARD_TUTOR_MAX_MESSAGE_CHARS``
characters; a learner sends at most ``MALLARD_TUTOR_MESSAGES_PER_HOUR`` messages in any hour and
``MALLARD_TUTOR_MESSAGES_PER_DAY`` in any 24 hours; one reply is written at a time per learner (a
reply still pending after ``MALLARD_TUTOR_REPLY_STALE_SECONDS`` counts as interrupted).
"""

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import User
from core.errors import NotFound
from core.llm.client import LLMClient, StreamUsage, is_configured
from core.llm.errors import (
    LLMBadResponse,
    LLMError,
)
from core.text import storable
from courses.models import Exercise, Lesson
from progress.models import LessonRun

from .context import build_context, prompt_messages
from .errors import InvalidMessage, NotAboutThisLesson, TutorBusy, TutorNotAvailable, TutorRateLimited
from .models import TutorMessage, TutorSession
from .texts import failure_sentence, opening_note

#: What the usage ledger (core.llm) records as the feature that asked.
FEATURE = "tutor"

Sender = TutorMessage.Sender
Status = TutorMessage.Status


def _as_written(make: Callable[[], str]) -> str:
    """A sentence of ``tutor.texts`` as the row keeps it: in the site's language, whoever's request wrote
    it (pages and the API show it in the reader's language, from the row's code or the chat's lesson)."""
    with translation.override(settings.LANGUAGE_CODE):
        return make()


def _interrupted() -> str:
    """The row's record of an interrupted reply (the page was closed, the server restarted)."""
    return _as_written(lambda: failure_sentence("interrupted"))


def tutor_available() -> bool:
    """Whether the tutor can answer at all: a model provider is configured (``LLM_BASE_URL``, ``LLM_MODEL``)."""
    return is_configured()


def _require_available() -> None:
    if not tutor_available():
        raise TutorNotAvailable()


def _lock_learner(user: User) -> None:
    """Lock the learner's row (``select_for_update(no_key=True)``): one tutor write at a time per
    learner, so the rate limits, the one-pending-reply rule and message numbers hold under races."""
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk", flat=True).first()


# --- Opening a chat ------------------------------------------------------------------------------


def _opening_note(lesson: Lesson, exercise: Exercise | None) -> str:
    return _as_written(
        lambda: opening_note(lesson_title=lesson.title, exercise_prompt=exercise.prompt if exercise is not None else "")
    )


def start_session(
    *, user: User, lesson_slug: str, run_id: int | None = None, exercise_id: int | None = None, now: datetime
) -> TutorSession:
    """Open (or reopen) the learner's chat about a lesson, from a run and an exercise's feedback.

    The same lesson, run and exercise again gives the same chat (a double click opens one). An
    unknown or unpublished lesson, or someone else's run, is ``NotFound``; an exercise outside the
    lesson is ``NotAboutThisLesson``. Refused with ``TutorNotAvailable`` when no model is configured.
    Locks the learner's row."""
    _require_available()
    lesson = Lesson.objects.visible().filter(slug=lesson_slug).first()
    if lesson is None:
        raise NotFound(_("No such lesson."))
    run = None
    if run_id is not None:
        run = LessonRun.objects.filter(pk=run_id, user=user).first()
        if run is None or (run.lesson_id != lesson.pk and run.kind != LessonRun.Kind.REVIEW):
            raise NotFound(_("No such run."))
    exercise = None
    if exercise_id is not None:
        exercise = Exercise.objects.visible().filter(pk=exercise_id, lesson_links__lesson=lesson).first()
        if exercise is None:
            raise NotAboutThisLesson()
    with transaction.atomic():
        _lock_learner(user)
        session = TutorSession.objects.filter(user=user, lesson=lesson, run=run, exercise=exercise).first()
        if session is not None:
            return session
        session = TutorSession.objects.create(
            user=user, lesson=lesson, run=run, exercise=exercise, created_at=now, updated_at=now
        )
        TutorMessage.objects.create(
            session=session,
            user=user,
            ordinal=1,
            sender=Sender.SYSTEM,
            content=_opening_note(lesson, exercise),
            created_at=now,
            completed_at=now,
        )
    return session


# --- Sending a message ---------------------------------------------------------------------------


def clean_message(content: object) -> str:
    """The learner's message, trimmed; ``InvalidMessage`` (field ``content``) when it is empty, too
    long or not storable text."""
    if not isinstance(content, str):
        raise InvalidMessage(_("Write your message as text."))
    text = content.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidMessage(_("Write a message for the tutor."))
    limit = settings.MALLARD_TUTOR_MAX_MESSAGE_CHARS
    if len(text) > limit:
        raise InvalidMessage(
            _("Keep your message to %(limit)s characters or fewer (it has %(length)s).")
            % {"limit": limit, "length": len(text)}
        )
    if not storable(text):
        raise InvalidMessage(_("Your message contains characters that are not text."))
    return text


#: The rate limits' refusals (plural by the minutes to wait; the limit is always several messages).
_RATE_LIMITED_HOUR = ngettext_lazy(
    "You have sent the tutor %(limit)s messages in the last hour, the most it takes. "
    "You can write again in %(minutes)s minute.",
    "You have sent the tutor %(limit)s messages in the last hour, the most it takes. "
    "You can write again in %(minutes)s minutes.",
    "minutes",
)
_RATE_LIMITED_DAY = ngettext_lazy(
    "You have sent the tutor %(limit)s messages in the last 24 hours, the most it takes. "
    "You can write again in %(minutes)s minute.",
    "You have sent the tutor %(limit)s messages in the last 24 hours, the most it takes. "
    "You can write again in %(minutes)s minutes.",
    "minutes",
)


def _check_rate(user: User, now: datetime) -> None:
    for limit, window, sentence in (
        (settings.MALLARD_TUTOR_MESSAGES_PER_HOUR, timedelta(hours=1), _RATE_LIMITED_HOUR),
        (settings.MALLARD_TUTOR_MESSAGES_PER_DAY, timedelta(days=1), _RATE_LIMITED_DAY),
    ):
        sent = list(
            TutorMessage.objects.filter(user=user, sender=Sender.LEARNER, created_at__gt=now - window)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        if len(sent) >= limit:
            free_at = sent[-1] + window
            minutes = max(math.ceil((free_at - now).total_seconds() / 60), 1)
            raise TutorRateLimited(sentence % {"limit": limit, "minutes": minutes})


def _check_not_busy(user: User, now: datetime) -> None:
    pending = TutorMessage.objects.filter(user=user, sender=Sender.TUTOR, status=Status.PENDING)
    stale_before = now - timedelta(seconds=settings.MALLARD_TUTOR_REPLY_STALE_SECONDS)
    pending.filter(created_at__lte=stale_before).update(
        status=Status.FAILED, error=_interrupted(), error_code="interrupted", completed_at=now
    )
    if pending.filter(created_at__gt=stale_before).exists():
        raise TutorBusy()


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise NotFound(_("No such tutor chat.")) from None


@dataclass(frozen=True)
class Exchange:
    """The learner's stored message and the tutor's reply to it (pending, complete or failed)."""

    session: TutorSession
    message: TutorMessage
    reply: TutorMessage


def send_message(*, user: User, session_id: int | str, content: object, now: datetime) -> Exchange:
    """Store the learner's message and a pending reply after it; the model is not asked yet.

    Refused, with nothing written: ``TutorNotAvailable`` (no model configured), ``NotFound``
    (someone else's or an unknown chat), ``InvalidMessage``, ``TutorRateLimited``, ``TutorBusy``.
    Locks the learner's row."""
    _require_available()
    text = clean_message(content)
    with transaction.atomic():
        _lock_learner(user)
        session = TutorSession.objects.select_related("lesson").filter(pk=_pk(session_id), user=user).first()
        if session is None:
            raise NotFound(_("No such tutor chat."))
        session.user = user
        _check_not_busy(user, now)
        _check_rate(user, now)
        last = TutorMessage.objects.filter(session=session).aggregate(last=Max("ordinal"))["last"] or 0
        message = TutorMessage.objects.create(
            session=session,
            user=user,
            ordinal=last + 1,
            sender=Sender.LEARNER,
            content=text,
            created_at=now,
            completed_at=now,
        )
        reply = TutorMessage.objects.create(
            session=session, user=user, ordinal=last + 2, sender=Sender.TUTOR, status=Status.PENDING, created_at=now
        )
        session.updated_at = now
        session.save(update_fields=["updated_at"])
    return Exchange(session=session, message=message, reply=reply)


# --- The reply ---------------------------------------------------------------------------------------


def reply_failure(exc: BaseException) -> tuple[str, str]:
    """``(sentence for the learner as the row keeps it, code)`` for a provider error (``tutor.texts``
    puts the code into the reader's words). The learner's message is kept."""
    code = exc.code if isinstance(exc, LLMError) else "error"
    return _as_written(lambda: failure_sentence(code)), code


def finish_reply(
    *, reply: TutorMessage, text: str, model: str, prompt_tokens: int, completion_tokens: int, now: datetime
) -> TutorMessage:
    """Store a finished reply. Only a pending reply is changed (one already marked interrupted stays so)."""
    TutorMessage.objects.filter(pk=reply.pk, status=Status.PENDING).update(
        status=Status.COMPLETE,
        content=text,
        model=model[:200],
        prompt_tokens=max(prompt_tokens, 0),
        completion_tokens=max(completion_tokens, 0),
        completed_at=now,
    )
    reply.refresh_from_db()
    return reply


def fail_reply(*, reply: TutorMessage, error: str, code: str, partial: str = "", now: datetime) -> TutorMessage:
    """Mark a pending reply failed, keeping whatever text had arrived and the reason for the learner."""
    TutorMessage.objects.filter(pk=reply.pk, status=Status.PENDING).update(
        status=Status.FAILED, content=partial, error=error[:300], error_code=code[:40], completed_at=now
    )
    reply.refresh_from_db()
    return reply


def _fail_with(reply: TutorMessage, exc: BaseException, partial: str = "") -> TutorMessage:
    error, code = reply_failure(exc)
    tokens = {}
    if isinstance(exc, LLMError):
        tokens = {"prompt_tokens": exc.prompt_tokens, "completion_tokens": exc.completion_tokens}
    reply = fail_reply(reply=reply, error=error, code=code, partial=partial, now=timezone.now())
    if any(tokens.values()):
        TutorMessage.objects.filter(pk=reply.pk).update(**tokens)
        reply.refresh_from_db()
    return reply


def _chat_for(exchange: Exchange) -> list[dict[str, str]]:
    context = build_context(session=exchange.session)
    return prompt_messages(session=exchange.session, context=context, upto_ordinal=exchange.message.ordinal)


def ask_tutor(*, user: User, session_id: int | str, content: object, now: datetime) -> Exchange:
    """Send a message and wait for the whole reply (the page without JavaScript, the API).

    The refusals of ``send_message`` propagate with nothing written; a provider failure (timeout,
    429, 5xx, unusable answer, cost cap) does not: the reply is stored as failed with its reason."""
    exchange = send_message(user=user, session_id=session_id, content=content, now=now)
    reply = exchange.reply
    try:
        completion = LLMClient(feature=FEATURE).complete(
            _chat_for(exchange), max_tokens=settings.MALLARD_TUTOR_MAX_REPLY_TOKENS
        )
    except LLMError as exc:
        reply = _fail_with(reply, exc)
    except BaseException as exc:
        _fail_with(reply, exc)
        raise
    else:
        reply = finish_reply(
            reply=reply,
            text=completion.text,
            model=completion.model,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            now=timezone.now(),
        )
    return Exchange(session=exchange.session, message=exchange.message, reply=reply)


@dataclass(frozen=True)
class ReplyEvent:
    """One step of a streamed reply: ``delta`` (a piece of text), then ``done`` or ``failed`` (with
    the stored reply)."""

    kind: str
    text: str = ""
    reply: TutorMessage | None = None


def stream_reply(*, exchange: Exchange) -> Generator[ReplyEvent]:
    """Ask the model for the reply of ``exchange`` and yield it as it arrives, then store it.

    Always ends with ``done`` or ``failed``. If the consumer stops early (the page was closed: the
    generator is closed), the reply is stored as interrupted with the text so far."""
    reply = exchange.reply
    parts: list[str] = []
    finished = False
    try:
        try:
            stream = LLMClient(feature=FEATURE).stream(
                _chat_for(exchange), max_tokens=settings.MALLARD_TUTOR_MAX_REPLY_TOKENS
            )
            with stream:
                for item in stream:
                    if isinstance(item, StreamUsage):
                        reply = finish_reply(
                            reply=reply,
                            text=item.text,
                            model=item.model,
                            prompt_tokens=item.prompt_tokens,
                            completion_tokens=item.completion_tokens,
                            now=timezone.now(),
                        )
                        finished = True
                    else:
                        parts.append(item)
                        yield ReplyEvent("delta", text=item)
        except LLMError as exc:
            finished = True
            reply = _fail_with(reply, exc, partial="".join(parts))
            yield ReplyEvent("failed", reply=reply)
            return
        if not finished:
            finished = True
            error = LLMBadResponse("The language model's stream ended without its closing usage.")
            reply = _fail_with(reply, error, partial="".join(parts))
            yield ReplyEvent("failed", reply=reply)
            return
        yield ReplyEvent("done", reply=reply)
    finally:
        if not finished:
            # Closed early (GeneratorExit) or an unexpected error: never leave the reply pending.
            fail_reply(
                reply=reply, error=_interrupted(), code="interrupted", partial="".join(parts), now=timezone.now()
            )
