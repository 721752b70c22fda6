"""The comparison ``evaluate_scheduler`` prints: every scheduler replayed over one review log."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime

from progress.services.scheduling import FSRS, SM2

from .evaluation import Constant, replay, score
from .fitting import fit_and_validate, fit_parameters
from .reviewlog import Review

#: The constant baseline's prediction when no review before the split was scored.
CONSTANT_FALLBACK = 0.9


def median_time(reviews: Sequence[Review]) -> datetime:
    """The time of the middle review (the default split between training and held-out reviews)."""
    return reviews[len(reviews) // 2].at


def compare(reviews: Sequence[Review], *, train_until: datetime) -> dict:
    """Figures for every scheduler.

    - ``fsrs_default``, ``sm2``, ``constant``: scored on the whole log, with the held-out figures
      (reviews at or after ``train_until``) under ``held_out``;
    - ``fsrs_fitted``: parameters fitted on the reviews before ``train_until``; scored on held-out
      reviews only (its ``held_out`` is the same);
    - ``fsrs_adopted``: what Mallard would use for this learner on ``train_until``: fitted on the
      older training reviews and adopted only if it predicted the most recent training reviews
      better than the defaults, else the defaults; scored on held-out reviews only;
    - ``constant``: predicts, for every review, the pass rate of the scored reviews before
      ``train_until``.
    """
    reviews = sorted(reviews)
    train = [r for r in reviews if r.at < train_until]
    result: dict = {"train_until": train_until.isoformat(), "reviews": len(reviews)}
    schedulers: dict[str, dict] = {}

    def add(name: str, predictions, *, held_out_only: bool = False, **extra) -> None:
        held = [p for p in predictions if p.at >= train_until]
        figures = score(held if held_out_only else predictions)
        schedulers[name] = {**figures, "held_out": score(held), **extra}

    default = replay(reviews, FSRS())
    add("fsrs_default", default)
    started = time.perf_counter()
    fitted = fit_parameters(train)
    fit_seconds = time.perf_counter() - started
    add("fsrs_fitted", replay(reviews, FSRS(fitted)), held_out_only=True, fit_seconds=round(fit_seconds, 3))
    outcome = fit_and_validate(train)
    add(
        "fsrs_adopted",
        replay(reviews, FSRS(outcome.parameters)),
        held_out_only=True,
        adopted_fit=outcome.adopted,
        validation_loss_default=outcome.loss_current,
        validation_loss_fitted=outcome.loss_fitted,
        fit_seconds=round(outcome.seconds, 3),
        reason=outcome.reason,
    )
    add("sm2", replay(reviews, SM2()))
    trained = [p for p in default if p.at < train_until]
    rate = sum(p.passed for p in trained) / len(trained) if trained else CONSTANT_FALLBACK
    add("constant", replay(reviews, Constant(rate)), p=rate)
    result["reviews_scored"] = len(default)
    result["held_out_reviews_scored"] = schedulers["fsrs_default"]["held_out"]["reviews_scored"]
    result["schedulers"] = schedulers
    return result
