"""Replaying a review log through a scheduler and scoring its recall predictions.

Each card's reviews are replayed in time order. Before every review that comes at least one day
(24 hours) after the card's previous review, the scheduler's predicted probability of recall is
recorded against what happened (pass = rating > 1); then the review updates the card's state.
Same-day reviews update the state but are not scored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from progress.services.scheduling import CardState, Scheduler, elapsed_days

from .reviewlog import Review

#: Predictions are clipped to [EPS, 1 - EPS] before taking logarithms.
EPS = 1e-6
#: RMSE is computed over this many equal-width bins of predicted probability.
RMSE_BINS = 20


@dataclass(frozen=True)
class Prediction:
    at: datetime
    card: str
    p: float
    passed: bool


def replay(reviews: Sequence[Review], scheduler: Scheduler) -> list[Prediction]:
    """The scheduler's prediction before every scored review of ``reviews`` (sorted by time)."""
    states: dict[str, CardState] = {}
    predictions = []
    for review in reviews:
        card = states.get(review.card)
        last = card.last_review_at if card is not None else None
        if card is not None and last is not None and elapsed_days(last, review.at) >= 1:
            predictions.append(
                Prediction(
                    at=review.at, card=review.card, p=scheduler.recall(card, now=review.at), passed=review.rating > 1
                )
            )
        states[review.card] = scheduler.review(card or CardState(), rating=review.rating, now=review.at)
    return predictions


def log_loss(predictions: Sequence[Prediction], weights: Sequence[float] | None = None) -> float:
    """Mean binary cross-entropy (natural log), optionally weighted."""
    weights = weights or [1.0] * len(predictions)
    total = 0.0
    for prediction, weight in zip(predictions, weights, strict=True):
        p = min(max(prediction.p, EPS), 1 - EPS)
        total -= weight * (math.log(p) if prediction.passed else math.log(1 - p))
    return total / sum(weights)


def rmse_bins(predictions: Sequence[Prediction], bins: int = RMSE_BINS) -> float:
    """Calibration error: predictions grouped into ``bins`` equal-width bins of probability; the
    square root of the count-weighted mean of (mean prediction - pass rate)² over the bins."""
    groups: dict[int, list[Prediction]] = {}
    for prediction in predictions:
        groups.setdefault(min(int(prediction.p * bins), bins - 1), []).append(prediction)
    squared = 0.0
    for group in groups.values():
        mean_p = sum(x.p for x in group) / len(group)
        rate = sum(x.passed for x in group) / len(group)
        squared += len(group) * (mean_p - rate) ** 2
    return math.sqrt(squared / len(predictions))


def auc(predictions: Sequence[Prediction]) -> float | None:
    """Area under the ROC curve: the probability that a random pass got a higher prediction than
    a random failure (ties count half). None when only passes or only failures were scored."""
    ordered = sorted(predictions, key=lambda x: x.p)
    positives = sum(x.passed for x in ordered)
    negatives = len(ordered) - positives
    if not positives or not negatives:
        return None
    rank_sum, i = 0.0, 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1].p == ordered[i].p:
            j += 1
        average_rank = (i + j) / 2 + 1
        rank_sum += average_rank * sum(x.passed for x in ordered[i : j + 1])
        i = j + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def score(predictions: Sequence[Prediction]) -> dict:
    """``{"reviews_scored", "log_loss", "rmse_bins", "auc"}`` (the figures None when nothing was scored)."""
    if not predictions:
        return {"reviews_scored": 0, "log_loss": None, "rmse_bins": None, "auc": None}
    return {
        "reviews_scored": len(predictions),
        "log_loss": log_loss(predictions),
        "rmse_bins": rmse_bins(predictions),
        "auc": auc(predictions),
    }


class Constant:
    """The baseline: the same predicted recall for every review."""

    name = "constant"

    def __init__(self, p: float):
        self.p = p

    def review(self, card: CardState, *, rating: int, now: datetime) -> CardState:
        return CardState(last_review_at=now)

    def recall(self, card: CardState, *, now: datetime) -> float:
        return self.p
