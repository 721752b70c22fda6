"""Enrolment in a course and the learner's current course."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import NotFound
from courses.models import Course

from ..errors import NotEnrolled
from ..models import Enrollment


def lock_learner(user: User) -> None:
    """Serialise a learner's enrolment changes: a row lock on the learner (``FOR NO KEY UPDATE``, so
    rows that merely reference the user are not blocked). Two requests enrolling one learner in two
    courses at once would otherwise race on the "one current enrolment" index: each clears the other's
    ``is_current`` then inserts its own, and one fails (a deadlock, or a unique violation)."""
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk").first()


def enroll(*, user: User, course: Course, now: datetime) -> Enrollment:
    """Enrol ``user`` in ``course`` (idempotent) and make it their current course.

    Unpublished course → NotFound. Serialised per learner (``lock_learner``); a concurrent double
    enrol is also absorbed by the unique constraint.
    """
    if not course.is_published:
        raise NotFound(_("No such course."))
    # Starting a lesson enrols every time: most times the learner is already enrolled and this is
    # their current course, which one look-up shows without locking anything.
    current = Enrollment.objects.filter(user=user, course=course, is_current=True).first()
    if current is not None:
        return current
    with transaction.atomic():
        lock_learner(user)
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


def set_current_course(*, user: User, course: Course) -> Enrollment:
    """Make an existing enrolment the current one. Not enrolled → NotEnrolled."""
    with transaction.atomic():
        lock_learner(user)
        enrollment = Enrollment.objects.filter(user=user, course=course).first()
        if enrollment is None:
            raise NotEnrolled()
        Enrollment.objects.filter(user=user, is_current=True).exclude(pk=enrollment.pk).update(is_current=False)
        if not enrollment.is_current:
            enrollment.is_current = True
            enrollment.save(update_fields=["is_current"])
    return enrollment
