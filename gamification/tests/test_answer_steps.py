"""The named steps of submit_answer that are rules of their own: the hearts after an answer (pure),
the clamp of ``time_spent_ms``, and ``credit`` (a ledger entry and its cached total together)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from gamification.models import MAX_HEARTS, LeagueMembership, LedgerEntry, Wallet
from gamification.services import ledger
from gamification.services.activity import (
    MAX_SECONDS_PER_ANSWER,
    MAX_TIME_SPENT_MS,
    clamp_time_spent_ms,
    seconds_counted,
)
from gamification.services.hearts import REGEN_INTERVAL, HeartClock, after_answer
from gamification.services.ledger import check_ledger, credit
from gamification.services.wallet import lock_wallet

T = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _after(hearts, anchor=T, now=T, *, correct, review=False, passes=False):
    return after_answer(hearts=hearts, anchor=anchor, now=now, correct=correct, is_review=review, passes_run=passes)


# --- hearts.after_answer ---------------------------------------------------------------------


def test_a_correct_lesson_answer_changes_no_hearts():
    result = _after(3, correct=True)
    assert (result.clock, result.steps, result.out_of_hearts) == (HeartClock(3, T), [], False)


def test_a_wrong_lesson_answer_from_full_costs_a_heart_and_starts_the_clock():
    week_ago = T - timedelta(days=7)
    result = _after(MAX_HEARTS, anchor=week_ago, correct=False)
    assert result.clock == HeartClock(4, T)  # the anchor becomes now: no banked heart
    assert result.steps == [(5, 4, "wrong_answer")]
    assert not result.out_of_hearts


def test_regeneration_is_materialised_and_logged_before_the_loss():
    result = _after(1, anchor=T - 2 * REGEN_INTERVAL - timedelta(minutes=5), correct=False)
    assert result.steps == [(1, 3, "regenerated"), (3, 2, "wrong_answer")]
    # Whole steps only: the 5 minutes are kept (anchor moved by exactly 8 hours).
    assert result.clock == HeartClock(2, T - timedelta(minutes=5))


def test_the_last_heart_lost_leaves_the_learner_out_of_hearts():
    assert _after(1, correct=False).out_of_hearts
    at_zero = _after(0, correct=False)  # hearts already 0 (lost in another run): still out, nothing logged
    assert (at_zero.clock.hearts, at_zero.steps, at_zero.out_of_hearts) == (0, [], True)
    assert not _after(0, correct=True).out_of_hearts  # a correct answer at 0 hearts is accepted


def test_review_answers_cost_nothing_and_a_passed_review_gives_one_back():
    wrong = _after(2, correct=False, review=True)
    assert (wrong.clock, wrong.steps, wrong.out_of_hearts) == (HeartClock(2, T), [], False)
    anchor = T - timedelta(hours=1)
    passed = _after(2, anchor=anchor, correct=True, review=True, passes=True)
    assert passed.clock == HeartClock(3, anchor)  # the anchor stays: the next heart is on time
    assert passed.steps == [(2, 3, "review_passed")]
    full = _after(MAX_HEARTS, correct=True, review=True, passes=True)
    assert (full.clock.hearts, full.steps) == (MAX_HEARTS, [])  # never above 5, nothing to log


def test_passing_a_lesson_run_gives_no_heart():
    assert _after(2, correct=True, passes=True).clock == HeartClock(2, T)


# --- time_spent_ms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "stored", "seconds"),
    [
        (-5, 0, 0),
        (0, 0, 0),
        (1_499, 1_499, 1),
        (2_500, 2_500, 3),  # half up, as the course figures count it in SQL
        (4_600, 4_600, 5),
        (299_400, 299_400, 299),
        (900_000, 900_000, MAX_SECONDS_PER_ANSWER),
        (MAX_TIME_SPENT_MS + 1, MAX_TIME_SPENT_MS, MAX_SECONDS_PER_ANSWER),
        (2**40, MAX_TIME_SPENT_MS, MAX_SECONDS_PER_ANSWER),
    ],
)
def test_time_spent_is_clamped_in_one_place(reported, stored, seconds):
    assert clamp_time_spent_ms(reported) == stored
    assert seconds_counted(reported) == seconds


# --- ledger.credit ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_credit_writes_the_entries_and_their_totals_together(user, django_assert_num_queries):
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=T)
        # The learner's first XP of the league week makes their weekly row (a few queries, once a week).
        credit(wallet=wallet, entries=[ledger.xp_entry(user=user, amount=5, reason="exercise", key="k:first", now=T)])
        entries = [
            ledger.xp_entry(user=user, amount=30, reason="exercise", key="k:xp", now=T),
            ledger.gems_entry(user=user, amount=7, reason="run_passed", key="k:gems", now=T),
            ledger.gems_entry(user=user, amount=0, reason="run_passed", key="k:none", now=T),
        ]
        with django_assert_num_queries(3):  # one INSERT, one UPDATE of the wallet, one of the league week's XP
            credit(wallet=wallet, entries=entries, hearts=HeartClock(4, T))
    assert (wallet.xp_total, wallet.gems, wallet.hearts) == (35, 7, 4)
    stored = Wallet.objects.get(user=user)
    assert (stored.xp_total, stored.gems, stored.hearts, stored.hearts_anchor_at) == (35, 7, 4, T)
    assert LeagueMembership.objects.get(user=user).xp == 35  # XP of the week, beside the ledger
    assert sorted(LedgerEntry.objects.filter(user=user).values_list("key", "currency", "amount")) == [
        ("k:first", "xp", 5),
        ("k:gems", "gems", 7),
        ("k:xp", "xp", 30),
    ]  # a zero amount is not written
    assert check_ledger(user_ids=[user.pk]) == []


@pytest.mark.django_db
def test_credit_of_nothing_writes_nothing(user, django_assert_num_queries):
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=T)
        with django_assert_num_queries(0):
            credit(wallet=wallet, entries=[], hearts=HeartClock(wallet.hearts, wallet.hearts_anchor_at))


@pytest.mark.django_db
def test_a_failed_credit_writes_neither_entry_nor_total(user):
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=T)
        credit(wallet=wallet, entries=[ledger.xp_entry(user=user, amount=5, reason="exercise", key="dup", now=T)])
    with pytest.raises(IntegrityError), transaction.atomic():  # the key is taken: nothing of it stays
        wallet = lock_wallet(user=user, now=T)
        credit(wallet=wallet, entries=[ledger.xp_entry(user=user, amount=5, reason="exercise", key="dup", now=T)])
    assert Wallet.objects.get(user=user).xp_total == 5
    assert check_ledger(user_ids=[user.pk]) == []
