"""The catalog (home page), enrolment and the learner's path through a course (docs/pages.md).

Thin views: they parse the request, call one service or selector of ``progress`` and render;
``core.pages.service_errors`` turns the services' errors into pages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core.pages import service_errors
from courses import selectors as course_selectors
from courses.fragments import audio_template
from courses.models import Course
from courses.structure import visible_course

from . import fragments, selectors, services
from .models import Enrollment, ExerciseAttempt


def home(request):
    """Published courses; a learner's own enrolments are marked (current one first)."""
    enrollments = {}
    if request.user.is_authenticated:
        # Each with the learner's XP and time in the course, in the same query (selectors.with_course_figures).
        mine = selectors.with_course_figures(Enrollment.objects.filter(user=request.user), user=request.user)
        enrollments = {e.course_id: e for e in mine}
        for enrollment in enrollments.values():
            enrollment.minutes_spent = (enrollment.seconds_spent + 30) // 60  # to the nearest minute
    courses = list(course_selectors.published_courses())
    for course in courses:
        course.enrollment = enrollments.get(course.pk)
    courses.sort(key=lambda c: (c.enrollment is None, not (c.enrollment and c.enrollment.is_current)))
    return render(request, "progress/home.html", {"courses": courses, "has_enrollments": bool(enrollments)})


@login_required
@require_POST
@service_errors(back="home")
def enroll(request, slug: str):
    """Enrol in a course (idempotent) and make it the current one, then open its path."""
    course = get_object_or_404(Course.objects.visible(), slug=slug)
    services.enroll(user=request.user, course=course, now=timezone.now())
    return redirect("course_path", slug=course.slug)


@login_required
@require_GET
def course_path(request, slug: str):
    """The learner's path through a course, one section at a time: the section holding the next lesson
    (or the one ``?section=`` names) in full, the others as short cards that open theirs. The course and
    its structure come from the cache (``courses.structure``), and so does each shown unit's HTML that
    every learner sees the same (``progress.fragments``); the learner's state is overlaid from their rows."""
    course = visible_course(slug)
    if course is None:
        raise Http404("No such course.")
    path = selectors.course_path(user=request.user, course=course, now=timezone.now(), words=False)
    shown = path.shown_section(request.GET.get("section"))
    if shown is not None:
        fragments.attach_unit_html(
            course=course, version=path.content_version, units=shown.units, quality=request.user.audio_quality
        )
    context = {"course": course, "path": path, "shown": shown, "next_section": path.shown_section()}
    return render(request, "progress/path.html", context)


@login_required
@require_GET
def course_words(request, slug: str):
    """Every word of the course the learner has practised: strength now, last practice, due date."""
    course = get_object_or_404(Course.objects.visible().select_related("to_language"), slug=slug)
    order = request.GET.get("order", "recent")
    if order not in selectors.WORD_ORDERS:
        order = "recent"
    words = selectors.course_words(user=request.user, course=course, now=timezone.now(), order=order)
    return render(
        request,
        "progress/words.html",
        {
            "course": course,
            "words": words,
            "order": order,
            "orders": [("recent", "Recently practised"), ("weakest", "Weakest first"), ("alphabetical", "A to Z")],
            "audio_template": audio_template(),
        },
    )


def _feedback_of_attempt(request, attempt_id: int) -> str:
    """The feedback page of one of the learner's answers (where a report's error is shown)."""
    run_id = ExerciseAttempt.objects.filter(pk=attempt_id, user=request.user).values_list("run_id", flat=True).first()
    if run_id is None:
        return reverse("home")
    return reverse("answer_feedback", kwargs={"run_id": run_id, "attempt_id": attempt_id})


@login_required
@require_POST
@service_errors(back=_feedback_of_attempt)
def report_problem(request, attempt_id: int):
    """Report a problem with the exercise of one of the learner's answers, from its feedback (plain form
    POST, with or without the player's script) → back to the answer's feedback page."""
    _report, created = services.report_problem(
        user=request.user,
        attempt_id=attempt_id,
        kind=request.POST.get("kind", ""),
        message=request.POST.get("message", ""),
        now=timezone.now(),
    )
    if created:
        messages.success(request, _("Thank you: your report was sent to the course's authors."))
    else:
        messages.info(request, _("You had already reported this answer; nothing was sent twice."))
    return redirect(_feedback_of_attempt(request, attempt_id))
