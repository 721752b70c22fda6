"""Spaced repetition behind a small interface, so a better scheduler can replace SM-2.

A scheduler turns a token's card state and the quality of an answer (0-5, SM-2 scale) into the next
card state. ``get_scheduler()`` is the one place that picks the implementation.

Grades (docs/game-rules.md): 5 = correct at the first try in the run with no note; 4 = correct with
a note (accent/typo forgiven) or correct on a retry after a mistake earlier in the run; 2 = wrong.

A token is *mastered* when its interval has reached 21 days or it has been answered correctly
3 times in a row (``MASTERED_INTERVAL_DAYS`` / ``MASTERED_STREAK``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db.models import Q

EASE_FLOOR = 1.3
MASTERED_INTERVAL_DAYS = 21
MASTERED_STREAK = 3

QUALITY_PERFECT = 5
QUALITY_WITH_NOTE = 4
QUALITY_WRONG = 2


@dataclass(frozen=True)
class CardState:
    ease_factor: float = 2.5
    interval_days: int = 0
    repetitions: int = 0
    due_at: datetime | None = None


class Scheduler(Protocol):
    def review(self, card: CardState, *, quality: int, now: datetime) -> CardState: ...


def answer_quality(*, correct: bool, note: str | None, retry: bool) -> int:
    if not correct:
        return QUALITY_WRONG
    if note or retry:
        return QUALITY_WITH_NOTE
    return QUALITY_PERFECT


class SM2:
    """SuperMemo-2. A correct answer before the card is due does not advance the schedule (the
    learner meets the same word several times in one lesson; only spaced reviews count); a wrong
    answer always resets it."""

    def review(self, card: CardState, *, quality: int, now: datetime) -> CardState:
        if quality >= 3 and card.due_at is not None and card.due_at > now:
            return card
        ease = card.ease_factor + (0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
        ease = max(EASE_FLOOR, round(ease, 4))
        if quality >= 3:
            if card.repetitions == 0:
                interval = 1
            elif card.repetitions == 1:
                interval = 6
            else:
                interval = max(1, round(card.interval_days * card.ease_factor))
            repetitions = card.repetitions + 1
        else:
            interval, repetitions = 1, 0
        return CardState(
            ease_factor=ease, interval_days=interval, repetitions=repetitions, due_at=now + timedelta(days=interval)
        )


def get_scheduler() -> Scheduler:
    return SM2()


def is_mastered(*, interval_days: int, correct_streak: int) -> bool:
    return interval_days >= MASTERED_INTERVAL_DAYS or correct_streak >= MASTERED_STREAK


def mastered_q(prefix: str = "") -> Q:
    """The same definition as a query filter on TokenMastery (``prefix`` for related lookups)."""
    return Q(**{f"{prefix}interval_days__gte": MASTERED_INTERVAL_DAYS}) | Q(
        **{f"{prefix}correct_streak__gte": MASTERED_STREAK}
    )
