"""rollup_daily_metrics and purge_activity: aggregates, upsert idempotence, retention, active runs."""

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.tests.factories import UserFactory
from courses.tests.factories import ExerciseFactory, LessonFactory, UnitFactory
from gamification.jobs import JobError, run_purge_activity, run_rollup_daily_metrics
from gamification.models import CourseDailyMetric, ExerciseDailyMetric, HeartsLog
from progress.models import ExerciseAttempt, LessonRun

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)
NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)
NEXT_NIGHT = datetime(2026, 3, 3, 0, 20, tzinfo=UTC)


@pytest.fixture
def content():
    unit = UnitFactory()
    course = unit.section.course
    lesson = LessonFactory(unit=unit)
    return course, lesson, ExerciseFactory(course=course), ExerciseFactory(course=course)


def run(user, course, lesson, *, at, status=LessonRun.Status.PASSED):
    finished = None if status == LessonRun.Status.ACTIVE else at + timedelta(minutes=5)
    return LessonRun.objects.create(
        user=user, course=course, lesson=lesson, status=status, started_at=at, finished_at=finished
    )


def attempt(r, exercise, *, correct: bool, at, xp: int = 10):
    return ExerciseAttempt.objects.create(
        run=r,
        user=r.user,
        exercise=exercise,
        answer="x",
        correct=correct,
        xp_awarded=xp if correct else 0,
        created_at=at,
    )


def test_rollup_counts_a_course_day_and_its_exercises(content):
    course, lesson, ex1, ex2 = content
    alice, bob = UserFactory(), UserFactory()
    r1 = run(alice, course, lesson, at=NOON)
    attempt(r1, ex1, correct=False, at=NOON)
    attempt(r1, ex1, correct=True, at=NOON + timedelta(minutes=1))
    attempt(r1, ex2, correct=True, at=NOON + timedelta(minutes=2))
    r2 = run(bob, course, lesson, at=NOON, status=LessonRun.Status.FAILED)
    attempt(r2, ex2, correct=False, at=NOON)
    # Another day: not counted.
    r3 = run(bob, course, lesson, at=NOON + timedelta(days=1))
    attempt(r3, ex1, correct=True, at=NOON + timedelta(days=1))

    result = run_rollup_daily_metrics(now=NEXT_NIGHT)
    # one course row, two exercise rows, and 8 course-analytics rows (gamification/tests/test_jobs_course_analytics.py)
    assert result.rows_changed == 3 + 8
    m = CourseDailyMetric.objects.get(course=course, day=DAY)
    assert (m.active_learners, m.runs_started, m.runs_passed, m.xp_earned, m.answers, m.correct_answers) == (
        2, 2, 1, 20, 4, 2,
    )  # fmt: skip
    assert m.accuracy == 0.5
    e1, e2 = (ExerciseDailyMetric.objects.get(exercise=e, day=DAY) for e in (ex1, ex2))
    assert (e1.attempts, e1.errors, e2.attempts, e2.errors) == (2, 1, 2, 1)
    assert e2.error_rate == 0.5


def test_rollup_is_idempotent_and_updates_only_rows_that_differ(content):
    course, lesson, ex1, ex2 = content
    r = run(UserFactory(), course, lesson, at=NOON)
    attempt(r, ex1, correct=True, at=NOON)
    attempt(r, ex2, correct=True, at=NOON)
    assert run_rollup_daily_metrics(now=NEXT_NIGHT).rows_changed == 3 + 6  # + course-analytics rows
    assert run_rollup_daily_metrics(now=NEXT_NIGHT).rows_changed == 0
    attempt(r, ex2, correct=False, at=NOON + timedelta(hours=1))
    # late detail: only two metric rows change (+ the analytics rows of that exercise: day, time, answer)
    assert run_rollup_daily_metrics(now=NEXT_NIGHT).rows_changed == 2 + 3
    assert CourseDailyMetric.objects.get().answers == 3
    assert CourseDailyMetric.objects.count() == 1


def test_rollup_backfills_a_given_day_and_refuses_an_unfinished_one(content):
    course, lesson, ex1, _ = content
    r = run(UserFactory(), course, lesson, at=NOON - timedelta(days=5))
    attempt(r, ex1, correct=True, at=NOON - timedelta(days=5))
    assert run_rollup_daily_metrics(now=NEXT_NIGHT).rows_changed == 0
    assert run_rollup_daily_metrics(now=NEXT_NIGHT, day=DAY - timedelta(days=5)).rows_changed == 2 + 4
    with pytest.raises(JobError, match="has not ended"):
        run_rollup_daily_metrics(now=NEXT_NIGHT, day=date(2026, 3, 3))


def test_rollup_dry_run_writes_nothing(content):
    course, lesson, ex1, _ = content
    attempt(run(UserFactory(), course, lesson, at=NOON), ex1, correct=True, at=NOON)
    assert run_rollup_daily_metrics(now=NEXT_NIGHT, dry_run=True).rows_changed == 2 + 4
    assert not CourseDailyMetric.objects.exists()
    assert not ExerciseDailyMetric.objects.exists()


def test_purge_deletes_old_detail_keeps_active_runs_and_rolls_up_first(content, settings):
    settings.MALLARD_ACTIVITY_RETENTION_DAYS = 30
    course, lesson, ex1, ex2 = content
    user = UserFactory()
    old = NOON - timedelta(days=40)
    done = run(user, course, lesson, at=old)
    old_attempts = [attempt(done, ex1, correct=c, at=old) for c in (False, True, True)]
    active = run(user, course, LessonFactory(unit=lesson.unit), at=old, status=LessonRun.Status.ACTIVE)
    kept_active = attempt(active, ex2, correct=True, at=old)
    recent_run = run(user, course, lesson, at=NOON)
    recent = attempt(recent_run, ex1, correct=True, at=NOON)
    HeartsLog.objects.create(user=user, hearts_before=5, hearts_after=4, reason="wrong_answer", created_at=old)
    fresh_log = HeartsLog.objects.create(
        user=user, hearts_before=4, hearts_after=3, reason="wrong_answer", created_at=NOON
    )

    now = NOON + timedelta(hours=12)
    dry = run_purge_activity(now=now, dry_run=True)
    assert dry.rows_changed == 4
    assert ExerciseAttempt.objects.count() == 5

    result = run_purge_activity(now=now, batch_size=2)
    assert "rolled up 1 days first" in result.detail
    assert not ExerciseAttempt.objects.filter(pk__in=[a.pk for a in old_attempts]).exists()
    assert set(ExerciseAttempt.objects.values_list("pk", flat=True)) == {kept_active.pk, recent.pk}
    assert list(HeartsLog.objects.values_list("pk", flat=True)) == [fresh_log.pk]
    # The purged day was rolled up before its detail went, and the rollup survives.
    metric = CourseDailyMetric.objects.get(day=old.date())
    assert (metric.answers, metric.correct_answers) == (4, 3)
    assert ExerciseDailyMetric.objects.get(exercise=ex1, day=old.date()).errors == 1

    assert run_purge_activity(now=now).rows_changed == 0
    # A rollup of that day now would read purged detail: refused, the rollup is kept.
    with pytest.raises(JobError, match="retention"):
        run_rollup_daily_metrics(now=now, day=old.date())
    assert CourseDailyMetric.objects.get(day=old.date()).answers == 4
