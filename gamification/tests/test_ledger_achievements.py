"""The XP/gems ledger, check_ledger, achievements, level; run_summary and profile selectors."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from accounts.tests.factories import UserFactory
from courses.tests.sample_courses import make_course
from gamification import selectors, services
from gamification.models import Achievement, AchievementLevel, LedgerEntry, UserAchievement, Wallet
from gamification.services.ledger import check_ledger
from gamification.tests.factories import AchievementFactory
from gamification.tests.helpers import T0, answer, pass_lesson

pytestmark = pytest.mark.django_db


FIRST_FIVE = ["first-lesson", "week-warrior", "perfect-practice", "xp-collector", "skill-master"]


def _earned_codes(user):
    """The codes of the five first (one-level) achievements the learner holds."""
    return set(
        UserAchievement.objects.filter(user=user, achievement__code__in=FIRST_FIVE).values_list(
            "achievement__code", flat=True
        )
    )


def test_the_five_first_achievements_stay_as_one_level_each():
    rows = AchievementLevel.objects.filter(achievement__code__in=FIRST_FIVE).values_list(
        "achievement__code", "achievement__condition_type", "level", "threshold", "xp_reward"
    )
    assert set(rows) == {
        ("first-lesson", "lesson_count", 1, 1, 50),
        ("week-warrior", "streak_days", 1, 7, 100),
        ("perfect-practice", "perfect_lessons", 1, 1, 75),
        ("xp-collector", "xp_total", 1, 50, 25),
        ("skill-master", "units_completed", 1, 1, 200),
    }


def test_totals_equal_the_ledger_after_a_run(user):
    _, (first, _) = make_course(kind="speaking", difficulty="medium")  # 24 XP per exercise
    run, _ = pass_lesson(user, first, mistakes=1)
    wallet = Wallet.objects.get(user=user)
    keys = set(LedgerEntry.objects.filter(user=user).values_list("key", flat=True))
    assert {f"run:{run.pk}:ex:{pk}:xp" for pk in run.exercise_ids} <= keys
    assert f"run:{run.pk}:gems" in keys
    assert run.xp_earned == 72 and run.gems_earned == 7
    # First Lesson (+50) and XP Collector (+25); not Perfect Practice (one mistake).
    assert _earned_codes(user) == {"first-lesson", "xp-collector"}
    assert wallet.xp_total == 72 + 50 + 25 and wallet.gems == 7
    assert check_ledger() == []


def test_check_ledger_reports_a_total_that_drifted(user, other_user):
    _, (first, _) = make_course()
    pass_lesson(user, first)
    Wallet.objects.filter(user=user).update(gems=999)
    LedgerEntry.objects.create(user=other_user, currency="xp", amount=5, reason="adjustment", key="x", created_at=T0)
    problems = check_ledger()
    assert {(p.user_id, p.currency) for p in problems} == {(user.pk, "gems"), (other_user.pk, "xp")}
    drift = next(p for p in problems if p.user_id == user.pk)
    assert drift.wallet_total == 999 and drift.ledger_total == 3
    assert "off by" in str(drift)


def test_ledger_key_is_unique(user):
    LedgerEntry.objects.create(user=user, currency="xp", amount=5, reason="adjustment", key="k1", created_at=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(user=user, currency="xp", amount=5, reason="adjustment", key="k1", created_at=T0)


def test_perfect_first_lesson_earns_three_achievements_once(user):
    _, (first, _) = make_course(exercises=3)
    run, _ = pass_lesson(user, first)
    assert _earned_codes(user) == {"first-lesson", "perfect-practice", "xp-collector"}
    assert set(UserAchievement.objects.filter(user=user).values_list("run", flat=True)) == {run.pk}
    pass_lesson(user, first, now=T0 + timedelta(hours=1))
    assert UserAchievement.objects.filter(user=user).count() == 3
    assert LedgerEntry.objects.filter(user=user, reason="achievement").count() == 3
    ach = Achievement.objects.get(code="first-lesson")
    assert LedgerEntry.objects.filter(key=f"achievement:{ach.pk}:user:{user.pk}").count() == 1


def test_skill_master_on_completing_a_unit_and_evaluate_is_idempotent(user):
    _, (first, second) = make_course(units=1, lessons_per_unit=2, exercises=1)
    pass_lesson(user, first)
    assert "skill-master" not in _earned_codes(user)
    pass_lesson(user, second)
    assert "skill-master" in _earned_codes(user)
    assert services.evaluate_achievements(user=user, now=T0) == []
    assert check_ledger() == []


def test_week_warrior_after_seven_days(user):
    _, lessons = make_course(units=1, lessons_per_unit=1, exercises=1)
    for day in range(7):
        pass_lesson(user, lessons[0], now=T0 + timedelta(days=day))
    assert "week-warrior" in _earned_codes(user)
    summary_run = pass_lesson(user, lessons[0], now=T0 + timedelta(days=7))[0]
    assert selectors.run_summary(user=user, run_id=summary_run.pk).streak_current == 8


def test_inactive_and_author_added_achievements(user):
    Achievement.objects.filter(code="xp-collector").update(is_active=False)
    AchievementFactory(code="ten-xp", levels=[(10, 0)])
    _, (first, _) = make_course(exercises=1)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    answer(user, run)
    codes = set(UserAchievement.objects.filter(user=user).values_list("achievement__code", flat=True))
    assert "ten-xp" in codes and "xp-collector" not in codes


def test_run_summary_for_the_end_screen(user, other_user):
    _, (first, _) = make_course(exercises=2)
    run, _ = pass_lesson(user, first)
    summary = selectors.run_summary(user=user, run_id=run.pk)
    assert (summary.status, summary.xp_earned, summary.gems_earned, summary.perfect) == ("passed", 20, 2, True)
    assert (summary.tier_before, summary.tier_after, summary.tier_after_label) == (0, 1, "Bronze")
    assert (summary.streak_current, summary.streak_extended) == (1, True)
    assert summary.xp_today == 20 + 50 + 75 + 25 and summary.goal_met and summary.daily_goal == 160
    assert {a.code for a in summary.new_achievements} == {"first-lesson", "perfect-practice", "xp-collector"}
    with pytest.raises(services.loop.NotFound):
        selectors.run_summary(user=other_user, run_id=run.pk)


def test_profile_and_level(user):
    course, (first, _) = make_course(exercises=2, tokens=1)
    pass_lesson(user, first)
    Wallet.objects.filter(user=user).update(xp_total=2345)
    profile = selectors.profile(user=user, now=T0 + timedelta(hours=1))
    assert (profile.xp_total, profile.level, profile.gems) == (2345, 2, 2)
    assert (profile.streak_current, profile.streak_longest, profile.today_xp, profile.goal_met) == (1, 1, 170, True)
    assert profile.hearts.hearts == 5 and len(profile.last_14_days) == 14
    assert profile.last_14_days[-1] == (T0.date(), 170)
    [item] = profile.courses
    assert (item.course, item.is_current, item.completion_pct, item.lessons_passed) == (course, True, 50, 1)
    assert (item.tokens_total, item.mastery_pct) == (4, 0)
    # Every published achievement, three of them earned, each with the next level's progress.
    assert len(profile.achievements) == Achievement.objects.filter(is_active=True).count() == 10
    earned = {a.code for a in profile.achievements if a.earned}
    assert earned == {"first-lesson", "perfect-practice", "xp-collector"}
    sage = next(a for a in profile.achievements if a.code == "sage")
    assert (sage.next.level, sage.next.threshold, sage.next.value, sage.next.label) == (1, 1000, 1000, "2345 / 1000 XP")
    wildfire = next(a for a in profile.achievements if a.code == "wildfire")
    assert (wildfire.next.value, wildfire.next.label) == (1, "1 / 14 days")


@pytest.mark.slow
def test_profile_and_summary_query_counts_are_fixed(django_assert_num_queries):
    newbie, veteran = UserFactory(), UserFactory()
    courses = [make_course(units=2, lessons_per_unit=2, exercises=2) for _ in range(3)]
    for day in range(10):
        for _, lessons in courses:
            pass_lesson(veteran, lessons[0], now=T0 + timedelta(days=day))
    last = pass_lesson(veteran, courses[0][1][1], now=T0 + timedelta(days=10))[0]
    pass_lesson(newbie, courses[0][1][0], now=T0)
    # wallet, streak, 14 days, today's row, enrolments, achievements (earned levels, published levels,
    # measures, units completed while a units level is left), then per-course progress: passed
    # lessons, mastered words (the courses' lessons and words: their cached structures) = 11
    with django_assert_num_queries(11):
        selectors.profile(user=newbie, now=T0)
    first = pass_lesson(newbie, courses[0][1][1], now=T0)[0]
    # Every units level earned (Skill Master): no units count = 10.
    with django_assert_num_queries(10):
        selectors.profile(user=newbie, now=T0)
    with django_assert_num_queries(10):
        profile = selectors.profile(user=veteran, now=T0 + timedelta(days=10))
    assert len(profile.courses) == 3
    # The end screen: run, ledger, tier, daily row, and the run's attempts (accuracy, time, mistakes) = 5
    with django_assert_num_queries(5):
        selectors.run_summary(user=newbie, run_id=first.pk)
    with django_assert_num_queries(5):
        selectors.run_summary(user=veteran, run_id=last.pk)
    with django_assert_num_queries(1):
        selectors.daily_xp(user=veteran, days=30, now=T0 + timedelta(days=10))
    with django_assert_num_queries(1):
        selectors.hearts_state(user=veteran, now=T0)
