"""Checkpoints on the path (page and API): between units, their state, "Jump here" on a unit not reached
yet when the checkpoint before it can be taken, the jump itself, and fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.tests.api import API, assert_error, client_for
from courses.tests.factories import CheckpointFactory
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.tests.helpers import answer, pass_lesson
from progress import selectors

pytestmark = pytest.mark.django_db


def course_with_checkpoints():
    """Three units of two lessons; units 1 and 2 end with a checkpoint."""
    course, lessons = make_course(units=3, lessons_per_unit=2, exercises=2)
    first = CheckpointFactory(unit=lessons[0].unit, draw=3, title="Unit 1 test")
    second = CheckpointFactory(unit=lessons[2].unit, draw=3, time_limit_sec=120)
    return course, lessons, first, second


def test_the_path_places_checkpoints_and_offers_jump_here_one_unit_ahead(user):
    course, _lessons, first, second = course_with_checkpoints()
    path = selectors.course_path(user=user, course=course)
    units = path.sections[0].units
    assert [u.checkpoint and u.checkpoint.slug for u in units] == [first.slug, second.slug, None]
    assert (units[0].checkpoint.state, units[1].checkpoint.state) == ("available", "locked")
    assert (units[0].checkpoint.title, units[1].checkpoint.title) == ("Unit 1 test", f"Checkpoint: {units[1].title}")
    assert units[0].checkpoint.items == 3 and units[1].checkpoint.time_limit_sec == 120
    # Unit 2 is not reached and the checkpoint before it can be taken: Jump here. Unit 3: its checkpoint is locked.
    assert [u.jump and u.jump.slug for u in units] == [None, first.slug, None]


def test_jumping_ahead_opens_the_next_unit_and_moves_jump_here_along(user):
    course, lessons, first, second = course_with_checkpoints()
    now = timezone.now()
    run = services.start_checkpoint_run(user=user, checkpoint=first.slug, now=now)
    for _ in run.exercise_ids:
        answer(user, run, now=now)
    path = selectors.course_path(user=user, course=course)
    units = path.sections[0].units
    assert [le.state for u in units for le in u.lessons] == ["passed", "passed", "open", "locked", "locked", "locked"]
    assert units[0].checkpoint.state == "passed" and units[1].checkpoint.state == "available"
    assert [u.jump and u.jump.slug for u in units] == [None, None, second.slug]
    assert path.completion_pct == 33 and path.next_lesson.id == lessons[2].pk


def test_a_failed_checkpoint_shows_when_it_can_be_taken_again(user):
    course, _lessons, first, _ = course_with_checkpoints()
    now = timezone.now()
    run = services.start_checkpoint_run(user=user, checkpoint=first.slug, now=now)
    for _ in run.exercise_ids:
        answer(user, run, now=now, correct=False)
    units = selectors.course_path(user=user, course=course, now=now + timedelta(minutes=5)).sections[0].units
    assert units[0].checkpoint.state == "cooling_down"
    assert units[0].checkpoint.retry_at == now + timedelta(minutes=60)
    assert units[1].jump is None  # cannot be taken now


def test_path_page_between_units_jump_here_and_the_checkpoint_form(client, user):
    course, lessons, first, _ = course_with_checkpoints()
    client.force_login(user)
    page = client.get(reverse("course_path", args=[course.slug])).content.decode()
    assert f'id="checkpoint-{first.slug}"' in page
    assert page.index(f'id="unit-{lessons[0].unit.slug}"') < page.index(f'id="checkpoint-{first.slug}"')
    assert page.index(f'id="checkpoint-{first.slug}"') < page.index(f'id="unit-{lessons[2].unit.slug}"')
    assert "Jump here" in page and reverse("start_checkpoint", args=[first.slug]) in page
    assert "3 questions" in page and "80% right to pass" in page
    started = client.post(reverse("start_checkpoint", args=[first.slug]))
    assert started.status_code == 302 and "/runs/" in started.url
    player = client.get(started.url).content.decode()
    assert "Unit 1 test" in player and "♾️" in player


def test_starting_a_locked_checkpoint_from_the_page_says_why(client, user):
    course, _, _, second = course_with_checkpoints()
    client.force_login(user)
    response = client.post(reverse("start_checkpoint", args=[second.slug]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("course_path", args=[course.slug])
    assert "This checkpoint is locked" in response.content.decode()
    assert client.post(reverse("start_checkpoint", args=["no-such-checkpoint"])).status_code == 404


def test_path_api_carries_checkpoints_and_jump(user):
    course, _, first, second = course_with_checkpoints()
    api = client_for(user)
    body = api.get(f"{API}courses/{course.slug}/path/").json()
    units = body["sections"][0]["units"]
    assert units[0]["checkpoint"] == {
        "slug": first.slug,
        "title": "Unit 1 test",
        "state": "available",
        "retry_at": None,
        "pass_percent": 80,
        "time_limit_sec": None,
        "items": 3,
    }
    assert units[1]["jump"]["slug"] == first.slug and units[2]["checkpoint"] is None
    assert body["sections"][0]["checkpoint"] is None
    locked = api.post(f"{API}checkpoints/{second.slug}/runs/")
    assert_error(locked, 409, "checkpoint_locked")
    started = api.post(f"{API}checkpoints/{first.slug}/runs/")
    assert started.status_code == 201
    run = started.json()
    assert (run["kind"], run["checkpoint"], run["lesson"], run["total"]) == ("checkpoint", first.slug, None, 3)
    assert_error(api.post(f"{API}checkpoints/no-such-one/runs/"), 404, "not_found")
    assert_error(api.post(f"{API}checkpoints/Bad%20Slug/runs/"), 404, "not_found")


def test_course_path_takes_two_queries_and_three_with_checkpoints_reached(user, django_assert_num_queries):
    plain, _plain_lessons = make_course(units=1, lessons_per_unit=1, exercises=1)
    course, lessons, _first, _ = course_with_checkpoints()
    pass_lesson(user, lessons[0])
    CheckpointFactory(unit=None, section=lessons[0].unit.section, draw=None)
    selectors.course_path(user=user, course=plain)  # each course's structure is read once, then cached
    selectors.course_path(user=user, course=course)
    # lesson progress and words; the checkpoints are the structure's, the learner's records one more query
    with django_assert_num_queries(2):
        selectors.course_path(user=user, course=plain)
    with django_assert_num_queries(3):
        path = selectors.course_path(user=user, course=course)
    assert path.sections[0].checkpoint is not None
