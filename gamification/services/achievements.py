"""Achievements: evaluated after every XP change and after a run passes; each awarded once.

Condition types (``Achievement.Condition``), measured as:

- ``lesson_count``: lesson runs passed, lifetime (sum of ``LessonProgress.passes``);
- ``perfect_lessons``: perfect lesson runs, lifetime (sum of ``LessonProgress.perfect_passes``);
- ``streak_days``: the longest streak reached (``Streak.longest``);
- ``xp_total``: ``Wallet.xp_total``;
- ``units_completed``: units all of whose published lessons are passed.

An award is a UserAchievement (unique per user and achievement) plus, for a reward, an XP
LedgerEntry keyed ``achievement:<id>:user:<id>``. Reward XP is XP like any other: it counts toward
today's goal and extends the streak. Awarding XP can meet another condition (XP Collector), so the
evaluation repeats until nothing new is earned.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum

from accounts.models import User
from courses.models import Unit, visible_q
from progress.models import LessonProgress

from ..models import Achievement, LedgerEntry, Streak, UserAchievement, Wallet
from . import ledger
from .activity import record_activity
from .wallet import lock_wallet


def _stats(user: User) -> dict[str, int]:
    """All condition measures in two queries."""
    from accounts.models import User

    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            stat_xp=Subquery(Wallet.objects.filter(user=OuterRef("pk")).values("xp_total")[:1]),
            stat_streak=Subquery(Streak.objects.filter(user=OuterRef("pk")).values("longest")[:1]),
            stat_passes=Subquery(
                LessonProgress.objects.filter(user=OuterRef("pk"))
                .values("user")
                .annotate(s=Sum("passes"))
                .values("s")[:1]
            ),
            stat_perfect=Subquery(
                LessonProgress.objects.filter(user=OuterRef("pk"))
                .values("user")
                .annotate(s=Sum("perfect_passes"))
                .values("s")[:1]
            ),
        )
        .values("stat_xp", "stat_streak", "stat_passes", "stat_perfect")
        .get()
    )
    published = Q(lessons__is_published=True) & visible_q("unit")  # a visible lesson of the unit
    passed_here = LessonProgress.objects.filter(user=user, passes__gte=1, lesson__unit=OuterRef("pk"))
    units = (
        Unit.objects.filter(pk__in=LessonProgress.objects.filter(user=user, passes__gte=1).values("lesson__unit"))
        .annotate(
            total=Count("lessons", filter=published, distinct=True),
            done=Subquery(
                # Only visible units count (total > 0 below), so the lesson's own flag decides here.
                passed_here.filter(lesson__is_published=True)
                .values("lesson__unit")
                .annotate(c=Count("pk"))
                .values("c")[:1]
            ),
        )
        .filter(total__gt=0, done=F("total"))
        .count()
    )
    return {
        Achievement.Condition.XP_TOTAL: row["stat_xp"] or 0,
        Achievement.Condition.STREAK_DAYS: row["stat_streak"] or 0,
        Achievement.Condition.LESSON_COUNT: row["stat_passes"] or 0,
        Achievement.Condition.PERFECT_LESSONS: row["stat_perfect"] or 0,
        Achievement.Condition.UNITS_COMPLETED: units,
    }


def evaluate(*, user: User, now: datetime, run=None) -> list[UserAchievement]:
    """Award every active achievement whose condition the learner now meets and does not hold yet.

    Locks the learner's wallet (re-locking inside a caller's transaction is a no-op).
    """
    with transaction.atomic():
        return evaluate_locked(user=user, wallet=lock_wallet(user=user, now=now), now=now, run=run)


def evaluate_locked(*, user: User, wallet: Wallet, now: datetime, run=None) -> list[UserAchievement]:
    """``evaluate`` for a caller that already holds the wallet lock (``wallet`` is that locked row).

    One query when nothing is left to earn or nothing is met; otherwise two for the measures plus
    five per round of awards."""
    earned: list[UserAchievement] = []
    candidates = list(Achievement.objects.filter(is_active=True).exclude(holders__user=user))
    while candidates:
        stats = _stats(user)
        met = [a for a in candidates if stats.get(a.condition_type, 0) >= a.condition_value]
        if not met:
            break
        awards = UserAchievement.objects.bulk_create(
            [UserAchievement(user=user, achievement=a, earned_at=now, run=run) for a in met]
        )
        earned.extend(awards)
        xp = sum(a.xp_reward for a in met)
        if xp:
            ledger.credit(
                wallet=wallet,
                entries=[
                    ledger.xp_entry(
                        user=user,
                        amount=a.xp_reward,
                        reason=LedgerEntry.Reason.ACHIEVEMENT,
                        key=f"achievement:{a.pk}:user:{user.pk}",
                        source=ua,
                        now=now,
                    )
                    for a, ua in zip(met, awards, strict=True)
                ],
            )
            record_activity(user=user, now=now, xp=xp)
        candidates = [a for a in candidates if a not in met]
        if not xp:
            break
    return earned
