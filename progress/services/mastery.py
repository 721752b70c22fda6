"""Token (word) mastery, updated on every answer for every token the exercise teaches."""

from collections.abc import Sequence
from datetime import datetime

from accounts.models import User

from ..models import TokenMastery
from .scheduling import CardState, answer_quality, get_scheduler


def record_token_answers(
    *, user: User, token_ids: Sequence[int], correct: bool, note: str | None, retry: bool, now: datetime
) -> None:
    """Update seen/correct counts, the correct streak and the schedule of each token. Two queries
    (read existing rows, one upsert) whatever the number of tokens; none when there are no tokens.

    Caller holds the learner's wallet lock (the per-learner mutex), so no two answers of the same
    learner interleave here.
    """
    if not token_ids:
        return
    scheduler = get_scheduler()
    quality = answer_quality(correct=correct, note=note, retry=retry)
    existing = {m.token_id: m for m in TokenMastery.objects.filter(user=user, token_id__in=token_ids)}
    rows = []
    for token_id in sorted(set(token_ids)):
        m = existing.get(token_id) or TokenMastery(user=user, token_id=token_id)
        card = scheduler.review(
            CardState(
                ease_factor=m.ease_factor, interval_days=m.interval_days, repetitions=m.repetitions, due_at=m.due_at
            ),
            quality=quality,
            now=now,
        )
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
                due_at=card.due_at,
                last_seen_at=now,
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
            "due_at",
            "last_seen_at",
        ],
    )
