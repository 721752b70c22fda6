"""The end screen's figures: accuracy (right at the first try), time spent, and "Review your mistakes"
with the right answers of the exercises answered in the run only — in the page and the API."""

import uuid

import pytest
from django.urls import reverse

from core.tests.api import API, client_for
from courses.tests.factories import ExerciseFactory, LessonExerciseFactory
from courses.tests.sample_courses import make_course
from gamification import selectors, services
from gamification.tests.helpers import T0, set_wallet

pytestmark = pytest.mark.django_db


def lesson_with_distinct_answers(count: int = 5):
    """A lesson whose exercise i asks "Pregunta i" and accepts only "Answer i"."""
    _course, (lesson, _) = make_course(exercises=0)
    exercises = []
    for i in range(1, count + 1):
        exercise = ExerciseFactory(
            course=lesson.unit.section.course,
            payload={"text": f"Pregunta {i}", "solutions": [f"Answer {i}"], "direction": "to_source"},
        )
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=i)
        exercises.append(exercise)
    return lesson, exercises


def reply(user, run, exercise, text, ms=0):
    return services.submit_answer(
        user=user,
        run_id=run.pk,
        exercise_id=exercise.pk,
        answer=text,
        client_id=uuid.uuid4(),
        now=T0,
        time_spent_ms=ms,
    )


def test_accuracy_time_and_mistakes_of_a_passed_run(user):
    lesson, ex = lesson_with_distinct_answers(4)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    reply(user, run, ex[0], "Answer 1", ms=4_000)
    reply(user, run, ex[1], "wrong two", ms=6_600)
    reply(user, run, ex[2], "Answer 3", ms=400_000)  # a tab left open: counted as 300 s
    reply(user, run, ex[1], "also wrong", ms=1_000)
    reply(user, run, ex[3], "Answer 4", ms=2_000)
    reply(user, run, ex[1], "Answer 2", ms=3_000)
    summary = selectors.run_summary(user=user, run_id=run.pk)
    assert summary.status == "passed"
    assert (summary.answered, summary.first_try_correct, summary.accuracy_pct) == (4, 3, 75)
    assert summary.seconds_spent == 4 + 7 + 300 + 1 + 2 + 3
    (mistake,) = summary.mistakes
    assert (mistake.exercise_id, mistake.text, mistake.your_answer, mistake.solution, mistake.corrected) == (
        ex[1].pk,
        "Pregunta 2",
        "wrong two",
        "Answer 2",
        True,
    )


def test_a_failed_run_lists_only_answered_exercises_and_leaks_no_other_solution(client, user):
    lesson, ex = lesson_with_distinct_answers(5)
    set_wallet(user, hearts=1, hearts_anchor_at=T0)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    reply(user, run, ex[0], "Answer 1")
    reply(user, run, ex[1], "nope")  # the last heart: the run fails
    summary = selectors.run_summary(user=user, run_id=run.pk)
    assert summary.status == "failed"
    assert (summary.answered, summary.first_try_correct, summary.accuracy_pct) == (2, 1, 50)
    assert [(m.solution, m.corrected) for m in summary.mistakes] == [("Answer 2", False)]

    client.force_login(user)
    html = client.get(reverse("run_done", args=[run.pk])).content.decode()
    assert "Review your mistakes" in html and "Answer 2" in html and "nope" in html
    assert 'id="done-accuracy">50%<' in html
    body = client_for(user).get(f"{API}runs/{run.pk}/").content.decode()
    assert '"accuracy_pct":50' in body and '"solution":"Answer 2"' in body
    for unanswered in ("Answer 3", "Answer 4", "Answer 5"):
        assert unanswered not in html and unanswered not in body


def test_a_perfect_run_has_no_mistakes_section_and_full_accuracy(client, user):
    lesson, ex = lesson_with_distinct_answers(3)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    for i, exercise in enumerate(ex, start=1):
        reply(user, run, exercise, f"Answer {i}", ms=10_000)
    client.force_login(user)
    html = client.get(reverse("run_done", args=[run.pk])).content.decode()
    assert 'id="done-accuracy">100%<' in html and "3 of 3 right at the first try" in html
    assert '<time datetime="PT30S">0:30</time>' in html
    assert "Review your mistakes" not in html
    summary = client_for(user).get(f"{API}runs/{run.pk}/").json()["summary"]
    assert (summary["accuracy_pct"], summary["seconds_spent"], summary["mistakes"]) == (100, 30, [])


def test_an_abandoned_run_without_answers_has_no_accuracy(client, user):
    lesson, _ = lesson_with_distinct_answers(2)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    services.abandon_run(user=user, run_id=run.pk, now=T0)
    summary = selectors.run_summary(user=user, run_id=run.pk)
    assert (summary.answered, summary.accuracy_pct, summary.mistakes) == (0, None, [])
    client.force_login(user)
    html = client.get(reverse("run_done", args=[run.pk])).content.decode()
    assert "done-accuracy" not in html and "Answer 1" not in html


def test_the_summary_reads_in_five_queries_whatever_the_run(user, django_assert_num_queries):
    for count in (2, 4):  # four wrong answers leave one heart of five
        set_wallet(user, hearts=5, hearts_anchor_at=T0)
        lesson, ex = lesson_with_distinct_answers(count)
        run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
        for exercise in ex:
            reply(user, run, exercise, "wrong")
        for i, exercise in enumerate(ex, start=1):
            reply(user, run, exercise, f"Answer {i}")
        with django_assert_num_queries(5):
            summary = selectors.run_summary(user=user, run_id=run.pk)
        assert len(summary.mistakes) == count
