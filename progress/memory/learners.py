"""Fitting learners' FSRS parameters from their review logs (the ``fit_memory_models`` job).

Selection is set-based: one query finds the learners whose log holds at least
``MIN_LOG_ROWS`` reviews and ``REFIT_NEW_REVIEWS`` more than at their last attempt. Each learner is
then fitted on at most ``fitting.MAX_REVIEWS`` of their most recent reviews
(``fitting.fit_and_validate``) and the outcome written in one short transaction. A learner whose fit
fails keeps their parameters; the attempt and its reason are recorded.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from ..models import MemoryParameters, ReviewLog
from . import fitting
from .reviewlog import Review

#: Learners with fewer reviews in their log are not considered (a fit needs
#: ``fitting.MIN_SCORED_REVIEWS`` reviews spaced at least a day apart, a subset of the log).
MIN_LOG_ROWS = fitting.MIN_SCORED_REVIEWS
#: A learner is refitted only once this many reviews were logged since their last attempt.
REFIT_NEW_REVIEWS = 200


def learners_due_for_fit(*, user_ids=None, limit: int | None = None) -> list[tuple[int, int]]:
    """``[(user_id, log rows)]`` of the learners to fit, in user order (one query)."""
    last_size = MemoryParameters.objects.filter(user=OuterRef("user_id")).values("log_size_at_attempt")
    query = (
        ReviewLog.objects.order_by()
        .values("user_id")
        .annotate(rows=Count("id"))
        .filter(rows__gte=MIN_LOG_ROWS)
        .annotate(previous=Coalesce(Subquery(last_size), Value(0)))
        .filter(rows__gte=F("previous") + REFIT_NEW_REVIEWS)
        .order_by("user_id")
        .values_list("user_id", "rows")
    )
    if user_ids is not None:
        query = query.filter(user_id__in=user_ids)
    return list(query[:limit] if limit else query)


def learner_reviews(user_id: int) -> list[Review]:
    """The learner's most recent ``fitting.MAX_REVIEWS`` reviews, oldest first (one query)."""
    rows = (
        ReviewLog.objects.filter(user_id=user_id)
        .order_by("-reviewed_at", "-id")
        .values_list("reviewed_at", "token_id", "rating")[: fitting.MAX_REVIEWS]
    )
    return sorted(Review(at=at, card=str(token_id), rating=rating) for at, token_id, rating in rows)


@dataclass(frozen=True)
class LearnerFit:
    user_id: int
    outcome: fitting.FitOutcome | None
    error: str = ""

    @property
    def adopted(self) -> bool:
        return self.outcome is not None and self.outcome.adopted


def fit_learner(*, user_id: int, log_rows: int, now: datetime) -> LearnerFit:
    """Fit one learner and record the attempt; adopt the parameters if they validated better."""
    current = MemoryParameters.objects.filter(user_id=user_id).values_list("parameters", flat=True).first()
    try:
        outcome = fitting.fit_and_validate(learner_reviews(user_id), current=current)
    except Exception as exc:  # the optimizer refused the data: keep what the learner has
        error = f"{type(exc).__name__}: {exc}"
        MemoryParameters.objects.update_or_create(
            user_id=user_id,
            defaults={"attempted_at": now, "log_size_at_attempt": log_rows, "last_outcome": f"failed: {error}"},
        )
        return LearnerFit(user_id=user_id, outcome=None, error=error)
    fields = {
        "attempted_at": now,
        "log_size_at_attempt": log_rows,
        "last_outcome": (
            f"adopted: validation log loss {outcome.loss_fitted:.4f} < {outcome.loss_current:.4f}"
            if outcome.adopted
            else f"kept: {outcome.reason}"
            + (
                f" (validation log loss {outcome.loss_fitted:.4f} ≥ {outcome.loss_current:.4f})"
                if outcome.loss_fitted is not None
                else ""
            )
        ),
    }
    if outcome.adopted:
        fields |= {
            "parameters": list(outcome.parameters),
            "fitted_at": now,
            "reviews_used": outcome.reviews_used,
            "loss_previous": outcome.loss_current,
            "loss_fitted": outcome.loss_fitted,
        }
    with transaction.atomic():
        MemoryParameters.objects.update_or_create(user_id=user_id, defaults=fields)
    return LearnerFit(user_id=user_id, outcome=outcome)
