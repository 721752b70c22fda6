"""Achievements: each level awarded once, when an event that can change its measure happens.

Condition types (``Achievement.Condition``), measured as:

- ``lesson_count``: lesson runs passed, lifetime (sum of ``LessonProgress.passes``);
- ``perfect_lessons``: perfect lesson runs, lifetime (sum of ``LessonProgress.perfect_passes``);
- ``streak_days``: the longest streak reached (``Streak.longest``);
- ``xp_total``: ``Wallet.xp_total``;
- ``units_completed``: units all of whose published lessons are passed;
- ``words_mastered``: words whose memory is mastered now (``TokenMastery`` with stability ≥ 21 days).

Only the conditions an event can change are evaluated (``ON_XP``: XP, and the streak, which only XP
extends; ``ON_PASS``: lessons passed, perfect lessons, units; ``ON_MASTERY``: words mastered), in one
query that returns the published levels met and not held (the measures are read inside it from the
locked wallet, the streak row and indexed per-learner rows). Units are counted only when a units
level is still to earn. A right answer that can change only XP and the streak sends that query inside
its day's statement instead (``xp_levels_read``), where the streak's new longest is known.

An award is a UserAchievement (unique per learner, achievement and level) plus, for a reward, an XP
LedgerEntry keyed ``achievement:<id>:user:<id>`` (level 1) or ``achievement:<id>:user:<id>:level:<n>``.
Reward XP is XP like any other: it counts toward today's goal and extends the streak. Awarding XP can
reach an XP level (Sage), so the XP conditions are evaluated again until nothing new is earned.
"""

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from accounts.models import User
from core.reads import CompiledRead
from courses.models import Unit, visible_q
from progress.models import LessonProgress, TokenMastery
from progress.services.scheduling import mastered_q

from ..models import Achievement, AchievementLevel, LedgerEntry, Streak, UserAchievement, Wallet
from . import ledger
from .activity import record_activity
from .wallet import lock_wallet

Condition = Achievement.Condition
#: The conditions each event can change.
ON_XP = (Condition.XP_TOTAL, Condition.STREAK_DAYS)
ON_PASS = (Condition.LESSON_COUNT, Condition.PERFECT_LESSONS, Condition.UNITS_COMPLETED)
ON_MASTERY = (Condition.WORDS_MASTERED,)
ALL_CONDITIONS = tuple(Condition)


def _sum_of_progress(user_id: int, field: str):
    return Subquery(
        LessonProgress.objects.filter(user_id=user_id).values("user").annotate(s=Sum(field)).values("s")[:1],
        output_field=IntegerField(),
    )


def measure_expressions(user: User, wallet: Wallet | None) -> dict[str, object]:
    """Each condition's measure as an SQL expression (units: none, see ``units_completed``)."""
    return _measures(user_id=user.pk, xp=wallet.xp_total if wallet else 0)


def _measures(*, user_id: int, xp: int, longest=None) -> dict[str, object]:
    """``longest``: the streak's measure as an expression, when the caller has it (else its row's)."""
    return {
        Condition.XP_TOTAL: Value(xp),
        Condition.STREAK_DAYS: longest
        if longest is not None
        else Subquery(Streak.objects.filter(user_id=user_id).values("longest")[:1]),
        Condition.LESSON_COUNT: _sum_of_progress(user_id, "passes"),
        Condition.PERFECT_LESSONS: _sum_of_progress(user_id, "perfect_passes"),
        Condition.WORDS_MASTERED: Subquery(
            TokenMastery.objects.filter(mastered_q(), user_id=user_id)
            .values("user")
            .annotate(c=Count("pk"))
            .values("c")[:1],
            output_field=IntegerField(),
        ),
    }


def units_completed(user: User) -> int:
    """Units all of whose published (visible) lessons the learner has passed. One query."""
    return len(_UNITS_COMPLETED.rows(user_id=user.pk))


def _units_completed_query(user_id: int):
    published = Q(lessons__is_published=True) & visible_q("unit")  # a visible lesson of the unit
    passed_here = LessonProgress.objects.filter(user_id=user_id, passes__gte=1, lesson__unit=OuterRef("pk"))
    units = (
        Unit.objects.filter(pk__in=LessonProgress.objects.filter(user_id=user_id, passes__gte=1).values("lesson__unit"))
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
    )
    return units.values_list("pk")


#: ``units_completed``'s statement, built once per process (``core.reads``): the completed units'
#: ids, counted here (a learner's units are few).
_UNITS_COMPLETED = CompiledRead(_units_completed_query, user_id=-2_000_000_001)


def _met_levels_query(conditions: frozenset[str], *, user_id: int, xp: int = 0, longest=None):
    measures = _measures(user_id=user_id, xp=xp, longest=longest)
    met = Q()
    for condition in sorted(conditions):
        if condition == Condition.UNITS_COMPLETED:
            met |= Q(achievement__condition_type=condition)  # counted below, only if a level is left
        else:
            measure = Coalesce(measures[condition], Value(0), output_field=IntegerField())
            met |= Q(achievement__condition_type=condition, threshold__lte=measure)
    held = UserAchievement.objects.filter(user_id=user_id, achievement=OuterRef("achievement"), level=OuterRef("level"))
    return (
        AchievementLevel.objects.filter(met, achievement__is_active=True)
        .filter(~Exists(held))
        .select_related("achievement")
        .order_by("achievement_id", "level")
    )


#: ``_met_levels``' statement for each set of conditions, built once per process (``core.reads``).
_MET_LEVELS: dict[frozenset[str], CompiledRead] = {}


def _met_levels(*, user: User, wallet: Wallet, conditions: Iterable[str]) -> list[AchievementLevel]:
    """Published levels of ``conditions`` the learner has reached and does not hold, in one query
    (plus one to count units when a units level is still to earn)."""
    key = frozenset(conditions)
    if not key:
        return []
    by_xp = Condition.XP_TOTAL in key  # the wallet's XP is a value of the statement only then
    read = _MET_LEVELS.get(key)
    if read is None:
        stand_ins: dict[str, Any] = {"user_id": -2_000_000_001} | ({"xp": -2_000_000_002} if by_xp else {})
        read = _MET_LEVELS[key] = CompiledRead(partial(_met_levels_query, key), **stand_ins)
    values: dict[str, Any] = {"user_id": user.pk} | ({"xp": wallet.xp_total} if by_xp else {})
    levels = read.objects(**values)
    if any(lv.achievement.condition_type == Condition.UNITS_COMPLETED for lv in levels):
        units = units_completed(user)
        levels = [
            lv for lv in levels if lv.achievement.condition_type != Condition.UNITS_COMPLETED or lv.threshold <= units
        ]
    return levels


#: The levels an answer's XP can earn (``ON_XP``) that are met and not held, as an array of their ids,
#: with the streak's longest read from ``s``: the streak row the day's statement has just updated
#: (``activity.record_day(read=…)``), so the read joins that statement (built once per process).
_XP_LEVELS_IN_DAY = CompiledRead(
    lambda user_id, xp: _met_levels_query(
        frozenset(ON_XP), user_id=user_id, xp=xp, longest=RawSQL("(SELECT longest FROM s)", [])
    ).values_list("pk"),
    user_id=-2_000_000_001,
    xp=-2_000_000_002,
)


def xp_levels_read(*, user: User, wallet: Wallet) -> tuple[str, list]:
    """``ON_XP``'s read for ``activity.record_day(read=…)``: an SQL expression (an array of the ids of
    the levels met and not held) that reads the streak's new row as ``s``; its result goes to
    ``evaluate_locked(met_ids=…)``."""
    sql, params = _XP_LEVELS_IN_DAY.statement(connection.alias, user_id=user.pk, xp=wallet.xp_total)
    return f"ARRAY({sql})", params


def _levels(ids: list[int]) -> list[AchievementLevel]:
    """The levels of these ids, as ``_met_levels`` returns them (no query for none)."""
    if not ids:
        return []
    return list(
        AchievementLevel.objects.filter(pk__in=ids).select_related("achievement").order_by("achievement_id", "level")
    )


def award_key(*, achievement_id: int, user_id: int, level: int) -> str:
    """The ledger key of a level's reward (level 1 keeps the key awards had before levels existed)."""
    key = f"achievement:{achievement_id}:user:{user_id}"
    return key if level == 1 else f"{key}:level:{level}"


def evaluate(
    *, user: User, now: datetime, run=None, conditions: Iterable[str] = ALL_CONDITIONS
) -> list[UserAchievement]:
    """Award every published level of ``conditions`` the learner now reaches and does not hold yet.

    Locks the learner's wallet (re-locking inside a caller's transaction is a no-op).
    """
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)
        return evaluate_locked(user=user, wallet=wallet, now=now, run=run, conditions=conditions)


def evaluate_locked(
    *,
    user: User,
    wallet: Wallet,
    now: datetime,
    run=None,
    conditions: Iterable[str] = ALL_CONDITIONS,
    met_ids: list[int] | None = None,
) -> list[UserAchievement]:
    """``evaluate`` for a caller that already holds the wallet lock (``wallet`` is that locked row).

    One query when nothing is met (two on a pass while a units level is left to earn); otherwise
    six per round of awards (awards, ledger, wallet, league XP, day, streak) and one to look again.
    ``met_ids``: the first round's levels, already read by the caller (``xp_levels_read``): no query
    when there are none."""
    earned: list[UserAchievement] = []
    conditions = tuple(conditions)
    while conditions:
        if met_ids is not None:
            met = _levels(met_ids)
            met_ids = None
        else:
            met = _met_levels(user=user, wallet=wallet, conditions=conditions)
        if not met:
            break
        awards = UserAchievement.objects.bulk_create(
            [
                UserAchievement(
                    user=user,
                    achievement=lv.achievement,
                    level=lv.level,
                    threshold=lv.threshold,
                    xp_reward=lv.xp_reward,
                    earned_at=now,
                    run=run,
                )
                for lv in met
            ]
        )
        earned.extend(awards)
        xp = sum(lv.xp_reward for lv in met)
        if not xp:
            break
        ledger.credit(
            wallet=wallet,
            entries=[
                ledger.xp_entry(
                    user=user,
                    amount=lv.xp_reward,
                    reason=LedgerEntry.Reason.ACHIEVEMENT,
                    key=award_key(achievement_id=lv.achievement_id, user_id=user.pk, level=lv.level),
                    source=ua,
                    now=now,
                )
                for lv, ua in zip(met, awards, strict=True)
            ],
        )
        record_activity(user=user, now=now, xp=xp)
        conditions = ON_XP  # reward XP can only move XP (and a streak)
    return earned
