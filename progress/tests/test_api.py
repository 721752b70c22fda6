"""API: enrolment and the learner's path."""

import pytest

from core.tests.api import API, assert_error, client_for
from courses.tests.sample_courses import new_course
from progress.models import Enrollment

pytestmark = pytest.mark.django_db


def test_enrol_is_idempotent_and_makes_the_course_current(user):
    api = client_for(user)
    first, _ = new_course()
    second, _ = new_course()
    body = api.post(f"{API}courses/{first.slug}/enrol/").json()
    assert body["course"] == first.slug and body["is_current"] is True
    api.post(f"{API}courses/{second.slug}/enrol/")
    again = api.post(f"{API}courses/{first.slug}/enrol/")
    assert again.status_code == 200 and again.json()["is_current"] is True
    assert Enrollment.objects.filter(user=user).count() == 2
    assert Enrollment.objects.get(user=user, is_current=True).course == first


def test_enrol_unknown_course_is_404(user):
    assert_error(client_for(user).post(f"{API}courses/nope/enrol/"), 404, "not_found")


def test_path_shows_lock_state_tier_and_next_lesson(user):
    course, lessons = new_course()
    body = client_for(user).get(f"{API}courses/{course.slug}/path/").json()
    (section,) = body["sections"]
    (unit,) = section["units"]
    states = [(lesson["slug"], lesson["state"], lesson["tier"], lesson["is_next"]) for lesson in unit["lessons"]]
    assert states == [(lessons[0].slug, "open", 0, True), (lessons[1].slug, "locked", 0, False)]
    assert body["next_lesson"] == lessons[0].slug
    assert (body["lessons_total"], body["lessons_passed"], body["completion_pct"]) == (2, 0, 0)
    assert body["course"]["slug"] == course.slug


def test_path_of_unknown_course_is_404(user):
    assert_error(client_for(user).get(f"{API}courses/nope/path/"), 404, "not_found")
