"""Per-course figures: the XP a learner earned in a course (their runs') and the time they spent
answering in it (each answer counted as the day's study time counts it), on the course card of the
home page and in the API's path, in a fixed number of queries whatever the number of courses."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.tests.api import API, client_for
from courses.tests.factories import CourseFactory, LanguageFactory, LessonFactory
from progress import selectors
from progress.rules import MAX_SECONDS_PER_ANSWER, answer_seconds
from progress.tests.factories import EnrollmentFactory, ExerciseAttemptFactory, LessonRunFactory

pytestmark = pytest.mark.django_db

#: Reported answer times (ms) and the seconds each counts: half up, capped.
TIMES = [(1_499, 1), (2_500, 3), (4_600, 5), (900_000, MAX_SECONDS_PER_ANSWER), (0, 0)]


def published_course(slug: str):
    course = CourseFactory(slug=slug, is_published=True, to_language=LanguageFactory(code=slug, name=slug.upper()))
    lesson = LessonFactory(unit__section__course=course, unit__section__is_published=True, unit__is_published=True)
    return course, lesson


def activity(user, lesson, *, xp: int, times: list[int], kind: str = "lesson"):
    run = LessonRunFactory(user=user, lesson=lesson, kind=kind, xp_earned=xp)
    for ms in times:
        ExerciseAttemptFactory(run=run, time_spent_ms=ms)
    return run


@pytest.fixture
def world():
    learner = UserFactory()
    spanish, es_lesson = published_course("es")
    french, fr_lesson = published_course("fr")
    EnrollmentFactory(user=learner, course=spanish, is_current=True)
    EnrollmentFactory(user=learner, course=french, is_current=False)
    activity(learner, es_lesson, xp=30, times=[ms for ms, _ in TIMES])
    activity(learner, es_lesson, xp=10, times=[61_000], kind="review")
    activity(learner, fr_lesson, xp=20, times=[10_000])
    activity(UserFactory(), es_lesson, xp=500, times=[100_000])  # another learner: never counted
    return {"learner": learner, "spanish": spanish, "french": french}


def test_figures_sum_the_runs_xp_and_the_answers_seconds(world, django_assert_num_queries):
    learner = world["learner"]
    assert [answer_seconds(ms) for ms, _ in TIMES] == [s for _, s in TIMES]
    with django_assert_num_queries(1):
        spanish = selectors.course_figures(user=learner, course=world["spanish"])
    assert spanish == selectors.CourseFigures(xp_earned=40, seconds_spent=sum(s for _, s in TIMES) + 61)
    assert selectors.course_figures(user=learner, course=world["french"]).seconds_spent == 10
    assert selectors.course_figures(user=UserFactory(), course=world["french"]) == selectors.CourseFigures(0, 0)


def test_the_course_cards_show_them_in_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    learner = world["learner"]
    client.force_login(learner)
    client.get(reverse("home"))  # warm the session and the content-type caches
    with django_assert_num_queries(5) as two_courses:
        page = client.get(reverse("home")).content.decode()
    assert "40 XP earned · 6 minutes spent" in page  # 370 s, to the nearest minute
    assert "20 XP earned · 0 minutes spent" in page

    for slug in ("de", "it", "pt"):  # more courses, more runs: the same queries
        course, lesson = published_course(slug)
        EnrollmentFactory(user=learner, course=course, is_current=False)
        activity(learner, lesson, xp=10, times=[5_000, 5_000])
    with django_assert_num_queries(len(two_courses.captured_queries)):
        page = client.get(reverse("home")).content.decode()
    assert page.count("10 XP earned · 0 minutes spent") == 3


def test_the_api_path_carries_them(world, django_assert_num_queries):
    api = client_for(world["learner"])
    body = api.get(f"{API}courses/es/path/").json()
    assert (body["xp_earned"], body["seconds_spent"]) == (40, 370)
    assert api.get(f"{API}courses/fr/path/").json()["xp_earned"] == 20
    # token 1 + the published course 1 + the learner's lesson progress 1 (the tree, words and
    # checkpoints come from its cached structure: courses.structure; no checkpoint reached, so no
    # checkpoint records are read) + the figures 1
    with django_assert_num_queries(4):
        api.get(f"{API}courses/es/path/")
    activity(world["learner"], LessonFactory(unit__section__course=world["spanish"]), xp=5, times=[1_000] * 5)
    api.get(f"{API}courses/es/path/")  # the new lesson changed the course: its structure is read again once
    with django_assert_num_queries(4):
        assert api.get(f"{API}courses/es/path/").json()["xp_earned"] == 45
