"""Fitting a learner's FSRS parameters with the fsrs-rs optimizer, and adopting them only when
they predict the learner's most recent reviews better than the parameters in use.

Both libraries must see the same data the same way: the optimizer's items are built with the
elapsed days counted as the scheduler counts them (``elapsed_days``: whole 24-hour periods), and
a fitted set is forced into py-fsrs's parameter bounds before it is evaluated or stored.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import fsrs_rs_python

from progress.services.scheduling import DEFAULT_PARAMETERS, FSRS, clamp_parameters, elapsed_days

from .evaluation import log_loss, replay
from .reviewlog import Review

#: A learner's parameters are fitted once their log holds this many reviews that come at least
#: a day after the word's previous review (the reviews a fit learns from).
MIN_SCORED_REVIEWS = 400
#: The most recent share of those reviews is kept out of the fit to validate it.
VALIDATION_FRACTION = 0.2
#: At most this many of the learner's most recent reviews are used (bounds the time per learner).
MAX_REVIEWS = 20_000


def fsrs_items(reviews: Sequence[Review]) -> list[fsrs_rs_python.FSRSItem]:
    """The optimizer's items for ``reviews`` (sorted by time): one per review that comes at least a
    day after the card's previous one, holding the card's reviews up to it; in time order."""
    history: dict[str, list[fsrs_rs_python.FSRSReview]] = {}
    last: dict[str, datetime] = {}
    items = []
    for review in reviews:
        delta = elapsed_days(last[review.card], review.at) if review.card in last else 0
        card_reviews = history.setdefault(review.card, [])
        card_reviews.append(fsrs_rs_python.FSRSReview(review.rating, delta))
        last[review.card] = review.at
        if delta > 0:
            items.append(fsrs_rs_python.FSRSItem(list(card_reviews)))
    return items


def fit_parameters(reviews: Sequence[Review]) -> tuple[float, ...]:
    """FSRS-6 parameters fitted on ``reviews`` by the fsrs-rs optimizer, within py-fsrs's bounds."""
    items = fsrs_items(reviews)
    if not items:
        return DEFAULT_PARAMETERS
    optimizer = fsrs_rs_python.FSRS(list(DEFAULT_PARAMETERS))
    return clamp_parameters(optimizer.compute_parameters(items))


def recency_weights(n: int) -> list[float]:
    """The optimizer's own evaluation weights: 0.25 + 0.75·(i/(n-1))³ for the i-th item in time order."""
    length = max(n - 1, 1)
    return [0.25 + 0.75 * (i / length) ** 3 for i in range(n)]


def validation_loss(reviews: Sequence[Review], parameters: Sequence[float], *, since: datetime) -> float | None:
    """Log loss of ``parameters`` on the scored reviews at or after ``since`` (all of ``reviews``
    replayed, so earlier reviews shape the state). None when none is scored."""
    scored = [p for p in replay(reviews, FSRS(parameters)) if p.at >= since]
    return log_loss(scored) if scored else None


@dataclass(frozen=True)
class FitOutcome:
    adopted: bool
    parameters: tuple[float, ...]  # what the learner uses from now on
    fitted: tuple[float, ...] | None  # what the optimizer found (None when not fitted)
    reviews_used: int
    loss_current: float | None
    loss_fitted: float | None
    seconds: float
    reason: str = ""
    extra: dict = field(default_factory=dict)


def fit_and_validate(reviews: Sequence[Review], *, current: Sequence[float] | None = None) -> FitOutcome:
    """Fit on the older reviews, validate on the most recent ``VALIDATION_FRACTION`` of the scored
    reviews, adopt the fitted set only if its log loss there is lower than the current set's.

    ``reviews`` are one learner's, sorted by time (only the last ``MAX_REVIEWS`` are used).
    """
    started = time.perf_counter()
    current = tuple(current) if current else DEFAULT_PARAMETERS
    reviews = list(reviews)[-MAX_REVIEWS:]
    scored_times = [p.at for p in replay(reviews, FSRS(current))]
    if len(scored_times) < MIN_SCORED_REVIEWS:
        return FitOutcome(
            adopted=False,
            parameters=current,
            fitted=None,
            reviews_used=len(reviews),
            loss_current=None,
            loss_fitted=None,
            seconds=time.perf_counter() - started,
            reason=f"{len(scored_times)} scored reviews, fewer than {MIN_SCORED_REVIEWS}",
        )
    split = scored_times[int(len(scored_times) * (1 - VALIDATION_FRACTION))]
    older = [r for r in reviews if r.at < split]
    fitted = fit_parameters(older)
    loss_current = validation_loss(reviews, current, since=split)
    loss_fitted = validation_loss(reviews, fitted, since=split)
    # Both are numbers: at least one review is at or after ``split`` (it is a scored review's time).
    adopted = loss_fitted is not None and loss_current is not None and loss_fitted < loss_current
    return FitOutcome(
        adopted=adopted,
        parameters=fitted if adopted else current,
        fitted=fitted,
        reviews_used=len(older),
        loss_current=loss_current,
        loss_fitted=loss_fitted,
        seconds=time.perf_counter() - started,
        reason="" if adopted else "the fitted parameters did not predict the recent reviews better",
    )
