"""Every admin page an app adds (previews, imports, intermediate action pages, analytics, queues, job
pages) keeps the admin's branding ("Mallard administration") and breadcrumbs back to its home."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses import tasks
from courses.tests.factories import LessonFactory
from gamification.tests.factories import WalletFactory

pytestmark = pytest.mark.django_db


def assert_branded(response, name: str) -> None:
    assert response.status_code == 200, name
    html = response.content.decode()
    assert re.search(r'<div id="site-name"><a href="/admin/">Mallard administration</a></div>', html), name
    assert re.search(r"<title>[^<]*\| Mallard admin</title>", html), name
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S)
    assert crumbs and 'href="/admin/"' in crumbs.group(1), name


def test_custom_admin_pages_keep_branding_and_breadcrumbs(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    lesson = LessonFactory()
    course = lesson.unit.section.course
    wallet = WalletFactory(user=UserFactory())
    tasks.queue_job(job_id="j1", model="course", ids=[course.pk], user_id=admin.pk, label="1 course")
    pages = {
        "lesson preview": reverse("admin:courses_lesson_preview", args=[lesson.pk]),
        "course import": reverse("admin:courses_course_import_file"),
        "audio job": reverse("admin:courses_audio_job", args=["j1"]),
        "analytics course": reverse("admin:analytics_course", args=[course.pk]),
        "report queue": reverse("admin:progress_problemreport_changelist"),
        "wallet adjust": reverse("admin:gamification_wallet_adjust", args=[wallet.pk]),
    }
    for name, url in pages.items():
        assert_branded(client.get(url), name)
    move = client.post(
        reverse("admin:courses_lesson_changelist"),
        {"action": "move_lessons_to_unit", ACTION_CHECKBOX_NAME: [lesson.pk]},
    )
    assert_branded(move, "move lessons")
    index = client.get(reverse("admin:index")).content.decode()  # the home page has no breadcrumbs
    assert "Mallard administration" in index and "Site administration" in index


def test_custom_admin_pages_follow_the_staff_users_interface_language(client):
    """A staff user whose interface language is Spanish gets Mallard's own admin pages in Spanish."""
    staff = UserFactory(is_staff=True, is_superuser=True, locale="es")
    client.force_login(staff)
    course = LessonFactory().unit.section.course
    queue = client.get(reverse("admin:progress_problemreport_changelist")).content.decode()
    assert "Cola de informes" in queue and "Todos los cursos" in queue and "Filtrar" in queue
    assert "Report queue" not in queue
    analytics = client.get(reverse("admin:analytics_course", args=[course.pk])).content.decode()
    assert "Analíticas de cursos" in analytics and "Descargar CSV" in analytics and "Tasa de error" in analytics
    assert "Download CSV" not in analytics
