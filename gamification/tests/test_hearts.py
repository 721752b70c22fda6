"""Hearts: exact lazy 4-hour regeneration, the log, refills; a property test against a tick-by-tick model."""

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.tests.sample_courses import make_course
from gamification import selectors, services
from gamification.errors import HeartsFull, NotEnoughGems
from gamification.models import HeartsLog, LedgerEntry, Wallet
from gamification.services import hearts as rules
from gamification.tests.helpers import T0, answer

H = timedelta(hours=1)
START = datetime(2026, 1, 1, tzinfo=UTC)


# --- The pure clock --------------------------------------------------------------------------


def test_regeneration_is_floor_of_elapsed_over_four_hours():
    assert rules.clock_at(2, T0, T0 + 3 * H + timedelta(minutes=59)) == rules.HeartClock(2, T0, 0)
    assert rules.clock_at(2, T0, T0 + 4 * H) == rules.HeartClock(3, T0 + 4 * H, 1)
    # 9.5 hours: two hearts, the anchor moves by exactly 8 hours, the 1.5 hours left are kept.
    assert rules.clock_at(2, T0, T0 + 9.5 * H) == rules.HeartClock(4, T0 + 8 * H, 2)
    # Capped at 5: only the steps needed to fill are consumed.
    assert rules.clock_at(3, T0, T0 + 100 * H) == rules.HeartClock(5, T0 + 8 * H, 2)
    assert rules.clock_at(5, T0, T0 + 100 * H) == rules.HeartClock(5, T0, 0)


def test_losing_from_full_starts_the_clock_now_and_never_below_zero():
    assert rules.lose(rules.HeartClock(5, T0 - 100 * H), T0) == rules.HeartClock(4, T0)
    assert rules.lose(rules.HeartClock(3, T0 - H), T0) == rules.HeartClock(2, T0 - H)
    assert rules.lose(rules.HeartClock(0, T0 - H), T0) == rules.HeartClock(0, T0 - H)
    assert rules.gain(rules.HeartClock(3, T0 - H)) == rules.HeartClock(4, T0 - H)
    assert rules.gain(rules.HeartClock(5, T0 - H)).hearts == 5
    assert rules.next_heart_at(5, T0) is None
    assert rules.next_heart_at(4, T0) == T0 + 4 * H


class TickModel:
    """An independent model: time advances minute by minute; a heart arrives every 240 minutes of
    time spent below 5 hearts since the clock started (the first loss from full)."""

    def __init__(self):
        self.hearts = 5
        self.below_minutes = 0  # minutes accumulated towards the next heart
        self.regenerated = 0

    def wait(self, minutes: int):
        for _ in range(minutes):
            if self.hearts < 5:
                self.below_minutes += 1
                if self.below_minutes == 240:
                    self.hearts += 1
                    self.regenerated += 1
                    self.below_minutes = 0

    def lose(self):
        if self.hearts == 5:
            self.below_minutes = 0
        self.hearts = max(0, self.hearts - 1)

    def refill(self):
        self.hearts = 5
        self.below_minutes = 0

    def review(self):
        self.hearts = min(5, self.hearts + 1)


ops = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(min_value=0, max_value=13 * 60)),
        st.tuples(st.just("lose"), st.just(0)),
        st.tuples(st.just("refill"), st.just(0)),
        st.tuples(st.just("review"), st.just(0)),
    ),
    max_size=40,
)


def _apply(clock: rules.HeartClock, now: datetime, op: str) -> tuple[rules.HeartClock, int]:
    """What the services do: materialise regeneration, then the change."""
    clock = rules.clock_at(clock.hearts, clock.anchor, now)
    gained = clock.gained
    if op == "lose":
        clock = rules.lose(clock, now)
    elif op == "refill":
        clock = rules.HeartClock(5, now)
    elif op == "review":
        clock = rules.gain(clock)
    return clock, gained


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(ops)
def test_property_no_time_lost_none_granted_twice(sequence):
    model = TickModel()
    clock, now, regenerated = rules.HeartClock(5, START), START, 0
    for op, minutes in sequence:
        if op == "wait":
            model.wait(minutes)
            now += timedelta(minutes=minutes)
            # Reading lazily at any moment agrees with the model and writes nothing.
            assert rules.current(clock.hearts, clock.anchor, now)[0] == model.hearts
            continue
        clock, gained = _apply(clock, now, op)
        regenerated += gained
        getattr(model, op)()
        assert 0 <= clock.hearts <= 5
        assert clock.hearts == model.hearts
    clock, gained = _apply(clock, now, "read")
    assert clock.hearts == model.hearts
    assert regenerated + gained == model.regenerated


# --- The database side -----------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_answers_cost_hearts_and_regeneration_is_logged_when_materialised(user):
    _, (first, _) = make_course(exercises=6)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    answer(user, run, correct=False, now=T0)
    answer(user, run, correct=False, now=T0 + 1 * H)
    wallet = Wallet.objects.get(user=user)
    assert (wallet.hearts, wallet.hearts_anchor_at) == (3, T0)  # the clock started at the first loss
    # Reading lazily writes nothing.
    state = selectors.hearts_state(user=user, now=T0 + 9 * H)
    assert (state.hearts, state.next_heart_at) == (5, None)
    assert Wallet.objects.get(user=user).hearts == 3
    # 5 hours later an answer materialises one heart (anchor +4h), then loses one.
    outcome = answer(user, run, correct=False, now=T0 + 5 * H)
    assert outcome.hearts == 3 and outcome.next_heart_at == T0 + 8 * H
    wallet.refresh_from_db()
    assert (wallet.hearts, wallet.hearts_anchor_at) == (3, T0 + 4 * H)
    log = list(
        HeartsLog.objects.filter(user=user).order_by("pk").values_list("hearts_before", "hearts_after", "reason")
    )
    assert log == [
        (5, 4, "wrong_answer"),
        (4, 3, "wrong_answer"),
        (3, 4, "regenerated"),
        (4, 3, "wrong_answer"),
    ]
    # Every change is logged: the log replays to the stored count.
    assert 5 + sum(a - b for b, a, _ in log) == wallet.hearts


@pytest.mark.django_db
@override_settings(MALLARD_HEART_REFILL_PRICE_GEMS=50)
def test_refill_spends_gems_through_the_ledger(user):
    services.ensure_learner(user=user, now=T0)
    Wallet.objects.filter(user=user).update(hearts=1, hearts_anchor_at=T0, gems=70)
    LedgerEntry.objects.create(user=user, currency="gems", amount=70, reason="adjustment", key="seed", created_at=T0)
    state = services.refill_hearts(user=user, now=T0 + 5 * H)
    assert (state.hearts, state.next_heart_at, state.can_refill) == (5, None, False)
    wallet = Wallet.objects.get(user=user)
    assert (wallet.hearts, wallet.gems) == (5, 20)
    spent = LedgerEntry.objects.get(user=user, reason="heart_refill")
    assert spent.amount == -50 and spent.key.startswith("refill:")
    assert list(HeartsLog.objects.order_by("pk").values_list("hearts_before", "hearts_after", "reason")) == [
        (1, 2, "regenerated"),
        (2, 5, "gem_refill"),
    ]
    assert services.check_ledger() == []
    with pytest.raises(HeartsFull):
        services.refill_hearts(user=user, now=T0 + 6 * H)
    Wallet.objects.filter(user=user).update(hearts=0, hearts_anchor_at=T0 + 6 * H)
    with pytest.raises(NotEnoughGems):
        services.refill_hearts(user=user, now=T0 + 7 * H)
    assert Wallet.objects.get(user=user).gems == 20


@pytest.mark.django_db
def test_hearts_state_for_a_learner_without_wallet(user):
    state = selectors.hearts_state(user=user, now=T0)
    assert (state.hearts, state.max, state.next_heart_at, state.can_refill) == (5, 5, None, False)


@pytest.mark.django_db
@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(st.integers(min_value=0, max_value=9 * 60), st.just("lose"), st.just("refill")),
        min_size=1,
        max_size=12,
    )
)
def test_property_against_the_database(sequence):
    """The same invariant through the real services and the DB constraint: never < 0 or > 5, and the
    regenerated hearts logged equal what the tick model granted."""
    from accounts.tests.factories import UserFactory

    learner = UserFactory()
    services.ensure_learner(user=learner, now=START)
    Wallet.objects.filter(user=learner).update(gems=10_000)
    LedgerEntry.objects.create(
        user=learner, currency="gems", amount=10_000, reason="adjustment", key=f"seed:{learner.pk}", created_at=START
    )
    model, now = TickModel(), START
    for op in sequence:
        if isinstance(op, int):
            model.wait(op)
            now += timedelta(minutes=op)
        elif op == "lose":
            _lose_one(learner, now)
            model.lose()
        else:
            with contextlib.suppress(HeartsFull):
                services.refill_hearts(user=learner, now=now)
            model.refill()
        assert selectors.hearts_state(user=learner, now=now).hearts == model.hearts
    stored = Wallet.objects.get(user=learner).hearts
    assert 0 <= stored <= 5
    regenerated = sum(
        a - b
        for b, a in HeartsLog.objects.filter(user=learner, reason="regenerated").values_list(
            "hearts_before", "hearts_after"
        )
    )
    pending = rules.clock_at(stored, Wallet.objects.get(user=learner).hearts_anchor_at, now).gained
    assert regenerated + pending == model.regenerated


def _lose_one(learner, now):
    """A wrong-answer heart loss through the same code path submit_answer uses."""
    from django.db import transaction

    from gamification.services.ledger import credit
    from gamification.services.wallet import hearts_logs, lock_wallet

    with transaction.atomic():
        wallet = lock_wallet(user=learner, now=now)
        after = rules.after_answer(
            hearts=wallet.hearts,
            anchor=wallet.hearts_anchor_at,
            now=now,
            correct=False,
            is_review=False,
            passes_run=False,
        )
        HeartsLog.objects.bulk_create(hearts_logs(user=learner, steps=after.steps, now=now))
        credit(wallet=wallet, entries=[], hearts=after.clock)
