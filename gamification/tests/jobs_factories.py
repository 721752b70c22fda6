"""Small builders for the job tests (gamification/tests/test_jobs*.py)."""

from datetime import UTC, date, datetime

from accounts.tests.factories import UserFactory
from gamification.models import Streak, Wallet
from progress.models import LessonProgress
from progress.rules import GOLD_PASSES, LEGENDARY_PERFECT_PASSES, SILVER_PASSES, tier_for_counts

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def learner(
    *,
    tz: str = "UTC",
    current: int = 0,
    last_day: date | None = None,
    last_activity_at: datetime | None = None,
    freezes: int = 0,
    **user_fields,
):
    user = UserFactory(time_zone=tz, **user_fields)
    Wallet.objects.create(user=user, hearts_anchor_at=EPOCH, streak_freezes=freezes)
    Streak.objects.create(
        user=user, current=current, longest=current, last_day=last_day, last_activity_at=last_activity_at
    )
    return user


def streak(user) -> Streak:
    return Streak.objects.get(user=user)


def progress(*, user, lesson, tier: int, anchor: datetime | None) -> LessonProgress:
    """A lesson-progress row at ``tier``, with the fewest lifetime counts that earn it."""
    passes = {0: 0, 1: 1, 2: SILVER_PASSES, 3: GOLD_PASSES, 4: GOLD_PASSES}[tier]
    perfect = LEGENDARY_PERFECT_PASSES if tier == 4 else 0
    assert tier_for_counts(passes=passes, perfect_passes=perfect) == tier
    return LessonProgress.objects.create(
        user=user,
        lesson=lesson,
        passes=passes,
        perfect_passes=perfect,
        tier=tier,
        last_passed_at=anchor,
        tier_anchor_at=anchor,
    )
