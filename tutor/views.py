"""Ask Tutor pages (docs/pages.md): open a chat about a lesson, read it, send a message.

Thin views over ``tutor.services`` and ``tutor.selectors``. Sending works two ways:

- **without JavaScript** the form posts, the server waits for the whole reply and redirects back
  to the chat (so a reload never sends twice), where the reply — or why it failed — is shown;
- **with** ``static/js/tutor.js`` the same form is posted by ``fetch`` with
  ``Accept: text/event-stream``, and the reply is streamed back as server-sent events
  (``message``, ``delta`` …, then ``done`` or ``failed``); a refusal (bad message, limit, busy) is
  a JSON body in the API's error shape with its status.
"""

import json
from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import NotFound, ServiceError
from core.pages import service_errors
from progress.models import LessonRun

from . import selectors, services
from .errors import InvalidMessage, TutorNotAvailable
from .forms import MessageForm
from .models import TutorMessage, TutorSession

#: What tutor.js asks for: the reply as server-sent events.
EVENT_STREAM = "text/event-stream"


def _wants_stream(request) -> bool:
    return EVENT_STREAM in request.headers.get("Accept", "")


def _optional_int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise NotFound(_("No such run or exercise.")) from None


@login_required
@require_POST
@service_errors(back="tutor_sessions")
def start(request, slug: str):
    """Open (or reopen) the chat about a lesson, from a run's feedback or end screen."""
    session = services.start_session(
        user=request.user,
        lesson_slug=slug,
        run_id=_optional_int(request.POST.get("run")),
        exercise_id=_optional_int(request.POST.get("exercise")),
        now=timezone.now(),
    )
    return redirect("tutor_session", session_id=session.pk)


@login_required
@require_GET
def sessions(request):
    """The learner's chats, most recent first."""
    return render(
        request,
        "tutor/sessions.html",
        {"sessions": selectors.sessions_of(user=request.user)[:100], "available": services.tutor_available()},
    )


def _back_link(session: TutorSession) -> tuple[str, str]:
    """Where "back" goes: the run being played, its end screen, or the course's path."""
    run = session.run
    if run is not None and run.status == LessonRun.Status.ACTIVE:
        return reverse("run", args=[run.pk]), "Back to the lesson"
    if run is not None:
        return reverse("run_done", args=[run.pk]), "Back to the results"
    return reverse("course_path", args=[session.lesson.unit.section.course.slug]), "Back to the course"


def _render_session(request, session_id, *, form: MessageForm | None = None, error: str = "", status: int = 200):
    chat = selectors.conversation(user=request.user, session_id=session_id)
    back_url, back_label = _back_link(chat.session)
    return render(
        request,
        "tutor/session.html",
        {
            "session": chat.session,
            "lesson": chat.session.lesson,
            "course": chat.session.lesson.unit.section.course,
            "chat_messages": chat.messages,
            "pending": any(m.status == TutorMessage.Status.PENDING for m in chat.messages),
            "available": services.tutor_available(),
            "form": form or MessageForm(),
            "error": error,
            "back_url": back_url,
            "back_label": back_label,
            "max_chars": settings.MALLARD_TUTOR_MAX_MESSAGE_CHARS,
        },
        status=status,
    )


@login_required
@require_GET
@service_errors()
def session(request, session_id: int):
    """One chat: every message in order, failed replies marked, and the message form."""
    return _render_session(request, session_id)


def _error_json(exc: ServiceError) -> JsonResponse:
    fields = {exc.field: [exc.message]} if exc.field else {}
    return JsonResponse({"error": exc.code, "detail": exc.message, "fields": fields}, status=exc.status)


def _message_json(message: TutorMessage) -> dict:
    return {
        "id": message.pk,
        "ordinal": message.ordinal,
        "sender": message.sender,
        "status": message.status,
        "content": message.shown_content,
        "error": message.shown_error,
        "error_code": message.error_code,
        "prompt_tokens": message.prompt_tokens,
        "completion_tokens": message.completion_tokens,
        "created_at": message.created_at.isoformat(),
    }


def _event(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _events(exchange: services.Exchange) -> Iterator[bytes]:
    """The SSE body. A generator, so that Django closes it when the client goes away (the service
    then stores the reply as interrupted)."""
    yield _event("message", _message_json(exchange.message))
    replies = services.stream_reply(exchange=exchange)
    try:
        for event in replies:
            if event.kind == "delta":
                yield _event("delta", {"text": event.text})
            elif event.reply is not None:
                yield _event(event.kind, _message_json(event.reply))
    finally:
        replies.close()


def _refused(request, session_id: int, form: MessageForm, exc: ServiceError, *, stream: bool) -> HttpResponse:
    if stream:
        return _error_json(exc)
    if isinstance(exc, TutorNotAvailable):
        messages.error(request, exc.message)
        return redirect("tutor_session", session_id=session_id)
    # The form comes back with what the learner typed and the reason (too long, the limits, busy).
    if isinstance(exc, InvalidMessage) and not form.errors:
        form.add_error("content", exc.message)
    return _render_session(request, session_id, form=form, error="" if form.errors else exc.message, status=exc.status)


@login_required
@require_POST
@service_errors()
def send(request, session_id: int):
    """Send a message: a redirect to the chat with the whole reply (no JS), or the reply streamed
    as server-sent events (tutor.js). Refusals change nothing and keep what the learner typed."""
    stream = _wants_stream(request)
    form = MessageForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidMessage(str(form.errors["content"][0]))
        write = services.send_message if stream else services.ask_tutor
        exchange = write(
            user=request.user, session_id=session_id, content=form.cleaned_data["content"], now=timezone.now()
        )
    except NotFound:
        raise
    except ServiceError as exc:
        return _refused(request, session_id, form, exc, stream=stream)
    if stream:
        response = StreamingHttpResponse(_events(exchange), content_type=EVENT_STREAM)
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
        return response
    return redirect(f"{reverse('tutor_session', args=[session_id])}#message-{exchange.reply.ordinal}")
