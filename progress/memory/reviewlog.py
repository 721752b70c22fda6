"""Review logs in the format of the public FSRS review logs: one review per row, with the
columns ``card_id``, ``review_time`` (ISO 8601, with a time zone) and ``review_rating`` (1-4);
``review_duration`` (milliseconds) and any other column are ignored."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

REQUIRED_COLUMNS = ("card_id", "review_time", "review_rating")


class ReviewLogError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Review:
    """One review of one card. Ordered by (time, card) so a log sorts chronologically."""

    at: datetime
    card: str
    rating: int


def read_review_log(lines: Iterable[str]) -> list[Review]:
    """Parse a review-log CSV; a bad row raises ``ReviewLogError`` naming its line."""
    reader = csv.DictReader(lines)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ReviewLogError(f"line 1: missing column(s) {', '.join(missing)}")
    reviews = []
    for row in reader:
        line = reader.line_num
        card = (row["card_id"] or "").strip()
        if not card:
            raise ReviewLogError(f"line {line}: empty card_id")
        try:
            at = datetime.fromisoformat((row["review_time"] or "").strip())
        except ValueError:
            raise ReviewLogError(f"line {line}: review_time {row['review_time']!r} is not ISO 8601") from None
        if at.tzinfo is None:
            raise ReviewLogError(f"line {line}: review_time {row['review_time']!r} has no time zone")
        rating = (row["review_rating"] or "").strip()
        if rating not in {"1", "2", "3", "4"}:
            raise ReviewLogError(f"line {line}: review_rating {row['review_rating']!r} is not 1-4")
        reviews.append(Review(at=at, card=card, rating=int(rating)))
    if not reviews:
        raise ReviewLogError("the review log has no reviews")
    return sorted(reviews)
