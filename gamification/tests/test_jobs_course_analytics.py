"""The course-analytics part of rollup_daily_metrics, checked against hand-counted runs and answers
(analytics/tests/fixtures.py). Runs on PostgreSQL and, in the SQLite run, on SQLite."""

from datetime import timedelta

import pytest

from analytics.models import ExerciseDay, ExerciseTime, LessonDay, LessonTime, WrongAnswerDay
from analytics.rules import EXERCISE_BUCKETS, LESSON_BUCKETS, median
from analytics.tests.fixtures import DAY, NEXT_NIGHT, NOON, build_scene
from gamification.jobs import run_job, run_rollup_daily_metrics
from gamification.models import JobRun
from progress.models import ExerciseAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return build_scene()


def lesson_day(lesson):
    d = LessonDay.objects.get(lesson=lesson, day=DAY)
    return d.started, d.passed, d.failed, d.quit


def exercise_day(lesson, exercise):
    d = ExerciseDay.objects.get(lesson=lesson, exercise=exercise, day=DAY)
    return d.attempts, d.errors, d.first_tries, d.first_try_correct


def wrong_answers(lesson, exercise):
    rows = WrongAnswerDay.objects.filter(lesson=lesson, exercise=exercise, day=DAY)
    return {w.answer: w.count for w in rows}


def test_rollup_matches_the_hand_counts(scene):
    run_rollup_daily_metrics(now=NEXT_NIGHT)

    assert lesson_day(scene.l1) == (4, 2, 1, 1)
    assert lesson_day(scene.l2) == (1, 1, 0, 0)
    assert LessonDay.objects.count() == 2  # the review run is not a lesson's
    times = {t.bucket: t.runs for t in LessonTime.objects.filter(lesson=scene.l1, day=DAY)}
    assert times == {LESSON_BUCKETS.bucket_of(12_000): 1, LESSON_BUCKETS.bucket_of(40_000): 1}

    assert exercise_day(scene.l1, scene.typed) == (5, 3, 3, 1)
    assert exercise_day(scene.l1, scene.choice) == (4, 2, 3, 1)
    assert exercise_day(scene.l2, scene.typed) == (1, 0, 1, 1)
    assert ExerciseDay.objects.count() == 3
    typed_times = ExerciseTime.objects.filter(lesson=scene.l1, exercise=scene.typed, day=DAY)
    assert sorted(t.bucket for t in typed_times) == [1, 2, 4, 5, 20]
    assert sum(t.attempts for t in ExerciseTime.objects.filter(day=DAY)) == 10

    assert wrong_answers(scene.l1, scene.typed) == {"estoy bien gracias": 2, "xyz": 1}
    assert wrong_answers(scene.l1, scene.choice) == {"hola": 2}
    assert WrongAnswerDay.objects.count() == 3


def test_medians_read_back_from_the_histograms(scene):
    run_rollup_daily_metrics(now=NEXT_NIGHT)
    runs = LessonTime.objects.filter(lesson=scene.l1).values_list("bucket", "runs")
    # 12 s and 40 s: the median is the first run's bucket (0-15 s), read as its upper edge.
    assert median(runs, LESSON_BUCKETS).ms == 15_000
    answers = ExerciseTime.objects.filter(lesson=scene.l1, exercise=scene.typed).values_list("bucket", "attempts")
    # 1.5, 2, 4, 5, 20 s: the median answer took 4 s, read as 4.5 s (the middle of its 1-second bucket).
    assert median(answers, EXERCISE_BUCKETS).ms == 4_500


def test_rerun_changes_nothing_and_late_detail_changes_only_its_rows(scene):
    first = run_rollup_daily_metrics(now=NEXT_NIGHT)
    # 2 course/exercise metric rows of the existing rollup … plus 2 + 3 + 3 + 10 + 3 analytics rows.
    assert "2 lesson, 3 lesson-time, 3 exercise, 10 exercise-time and 3 wrong-answer analytics rows" in first.detail
    assert run_rollup_daily_metrics(now=NEXT_NIGHT).rows_changed == 0
    snapshot = [list(m.objects.order_by("pk").values()) for m in (LessonDay, ExerciseDay, WrongAnswerDay)]
    assert run_rollup_daily_metrics(now=NEXT_NIGHT).rows_changed == 0
    assert [list(m.objects.order_by("pk").values()) for m in (LessonDay, ExerciseDay, WrongAnswerDay)] == snapshot

    # One more wrong answer "XYZ!" (same as "xyz" once normalised) by bob, late: the wrong-answer
    # count, the exercise row and one time bucket change; "xyz" goes from 1 to 2.
    bob_run = ExerciseAttempt.objects.get(answer="xyz").run
    ExerciseAttempt.objects.create(
        run=bob_run, user=bob_run.user, exercise=scene.typed, answer="XYZ!", correct=False,
        time_spent_ms=1500, result={}, created_at=NOON + timedelta(hours=3),
    )  # fmt: skip
    result = run_rollup_daily_metrics(now=NEXT_NIGHT)
    assert "0 lesson, 0 lesson-time, 1 exercise, 1 exercise-time and 1 wrong-answer analytics rows" in result.detail
    assert wrong_answers(scene.l1, scene.typed) == {"estoy bien gracias": 2, "xyz": 2}
    assert exercise_day(scene.l1, scene.typed) == (6, 4, 3, 1)


def test_a_wrong_answer_no_longer_there_is_removed(scene):
    run_rollup_daily_metrics(now=NEXT_NIGHT)
    ExerciseAttempt.objects.filter(answer="xyz").delete()  # e.g. the learner's account was erased
    result = run_rollup_daily_metrics(now=NEXT_NIGHT)
    assert "1 wrong-answer" in result.detail
    assert wrong_answers(scene.l1, scene.typed) == {"estoy bien gracias": 2}


def test_dry_run_writes_no_analytics_rows_and_is_recorded(scene):
    run, _ = run_job("rollup_daily_metrics", now=NEXT_NIGHT, dry_run=True, triggered_by="command")
    assert run.outcome == JobRun.Outcome.DRY_RUN
    assert "3 wrong-answer analytics rows" in run.detail
    assert not LessonDay.objects.exists() and not WrongAnswerDay.objects.exists()
    recorded, _ = run_job("rollup_daily_metrics", now=NEXT_NIGHT, triggered_by="command")
    assert recorded.outcome == JobRun.Outcome.OK and recorded.rows_changed > 0
    assert LessonDay.objects.count() == 2


@pytest.mark.postgresql_only
def test_the_benchmark_data_rolls_up_to_its_own_counts():
    """bench_analytics's generator (PostgreSQL: generate_series) makes runs and answers that the
    rollup counts back exactly."""
    from datetime import UTC, datetime

    from django.db.models import Sum

    from gamification.management.analytics_benchdata import fill

    end = datetime(2026, 3, 1, tzinfo=UTC)
    counts = fill(using="default", attempts=480, days=2, learners=7, units=1, end=end, analyze=False)
    assert counts == {"learners": 7, "lessons": 10, "runs": 40, "attempts": 480}
    for day in (1, 2):
        run_rollup_daily_metrics(now=end, day=(end - timedelta(days=day)).date())
    assert LessonDay.objects.aggregate(s=Sum("started"), e=Sum("passed") + Sum("failed") + Sum("quit")) == {
        "s": 40,
        "e": 40,
    }
    answers = ExerciseDay.objects.aggregate(a=Sum("attempts"), f=Sum("first_tries"))
    assert answers == {"a": 480, "f": 400}  # 12 answers per run over 10 exercises: 10 first tries each
    assert WrongAnswerDay.objects.aggregate(n=Sum("count"))["n"] == ExerciseDay.objects.aggregate(e=Sum("errors"))["e"]
