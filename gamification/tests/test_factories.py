"""Every gamification factory builds a valid, saved row."""

import pytest

from gamification.tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [
        factories.WalletFactory,
        factories.StreakFactory,
        factories.LedgerEntryFactory,
        factories.HeartsLogFactory,
        factories.DailyActivityFactory,
        factories.AchievementFactory,
        factories.UserAchievementFactory,
        factories.JobRunFactory,
        factories.CourseDailyMetricFactory,
        factories.ExerciseDailyMetricFactory,
        factories.FrozenDayFactory,
        factories.StreakReminderFactory,
    ],
    ids=lambda f: f.__name__,
)
def test_factory_builds_a_valid_saved_row(factory, assert_valid_saved_row):
    row = factory()
    assert_valid_saved_row(row)
