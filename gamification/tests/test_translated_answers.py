"""The interface language never changes what is accepted as an answer (docs/i18n.md): translated
prompts and hints are not what an answer is checked against; the learner's pages show the texts in
their interface language, else the course's."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from courses.course_files import import_course
from courses.models import Course, Exercise, Lesson, Unit
from courses.tests.course_files.helpers import fixture
from gamification import services
from gamification.tests.helpers import T0, answer
from progress.services import enroll

pytestmark = pytest.mark.django_db


def test_the_same_answers_are_right_and_wrong_in_every_interface_language(user):
    import_course(source=fixture("translated.yaml"))  # a course taught from Spanish, with English texts
    Course.objects.filter(slug="ingles").update(is_published=True)
    lesson = Lesson.objects.get(slug="ingles-l-01-01-01")
    exercise = Exercise.objects.get(slug="ingles-e-01-01-01-01")
    outcomes = {}
    for language in ("es", "en"):
        with translation.override(language):
            run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
            wrong = answer(user, run, exercise_id=exercise.pk, text="Translate this sentence")  # its English prompt
            right = answer(user, run, exercise_id=exercise.pk, text="¡Hola!")
            outcomes[language] = (wrong.correct, right.correct, right.solution)
            services.abandon_run(user=user, run_id=run.pk, now=T0)
    assert outcomes["es"][:2] == (False, True)
    assert outcomes["en"] == outcomes["es"]


def test_the_spanish_path_page_shows_the_translated_titles(client, user):
    import_course(source=fixture("minimal.yaml"))
    Course.objects.filter(slug="mini").update(is_published=True)
    course = Course.objects.get(slug="mini")
    Unit.objects.filter(slug="mini-u-01-01").update(title_es="Saludos")
    user.locale = "es"
    user.save(update_fields=["locale"])
    enroll(user=user, course=course, now=timezone.now())
    client.force_login(user)
    page = client.get(reverse("course_path", args=[course.slug]))
    assert page.status_code == 200
    assert "Unidad 1: Saludos" in page.text
    assert "Hello" in page.text  # the lesson has no Spanish title: its English one
