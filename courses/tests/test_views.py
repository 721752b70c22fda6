"""The catalog (home page) and enrolment."""

import pytest
from django.urls import reverse

from courses.tests.factories import CourseFactory, LanguageFactory
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
