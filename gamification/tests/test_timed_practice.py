"""Timed practice (docs/game-rules.md, "Timed practice"): a timed lesson and the two-minute timed review.
The server is the clock (time-machine moves it; no sleeps): an answer at or after the deadline is refused
with 409 ``time_up``, not counted, and ends the run; a quick right answer that pays earns the speed bonus."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from core.tests.api import API, assert_error, client_for
from courses.tests.sample_courses import make_course
from gamification import selectors, services
from gamification.errors import TimeLeft, TimeUp
from gamification.models import LedgerEntry
from gamification.services.ledger import check_ledger
from gamification.tests.helpers import T0, answer, pass_lesson
from progress.models import ExerciseAttempt, LessonRun
from progress.rules import SPEED_BONUS_XP, TIMED_REVIEW_SECONDS

pytestmark = pytest.mark.django_db


def timed_lesson(seconds=30, exercises=3):
    course, (first, second) = make_course(exercises=exercises)
    first.time_limit_sec = seconds
    first.save(update_fields=["time_limit_sec"])
    return course, first, second


def test_a_timed_lesson_refuses_a_late_answer_counts_nothing_and_fails_the_run(user):
    _, lesson, _ = timed_lesson(seconds=30)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    assert run.deadline_at == T0 + timedelta(seconds=30)
    on_time = answer(user, run, now=T0 + timedelta(seconds=29))
    assert on_time.correct and on_time.run_status == "active"
    with pytest.raises(TimeUp) as refused:
        answer(user, run, now=T0 + timedelta(seconds=30))
    assert refused.value.status == 409 and refused.value.code == "time_up"
    assert "not counted" in refused.value.message
    run.refresh_from_db()
    assert (run.status, run.timed_out, run.answers_count, run.finished_at) == ("failed", True, 1, run.finished_at)
    assert ExerciseAttempt.objects.filter(run=run).count() == 1
    assert sum(LedgerEntry.objects.filter(user=user).values_list("amount", flat=True)) == on_time.xp_awarded + sum(
        LedgerEntry.objects.filter(user=user, reason="achievement").values_list("amount", flat=True)
    )
    assert check_ledger() == []
    # Starting the lesson again starts a new run.
    again = services.start_lesson_run(user=user, lesson=lesson, now=T0 + timedelta(minutes=1))
    assert again.pk != run.pk and again.deadline_at == T0 + timedelta(minutes=1, seconds=30)


def test_a_timed_lesson_nobody_answered_is_closed_by_the_next_start(user):
    _, lesson, _ = timed_lesson(seconds=30)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    assert services.start_lesson_run(user=user, lesson=lesson, now=T0 + timedelta(seconds=29)).pk == run.pk
    new = services.start_lesson_run(user=user, lesson=lesson, now=T0 + timedelta(seconds=31))
    run.refresh_from_db()
    assert new.pk != run.pk and (run.status, run.timed_out) == ("failed", True)


def test_a_timed_lesson_passed_in_time_pays_the_speed_bonus_for_quick_right_answers(user):
    _, lesson, _ = timed_lesson(seconds=60, exercises=3)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    quick = answer(user, run, now=T0 + timedelta(seconds=10))  # 10 s after the start: quick
    slow = answer(user, run, now=T0 + timedelta(seconds=21))  # 11 s after the previous answer
    last = answer(user, run, now=T0 + timedelta(seconds=25))
    assert [quick.xp_awarded, slow.xp_awarded, last.xp_awarded] == [10 + SPEED_BONUS_XP, 10, 10 + SPEED_BONUS_XP]
    run.refresh_from_db()
    assert (run.status, run.xp_earned, run.timed_out) == ("passed", 30 + 2 * SPEED_BONUS_XP, False)
    assert check_ledger() == []


def test_an_untimed_lesson_pays_no_speed_bonus(user):
    _, (first, _) = make_course(exercises=2)
    run, _outcome = pass_lesson(user, first, now=T0)
    assert run.xp_earned == 20 and run.deadline_at is None


def test_the_timed_review_lasts_two_minutes_and_pays_the_bonus_only_with_xp(user):
    course, (first, _) = make_course(exercises=3)
    pass_lesson(user, first, now=T0)
    later = T0 + timedelta(hours=1)
    run = services.start_review_session(user=user, course=course, now=later, ahead=True, timed=True)
    assert run.deadline_at == later + timedelta(seconds=TIMED_REVIEW_SECONDS)
    first_answer = answer(user, run, now=later + timedelta(seconds=5))
    assert first_answer.xp_awarded == 10 + SPEED_BONUS_XP
    state = selectors.run_state(user=user, run_id=run.pk, now=later + timedelta(seconds=5))
    assert (state.seconds_left, state.time_limit_sec, state.time_up) == (115, TIMED_REVIEW_SECONDS, False)
    # The same exercises in a second timed review that day pay nothing, so no bonus either.
    services.abandon_run(user=user, run_id=run.pk, now=later + timedelta(seconds=6))
    second = services.start_review_session(
        user=user, course=course, now=later + timedelta(seconds=7), ahead=True, timed=True
    )
    paid = answer(user, second, now=later + timedelta(seconds=8), exercise_id=run.exercise_ids[0])
    assert paid.xp_awarded == 0
    over = selectors.run_state(user=user, run_id=second.pk, now=second.deadline_at)
    assert over.time_up and over.exercise is None


def test_finish_ends_a_run_only_once_its_time_is_up(user):
    _, lesson, _ = timed_lesson(seconds=30)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    with pytest.raises(TimeLeft):
        services.finish_timed_run(user=user, run_id=run.pk, now=T0 + timedelta(seconds=29))
    ended = services.finish_timed_run(user=user, run_id=run.pk, now=T0 + timedelta(seconds=30))
    assert (ended.status, ended.timed_out) == ("failed", True)
    # again: returned as it is
    assert (
        services.finish_timed_run(user=user, run_id=run.pk, now=T0 + timedelta(seconds=40)).finished_at
        == ended.finished_at
    )
    untimed = services.start_lesson_run(user=user, lesson=make_course()[1][0], now=T0)
    with pytest.raises(TimeLeft):
        services.finish_timed_run(user=user, run_id=untimed.pk, now=T0 + timedelta(days=1))


# --- The API: late answers are a 409 in the API's error shape -------------------------------------------


def test_api_late_answer_is_409_time_up_and_finish_returns_the_ended_run(user):
    _, lesson, _ = timed_lesson(seconds=30)
    api = client_for(user)
    with time_machine.travel(T0, tick=False):
        started = api.post(f"{API}lessons/{lesson.slug}/runs/")
        assert started.status_code == 201, started.json()
        body = started.json()
        assert (body["time_limit_sec"], body["seconds_left"]) == (30, 30)
        run_id, head = body["id"], body["queue"][0]
        early = api.post(f"{API}runs/{run_id}/finish/")
        assert_error(early, 409, "time_left")
    with time_machine.travel(T0 + timedelta(seconds=31), tick=False):
        late = api.post(
            f"{API}runs/{run_id}/answers/",
            {"exercise": head, "answer": "Hello", "client_id": str(uuid.uuid4())},
            format="json",
        )
        assert_error(late, 409, "time_up")
        run = api.get(f"{API}runs/{run_id}/").json()
        assert (run["status"], run["timed_out"], run["seconds_left"]) == ("failed", True, None)
        assert run["summary"]["timed_out"] is True
        finished = api.post(f"{API}runs/{run_id}/finish/")
        assert finished.status_code == 200 and finished.json()["status"] == "failed"
    assert not ExerciseAttempt.objects.filter(run_id=run_id).exists()


def test_api_timed_review(user):
    course, (first, _) = make_course(exercises=2)
    pass_lesson(user, first, now=T0)
    api = client_for(user)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        response = api.post(f"{API}courses/{course.slug}/review/?ahead=true&timed=true")
        assert response.status_code == 201, response.json()
        assert (response.json()["time_limit_sec"], response.json()["seconds_left"]) == (120, 120)
        bad = api.post(f"{API}courses/{course.slug}/review/?timed=maybe")
        assert_error(bad, 400, "invalid")


# --- Pages -----------------------------------------------------------------------------------------------


def test_the_player_shows_a_countdown_announced_politely_and_a_late_answer_ends_the_run(client, user):
    _, lesson, _ = timed_lesson(seconds=30)
    client.force_login(user)
    with time_machine.travel(T0, tick=False):
        response = client.post(reverse("start_lesson", args=[lesson.slug]))
        run = LessonRun.objects.get(user=user)
        page = client.get(response.url).content.decode()
        assert 'data-deadline="' in page and 'data-seconds-left="30"' in page
        assert 'aria-live="polite"' in page
        head = run.queue[0]
    with time_machine.travel(T0 + timedelta(seconds=31), tick=False):
        late = client.post(
            reverse("answer", args=[run.pk]), {"exercise": head, "answer": "Hello", "client_id": str(uuid.uuid4())}
        )
        assert late.status_code == 302 and late.url == reverse("run_done", args=[run.pk])
        done = client.get(late.url).content.decode()
        assert "Time is up" in done
