"""A simulated learner for the memory-model tests: reviews generated from a known FSRS parameter set."""

import random
from datetime import UTC, datetime, timedelta

from progress.memory.reviewlog import Review
from progress.services.scheduling import FSRS, CardState

START = datetime(2025, 1, 6, 9, tzinfo=UTC)

#: A learner who forgets much faster than FSRS's defaults assume: initial stabilities a tenth of
#: the defaults', slower growth after a success (w8), a steeper forgetting curve (w20 = 0.5).
FORGETFUL = (
    0.05, 0.12, 0.25, 0.9,
    6.4133, 0.8334, 3.0194, 0.001, 1.0, 0.1666, 0.796, 1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729,
    0.5425, 0.0912, 0.0658, 0.5,
)  # fmt: skip


def simulate(parameters=FORGETFUL, *, cards: int = 240, reviews_per_card: int = 8, seed: int = 7) -> list[Review]:
    """Each card is first met on a day of the first 60, then reviewed after random gaps of 1-20
    days (so recall is observed over a wide range of elapsed times); each review passes with the
    probability the true model predicts (Good, or Hard one time in five) or fails (Again)."""
    rng = random.Random(seed)
    truth = FSRS(parameters)
    reviews = []
    for card_id in range(cards):
        at = START + timedelta(days=rng.randrange(60), minutes=rng.randrange(600))
        state = truth.review(CardState(), rating=3, now=at)
        reviews.append(Review(at=at, card=str(card_id), rating=3))
        for _ in range(reviews_per_card):
            at += timedelta(days=rng.randint(1, 20), minutes=rng.randrange(120))
            passed = rng.random() < truth.recall(state, now=at)
            rating = (2 if rng.random() < 0.2 else 3) if passed else 1
            state = truth.review(state, rating=rating, now=at)
            reviews.append(Review(at=at, card=str(card_id), rating=rating))
    return sorted(reviews)
