"""Achievements with levels: each level awarded once with its XP in the ledger, only the conditions an
event can change are evaluated, progress toward the next level, and awards once under a race."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from courses.models import Token
from courses.structure import exercise_for_answer
from courses.tests.sample_courses import make_course
from gamification import selectors, services
from gamification.models import Achievement, LedgerEntry, Streak, UserAchievement, Wallet
from gamification.services import achievements, ledger
from gamification.services.ledger import check_ledger
from gamification.services.wallet import lock_wallet
from gamification.tests.factories import AchievementFactory
from gamification.tests.helpers import RIGHT, T0, answer, pass_lesson
from gamification.tests.test_races import race, run_threads, submit
from progress.models import LessonProgress, TokenMastery
from progress.services import record_token_answers

pytestmark = pytest.mark.django_db


def give_xp(user, amount, *, now=T0):
    """Credit ``amount`` XP as a staff adjustment (a ledger entry, so totals stay provable)."""
    services.ensure_learner(user=user, now=now)
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)
        entry = ledger.xp_entry(user=user, amount=amount, reason="adjustment", key=f"test:{user.pk}:{amount}", now=now)
        ledger.credit(wallet=wallet, entries=[entry])


def levels_held(user, code):
    return list(
        UserAchievement.objects.filter(user=user, achievement__code=code)
        .order_by("level")
        .values_list("level", flat=True)
    )


def test_crossing_several_levels_at_once_awards_each_once_with_its_xp(user):
    sage = Achievement.objects.get(code="sage")
    give_xp(user, 2600)  # Sage levels 1 (1000) and 2 (2500), and XP Collector (50)
    earned = services.evaluate_achievements(user=user, now=T0, conditions=achievements.ON_XP)
    assert {(ua.achievement.code, ua.level) for ua in earned} == {("sage", 1), ("sage", 2), ("xp-collector", 1)}
    assert levels_held(user, "sage") == [1, 2]
    rewards = dict(LedgerEntry.objects.filter(user=user, reason="achievement").values_list("key", "amount"))
    assert rewards[f"achievement:{sage.pk}:user:{user.pk}"] == 50
    assert rewards[f"achievement:{sage.pk}:user:{user.pk}:level:2"] == 100
    assert Wallet.objects.get(user=user).xp_total == 2600 + 50 + 100 + 25
    # Again: nothing new, whatever the event.
    assert services.evaluate_achievements(user=user, now=T0) == []
    assert check_ledger() == []


def test_a_reward_that_reaches_the_next_level_awards_it_in_the_same_call(user):
    AchievementFactory(code="chain", levels=[(60, 1000), (1000, 0)])
    give_xp(user, 60)
    services.evaluate_achievements(user=user, now=T0, conditions=achievements.ON_XP)
    assert levels_held(user, "chain") == [1, 2]  # 60 + 25 (XP Collector) + 1000 ≥ 1000
    assert check_ledger() == []


def test_an_answer_evaluates_only_what_it_can_change(user):
    _, (first, _) = make_course(exercises=3)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    # Lessons passed is met (as if from elsewhere) but a mid-run answer only looks at XP and streak.
    LessonProgress.objects.filter(user=user, lesson=first).update(passes=10)
    answer(user, run)
    assert levels_held(user, "scholar") == []
    assert levels_held(user, "first-lesson") == []
    # The pass evaluates lessons passed: First Lesson and Scholar level 1 (10 passes + this one).
    while run.status == "active":
        answer(user, run)
        run.refresh_from_db()
    assert levels_held(user, "first-lesson") == [1]
    assert levels_held(user, "scholar") == [1]
    assert UserAchievement.objects.get(user=user, achievement__code="scholar").run_id == run.pk


def test_a_wrong_answer_evaluates_nothing(user):
    _, (first, _) = make_course(exercises=3)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    give_xp(user, 5000)  # Sage levels met, but a wrong answer earns no XP: not evaluated
    answer(user, run, correct=False)
    assert levels_held(user, "sage") == []
    answer(user, run)
    assert levels_held(user, "sage") == [1, 2, 3]


def test_unpublished_achievements_and_levels_added_later(user):
    Achievement.objects.filter(code="sage").update(is_active=False)
    give_xp(user, 1200)
    services.evaluate_achievements(user=user, now=T0)
    assert levels_held(user, "sage") == []
    Achievement.objects.filter(code="sage").update(is_active=True)
    services.evaluate_achievements(user=user, now=T0)
    assert levels_held(user, "sage") == [1]


def almost_mastered(user, token_id: int) -> TokenMastery:
    """A word seen three weeks ago, almost mastered, due now: answered right, it becomes mastered."""
    return TokenMastery(
        user=user,
        token_id=token_id,
        stability=20.0,
        difficulty=5.0,
        repetitions=3,
        seen_count=3,
        last_seen_at=T0 - timedelta(days=20),
        due_at=T0,
    )


def test_words_mastered_by_answers(user):
    tokens = [Token.objects.create(language=make_course()[0].to_language, text=f"w{i}") for i in range(10)]
    TokenMastery.objects.bulk_create(
        TokenMastery(user=user, token=t, stability=30.0, due_at=T0 + timedelta(days=30)) for t in tokens[:9]
    )
    services.ensure_learner(user=user, now=T0)
    services.evaluate_achievements(user=user, now=T0, conditions=achievements.ON_MASTERY)
    assert levels_held(user, "wordsmith") == []  # nine mastered words
    TokenMastery.objects.filter(user=user, token=tokens[0]).update(stability=None)
    # A word seen three weeks ago, almost mastered, answered right when due: it becomes mastered.
    almost_mastered(user, tokens[9].pk).save()
    TokenMastery.objects.filter(user=user, token=tokens[0]).update(stability=30.0)
    with transaction.atomic():
        lock_wallet(user=user, now=T0)
        result = record_token_answers(user=user, token_ids=[tokens[9].pk], correct=True, note=None, retry=False, now=T0)
    assert result.newly_mastered == 1
    services.evaluate_achievements(user=user, now=T0, conditions=achievements.ON_MASTERY)
    assert levels_held(user, "wordsmith") == [1]
    # A mastered word answered again is not newly mastered.
    with transaction.atomic():
        again = record_token_answers(
            user=user, token_ids=[tokens[9].pk], correct=True, note=None, retry=False, now=T0 + timedelta(days=40)
        )
    assert again.newly_mastered == 0


def test_progress_toward_the_next_level(user):
    _, lessons = make_course(units=1, lessons_per_unit=1, exercises=1)
    for day in range(8):
        pass_lesson(user, lessons[0], now=T0 + timedelta(days=day))
    rows = {a.code: a for a in selectors.achievements(user=user, now=T0 + timedelta(days=7, hours=1))}
    week = rows["week-warrior"]
    assert [e.level for e in week.earned] == [1] and week.next is None
    assert week.earned[0].earned_at == T0 + timedelta(days=6)
    wildfire = rows["wildfire"]
    assert wildfire.earned == [] and wildfire.levels_total == 5
    assert (wildfire.next.level, wildfire.next.value, wildfire.next.threshold) == (1, 8, 14)
    assert wildfire.next.label == "8 / 14 days"
    assert rows["scholar"].next.label == "8 / 10 lessons"
    assert rows["first-lesson"].next is None
    # Another learner's page shows their own progress only.
    other = {a.code: a for a in selectors.achievements(user=UserFactory(), now=T0)}
    assert other["week-warrior"].earned == [] and other["scholar"].next.label == "0 / 10 lessons"


def test_achievements_query_count_is_fixed(django_assert_num_queries):
    newbie, veteran = UserFactory(), UserFactory()
    _, lessons = make_course(units=1, lessons_per_unit=2, exercises=1)
    for day in range(5):
        pass_lesson(veteran, lessons[0], now=T0 + timedelta(days=day))
    pass_lesson(veteran, lessons[1], now=T0 + timedelta(days=5))
    # wallet, streak, earned levels, published levels, measures (+ units count while a units level is left)
    with django_assert_num_queries(6):
        selectors.achievements(user=newbie, now=T0)
    with django_assert_num_queries(5):
        selectors.achievements(user=veteran, now=T0 + timedelta(days=5))


@race
def test_two_answers_crossing_a_level_at_once_award_it_once():
    user = UserFactory()
    _, (first, _) = make_course(exercises=3)
    give_xp(user, 990)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    args = [(user, run.pk, exercise_id, RIGHT, uuid.uuid4()) for exercise_id in run.queue[:2]]
    results = run_threads(submit, args)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert levels_held(user, "sage") == [1]
    sage = Achievement.objects.get(code="sage")
    assert LedgerEntry.objects.filter(key__startswith=f"achievement:{sage.pk}:user:{user.pk}").count() == 1
    assert Wallet.objects.get(user=user).xp_total == 990 + 20 + 50 + 25  # two answers, Sage 1, XP Collector
    assert check_ledger() == []


def test_the_answer_that_masters_a_word_earns_the_words_level_at_once(user):
    """The answer's words are written with its other rows (core.inserts), after the achievements are
    evaluated — except when one becomes mastered: then at once, so that the words-mastered level it
    completes is earned by this answer, not a later one."""
    course, (first, _) = make_course(exercises=2)
    services.ensure_learner(user=user, now=T0)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    taught = exercise_for_answer(run.queue[0]).token_ids
    assert taught
    others = [Token.objects.create(language=course.to_language, text=f"mastered{i}") for i in range(9)]
    TokenMastery.objects.bulk_create(
        TokenMastery(user=user, token=t, stability=30.0, due_at=T0 + timedelta(days=30)) for t in others
    )
    TokenMastery.objects.bulk_create(almost_mastered(user, token_id) for token_id in taught)
    services.submit_answer(
        user=user, run_id=run.pk, exercise_id=run.queue[0], answer=RIGHT, client_id=uuid.uuid4(), now=T0
    )
    assert TokenMastery.objects.filter(user=user, token_id__in=taught, stability__gte=21, seen_count=4).count() == len(
        taught
    )
    assert levels_held(user, "wordsmith") == [1]


@pytest.mark.parametrize("first_streak", [False, True])
def test_the_answer_that_reaches_a_streak_or_xp_level_earns_it_at_once(user, first_streak):
    """A right answer's levels are read with its day (PostgreSQL: in the day's statement, after the
    streak's update): the 14th day of a streak and the 1000th XP are earned by the answer that reaches
    them, with their rewards. A learner's first streak row is made after that statement: read again."""
    Achievement.objects.filter(code="sage").update(is_active=True)
    _, (first, _) = make_course(exercises=3)
    give_xp(user, 995, now=T0 - timedelta(days=1))
    if first_streak:
        Streak.objects.filter(user=user).delete()
    else:
        Streak.objects.filter(user=user).update(
            current=13,
            longest=13,
            last_day=(T0 - timedelta(days=1)).date(),
            last_activity_at=T0 - timedelta(days=1),
            alive_until=T0 + timedelta(days=1),
        )
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    services.submit_answer(
        user=user, run_id=run.pk, exercise_id=run.queue[0], answer=RIGHT, client_id=uuid.uuid4(), now=T0
    )
    assert levels_held(user, "sage") == [1]
    assert levels_held(user, "wildfire") == ([] if first_streak else [1])
    assert Streak.objects.get(user=user).longest == (1 if first_streak else 14)
    earned = {"sage"} if first_streak else {"sage", "wildfire"}
    for code in ("sage", "wildfire"):
        key = achievements.award_key(achievement_id=Achievement.objects.get(code=code).pk, user_id=user.pk, level=1)
        rewards = LedgerEntry.objects.filter(user=user, key=key).values_list("amount", flat=True)
        assert list(rewards) == ([50] if code in earned else [])  # level 1 of each: 50 XP
    check_ledger()


@pytest.mark.postgresql_only  # (SQLite writes the answer's new rows one model at a time: core.inserts)
def test_a_right_answer_costs_the_same_with_every_level_still_to_earn(user, django_assert_num_queries):
    """The achievements' look-up costs the same whether or not levels are left to earn (on PostgreSQL it
    rides on the day's statement: 6 in all, as for a learner who holds them:
    gamification/tests/test_submit.py)."""
    _, (first, _) = make_course(exercises=4)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    answer(user, run)  # the week's first XP joins a league cohort (a few more queries, once)
    run.refresh_from_db()
    exercise_for_answer(run.queue[0])  # warm the course cache, as test_submit's counts are
    with django_assert_num_queries(6):
        services.submit_answer(
            user=user, run_id=run.pk, exercise_id=run.queue[0], answer=RIGHT, client_id=uuid.uuid4(), now=T0
        )
    assert not UserAchievement.objects.filter(user=user).exists()
