"""Reads of achievements for the profile and the API: every achievement with the levels earned and
the progress toward the next one. Fixed query counts, whatever the number of achievements or awards."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import IntegerField, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User

from .models import Achievement, AchievementLevel, UserAchievement
from .services.achievements import measure_expressions, units_completed

Condition = Achievement.Condition


def measure_label(condition: str, value: int, threshold: int) -> str:
    """ "7 / 14 days": the measure now and the next level's threshold, in the condition's unit."""
    numbers = {"value": value, "threshold": threshold}
    if condition == Condition.STREAK_DAYS:
        return ngettext("%(value)s / %(threshold)s day", "%(value)s / %(threshold)s days", threshold) % numbers
    if condition == Condition.XP_TOTAL:
        return _("%(value)s / %(threshold)s XP") % numbers
    if condition == Condition.LESSON_COUNT:
        return ngettext("%(value)s / %(threshold)s lesson", "%(value)s / %(threshold)s lessons", threshold) % numbers
    if condition == Condition.PERFECT_LESSONS:
        return (
            ngettext("%(value)s / %(threshold)s perfect lesson", "%(value)s / %(threshold)s perfect lessons", threshold)
            % numbers
        )
    if condition == Condition.UNITS_COMPLETED:
        return ngettext("%(value)s / %(threshold)s unit", "%(value)s / %(threshold)s units", threshold) % numbers
    return ngettext("%(value)s / %(threshold)s word", "%(value)s / %(threshold)s words", threshold) % numbers


@dataclass(frozen=True)
class EarnedLevel:
    level: int
    threshold: int
    xp_reward: int
    earned_at: datetime


@dataclass(frozen=True)
class NextLevel:
    level: int
    threshold: int
    xp_reward: int
    value: int  # the measure now, at most the threshold (for the progress bar)
    label: str  # "7 / 14 days"


@dataclass(frozen=True)
class AchievementProgress:
    code: str
    name: str
    description: str
    icon: str
    condition_type: str
    levels_total: int
    earned: list[EarnedLevel]  # by level
    next: NextLevel | None  # None when every level is earned

    @property
    def latest(self) -> EarnedLevel | None:
        return self.earned[-1] if self.earned else None


def _measures(*, user: User, xp_total: int, streak_current: int, need_units: bool) -> dict[str, int]:
    """The measures as the progress bars show them. The streak is the current one (the next level is
    reached by carrying it on); the rest as the awards measure them. One query (two with units)."""
    expressions = measure_expressions(user, None)
    wanted = (Condition.LESSON_COUNT, Condition.PERFECT_LESSONS, Condition.WORDS_MASTERED)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(**{c: Coalesce(expressions[c], Value(0), output_field=IntegerField()) for c in wanted})
        .values(*wanted)
        .get()
    )
    return {
        **row,
        Condition.XP_TOTAL: xp_total,
        Condition.STREAK_DAYS: streak_current,
        Condition.UNITS_COMPLETED: units_completed(user) if need_units else 0,
    }


def achievement_progress(*, user: User, xp_total: int, streak_current: int) -> list[AchievementProgress]:
    """Every published achievement (and any other the learner holds a level of), with the levels earned
    and the next level's progress. Three queries (four when a units level is left to earn)."""
    held = list(UserAchievement.objects.filter(user=user).order_by("level"))
    held_ids = {ua.achievement_id for ua in held}
    levels = list(
        AchievementLevel.objects.filter(Q(achievement__is_active=True) | Q(achievement_id__in=held_ids))
        .select_related("achievement")
        .order_by("achievement__condition_type", "achievement__code", "level")
    )
    earned: dict[int, dict[int, UserAchievement]] = {}
    for ua in held:
        earned.setdefault(ua.achievement_id, {})[ua.level] = ua
    by_achievement: dict[int, list[AchievementLevel]] = {}
    for lv in levels:
        by_achievement.setdefault(lv.achievement_id, []).append(lv)
    next_levels = {
        a_id: next((lv for lv in lvs if lv.level not in earned.get(a_id, {})), None)
        for a_id, lvs in by_achievement.items()
    }
    need_units = any(
        lv is not None and lv.achievement.condition_type == Condition.UNITS_COMPLETED and lv.achievement.is_active
        for lv in next_levels.values()
    )
    measures = _measures(user=user, xp_total=xp_total, streak_current=streak_current, need_units=need_units)
    result = []
    for a_id, lvs in by_achievement.items():
        achievement = lvs[0].achievement
        mine = earned.get(a_id, {})
        upcoming = next_levels[a_id] if achievement.is_active else None
        value = measures.get(achievement.condition_type, 0)
        result.append(
            AchievementProgress(
                code=achievement.code,
                name=achievement.name,
                description=achievement.description,
                icon=achievement.icon,
                condition_type=achievement.condition_type,
                levels_total=len(lvs),
                earned=[EarnedLevel(ua.level, ua.threshold, ua.xp_reward, ua.earned_at) for ua in mine.values()],
                next=NextLevel(
                    level=upcoming.level,
                    threshold=upcoming.threshold,
                    xp_reward=upcoming.xp_reward,
                    value=min(value, upcoming.threshold),
                    label=measure_label(achievement.condition_type, value, upcoming.threshold),
                )
                if upcoming is not None
                else None,
            )
        )
    return result
