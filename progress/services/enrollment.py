"""Enrolment in a course and the learner's current course."""

from datetime import datetime

from django.db import IntegrityError, transaction

from core.errors import NotFound
from courses.models import Course

from ..errors import NotEnrolled
from ..models import Enrollment


def enroll(*, user, course: Course, now: datetime) -> Enrollment:
    """Enrol ``user`` in ``course`` (idempotent) and make it their current course.

    Unpublished course → NotFound. A concurrent double enrol is absorbed by the unique constraint.
    """
    if not course.is_published:
        raise NotFound("No such course.")
    with transaction.atomic():
        Enrollment.objects.filter(user=user, is_current=True).exclude(course=course).update(is_current=False)
        try:
            with transaction.atomic():
                enrollment, created = Enrollment.objects.get_or_create(
                    user=user, course=course, defaults={"enrolled_at": now, "is_current": True, "last_active_at": now}
                )
        except IntegrityError:
            enrollment, created = Enrollment.objects.get(user=user, course=course), False
        if not created and not enrollment.is_current:
            enrollment.is_current = True
            enrollment.save(update_fields=["is_current"])
    return enrollment


def set_current_course(*, user, course: Course) -> Enrollment:
    """Make an existing enrolment the current one. Not enrolled → NotEnrolled."""
    with transaction.atomic():
        enrollment = Enrollment.objects.filter(user=user, course=course).first()
        if enrollment is None:
            raise NotEnrolled()
        Enrollment.objects.filter(user=user, is_current=True).exclude(pk=enrollment.pk).update(is_current=False)
        if not enrollment.is_current:
            enrollment.is_current = True
            enrollment.save(update_fields=["is_current"])
    return enrollment
