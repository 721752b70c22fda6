"""Lesson tips reach learners (docs/pages.md): the authors' notes from the path (a Tips button per
lesson), offered open before the learner's first run of the lesson, and in the API's path."""

import pytest
from django.urls import reverse

from core.tests.api import API, client_for
from courses.tests.factories import lesson_with_exercises
from gamification import services
from progress.models import LessonRun

from .helpers import T0

pytestmark = pytest.mark.django_db

TIPS = "Use <b>ser</b> for what something is.\nUse estar for how it is."


@pytest.fixture
def lesson():
    return lesson_with_exercises(count=2, notes=TIPS)


def test_the_path_has_a_tips_button_per_lesson_with_tips(client, learner, lesson):
    course = lesson.unit.section.course
    plain = lesson_with_exercises(count=1, unit=lesson.unit)
    html = client.get(reverse("course_path", args=[course.slug])).content.decode()
    assert html.count('<details class="lesson-tips">') == 1  # only the lesson that has tips
    assert f'Tips<span class="visually-hidden">: {lesson.title}</span>' in html
    assert "Use &lt;b&gt;ser&lt;/b&gt; for what something is.<br>Use estar for how it is." in html  # escaped
    assert f'Tips<span class="visually-hidden">: {plain.title}</span>' not in html


def test_tips_are_offered_open_before_the_first_run_only(client, learner, lesson):
    response = client.post(reverse("start_lesson", args=[lesson.slug]))
    run = LessonRun.objects.get()
    assert response.url == reverse("run", args=[run.pk]) + "?tips=1"
    page = client.get(response.url).content.decode()
    assert '<details class="lesson-tips" open>' in page and "Tips for this lesson" in page
    client.post(reverse("abandon_run", args=[run.pk]))
    again = client.post(reverse("start_lesson", args=[lesson.slug]))
    second = LessonRun.objects.latest("pk")
    assert again.url == reverse("run", args=[second.pk])  # not offered again…
    page = client.get(again.url).content.decode()
    assert '<details class="lesson-tips">' in page  # …but still there, closed, before the first answer


def test_the_api_path_carries_each_lessons_tips(user, lesson):
    course = lesson.unit.section.course
    services.start_lesson_run(user=user, lesson=lesson, now=T0)
    body = client_for(user).get(f"{API}courses/{course.slug}/path/").json()
    (listed,) = body["sections"][0]["units"][0]["lessons"]
    assert listed["tips"] == TIPS
