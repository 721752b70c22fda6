"""A ready bubble plays in the normal player; no other learner can see or play it (404)."""

import uuid

import pytest
from django.urls import reverse

from bubbles.models import Bubble, BubbleSentence
from core.tests.api import assert_error, client_for
from courses.exercise_types import get_type, served_payload
from courses.models import Exercise
from gamification.models import LedgerEntry, Wallet
from progress.models import ReviewLog, TokenMastery

from .script import ANSWERS, script

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(fake_llm, enrolled, make_bubble):
    script(fake_llm)
    bubble = make_bubble(enrolled)
    assert bubble.status == Bubble.Status.READY
    return bubble


def right_answer(run, exercise: Exercise):
    payload = served_payload(get_type(exercise.type), exercise.payload, run_id=run.pk, exercise_id=exercise.pk)
    if exercise.type == "multiple_choice":
        return str(payload["answer"])
    return ANSWERS[exercise.payload["text"]]


def post_answer(client, run, exercise_id, text):
    data = {"exercise": exercise_id, "answer": text, "client_id": str(uuid.uuid4())}
    return client.post(reverse("answer", args=[run.pk]), data)


def test_a_ready_bubble_is_played_in_the_normal_player(client, enrolled, ready):
    from progress.models import LessonRun

    page = client.get(reverse("bubbles:detail", args=[ready.pk])).content.decode()
    assert reverse("start_lesson", args=[ready.lesson.slug]) in page
    # Before playing, neither the page nor the API shows the study sheet (it holds the answers).
    assert "I want a coffee" not in page
    api = client_for(enrolled)
    detail = api.get(f"/api/v1/bubbles/{ready.pk}/").json()
    assert detail["study_sheet_open"] is False
    assert detail["sentences"] == detail["words"] == detail["dialogue"] == []

    response = client.post(reverse("start_lesson", args=[ready.lesson.slug]))
    run = LessonRun.objects.get(lesson=ready.lesson)
    # The bubble's lesson has tips (its notes), so the first run opens with them offered.
    assert ready.lesson.notes
    assert response.url == reverse("run", args=[run.pk]) + "?tips=1"
    assert client.get(response.url).status_code == 200

    # One wrong answer costs a heart, then every exercise right: the run passes.
    first = run.queue[0]
    assert post_answer(client, run, first, "no idea").status_code == 302
    assert Wallet.objects.get(user=enrolled).hearts == 4
    for _ in range(10):
        run.refresh_from_db()
        if not run.queue:
            break
        exercise = Exercise.objects.get(pk=run.queue[0])
        post_answer(client, run, exercise.pk, right_answer(run, exercise))
    run.refresh_from_db()
    assert run.status == "passed"
    assert run.xp_earned > 0
    assert LedgerEntry.objects.filter(user=enrolled, key__startswith=f"run:{run.pk}:").exists()
    # The bubble's words entered the learner's memory model and its review log.
    texts = set(TokenMastery.objects.filter(user=enrolled).values_list("token__text", flat=True))
    assert {"café", "cuenta", "querer"} <= texts
    assert ReviewLog.objects.filter(user=enrolled, token__text="café").exists()
    # The sentences get their own spaced-repetition state when the learner comes back to the bubble,
    # and every exercise answered, the study sheet opens (page and API).
    page = client.get(reverse("bubbles:detail", args=[ready.pk])).content.decode()
    assert "I want a coffee" in page
    detail = api.get(f"/api/v1/bubbles/{ready.pk}/").json()
    assert detail["study_sheet_open"] is True
    assert len(detail["sentences"]) == 3 and len(detail["dialogue"]) == 4
    cafe = next(w for w in detail["words"] if w["lemma"] == "café")
    assert cafe == {
        "lemma": "café",
        "translation": "coffee",
        "part_of_speech": "noun",
        "gender": "masculine",
        "example": "Quiero un café.",
        "frequency": cafe["frequency"],
    }
    sentences = list(BubbleSentence.objects.filter(bubble=ready).order_by("ordinal"))
    assert all(s.reviews >= 1 and s.due_at is not None and s.stability for s in sentences)
    # Idempotent: seeing the page again applies nothing twice.
    before = [s.reviews for s in sentences]
    client.get(reverse("bubbles:detail", args=[ready.pk]))
    assert [s.reviews for s in BubbleSentence.objects.filter(bubble=ready).order_by("ordinal")] == before


def test_another_learner_gets_404_on_the_bubble_its_lesson_and_its_api(client, ready, other_user):
    client.force_login(other_user)
    assert client.get(reverse("bubbles:detail", args=[ready.pk])).status_code == 404
    assert client.post(reverse("bubbles:retry", args=[ready.pk])).status_code == 404
    assert client.post(reverse("start_lesson", args=[ready.lesson.slug])).status_code == 404
    assert ready.lesson.slug not in client.get(reverse("course_path", args=[ready.course.slug])).content.decode()

    api = client_for(other_user)
    for response in (
        api.get(f"/api/v1/bubbles/{ready.pk}/"),
        api.post(f"/api/v1/bubbles/{ready.pk}/retry/"),
        api.post(f"/api/v1/lessons/{ready.lesson.slug}/runs/"),
    ):
        assert_error(response, 404, "not_found")
    assert api.get("/api/v1/bubbles/").json() == []


def test_the_owner_sees_the_bubble_but_not_in_the_courses_path(client, enrolled, ready):
    assert client.get(reverse("bubbles:detail", args=[ready.pk])).status_code == 200
    assert ready.lesson.slug not in client.get(reverse("course_path", args=[ready.course.slug])).content.decode()


def test_the_course_file_export_leaves_private_lessons_out(ready):
    from courses.course_files.exporter import export_course

    document = export_course(course=ready.course)
    assert "bubble" not in document
    assert "Quiero un café" not in document


def test_a_bubbles_words_are_in_the_learners_words_and_reviews(client, enrolled, ready):
    from datetime import timedelta

    from django.utils import timezone

    from gamification import services as game

    now = timezone.now()
    run = game.start_lesson_run(user=enrolled, lesson=ready.lesson, now=now)
    for exercise_id in list(run.queue):
        exercise = Exercise.objects.get(pk=exercise_id)
        game.submit_answer(
            user=enrolled,
            run_id=run.pk,
            exercise_id=exercise_id,
            answer=right_answer(run, exercise),
            client_id=uuid.uuid4(),
            now=now,
        )
    page = client.get(reverse("course_words", args=[ready.course.slug])).content.decode()
    assert "querer" in page and "cuenta" in page

    later = now + timedelta(days=60)  # every word is due by then
    review = game.start_review_session(user=enrolled, course=ready.course, now=later)
    bubble_exercises = set(Exercise.objects.filter(owner=enrolled).values_list("pk", flat=True))
    assert set(review.exercise_ids) & bubble_exercises
