"""Playable preview pages for authors (``services.preview``): the real player, marked as a preview,
playing a lesson (draft or published) from the author's session. Staff with the permission to view
lessons only: anyone else gets 404 (not staff) or 403 (staff without the permission). Nothing is
written but the session."""

import json
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ServiceError
from core.pages import service_errors
from courses.fragments import audio_template, exercise_template
from courses.models import Exercise, Lesson

from .services import preview as previews
from .views import FRAGMENT_HEADER, _answer_from_post, _feedback_context

PERMISSION = "courses.view_lesson"


def _lesson(request, lesson_id: int) -> Lesson:
    if not request.user.is_staff:
        raise Http404(_("No such page."))
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    return get_object_or_404(
        Lesson.objects.select_related("unit__section__course__to_language").filter(owner__isnull=True), pk=lesson_id
    )


def _state(request, lesson: Lesson) -> previews.PreviewState:
    data = request.session.get(previews.SESSION_KEY)
    if not isinstance(data, dict) or data.get("lesson_id") != lesson.pk:
        raise Http404(_("No preview of this lesson is open."))
    return previews.PreviewState.from_session(data)


def _save(request, state: previews.PreviewState) -> None:
    request.session[previews.SESSION_KEY] = state.as_session()


def _urls(lesson: Lesson) -> dict:
    return {
        "answer_url": reverse("preview_answer", args=[lesson.pk]),
        "pairs_url": reverse("preview_pairs", args=[lesson.pk]),
        "quit_url": reverse("preview_quit", args=[lesson.pk]),
        "restart_url": reverse("preview_start", args=[lesson.pk]),
        "admin_url": reverse("admin:courses_lesson_change", args=[lesson.pk]),
        "lesson": lesson,
    }


@login_required
@require_POST
def start(request, lesson_id: int):
    """A fresh preview of the lesson (replacing any other), then the player."""
    lesson = _lesson(request, lesson_id)
    _save(request, previews.start_preview(lesson=lesson))
    return redirect("preview_play", lesson_id=lesson.pk)


@login_required
@require_GET
def play(request, lesson_id: int):
    lesson = _lesson(request, lesson_id)
    state = _state(request, lesson)
    exercise, public = previews.current_exercise(state)
    if exercise is None:
        return redirect("preview_done", lesson_id=lesson.pk)
    total = len(state.exercise_ids)
    return render(
        request,
        "gamification/player.html",
        {
            "state": {"lesson": lesson},
            "preview": _urls(lesson),
            "run_id": 0,  # no run: URLs that name one lead nowhere; the preview's own URLs are used
            "done": total - len(state.queue),
            "total": total,
            "hearts": state.hearts,
            "is_review": False,
            "exercise": exercise,
            "public": public,
            "form_id": "exercise-form",
            "exercise_template": exercise_template(exercise.type),
            "answer_language": lesson.unit.section.course.to_language.code,
            "audio_template": audio_template(),
            "client_id": uuid.uuid4(),
        },
    )


def _refused(request, exc: ServiceError, *, lesson_id: int):
    if request.headers.get(FRAGMENT_HEADER) == "1":
        context = {"error": str(exc), "field": getattr(exc, "field", None)}
        return render(request, "gamification/player.html#error", context, status=exc.status)
    return render(
        request,
        "gamification/preview_feedback.html",
        {"error": str(exc), "preview": {"play_url": reverse("preview_play", args=[lesson_id])}},
        status=exc.status,
    )


@login_required
@require_POST
@service_errors(on={ServiceError: _refused})
def answer(request, lesson_id: int):
    lesson = _lesson(request, lesson_id)
    state = _state(request, lesson)
    outcome = previews.preview_answer(
        state=state, exercise_id=request.POST.get("exercise"), answer=_answer_from_post(request.POST), lesson=lesson
    )
    _save(request, state)
    context = _feedback_context(0, outcome)
    finished = outcome["run_status"] != "active"
    context.update(
        {
            "next_url": reverse("preview_done" if finished else "preview_play", args=[lesson.pk]),
            "attempt_id": None,
            "run_id": None,
            "explanation": Exercise.objects.filter(pk=outcome["exercise_id"])
            .values_list("explanation", flat=True)
            .first(),
            "preview": _urls(lesson),
        }
    )
    if request.headers.get(FRAGMENT_HEADER) == "1":
        return render(request, "gamification/player.html#feedback", context)
    return render(request, "gamification/preview_feedback.html", context)


@login_required
@require_POST
def pairs(request, lesson_id: int):
    """One pair of a match exercise (the player's pair check, JSON in and out, as the run's API)."""
    lesson = _lesson(request, lesson_id)
    state = _state(request, lesson)
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"detail": _("The body must be a JSON object.")}, status=400)
    try:
        result = previews.preview_pair(
            state=state, exercise_id=body.get("exercise"), left=body.get("left"), right=body.get("right")
        )
    except ServiceError as exc:
        return JsonResponse({"detail": str(exc)}, status=exc.status)
    _save(request, state)
    return JsonResponse(result)


@login_required
@require_GET
def done(request, lesson_id: int):
    lesson = _lesson(request, lesson_id)
    state = _state(request, lesson)
    if state.status == "active":
        return redirect("preview_play", lesson_id=lesson.pk)
    first_try = sum(state.first_try.values())
    return render(
        request,
        "gamification/preview_done.html",
        {"state": state, "lesson": lesson, "preview": _urls(lesson), "first_try": first_try},
    )


@login_required
@require_POST
def quit_preview(request, lesson_id: int):
    lesson = _lesson(request, lesson_id)
    request.session.pop(previews.SESSION_KEY, None)
    return redirect("admin:courses_lesson_change", lesson.pk)
