"""The catalog (home page), enrolment and the learner's path (docs/pages.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.tests.factories import (
    CourseFactory,
    LanguageFactory,
    LessonFactory,
    SectionFactory,
    TokenFactory,
    UnitFactory,
    lesson_with_exercises,
)
from progress.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish():
    return CourseFactory(title="Spanish for English speakers", slug="es")


@pytest.fixture
def french():
    return CourseFactory(
        title="French for English speakers",
        slug="fr",
        to_language=LanguageFactory(code="fr", name="French", native_name="Français"),
    )


def test_visitor_sees_catalog_and_sign_up(client, spanish):
    CourseFactory(
        title="Secret draft", slug="xx", is_published=False, to_language=LanguageFactory(code="de", name="German")
    )
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Spanish for English speakers" in html
    assert "Secret draft" not in html
    assert reverse("account_signup") in html
    assert reverse("enroll", args=["es"]) not in html  # no enrol form for visitors


def test_learner_enrolls_and_lands_on_the_path(client, user, spanish):
    client.force_login(user)
    assert reverse("enroll", args=["es"]) in client.get(reverse("home")).content.decode()
    response = client.post(reverse("enroll", args=["es"]))
    assert response.status_code == 302 and response.url == reverse("course_path", args=["es"])
    assert Enrollment.objects.get(user=user).course == spanish


def test_several_enrolments_one_current(client, user, spanish, french):
    client.force_login(user)
    client.post(reverse("enroll", args=["es"]))
    client.post(reverse("enroll", args=["fr"]))
    assert Enrollment.objects.filter(user=user).count() == 2
    assert Enrollment.objects.get(user=user, is_current=True).course == french
    html = client.get(reverse("home")).content.decode()
    assert "Your courses" in html
    assert "Switch to this course" in html  # Spanish, not current
    assert html.index("French for English") < html.index("Spanish for English")  # current first
    client.post(reverse("enroll", args=["es"]))  # switching back: idempotent, makes it current
    assert Enrollment.objects.get(user=user, is_current=True).course == spanish
    assert Enrollment.objects.filter(user=user).count() == 2


def test_enroll_needs_login_post_and_a_published_course(client, user, spanish):
    response = client.post(reverse("enroll", args=["es"]))
    assert response.status_code == 302 and "login" in response.url
    client.force_login(user)
    assert client.get(reverse("enroll", args=["es"])).status_code == 405
    spanish.is_published = False
    spanish.save()
    assert client.post(reverse("enroll", args=["es"])).status_code == 404
    assert not Enrollment.objects.exists()


@pytest.fixture
def lesson():
    return lesson_with_exercises(count=3)


@pytest.fixture
def course(lesson):
    return lesson.unit.section.course


# --- Path -------------------------------------------------------------------------------------


def test_path_shows_lessons_states_and_next(client, learner, lesson, course):
    second = LessonFactory(unit=lesson.unit, title="Second steps")
    token = TokenFactory(text="hola", translation="hello")
    lesson.lesson_exercises.first().exercise.tokens.add(token)
    client.post(reverse("enroll", args=[course.slug]))
    response = client.get(reverse("course_path", args=[course.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert lesson.title in html and second.title in html
    assert 'class="lesson open next"' in html  # the first lesson is the next one
    assert 'class="lesson locked"' in html  # the second waits for the first
    assert reverse("start_lesson", args=[lesson.slug]) in html
    assert reverse("start_lesson", args=[second.slug]) not in html  # no start button on a locked lesson
    assert "Completion" in html and "Mastery" in html
    assert "hola" in html and "hello" in html  # the unit's word list
    assert reverse("start_review", args=[course.slug]) in html


def test_path_of_unpublished_course_is_404(client, learner, course):
    course.is_published = False
    course.save()
    assert client.get(reverse("course_path", args=[course.slug])).status_code == 404


def test_path_requires_login(client):
    response = client.get(reverse("course_path", args=["c1"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_path_queries_do_not_grow_with_the_course(client, learner, django_assert_num_queries):
    small = lesson_with_exercises(count=2)
    french = CourseFactory(to_language=LanguageFactory(code="fr", name="French"))
    unit = UnitFactory(section=SectionFactory(course=french))
    for _ in range(6):
        lesson_with_exercises(count=4, lesson=LessonFactory(unit=unit))
    url_small = reverse("course_path", args=[small.unit.section.course.slug])
    url_french = reverse("course_path", args=[french.slug])
    client.get(url_small)
    client.get(url_french)  # each course's structure is read once, then cached (courses.structure)
    expected = _count(lambda: client.get(url_small))
    with django_assert_num_queries(expected):
        response = client.get(url_french)
    assert response.content.decode().count('class="lesson ') == 6
