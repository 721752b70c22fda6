"""The analytics charts speak the staff user's interface language: legend, tooltips, axis dates and the
descriptions read to screen readers, with dates and numbers as that language writes them."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import UserFactory
from analytics.rollup import rollup_analytics

from .fixtures import DAY, build_scene

pytestmark = pytest.mark.django_db

PERIOD = {"start": (DAY - timedelta(days=6)).isoformat(), "end": DAY.isoformat()}
NBSP = "\u00a0"


@pytest.fixture
def scene():
    scene = build_scene()
    rollup_analytics(day=DAY - timedelta(days=1))
    rollup_analytics(day=DAY)
    return scene


def editor(client, locale: str):
    user = UserFactory(is_staff=True, locale=locale)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return client


def test_a_spanish_speaking_editor_reads_the_charts_in_spanish(scene, client):
    client = editor(client, "es")
    course = client.get(reverse("admin:analytics_course", args=[scene.course.pk]), PERIOD).content.decode()
    # 6 runs started in the period (5 on DAY, 1 the day before), 3 passed.
    assert (
        '<desc id="trend-desc">Del 24 de febrero de 2026 al 2 de marzo de 2026: 6 intentos empezados y 3 superados; '
        "el día con más actividad fue el 2 de marzo, con 5 empezados.</desc>"
    ) in course
    assert "<title>2 mar: 5 intentos empezados</title>" in course
    assert "<title>1 mar: 1 intento empezado</title>" in course  # one run: the singular
    assert ">24 feb</text>" in course and ">2 mar</text>" in course  # the axis
    assert '<span class="legend started">Intentos empezados</span>' in course
    assert "Intentos de lección empezados y superados por día" in course  # the chart's title
    assert "runs started" not in course and "busiest" not in course

    lesson = client.get(reverse("admin:analytics_lesson", args=[scene.l1.pk]), PERIOD).content.decode()
    assert "2 ejercicios; el de menor acierto al primer intento es " in lesson
    assert f"{NBSP}%.</desc>" in lesson  # "… con un 25 %": Spanish puts a space before the sign
    assert "lowest first-try accuracy" not in lesson
    assert f'<td class="pct">50,0{NBSP}%</td>' in lesson and "50.0%" not in lesson  # the tables' percentages too


def test_english_stays_english(scene, client):
    client = editor(client, "en")
    course = client.get(reverse("admin:analytics_course", args=[scene.course.pk]), PERIOD).content.decode()
    assert (
        '<desc id="trend-desc">From Feb. 24, 2026 to March 2, 2026: 6 runs started and 3 passed; '
        "the busiest day was March 2 with 5 started.</desc>"
    ) in course
    assert "<title>2 Mar: 5 runs started</title>" in course and "<title>1 Mar: 1 run started</title>" in course
    assert '<span class="legend passed">Runs passed</span>' in course

    lesson = client.get(reverse("admin:analytics_lesson", args=[scene.l1.pk]), PERIOD).content.decode()
    assert "2 exercises; the lowest first-try accuracy is " in lesson
    assert f"{NBSP}%" not in lesson and '<td class="pct">50.0%</td>' in lesson
