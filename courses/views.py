"""The catalog (home page) and enrolment.

Views are the top layer: they may call any app's services and selectors (here ``progress``), while
the apps' own services keep to the accounts ← courses ← progress ← gamification direction.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from progress import services as progress_services
from progress.models import Enrollment

from . import selectors
from .models import Course


def home(request):
    """Published courses; a learner's own enrolments are marked (current one first)."""
    enrollments = {}
    if request.user.is_authenticated:
        enrollments = {e.course_id: e for e in Enrollment.objects.filter(user=request.user)}
    courses = list(selectors.published_courses())
    for course in courses:
        course.enrollment = enrollments.get(course.pk)
    courses.sort(key=lambda c: (c.enrollment is None, not (c.enrollment and c.enrollment.is_current)))
    return render(request, "courses/home.html", {"courses": courses, "has_enrollments": bool(enrollments)})


@login_required
@require_POST
def enroll(request, slug: str):
    """Enrol in a course (idempotent) and make it the current one, then open its path."""
    course = get_object_or_404(Course.objects.published(), slug=slug)
    try:
        progress_services.enroll(user=request.user, course=course, now=timezone.now())
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("home")
    return redirect("course_path", slug=course.slug)
