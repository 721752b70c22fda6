"""The learner's bubble pages: the list with the request form, one bubble (progress, content, play).

Hidden (404) when no language model is configured. Thin: each view calls one service or selector.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core.llm.config import is_configured
from core.pages import service_errors
from courses.models import Course
from progress.models import Enrollment

from . import selectors, services, tasks
from .errors import DuplicateBubble
from .models import Bubble, Level


def _enabled(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_configured():
            raise Http404(_("Bubbles need a language model."))
        return view(request, *args, **kwargs)

    return wrapper


def _to_existing(request, exc: DuplicateBubble, **kwargs):
    messages.info(request, _("You already have a bubble on this topic: here it is."))
    if exc.bubble_id:
        return redirect("bubbles:detail", bubble_id=exc.bubble_id)
    return redirect("bubbles:list")


@login_required
@_enabled
@require_GET
def bubble_list(request):
    courses = (
        Course.objects.visible()
        .filter(pk__in=Enrollment.objects.filter(user=request.user).values("course_id"))
        .order_by("title")
    )
    return render(
        request,
        "bubbles/list.html",
        {"bubbles": selectors.bubbles_of(user=request.user), "courses": courses, "levels": Level.values},
    )


@login_required
@_enabled
@require_POST
@service_errors(back="bubbles:list", on={DuplicateBubble: _to_existing})
def request_bubble(request):
    bubble = services.request_bubble(
        user=request.user,
        course=_int(request.POST.get("course")),
        topic=request.POST.get("topic", ""),
        level=request.POST.get("level", ""),
        now=timezone.now(),
    )
    tasks.enqueue(bubble.pk)
    return redirect("bubbles:detail", bubble_id=bubble.pk)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


@login_required
@_enabled
@require_GET
@service_errors()
def bubble_detail(request, bubble_id: int):
    bubble = selectors.own_bubble(user=request.user, bubble_id=bubble_id)
    if bubble.status == Bubble.Status.READY:
        services.record_sentence_reviews(user=request.user, bubble=bubble)
    progress = selectors.phase_progress(bubble=bubble)
    sheet_open = bubble.status == Bubble.Status.READY and selectors.study_sheet_open(user=request.user, bubble=bubble)
    return render(
        request,
        "bubbles/detail.html",
        {
            "bubble": bubble,
            "progress": progress,
            "percent": selectors.percent_done(progress),
            "working": bubble.status in (Bubble.Status.PENDING, Bubble.Status.RUNNING),
            "failed_step": next((p for p in progress if p.status == "failed"), None),
            "sheet_open": sheet_open,
            "sentences": bubble.sentences.all() if sheet_open else [],
            "words": bubble.words.all() if sheet_open else [],
            "dialogue": bubble.dialogue.select_related("audio").prefetch_related("audio__variants")
            if sheet_open
            else [],
            "due_sentences": selectors.due_sentences(bubble=bubble),
        },
    )


@login_required
@_enabled
@require_POST
@service_errors(back=lambda request, bubble_id: reverse("bubbles:detail", args=[bubble_id]))
def retry(request, bubble_id: int):
    bubble = services.retry_bubble(user=request.user, bubble_id=bubble_id)
    tasks.enqueue(bubble.pk)
    return redirect("bubbles:detail", bubble_id=bubble.pk)
