"""Asking for a bubble: the uniqueness rule (also under a race), daily limits, bad input, pages and API."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bubbles import services
from bubbles.errors import DailyLimitReached, DuplicateBubble, InvalidTopic
from bubbles.models import Bubble
from core.errors import NotFound, ServiceError
from core.llm.client import LLMNotConfigured
from core.tests.api import assert_error, client_for
from courses.tests.factories import CourseFactory, LanguageFactory

from .script import script

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(settings):
    settings.LLM_BASE_URL = "http://127.0.0.1:9/v1"  # never called by these tests
    settings.LLM_MODEL = "m"


def ask(user, course, topic="ordering coffee in Madrid", level="A1", now=None):
    return services.request_bubble(user=user, course=course, topic=topic, level=level, now=now or timezone.now())


def test_topic_key_folds_case_and_spaces():
    assert services.topic_key("  Ordering   COFFEE\tin Madrid ") == "ordering coffee in madrid"


@pytest.mark.parametrize(
    "variant", ["ordering coffee in madrid", "  Ordering  Coffee in MADRID ", "ORDERING\ncoffee in Madrid"]
)
def test_one_bubble_per_learner_topic_and_language(configured, user, course, variant):
    first = ask(user, course)
    assert first.topic == "ordering coffee in Madrid" and first.status == Bubble.Status.PENDING
    with pytest.raises(DuplicateBubble) as caught:
        ask(user, course, topic=variant)
    assert caught.value.bubble_id == first.pk
    assert Bubble.objects.count() == 1


def test_the_same_topic_is_fine_for_another_learner_or_language(configured, user, other_user, course):
    ask(user, course)
    ask(other_user, course)
    french = CourseFactory(to_language=LanguageFactory(code="fr", name="French"))
    ask(user, french)
    assert Bubble.objects.count() == 3


def test_the_database_refuses_a_duplicate_normalised_topic(configured, user, course):
    from django.db import IntegrityError, transaction

    bubble = ask(user, course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bubble.objects.create(
            user=user,
            course=course,
            language=bubble.language,
            topic="X",
            topic_key=bubble.topic_key,
            created_at=timezone.now(),
        )


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_at_once_for_one_topic_make_one_bubble(configured, user, course):
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def work(i, topic):
        try:
            barrier.wait()
            results[i] = ask(user, course, topic=topic)
        except Exception as error:  # asserted below
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, t)) for i, t in enumerate(["Mi trabajo", "  mi  TRABAJO"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    created = [r for r in results if isinstance(r, Bubble)]
    refused = [r for r in results if isinstance(r, DuplicateBubble)]
    assert (len(created), len(refused)) == (1, 1), results
    assert Bubble.objects.count() == 1


def test_the_daily_limit_counts_the_learners_day(configured, user, course, settings):
    settings.MALLARD_BUBBLES_PER_DAY = 2
    now = timezone.now()
    ask(user, course, topic="one", now=now)
    ask(user, course, topic="two", now=now)
    with pytest.raises(DailyLimitReached):
        ask(user, course, topic="three", now=now)
    assert ask(user, course, topic="three", now=now + timedelta(days=1)).topic == "three"


@pytest.mark.parametrize("topic", ["", " ", "a", "x" * 121])
def test_a_bad_topic_is_refused(configured, user, course, topic):
    with pytest.raises(InvalidTopic):
        ask(user, course, topic=topic)
    assert not Bubble.objects.exists()


def test_a_bad_level_or_course_is_refused(configured, user, course):
    with pytest.raises(ServiceError) as caught:
        ask(user, course, level="Z9")
    assert caught.value.field == "level"
    course.is_published = False
    course.save()
    with pytest.raises(NotFound):
        ask(user, course)


def test_nothing_is_asked_without_a_language_model(user, course):
    with pytest.raises(LLMNotConfigured):
        ask(user, course)


# --- Pages ------------------------------------------------------------------------------------


def test_without_a_language_model_bubbles_are_hidden(client, learner, course):
    assert client.get(reverse("bubbles:list")).status_code == 404
    assert reverse("bubbles:list") not in client.get(reverse("home")).content.decode()
    api = client_for(learner)
    assert_error(api.get("/api/v1/bubbles/"), 503, "llm_not_configured")
    assert_error(api.post("/api/v1/bubbles/", {"course": course.pk, "topic": "x y", "level": "A1"}, format="json"), 503)


def test_the_page_form_makes_a_bubble_and_shows_its_progress(client, fake_llm, enrolled, course):
    assert reverse("bubbles:list") in client.get(reverse("home")).content.decode()
    page = client.get(reverse("bubbles:list")).content.decode()
    assert 'for="bubble-topic"' in page and course.title in page

    script(fake_llm)
    response = client.post(reverse("bubbles:request"), {"course": course.pk, "topic": "Coffee", "level": "A2"})
    bubble = Bubble.objects.get()
    assert response.url == reverse("bubbles:detail", args=[bubble.pk])
    page = client.get(response.url).content.decode()
    assert 'id="bubble-status">Ready<' in page
    assert 'http-equiv="refresh"' not in page
    # The study sheet holds the exercises' answers: hidden until every exercise has been answered.
    assert "Quiero un café" not in page and "I want a coffee" not in page
    assert "appear here once you have answered each of its exercises" in page

    # Asking again for the same topic leads to the existing bubble.
    again = client.post(reverse("bubbles:request"), {"course": course.pk, "topic": " coffee ", "level": "A1"})
    assert again.url == reverse("bubbles:detail", args=[bubble.pk])


def test_a_bubble_being_made_refreshes_its_page(client, fake_llm, enrolled, course):
    bubble = ask(enrolled, course)
    page = client.get(reverse("bubbles:detail", args=[bubble.pk])).content.decode()
    assert 'http-equiv="refresh"' in page
    assert 'id="bubble-status">Waiting to start<' in page
    assert "<progress" in page


def test_a_failed_bubble_offers_a_retry_that_finishes_it(client, fake_llm, enrolled, course, settings):
    settings.LLM_MAX_RETRIES = 0
    script(fake_llm, "plan")
    fake_llm.reply_status(500)
    client.post(reverse("bubbles:request"), {"course": course.pk, "topic": "Coffee", "level": "A1"})
    bubble = Bubble.objects.get()
    assert bubble.status == Bubble.Status.FAILED
    page = client.get(reverse("bubbles:detail", args=[bubble.pk])).content.decode()
    assert "Sentences: <strong>failed</strong> — The language model failed (500)" in page
    assert "Making this bubble stopped at the step “Sentences”" in page
    assert reverse("bubbles:retry", args=[bubble.pk]) in page
    # A Spanish-speaking learner reads the steps and their states in Spanish.
    enrolled.locale = "es"
    enrolled.save(update_fields=["locale"])
    page = client.get(reverse("bubbles:detail", args=[bubble.pk])).content.decode()
    assert "Frases: <strong>falló</strong>" in page and "Plan: <strong>hecho</strong>" in page
    assert "La creación de esta burbuja se detuvo en el paso «Frases»" in page
    # (the reason recorded with the failed step stays as recorded)
    assert "<strong>failed</strong>" not in page and "<strong>waiting</strong>" not in page
    enrolled.locale = "en"
    enrolled.save(update_fields=["locale"])

    script(fake_llm, "sentences", "vocabulary", "dialogue", "exercises")
    response = client.post(reverse("bubbles:retry", args=[bubble.pk]))
    assert response.url == reverse("bubbles:detail", args=[bubble.pk])
    bubble.refresh_from_db()
    assert bubble.status == Bubble.Status.READY


def test_a_refused_request_shows_the_reason_on_the_list(client, fake_llm, enrolled, course):
    response = client.post(reverse("bubbles:request"), {"course": course.pk, "topic": "x", "level": "A1"}, follow=True)
    assert "Give a topic of 2 to 120 characters." in response.content.decode()
    assert not Bubble.objects.exists()


# --- API --------------------------------------------------------------------------------------


def test_the_api_requests_lists_and_shows_a_bubble(fake_llm, enrolled, course):
    api = client_for(enrolled)
    script(fake_llm)
    response = api.post("/api/v1/bubbles/", {"course": course.pk, "topic": "Coffee", "level": "A1"}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "ready"
    assert data["percent"] == 100
    assert [p["phase"] for p in data["progress"]] == [
        "plan",
        "sentences",
        "vocabulary",
        "dialogue",
        "exercises",
        "audio",
    ]
    assert data["progress"][-1]["status"] == "skipped"
    assert data["lesson"] == Bubble.objects.get().lesson.slug
    # The content is the study sheet, shown once every exercise has been answered (test_play_and_isolation).
    assert data["study_sheet_open"] is False
    assert data["sentences"] == data["words"] == data["dialogue"] == []

    assert [b["id"] for b in api.get("/api/v1/bubbles/").json()] == [data["id"]]
    assert api.get(f"/api/v1/bubbles/{data['id']}/").json()["title"] == "Un café en Madrid"
    assert_error(api.get("/api/v1/bubbles/abc/"), 404, "not_found")
    assert_error(
        api.post("/api/v1/bubbles/", {"course": course.pk, "topic": "COFFEE", "level": "A1"}, format="json"),
        409,
        "duplicate_bubble",
        field="topic",
    )
    assert_error(api.post(f"/api/v1/bubbles/{data['id']}/retry/"), 409, "bubble_not_retryable")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"course": "es", "topic": "Coffee", "level": "A1"}, "course"),
        ({"course": 1, "topic": 5, "level": "A1"}, "topic"),
        ({"course": 1, "topic": "Coffee", "level": "Z1"}, "level"),
        ({"course": 1, "level": "A1"}, "topic"),
    ],
)
def test_the_api_refuses_bad_input_naming_the_field(fake_llm, enrolled, body, field):
    assert_error(client_for(enrolled).post("/api/v1/bubbles/", body, format="json"), 400, field=field)
    assert not Bubble.objects.exists()


def test_the_api_daily_limit_is_429(fake_llm, enrolled, course, settings):
    settings.MALLARD_BUBBLES_PER_DAY = 0
    response = client_for(enrolled).post(
        "/api/v1/bubbles/", {"course": course.pk, "topic": "Coffee", "level": "A1"}, format="json"
    )
    assert_error(response, 429, "bubble_daily_limit")
