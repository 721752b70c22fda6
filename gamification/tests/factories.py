"""Factories for gamification rows. Each writes only its own row (and its parents): a
``LedgerEntryFactory`` row does not move the wallet's cached total, as ``credit`` does in real use."""

from datetime import UTC, date, datetime

import factory

from accounts.tests.factories import UserFactory
from courses.tests.factories import CourseFactory, ExerciseFactory
from gamification.models import (
    MAX_HEARTS,
    Achievement,
    AchievementLevel,
    CourseDailyMetric,
    DailyActivity,
    ExerciseDailyMetric,
    FrozenDay,
    HeartsLog,
    JobRun,
    LedgerEntry,
    Streak,
    StreakReminder,
    UserAchievement,
    Wallet,
)

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
DAY0 = date(2026, 1, 5)


class WalletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wallet

    user = factory.SubFactory(UserFactory)
    hearts = MAX_HEARTS
    hearts_anchor_at = T0


class StreakFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Streak

    user = factory.SubFactory(UserFactory)
    current = 0
    longest = factory.SelfAttribute("current")


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerEntry

    user = factory.SubFactory(UserFactory)
    currency = LedgerEntry.Currency.XP
    amount = 10
    reason = LedgerEntry.Reason.EXERCISE
    key = factory.Sequence(lambda n: f"factory:{n}")
    created_at = T0


class HeartsLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HeartsLog

    user = factory.SubFactory(UserFactory)
    hearts_before = MAX_HEARTS
    hearts_after = MAX_HEARTS - 1
    reason = HeartsLog.Reason.WRONG_ANSWER
    created_at = T0


class DailyActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyActivity

    user = factory.SubFactory(UserFactory)
    day = DAY0
    xp = 10
    activities = 1
    seconds_spent = 60


class AchievementFactory(factory.django.DjangoModelFactory):
    """An achievement beside the ones the data migration creates (its code and name are its own)."""

    class Meta:
        model = Achievement
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"factory-{n}")
    name = factory.Sequence(lambda n: f"Factory achievement {n}")
    description = "Earn 100 XP"
    condition_type = Achievement.Condition.XP_TOTAL

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        """``levels=[(threshold, xp_reward), …]`` (level 1, 2, …); one level of 100 by default."""
        if create:
            for n, (threshold, xp) in enumerate(extracted or [(100, 0)], start=1):
                AchievementLevel.objects.create(achievement=self, level=n, threshold=threshold, xp_reward=xp)


class UserAchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserAchievement

    user = factory.SubFactory(UserFactory)
    achievement = factory.SubFactory(AchievementFactory)
    earned_at = T0


class JobRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobRun

    job = "close_streaks"
    started_at = T0
    finished_at = T0
    as_of = T0
    outcome = JobRun.Outcome.OK


class CourseDailyMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseDailyMetric

    course = factory.SubFactory(CourseFactory)
    day = DAY0
    active_learners = 1
    runs_started = 1
    runs_passed = 1
    xp_earned = 30
    answers = 4
    correct_answers = 3


class ExerciseDailyMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExerciseDailyMetric

    exercise = factory.SubFactory(ExerciseFactory)
    day = DAY0
    attempts = 4
    errors = 1


class FrozenDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrozenDay

    user = factory.SubFactory(UserFactory)
    day = DAY0
    created_at = T0


class StreakReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StreakReminder

    user = factory.SubFactory(UserFactory)
    day = DAY0
    claimed_at = T0
    sent_at = T0
