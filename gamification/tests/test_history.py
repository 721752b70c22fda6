"""The learner's history page and API: their own finished runs only, newest first, paginated, in a
fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core.tests.api import API, client_for
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.history_selectors import HISTORY_PAGE_SIZE, history_page
from gamification.tests.helpers import T0, answer, pass_lesson

pytestmark = pytest.mark.django_db


def test_rows_say_date_lesson_result_xp_and_accuracy(user, other_user):
    _, (first, second) = make_course(exercises=3)
    passed, _ = pass_lesson(user, first, mistakes=1)
    quit_run = services.start_lesson_run(user=user, lesson=second, now=T0 + timedelta(hours=1))
    answer(user, quit_run, now=T0 + timedelta(hours=1))
    answer(user, quit_run, correct=False, now=T0 + timedelta(hours=1))
    services.abandon_run(user=user, run_id=quit_run.pk, now=T0 + timedelta(hours=2))
    active = services.start_lesson_run(user=user, lesson=first, now=T0 + timedelta(hours=3))
    pass_lesson(other_user, first)
    _, rows = history_page(user=user, page=None)
    assert [r.run_id for r in rows] == [quit_run.pk, passed.pk]  # newest first; the active run is not history
    quit_row, passed_row = rows
    assert (passed_row.status, passed_row.lesson_title, passed_row.xp_earned) == ("passed", first.title, 30)
    assert (passed_row.answered, passed_row.first_try_correct, passed_row.accuracy_pct) == (3, 2, 66)
    assert (quit_row.status, quit_row.answered, quit_row.first_try_correct, quit_row.accuracy_pct) == (
        "abandoned",
        2,
        1,
        50,
    )
    assert active.pk not in [r.run_id for r in rows]


def test_the_page_is_the_learners_own_and_paginated(client, user, other_user, django_assert_num_queries):
    _, (first, _) = make_course(exercises=1)
    for n in range(HISTORY_PAGE_SIZE + 1):
        pass_lesson(user, first, now=T0 + timedelta(minutes=n))
    pass_lesson(other_user, first)
    client.force_login(user)
    client.get(reverse("history"))
    with django_assert_num_queries(5):  # session, user, header, count, page
        html = client.get(reverse("history")).content.decode()
    assert html.count("<tr>") == HISTORY_PAGE_SIZE + 1  # the header row and a full page
    assert 'rel="next"' in html and "Page 1 of 2" in html
    with django_assert_num_queries(5):
        older = client.get(reverse("history"), {"page": 2}).content.decode()
    assert older.count("<tr>") == 2 and 'rel="prev"' in older
    for bad in ("x", "-1", "999", ""):
        assert client.get(reverse("history"), {"page": bad}).status_code == 200
    client.force_login(other_user)
    theirs = client.get(reverse("history")).content.decode()
    assert theirs.count("<tr>") == 2  # one run of their own
    assert reverse("history") in client.get(reverse("profile")).content.decode()


def test_the_history_needs_a_login(client):
    response = client.get(reverse("history"))
    assert response.status_code == 302


def test_the_api_lists_the_same_rows(user, other_user, django_assert_num_queries):
    _, (first, _) = make_course(exercises=2)
    run, _ = pass_lesson(user, first)
    pass_lesson(other_user, first)
    body = client_for(user).get(f"{API}me/history/").json()
    assert body["count"] == 1
    [row] = body["results"]
    assert (row["run_id"], row["status"], row["xp_earned"], row["accuracy_pct"]) == (run.pk, "passed", 20, 100)
    assert client_for(user).get(f"{API}me/history/?page=9").status_code == 404
    # The token (with its user), then the count and the page, whatever the history.
    for n in range(5):
        pass_lesson(user, first, now=T0 + timedelta(minutes=n + 1))
    api = client_for(user)
    with django_assert_num_queries(3):
        assert api.get(f"{API}me/history/").json()["count"] == 6
