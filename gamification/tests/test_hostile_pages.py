"""Hostile input through the lesson pages: judged or refused, stored cleanly — never a 500."""

import uuid

import pytest
from django.urls import reverse

from courses.tests.sample_courses import make_course
from progress.models import ExerciseAttempt, LessonRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_run(client, user):
    _course, (lesson, _) = make_course()
    client.force_login(user)
    client.post(reverse("start_lesson", args=[lesson.slug]))
    return LessonRun.objects.get(user=user, lesson=lesson)


def test_page_answer_with_nul_byte_is_judged_not_a_500(client, user, page_run):
    client_id = uuid.uuid4()
    data = {"exercise": page_run.queue[0], "client_id": str(client_id), "answer": "Hel\x00lo"}
    response = client.post(reverse("answer", args=[page_run.pk]), data)
    assert response.status_code == 302
    attempt = ExerciseAttempt.objects.get(user=user, client_id=client_id)
    assert attempt.answer == "Hello" and attempt.correct  # the NUL was dropped, as over the API


def test_page_answer_with_nul_byte_in_multipart_is_judged_not_a_500(client, user, page_run):
    client_id = uuid.uuid4()
    data = {"exercise": str(page_run.queue[0]), "client_id": str(client_id), "answer": "Hel\x00lo"}
    response = client.post(reverse("answer", args=[page_run.pk]), data, headers={"X-Mallard-Fragment": "1"})
    assert response.status_code == 200
    assert ExerciseAttempt.objects.get(user=user, client_id=client_id).answer == "Hello"


def test_page_answer_with_invalid_utf8_is_judged_not_a_500(client, user, page_run):
    client_id = uuid.uuid4()
    body = f"exercise={page_run.queue[0]}&client_id={client_id}&answer=Hel%FF%FElo%00".encode()
    form = "application/x-www-form-urlencoded"
    response = client.post(reverse("answer", args=[page_run.pk]), body, content_type=form)
    assert response.status_code == 302
    attempt = ExerciseAttempt.objects.get(user=user, client_id=client_id)
    assert "\x00" not in attempt.answer and attempt.correct is False
