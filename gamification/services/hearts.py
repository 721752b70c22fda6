"""Hearts: at most 5, -1 per wrong answer in a lesson run, one back every 4 hours, computed lazily.

The stored pair is ``(Wallet.hearts, Wallet.hearts_anchor_at)``. At ``now`` the learner has
``min(5, hearts + floor((now - anchor) / 4h))``. When that is *materialised* (written back) the
anchor moves forward by whole 4-hour steps only — exactly the steps granted — so no fraction of time
is lost or granted twice. While hearts are full the anchor means nothing; when they drop below 5
from full the anchor becomes that moment (the clock starts on the first lost heart). A gain that
does not fill the hearts (a passed review) leaves the anchor alone, so the next heart still comes
on time. See docs/game-rules.md.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from gamification.models import MAX_HEARTS, HeartsLog

REGEN_INTERVAL = timedelta(hours=4)


#: A change of hearts to log: (hearts before, hearts after, HeartsLog reason).
HeartsStep = tuple[int, int, str]


@dataclass(frozen=True)
class HeartClock:
    hearts: int
    anchor: datetime
    gained: int = 0  # hearts granted by regeneration in this step


def clock_at(hearts: int, anchor: datetime, now: datetime) -> HeartClock:
    """The clock at ``now``: the stored ``(hearts, anchor)`` with lazy regeneration applied (pure)."""
    if hearts >= MAX_HEARTS or now <= anchor:
        return HeartClock(min(hearts, MAX_HEARTS), anchor)
    steps = (now - anchor) // REGEN_INTERVAL
    gained = min(steps, MAX_HEARTS - hearts)
    if gained <= 0:
        return HeartClock(hearts, anchor)
    return HeartClock(hearts + gained, anchor + gained * REGEN_INTERVAL, gained)


def lose(clock: HeartClock, now: datetime) -> HeartClock:
    """One heart lost (never below 0). From full, the clock starts now."""
    if clock.hearts <= 0:
        return HeartClock(0, clock.anchor)
    anchor = now if clock.hearts >= MAX_HEARTS else clock.anchor
    return HeartClock(clock.hearts - 1, anchor)


def gain(clock: HeartClock) -> HeartClock:
    """One heart given back (a passed review). The anchor stays: the next regenerated heart is on time."""
    return HeartClock(min(MAX_HEARTS, clock.hearts + 1), clock.anchor)


def next_heart_at(hearts: int, anchor: datetime) -> datetime | None:
    """When the next heart arrives, for an already-regenerated clock; None when full."""
    return None if hearts >= MAX_HEARTS else anchor + REGEN_INTERVAL


def current(hearts: int, anchor: datetime, now: datetime) -> tuple[int, datetime | None]:
    """(hearts now, next heart at) without writing anything."""
    clock = clock_at(hearts, anchor, now)
    return clock.hearts, next_heart_at(clock.hearts, clock.anchor)


def materialise(hearts: int, anchor: datetime, now: datetime) -> tuple[HeartClock, list[HeartsStep]]:
    """Regeneration to write before any change of hearts: the clock at ``now`` and its log step
    (``regenerated``, when a heart came back), pure."""
    clock = clock_at(hearts, anchor, now)
    return clock, [(hearts, clock.hearts, HeartsLog.Reason.REGENERATED)] if clock.gained else []


@dataclass(frozen=True)
class HeartsAfterAnswer:
    """What one answer does to the learner's hearts."""

    clock: HeartClock  # to store on the wallet
    steps: list[HeartsStep]  # the HeartsLog rows to write, in order (only steps that change the count)
    out_of_hearts: bool  # a wrong lesson answer left 0 hearts: the run fails


def after_answer(
    *,
    hearts: int,
    anchor: datetime,
    now: datetime,
    correct: bool,
    is_review: bool,
    passes_run: bool,
    review_paid: bool = True,
) -> HeartsAfterAnswer:
    """The heart rules after an answer (pure), from the stored ``(hearts, anchor)``:

    1. regeneration is materialised (logged ``regenerated`` when a heart came back);
    2. a wrong answer in a lesson run costs one heart (``wrong_answer``; never below 0), and leaves
       the learner out of hearts when none is left; review answers cost nothing;
    3. an answer that passes a review gives one heart back (``review_passed``; anchor unchanged) —
       only if the review earned XP (``review_paid``): a review with nothing new gives no heart.
    """
    clock, steps = materialise(hearts, anchor, now)
    lesson_mistake = not correct and not is_review
    if lesson_mistake:
        lost = lose(clock, now)
        steps.append((clock.hearts, lost.hearts, HeartsLog.Reason.WRONG_ANSWER))
        clock = lost
    out_of_hearts = lesson_mistake and clock.hearts == 0
    if passes_run and is_review and review_paid:
        gained = gain(clock)
        steps.append((clock.hearts, gained.hearts, HeartsLog.Reason.REVIEW_PASSED))
        clock = gained
    changes = [step for step in steps if step[0] != step[1]]
    return HeartsAfterAnswer(clock=clock, steps=changes, out_of_hearts=out_of_hearts)
