"""decay_tiers: one step per full 14 days, bronze floor, legendary untouched, idempotence."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from courses.tests.factories import LessonFactory, UnitFactory
from gamification.jobs import JobError, run_close_streaks, run_decay_tiers
from gamification.management.benchdata import ZONES, fill
from gamification.models import Streak, Wallet
from progress.models import LessonProgress
from progress.rules import DECAYABLE_TIERS, decayed_tier

from .jobs_factories import progress

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BRONZE, SILVER, GOLD, LEGENDARY = 1, 2, 3, 4


@pytest.fixture
def make():
    user, unit = UserFactory(), UnitFactory()

    def _make(tier: int, anchor: datetime = T0) -> LessonProgress:
        return progress(user=user, lesson=LessonFactory(unit=unit), tier=tier, anchor=anchor)

    return _make


def fresh(row: LessonProgress) -> LessonProgress:
    row.refresh_from_db()
    return row


def test_day_13_nothing(make):
    row = make(GOLD)
    assert run_decay_tiers(now=T0 + timedelta(days=13, hours=23, minutes=59)).rows_changed == 0
    assert fresh(row).tier == GOLD
    assert row.last_decayed_at is None


def test_day_14_one_step_and_the_anchor_moves_by_whole_steps(make):
    row = make(GOLD)
    now = T0 + timedelta(days=16, hours=5)
    assert run_decay_tiers(now=now).rows_changed == 1
    row = fresh(row)
    assert row.tier == SILVER
    assert row.tier_anchor_at == T0 + timedelta(days=14)  # not "now": the 2 extra days are kept
    assert row.last_decayed_at == now


def test_day_28_two_steps_in_one_run(make):
    row = make(GOLD)
    assert run_decay_tiers(now=T0 + timedelta(days=28)).rows_changed == 1
    row = fresh(row)
    assert (row.tier, row.tier_anchor_at) == (BRONZE, T0 + timedelta(days=28))


def test_nightly_runs_over_40_days_decay_once_per_14_days(make):
    gold = make(GOLD)
    silver = make(SILVER, anchor=T0 + timedelta(days=3))
    changes = {}
    for night in range(1, 41):
        result = run_decay_tiers(now=T0 + timedelta(days=night, hours=-10))  # 02:00 UTC each night
        if result.rows_changed:
            changes[night] = result.rows_changed
    # gold: silver on night 15 (14 days 14 h), bronze on night 29; silver (anchored day 3): bronze on night 18.
    assert changes == {15: 1, 18: 1, 29: 1}
    assert (fresh(gold).tier, fresh(silver).tier) == (BRONZE, BRONZE)


def test_bronze_floor_and_legendary_never_decays(make):
    long_ago = T0 - timedelta(days=300)
    bronze, legendary, silver = make(BRONZE, long_ago), make(LEGENDARY, long_ago), make(SILVER, long_ago)
    unpassed = make(0, None)
    assert run_decay_tiers(now=T0).rows_changed == 1
    assert fresh(bronze).tier == BRONZE
    assert fresh(legendary).tier == LEGENDARY
    assert fresh(legendary).last_decayed_at is None
    assert fresh(silver).tier == BRONZE
    assert fresh(unpassed).tier == 0


def test_second_run_at_the_same_now_changes_nothing(make):
    rows = [make(GOLD, T0 - timedelta(days=d)) for d in (14, 20, 27, 28, 41, 60)]
    now = T0
    first = run_decay_tiers(now=now, batch_size=2)
    assert first.rows_changed == 6
    state = [(r.tier, r.tier_anchor_at) for r in map(fresh, rows)]
    assert state == [
        (SILVER, T0),
        (SILVER, T0 - timedelta(days=6)),
        (SILVER, T0 - timedelta(days=13)),
        (BRONZE, T0),
        (BRONZE, T0 - timedelta(days=13)),
        (BRONZE, T0 - timedelta(days=4)),
    ]
    assert run_decay_tiers(now=now).rows_changed == 0
    assert [(r.tier, r.tier_anchor_at) for r in map(fresh, rows)] == state


def test_the_sql_decays_exactly_as_the_pure_rule(make):
    """``progress.rules.decayed_tier`` and the job's SQL are one rule: same tier, same anchor, row by row."""
    now = T0
    ages = [timedelta(0), timedelta(days=13, hours=23), timedelta(days=14), timedelta(days=15, seconds=7)]
    ages += [timedelta(days=27, hours=23, minutes=59), timedelta(days=28), timedelta(days=43), timedelta(days=300)]
    rows = [make(tier, now - age) for tier in (BRONZE, SILVER, GOLD, LEGENDARY) for age in ages]
    before = [(r.tier, r.tier_anchor_at) for r in rows]
    expected = [decayed_tier(tier=tier, anchor=anchor, now=now) for tier, anchor in before]
    assert run_decay_tiers(now=now, batch_size=5).rows_changed == sum(
        1 for old, new in zip(before, expected, strict=True) if old != new
    )
    assert [(r.tier, r.tier_anchor_at) for r in map(fresh, rows)] == expected
    assert expected != before  # the sample does decay: silver and gold at 14 days and more
    # The partial index the job's selection relies on has the rule's predicate.
    (index,) = [i for i in LessonProgress._meta.indexes if i.name == "lesson_progress_decayable"]
    assert set(dict(index.condition.children)["tier__in"]) == set(DECAYABLE_TIERS)


def test_dry_run_counts_and_changes_nothing(make):
    row = make(GOLD, T0 - timedelta(days=30))
    assert run_decay_tiers(now=T0, dry_run=True).rows_changed == 1
    assert fresh(row).tier == GOLD


@pytest.mark.postgresql_only
def test_benchmark_data_generator_smoke():
    """bench_jobs' generator with tiny numbers: consistent rows the jobs can run on (no timing here)."""
    fill(using="default", learners=60, progress_rows=180, now=T0, analyze=False)
    assert Wallet.objects.count() == Streak.objects.count() == 60
    assert LessonProgress.objects.count() == 180
    assert LessonProgress.objects.values("user_id", "lesson_id").distinct().count() == 180
    assert set(User.objects.values_list("time_zone", flat=True)) == set(ZONES)
    assert set(LessonProgress.objects.values_list("tier", flat=True)) <= {0, 1, 2, 3, 4}
    first = run_decay_tiers(now=T0).rows_changed
    assert first == LessonProgress.objects.filter(last_decayed_at=T0).count() > 0
    assert run_decay_tiers(now=T0).rows_changed == 0
    assert run_close_streaks(now=T0).rows_changed > 0
    assert run_close_streaks(now=T0).rows_changed == 0


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_give_the_same_result_as_one():
    user, unit = UserFactory(), UnitFactory()
    lessons = [LessonFactory(unit=unit) for _ in range(3)]
    rows = [
        progress(user=u, lesson=lesson, tier=tier, anchor=T0 - timedelta(days=days))
        for u in (user, UserFactory(), UserFactory())
        for lesson, tier, days in zip(lessons, (2, 3, 3), (15, 29, 3), strict=True)
    ]
    result = run_decay_tiers(now=T0, workers=2, batch_size=2)
    assert result.rows_changed == 6
    assert "on 2 connections" in result.detail
    assert [fresh(r).tier for r in rows] == [1, 1, 3] * 3
    assert run_decay_tiers(now=T0, workers=2).rows_changed == 0


@pytest.mark.sqlite_only
def test_sqlite_has_one_writer_so_workers_are_refused(make):
    row = make(GOLD, T0 - timedelta(days=30))
    with pytest.raises(JobError, match="--workers needs PostgreSQL"):
        run_decay_tiers(now=T0, workers=2)
    assert fresh(row).tier == GOLD
