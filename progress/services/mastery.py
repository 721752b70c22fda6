"""Word (token) memory, updated on every answer for every token the exercise teaches."""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, cast

from accounts.models import User

from ..models import MemoryParameters, ReviewLog, TokenMastery
from .scheduling import DEFAULT_DECAY, CardState, get_scheduler, is_mastered, rating_for_answer


class TokenAnswers(NamedTuple):
    """What ``record_token_answers`` did: the answer's rating, and how many words it made mastered."""

    rating: int
    newly_mastered: int


def learner_parameters(user: User) -> list[float] | None:
    """The learner's adopted FSRS parameters, or None for the defaults (one query)."""
    return MemoryParameters.objects.filter(user=user).values_list("parameters", flat=True).first()


def learner_decay(user: User) -> float:
    """The forgetting curve's decay (w20) of the learner's parameters (one query)."""
    parameters = learner_parameters(user)
    return parameters[20] if parameters else DEFAULT_DECAY


#: ``record_token_answers(parameters=READ)``: read the learner's parameters (the default).
READ = object()


def record_token_answers(
    *,
    user: User,
    token_ids: Sequence[int],
    correct: bool,
    note: str | None,
    retry: bool,
    now: datetime,
    exercise_type: str = "",
    time_spent_ms: int = 0,
    exercise_id: int | None = None,
    attempt_id: int | None = None,
    parameters: object = READ,
) -> TokenAnswers:
    """Rate the answer (``rating_for_answer``), update each token's counts and schedule and log one
    review per token. Returns the rating and how many of the words became mastered by this answer
    (the event that can earn a words-mastered achievement).

    Four queries whatever the number of tokens and the length of the learner's history: the
    learner's parameters, the tokens' rows, one upsert, one review-log insert; none when there are
    no tokens. Three when the caller passes the learner's ``parameters`` it has read (``None``: the
    defaults; leave it out, ``READ``, to have them read here). Caller holds the learner's wallet
    lock (the per-learner mutex), so no two answers of the same learner interleave here.
    """
    rating = rating_for_answer(
        correct=correct, note=note, retry=retry, exercise_type=exercise_type, time_spent_ms=time_spent_ms
    )
    if not token_ids:
        return TokenAnswers(rating=rating, newly_mastered=0)
    scheduler = get_scheduler(learner_parameters(user) if parameters is READ else cast(list[float] | None, parameters))
    existing = {m.token_id: m for m in TokenMastery.objects.filter(user=user, token_id__in=token_ids)}
    rows = []
    logs = []
    newly_mastered = 0
    for token_id in sorted(set(token_ids)):
        m = existing.get(token_id) or TokenMastery(user=user, token_id=token_id)
        card = scheduler.review(card_state(m), rating=rating, now=now)
        newly_mastered += is_mastered(stability=card.stability) and not is_mastered(stability=m.stability)
        rows.append(
            TokenMastery(
                user=user,
                token_id=token_id,
                seen_count=m.seen_count + 1,
                correct_count=m.correct_count + (1 if correct else 0),
                correct_streak=m.correct_streak + 1 if correct else 0,
                ease_factor=card.ease_factor,
                interval_days=card.interval_days,
                repetitions=card.repetitions,
                stability=card.stability,
                difficulty=card.difficulty,
                due_at=card.due_at,
                last_seen_at=now,
            )
        )
        logs.append(
            ReviewLog(
                user=user,
                token_id=token_id,
                reviewed_at=now,
                rating=rating,
                exercise_id=exercise_id,
                attempt_id=attempt_id,
            )
        )
    TokenMastery.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "token"],
        update_fields=[
            "seen_count",
            "correct_count",
            "correct_streak",
            "ease_factor",
            "interval_days",
            "repetitions",
            "stability",
            "difficulty",
            "due_at",
            "last_seen_at",
        ],
    )
    ReviewLog.objects.bulk_create(logs)
    return TokenAnswers(rating=rating, newly_mastered=newly_mastered)


def card_state(m: TokenMastery) -> CardState:
    return CardState(
        stability=m.stability,
        difficulty=m.difficulty,
        last_review_at=m.last_seen_at,
        due_at=m.due_at,
        ease_factor=m.ease_factor,
        interval_days=m.interval_days,
        repetitions=m.repetitions,
    )
