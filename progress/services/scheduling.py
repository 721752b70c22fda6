"""Spaced repetition behind a small interface: FSRS-6 (default) or SM-2, chosen by a setting.

A scheduler turns a word's card state and the rating of an answer (1 Again, 2 Hard, 3 Good,
4 Easy) into the next card state, and predicts the probability of recalling the word at a given
moment. ``get_scheduler()`` is the one place that picks the implementation
(``settings.MALLARD_SCHEDULER``: ``"fsrs"`` or ``"sm2"``).

The pure rules named in docs/game-rules.md live here: ``rating_for_answer`` (the rating an answer
earns), ``is_mastered`` (stability ≥ 21 days) and ``word_strength`` (predicted recall now).

Time is counted as py-fsrs counts it: the elapsed days between two reviews are the whole 24-hour
periods between them (``elapsed_days``). A second review less than 24 hours after the first is a
*same-day* review: it updates the state with FSRS's short-term rule and is never scored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol

import fsrs
from django.conf import settings
from django.db.models import Q

# --- Ratings ---------------------------------------------------------------------------------

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4

#: Exercise types whose answer is chosen among shown options: weaker evidence of memory.
RECOGNITION_TYPES = frozenset({"multiple_choice", "picture", "match_pairs", "word_bank"})
#: Exercise types whose answer the learner produces (types or says): stronger evidence.
PRODUCTION_TYPES = frozenset({"translate", "listen", "fill_blank", "speak"})
#: A correct first-try production answer at most this long (milliseconds) is rated Easy.
FAST_ANSWER_MS = 8000


def is_recognition(exercise_type: str) -> bool:
    return exercise_type in RECOGNITION_TYPES


def rating_for_answer(*, correct: bool, note: str | None, retry: bool, exercise_type: str, time_spent_ms: int) -> int:
    """The FSRS rating (1-4) that one answer gives each word the exercise teaches.

    wrong → Again; correct after a mistake earlier in the run (``retry``) or with an accent or typo
    note → Hard; correct at the first try → Good; correct at the first try, with no note, within
    ``FAST_ANSWER_MS``, on a production exercise → Easy. A recognition exercise (the answer is
    picked among shown options) never earns Easy: it is weaker evidence. An unknown
    ``time_spent_ms`` (0) is never fast.
    """
    if not correct:
        return AGAIN
    if note or retry:
        return HARD
    if exercise_type in PRODUCTION_TYPES and 0 < time_spent_ms <= FAST_ANSWER_MS:
        return EASY
    return GOOD


# --- Time, recall, mastery -------------------------------------------------------------------

MASTERED_STABILITY_DAYS = 21
#: FSRS-6's default decay (parameter w20); the forgetting curve's shape.
DEFAULT_DECAY = fsrs.scheduler.FSRS_DEFAULT_DECAY
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
DESIRED_RETENTION = 0.9


def elapsed_days(since: datetime, now: datetime) -> int:
    """Whole 24-hour periods from ``since`` to ``now`` (never negative): FSRS's unit of time."""
    return max(0, (now - since).days)


def predicted_recall(*, stability: float, elapsed: float, decay: float = DEFAULT_DECAY) -> float:
    """FSRS-6's forgetting curve: R = (1 + factor·t/S)^(-decay), with R = 0.9 when t = S."""
    factor = 0.9 ** (1 / -decay) - 1
    return (1 + factor * elapsed / stability) ** -decay


def word_strength(
    *, stability: float | None, last_review_at: datetime | None, now: datetime, decay: float = DEFAULT_DECAY
) -> float:
    """A word's strength now: its predicted probability of recall (0 for a word never reviewed)."""
    if stability is None or last_review_at is None or stability <= 0:
        return 0.0
    return predicted_recall(stability=stability, elapsed=elapsed_days(last_review_at, now), decay=decay)


def is_mastered(*, stability: float | None) -> bool:
    """A word is mastered when its stability (days until recall falls to 90%) reaches 21 days."""
    return stability is not None and stability >= MASTERED_STABILITY_DAYS


def mastered_q(prefix: str = "") -> Q:
    """``is_mastered`` as a query filter on TokenMastery (``prefix`` for related lookups)."""
    return Q(**{f"{prefix}stability__gte": MASTERED_STABILITY_DAYS})


# --- Card state and the two schedulers -------------------------------------------------------


@dataclass(frozen=True)
class CardState:
    """A word's schedule. FSRS uses stability/difficulty; SM-2 its ease/interval/repetitions and
    reports its interval as the stability (so mastery has one definition)."""

    stability: float | None = None
    difficulty: float | None = None
    last_review_at: datetime | None = None
    due_at: datetime | None = None
    ease_factor: float = 2.5
    interval_days: int = 0
    repetitions: int = 0


class Scheduler(Protocol):
    name: str

    def review(self, card: CardState, *, rating: int, now: datetime) -> CardState: ...

    def recall(self, card: CardState, *, now: datetime) -> float: ...


@lru_cache(maxsize=256)
def _fsrs_scheduler(parameters: tuple[float, ...]) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        parameters=parameters,
        desired_retention=DESIRED_RETENTION,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
    )


class FSRS:
    """FSRS-6 through py-fsrs, without learning steps or fuzz: every review schedules the next one
    a whole number of days (≥ 1) ahead, at the interval where predicted recall falls to 90%."""

    name = "fsrs"

    def __init__(self, parameters: Sequence[float] | None = None):
        self.parameters = tuple(parameters) if parameters else DEFAULT_PARAMETERS
        self._scheduler = _fsrs_scheduler(self.parameters)
        self.decay = self.parameters[20]

    def _card(self, card: CardState) -> fsrs.Card:
        last = card.last_review_at
        new = card.stability is None or card.difficulty is None or last is None
        return fsrs.Card(
            card_id=1,
            state=fsrs.State.Learning if new else fsrs.State.Review,
            step=0 if new else None,
            stability=None if new else card.stability,
            difficulty=None if new else card.difficulty,
            due=card.due_at or card.last_review_at or datetime(1970, 1, 1, tzinfo=UTC),
            last_review=last.astimezone(UTC) if last is not None and not new else None,
        )

    def review(self, card: CardState, *, rating: int, now: datetime) -> CardState:
        reviewed, _ = self._scheduler.review_card(self._card(card), fsrs.Rating(rating), now.astimezone(UTC))
        return replace(
            card,
            stability=reviewed.stability,
            difficulty=reviewed.difficulty,
            last_review_at=now,
            due_at=reviewed.due.astimezone(now.tzinfo) if now.tzinfo else reviewed.due,
        )

    def recall(self, card: CardState, *, now: datetime) -> float:
        return word_strength(stability=card.stability, last_review_at=card.last_review_at, now=now, decay=self.decay)


#: SM-2 quality (0-5) for each rating.
SM2_QUALITY = {AGAIN: 2, HARD: 4, GOOD: 5, EASY: 5}
EASE_FLOOR = 1.3


class SM2:
    """SuperMemo-2. A correct answer before the card is due does not advance the schedule (the
    learner meets the same word several times in one lesson; only spaced reviews count); a wrong
    answer always resets it. Predicted recall: 0.9^(t / interval)."""

    name = "sm2"
    decay = DEFAULT_DECAY

    def review(self, card: CardState, *, rating: int, now: datetime) -> CardState:
        quality = SM2_QUALITY[rating]
        if quality >= 3 and card.due_at is not None and card.due_at > now:
            return replace(card, last_review_at=now)
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
        return replace(
            card,
            ease_factor=ease,
            interval_days=interval,
            repetitions=repetitions,
            stability=float(interval),
            difficulty=None,
            last_review_at=now,
            due_at=now + timedelta(days=interval),
        )

    def recall(self, card: CardState, *, now: datetime) -> float:
        if card.last_review_at is None or card.interval_days <= 0:
            return 0.0
        return 0.9 ** ((now - card.last_review_at) / timedelta(days=1) / card.interval_days)


def get_scheduler(parameters: Sequence[float] | None = None) -> Scheduler:
    """The scheduler the settings choose; FSRS uses ``parameters`` (a learner's fitted set) if given."""
    if getattr(settings, "MALLARD_SCHEDULER", "fsrs") == "sm2":
        return SM2()
    return FSRS(parameters)


def clamp_parameters(parameters: Sequence[float]) -> tuple[float, ...]:
    """A parameter set forced into py-fsrs's bounds (the optimizer's own bounds are a little wider)."""
    lower = fsrs.scheduler.LOWER_BOUNDS_PARAMETERS
    upper = fsrs.scheduler.UPPER_BOUNDS_PARAMETERS
    if len(parameters) != len(lower) or not all(math.isfinite(p) for p in parameters):
        raise ValueError(f"expected {len(lower)} finite FSRS parameters")
    return tuple(min(max(float(p), lo), hi) for p, lo, hi in zip(parameters, lower, upper, strict=True))
