"""Enrolment: idempotent, one current course, published courses only."""

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import NotFound
from courses.tests.sample_courses import make_course
from progress.errors import NotEnrolled
from progress.models import Enrollment
from progress.services import enroll, set_current_course

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_enroll_is_idempotent_and_switches_the_current_course(user):
    first, _ = make_course()
    second, _ = make_course()
    a = enroll(user=user, course=first, now=T0)
    assert enroll(user=user, course=first, now=T0 + timedelta(days=1)).pk == a.pk
    enroll(user=user, course=second, now=T0)
    assert list(Enrollment.objects.filter(user=user, is_current=True).values_list("course", flat=True)) == [second.pk]
    set_current_course(user=user, course=first)
    assert Enrollment.objects.get(user=user, is_current=True).course == first
    assert Enrollment.objects.get(user=user, course=first).enrolled_at == T0
    assert Enrollment.objects.filter(user=user).count() == 2


def test_enroll_in_unpublished_course_and_switch_to_unenrolled(user):
    course, _ = make_course()
    other, _ = make_course()
    course.is_published = False
    course.save()
    with pytest.raises(NotFound):
        enroll(user=user, course=course, now=T0)
    with pytest.raises(NotEnrolled):
        set_current_course(user=user, course=other)
    assert not Enrollment.objects.exists()
