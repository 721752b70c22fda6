"""The learner's-loop events in the activity log: lesson start, answer, finish, fail, quit, refill,
review start; written in the action's transaction, one INSERT per answer (docs/accounts.md)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ActivityEvent
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.errors import HeartsFull
from gamification.tests.helpers import T0, answer, pass_lesson, set_wallet
from progress.models import LessonRun

pytestmark = pytest.mark.django_db


def events(user) -> list[tuple[str, dict]]:
    return [(e.kind, e.payload) for e in ActivityEvent.objects.filter(user=user).order_by("created_at", "id")]


def test_a_passed_lesson_logs_start_answers_and_finish(user):
    _, (lesson, _) = make_course(exercises=2)
    run, _ = pass_lesson(user, lesson, mistakes=1)
    logged = events(user)
    assert [kind for kind, _ in logged] == ["lesson_start", "answer", "answer", "answer", "lesson_finish"]
    assert logged[0][1] == {"run": run.pk, "run_kind": "lesson", "lesson": lesson.slug}
    assert [p["correct"] for k, p in logged if k == "answer"] == [False, True, True]
    assert logged[-1][1] == {
        "run": run.pk,
        "run_kind": "lesson",
        "lesson": lesson.slug,
        "xp": run.xp_earned,
        "gems": run.gems_earned,
    }


def test_the_answer_that_ends_a_run_is_one_insert(user):
    _, (lesson, _) = make_course(exercises=1)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    with CaptureQueriesContext(connection) as queries:
        outcome = answer(user, run)
    assert outcome.run_status == "passed"
    inserts = [q["sql"] for q in queries.captured_queries if "accounts_activityevent" in q["sql"]]
    assert len(inserts) == 1
    assert [kind for kind, _ in events(user)][-2:] == ["answer", "lesson_finish"]


def test_running_out_of_hearts_logs_the_fail(user):
    _, (lesson, _) = make_course(exercises=2)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    set_wallet(user, hearts=1, hearts_anchor_at=T0)
    outcome = answer(user, run, correct=False)
    assert outcome.run_status == "failed"
    assert [kind for kind, _ in events(user)] == ["lesson_start", "answer", "lesson_fail"]


def test_quitting_logs_once_and_resuming_logs_no_start(user):
    _, (lesson, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    assert services.start_lesson_run(user=user, lesson=lesson, now=T0 + timedelta(minutes=1)).pk == run.pk
    services.abandon_run(user=user, run_id=run.pk, now=T0 + timedelta(minutes=2))
    services.abandon_run(user=user, run_id=run.pk, now=T0 + timedelta(minutes=3))  # already over
    assert [kind for kind, _ in events(user)] == ["lesson_start", "lesson_quit"]


def test_a_review_start_is_logged(user):
    course, (lesson, _) = make_course()
    pass_lesson(user, lesson, mistakes=1)
    run = services.start_review_session(user=user, course=course, now=T0 + timedelta(days=3))
    assert run.kind == LessonRun.Kind.REVIEW
    kind, payload = events(user)[-1]
    assert (kind, payload) == ("lesson_start", {"run": run.pk, "run_kind": "review"})


def test_a_refill_is_logged_and_a_refused_one_is_not(user, settings):
    set_wallet(user, gems=200, hearts=5, hearts_anchor_at=T0)
    with pytest.raises(HeartsFull):
        services.refill_hearts(user=user, now=T0)
    assert events(user) == []
    set_wallet(user, hearts=2, hearts_anchor_at=T0)
    services.refill_hearts(user=user, now=T0)
    assert events(user) == [("refill", {"gems": settings.MALLARD_HEART_REFILL_PRICE_GEMS, "hearts": 5})]


def test_pages_record_the_learners_ip_and_user_agent(client, learner):
    _, (lesson, _) = make_course()
    client.post(reverse("start_lesson", args=[lesson.slug]), REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Phone")
    event = ActivityEvent.objects.get(user=learner, kind="lesson_start")
    assert (event.ip, event.user_agent) == ("203.0.113.9", "Phone")


def test_buying_a_streak_freeze_is_logged_once(user, settings):
    import uuid

    set_wallet(user, gems=500, hearts=5, hearts_anchor_at=T0)
    client_id = uuid.uuid4()
    services.buy_streak_freeze(user=user, client_id=client_id, now=T0)
    services.buy_streak_freeze(user=user, client_id=client_id, now=T0)  # a double click
    price = settings.MALLARD_STREAK_FREEZE_PRICE_GEMS
    assert events(user) == [("purchase", {"item": "streak_freeze", "gems": price})]
