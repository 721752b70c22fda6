"""Pure rules: XP, the run queue, tiers, unlocking, SM-2 (no database)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from progress.rules import (
    DECAY_PERIOD,
    answer_passes_run,
    decayed_tier,
    gems_for_pass,
    lesson_states,
    next_lesson_id,
    percent,
    queue_after_answer,
    tier_for_counts,
    xp_per_exercise,
)
from progress.services.scheduling import AGAIN, GOOD, HARD, SM2, CardState, is_mastered

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "difficulty", "xp"),
    [
        ("core", "easy", 10),
        ("core", "medium", 20),
        ("core", "hard", 30),
        ("speaking", "easy", 12),
        ("speaking", "hard", 36),
        ("audio", "easy", 15),
        ("audio", "medium", 30),
        ("audio", "hard", 45),
        (None, None, 10),  # review session: like a core lesson, easy
    ],
)
def test_xp_is_base_by_kind_times_difficulty(kind, difficulty, xp):
    assert xp_per_exercise(kind=kind, difficulty=difficulty) == xp


@pytest.mark.parametrize(("run_xp", "gems"), [(0, 0), (9, 0), (10, 1), (30, 3), (45, 4), (99, 9), (135, 13)])
def test_gems_are_floor_of_run_xp_over_ten(run_xp, gems):
    assert gems_for_pass(run_xp) == gems


def test_correct_answer_leaves_the_queue():
    assert queue_after_answer([1, 2, 3], 1, correct=True) == [2, 3]
    assert queue_after_answer([1, 2, 3], 2, correct=True) == [1, 3]


@pytest.mark.parametrize(
    ("queue", "answered", "after"),
    [
        ([1, 2, 3, 4, 5], 1, [2, 3, 1, 4, 5]),  # two others come first
        ([1, 2, 3], 1, [2, 3, 1]),
        ([1, 2], 1, [2, 1]),  # fewer than two left: goes last
        ([1], 1, [1]),  # alone: straight back
        ([4, 5, 6, 7], 5, [4, 6, 7, 5]),
    ],
)
def test_wrong_answer_is_served_again_two_places_later(queue, answered, after):
    assert queue_after_answer(queue, answered, correct=False) == after


@pytest.mark.parametrize(
    ("passes", "perfect", "tier"),
    [(0, 0, 0), (1, 0, 1), (2, 2, 1), (3, 0, 2), (4, 1, 2), (5, 0, 3), (9, 4, 3), (5, 5, 4), (12, 5, 4)],
)
def test_tier_from_lifetime_counts(passes, perfect, tier):
    assert tier_for_counts(passes=passes, perfect_passes=perfect) == tier


def test_unlocking_follows_course_order_without_prerequisites():
    states = lesson_states(ordered_lesson_ids=[1, 2, 3], prerequisites={}, passed_ids=set())
    assert states == {1: "open", 2: "locked", 3: "locked"}
    states = lesson_states(ordered_lesson_ids=[1, 2, 3], prerequisites={}, passed_ids={1})
    assert states == {1: "passed", 2: "open", 3: "locked"}
    assert next_lesson_id([1, 2, 3], states) == 2


def test_explicit_prerequisites_replace_course_order():
    # Lesson 3 needs lesson 1 only; lesson 2 needs 1 by order.
    states = lesson_states(ordered_lesson_ids=[1, 2, 3], prerequisites={3: [1]}, passed_ids={1})
    assert states == {1: "passed", 2: "open", 3: "open"}
    # All explicit prerequisites must be passed.
    states = lesson_states(ordered_lesson_ids=[1, 2, 3], prerequisites={3: [1, 2]}, passed_ids={1})
    assert states[3] == "locked"
    # An unpublished (unknown) prerequisite is ignored: the lesson falls back to course order.
    states = lesson_states(ordered_lesson_ids=[1, 2, 3], prerequisites={2: [99]}, passed_ids={1})
    assert states[2] == "open"


def test_passed_lesson_stays_passed_and_completion_is_floored():
    states = lesson_states(ordered_lesson_ids=[1, 2], prerequisites={2: [1]}, passed_ids={2})
    assert states == {1: "open", 2: "passed"}
    assert percent(1, 3) == 33
    assert percent(0, 0) == 0
    assert percent(3, 3) == 100


def test_sm2_intervals_grow_and_reset():
    sm2 = SM2()
    card = sm2.review(CardState(), rating=GOOD, now=NOW)
    assert (card.repetitions, card.interval_days, card.due_at) == (1, 1, NOW + timedelta(days=1))
    assert card.ease_factor == pytest.approx(2.6)
    assert card.stability == 1.0
    later = NOW + timedelta(days=1)
    card = sm2.review(card, rating=GOOD, now=later)
    assert (card.repetitions, card.interval_days) == (2, 6)
    later += timedelta(days=6)
    card = sm2.review(card, rating=HARD, now=later)
    assert card.repetitions == 3
    assert card.interval_days == round(6 * 2.7)
    wrong = sm2.review(card, rating=AGAIN, now=later)
    assert (wrong.repetitions, wrong.interval_days) == (0, 1)
    assert wrong.ease_factor == pytest.approx(card.ease_factor - 0.32)


def test_sm2_correct_before_due_does_not_advance_but_wrong_always_resets():
    sm2 = SM2()
    card = sm2.review(CardState(), rating=GOOD, now=NOW)
    soon = NOW + timedelta(hours=1)
    assert sm2.review(card, rating=GOOD, now=soon) == replace(card, last_review_at=soon)
    assert sm2.review(card, rating=AGAIN, now=soon).repetitions == 0


def test_sm2_ease_never_below_floor():
    card = CardState(ease_factor=1.35)
    for _ in range(5):
        card = SM2().review(card, rating=AGAIN, now=NOW)
    assert card.ease_factor == 1.3


def test_sm2_predicted_recall_is_ninety_percent_after_one_interval():
    card = SM2().review(CardState(), rating=GOOD, now=NOW)
    assert SM2().recall(card, now=NOW + timedelta(days=1)) == pytest.approx(0.9)
    assert SM2().recall(card, now=NOW + timedelta(days=2)) == pytest.approx(0.81)


def test_mastered_definition():
    assert is_mastered(stability=21)
    assert is_mastered(stability=400.5)
    assert not is_mastered(stability=20.99)
    assert not is_mastered(stability=None)


def test_an_answer_passes_the_run_only_when_it_empties_the_queue():
    assert answer_passes_run([7], 7, correct=True)
    assert not answer_passes_run([7], 7, correct=False)  # alone, it comes straight back
    assert not answer_passes_run([7, 8], 8, correct=True)


def test_decayed_tier_one_step_per_full_period_bronze_floor_legendary_kept():
    t0 = datetime(2026, 3, 2, 12, tzinfo=UTC)
    day = timedelta(days=1)
    assert 14 * day == DECAY_PERIOD
    assert decayed_tier(tier=3, anchor=t0, now=t0 + 14 * day - timedelta(seconds=1)) == (3, t0)
    assert decayed_tier(tier=3, anchor=t0, now=t0 + 16 * day) == (2, t0 + 14 * day)  # whole steps only
    assert decayed_tier(tier=3, anchor=t0, now=t0 + 28 * day) == (1, t0 + 28 * day)
    assert decayed_tier(tier=2, anchor=t0, now=t0 + 300 * day) == (1, t0 + 294 * day)  # never below bronze
    assert decayed_tier(tier=1, anchor=t0, now=t0 + 300 * day) == (1, t0)
    assert decayed_tier(tier=4, anchor=t0, now=t0 + 300 * day) == (4, t0)
    assert decayed_tier(tier=0, anchor=t0, now=t0 + 300 * day) == (0, t0)


def test_each_daily_goal_is_a_whole_number_of_core_lessons():
    from accounts.models import User
    from progress.rules import CORE_LESSON_XP, DAILY_GOAL_LESSONS

    assert CORE_LESSON_XP == 80  # 8 exercises of an easy core lesson at 10 XP
    goals = {choice.name.lower(): choice.value for choice in User.DailyGoal}
    assert goals == {name: lessons * CORE_LESSON_XP for name, lessons in DAILY_GOAL_LESSONS.items()}
    assert DAILY_GOAL_LESSONS == {"casual": 1, "regular": 2, "serious": 3, "intense": 5}
