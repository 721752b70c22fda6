"""The Words list: selector, page and API, and the due count on the path (fixed query counts)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.tests.api import assert_error, client_for
from courses.models import Token
from courses.tests.sample_courses import make_course
from media_assets.tests.factories import AssetFactory
from progress import selectors
from progress.models import MemoryParameters, TokenMastery

from .helpers import T0, pass_lesson

pytestmark = pytest.mark.django_db


def _count(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context)


def test_words_have_strength_last_practice_and_due_date(user):
    course, lessons = make_course(exercises=3, tokens=1)
    pass_lesson(user, lessons[0], now=T0)
    other = UserFactory()
    pass_lesson(other, lessons[0], now=T0)
    pass_lesson(other, lessons[1], now=T0)  # another learner's words never show

    same_day = selectors.course_words(user=user, course=course, now=T0 + timedelta(hours=2))
    assert len(same_day.words) == 3
    assert {w.strength for w in same_day.words} == {1.0}  # less than a day since the last review
    assert same_day.due_count == 0 and same_day.mastered_count == 0
    word = same_day.words[0]
    assert word.last_practised_at == T0 and word.due_at > T0 and not word.is_due

    # A week later every word is due and weaker; one word made weaker still comes first.
    weak = same_day.words[1].token_id
    TokenMastery.objects.filter(user=user, token_id=weak).update(stability=0.5)
    later = selectors.course_words(user=user, course=course, now=T0 + timedelta(days=7), order="weakest")
    assert later.due_count == 3
    assert later.words[0].token_id == weak
    assert all(0 < w.strength < 0.9 for w in later.words)
    assert [w.strength for w in later.words] == sorted(w.strength for w in later.words)
    az = selectors.course_words(user=user, course=course, now=T0, order="alphabetical")
    assert [w.text for w in az.words] == sorted((w.text for w in az.words), key=str.casefold)
    with pytest.raises(ValueError):
        selectors.course_words(user=user, course=course, now=T0, order="random")


def test_strength_uses_the_learners_fitted_forgetting_curve(user):
    course, lessons = make_course(exercises=1, tokens=1)
    pass_lesson(user, lessons[0], now=T0)
    week = T0 + timedelta(days=7)
    before = selectors.course_words(user=user, course=course, now=week).words[0].strength
    steep = [0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796]
    steep += [1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.6]
    MemoryParameters.objects.create(user=user, parameters=steep)
    after = selectors.course_words(user=user, course=course, now=week).words[0].strength
    assert after < before


def test_words_selector_runs_three_queries_whatever_the_number_of_words(user, django_assert_num_queries):
    small, small_lessons = make_course(exercises=1, tokens=1)
    big, big_lessons = make_course(exercises=12, tokens=2)
    pass_lesson(user, small_lessons[0], now=T0)
    pass_lesson(user, big_lessons[0], now=T0)
    # The learner's decay, the words with their audio; the audio variants when a word has audio.
    with django_assert_num_queries(2):
        assert len(selectors.course_words(user=user, course=small, now=T0).words) == 1
    with django_assert_num_queries(2):
        assert len(selectors.course_words(user=user, course=big, now=T0).words) == 24
    audio = AssetFactory()
    Token.objects.filter(exercises__lesson_links__lesson__unit__section__course=big).update(audio=audio)
    with django_assert_num_queries(3):
        words = selectors.course_words(user=user, course=big, now=T0).words
    assert {w.audio.pk for w in words} == {audio.pk}


def test_words_page_and_path_due_count(client, user, django_assert_num_queries):
    client.force_login(user)
    small, small_lessons = make_course(exercises=1, tokens=1)
    big, big_lessons = make_course(exercises=10, tokens=2)
    practised = timezone.now() - timedelta(hours=1)
    pass_lesson(user, small_lessons[0], now=practised)
    pass_lesson(user, big_lessons[0], now=practised)
    page = client.get(reverse("course_words", args=[big.slug]) + "?order=weakest")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<progress") == 20 and "Weakest first" in html and "0 due</strong> for review" in html
    assert client.get(reverse("course_words", args=[big.slug]) + "?order=nonsense").status_code == 200
    small_url = reverse("course_words", args=[small.slug])
    client.get(small_url)
    expected = _count(lambda: client.get(small_url))
    with django_assert_num_queries(expected):
        client.get(reverse("course_words", args=[big.slug]))
    # The words are due tomorrow (the path is rendered today: none due yet).
    path = client.get(reverse("course_path", args=[big.slug])).content.decode()
    assert 'id="words-due">No words due' in path and reverse("course_words", args=[big.slug]) in path
    TokenMastery.objects.filter(user=user).update(due_at=practised)
    path = client.get(reverse("course_path", args=[big.slug])).content.decode()
    assert '<strong id="words-due">20 words due</strong>' in path


def test_words_api_and_due_count_on_the_path(user, django_assert_num_queries):
    api = client_for(user)
    course, lessons = make_course(exercises=4, tokens=1)
    practised = timezone.now() - timedelta(hours=1)
    pass_lesson(user, lessons[0], now=practised)
    # One word was last practised a month ago with a short stability: weakest, and due.
    old = TokenMastery.objects.filter(user=user).order_by("pk").first()
    month_ago = practised - timedelta(days=30)
    TokenMastery.objects.filter(pk=old.pk).update(last_seen_at=month_ago, stability=2.0, due_at=month_ago)
    response = api.get(f"/api/v1/courses/{course.slug}/words/", {"order": "weakest"})
    assert response.status_code == 200
    body = response.json()
    assert body["due_count"] == 1 and body["mastered_count"] == 0 and len(body["words"]) == 4
    first = body["words"][0]
    assert set(first) == {
        "token_id", "text", "translation", "strength", "last_practised_at", "due_at", "is_due", "is_mastered",
        "seen_count", "stability_days", "audio",
    }  # fmt: skip
    assert (first["token_id"], first["is_due"], first["stability_days"]) == (old.token_id, True, 2.0)
    assert first["strength"] < 0.7 and body["words"][1]["strength"] == 1.0
    assert api.get(f"/api/v1/courses/{course.slug}/path/").json()["words_due"] == 1
    assert_error(api.get(f"/api/v1/courses/{course.slug}/words/", {"order": "random"}), 400, field="order")
    assert_error(api.get(f"/api/v1/courses/{course.slug}/words/?order=weakest&order=recent"), 400, field="order")
    assert_error(api.get("/api/v1/courses/no-such-course/words/"), 404)
    url = f"/api/v1/courses/{course.slug}/words/"
    api.get(url)
    expected = _count(lambda: api.get(url))
    big, big_lessons = make_course(exercises=12, tokens=2)
    pass_lesson(user, big_lessons[0], now=practised)
    with django_assert_num_queries(expected):
        assert len(api.get(f"/api/v1/courses/{big.slug}/words/").json()["words"]) == 24
