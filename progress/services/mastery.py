"""Word (token) memory, updated on every answer for every token the exercise teaches."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from django.db.models import Aggregate, F, Field, JSONField, Subquery
from django.db.models.functions import JSONObject

from accounts.models import User
from core.inserts import IdOf, InsertBatch

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


#: A word's state as the answer path reads it: the columns ``record_token_answers`` reads and writes.
STATE_FIELDS = (
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
)


class _JSONBAgg(Aggregate):
    """The rows' values as one JSON array (PostgreSQL's ``JSONB_AGG``)."""

    function = "JSONB_AGG"
    output_field = JSONField()


def word_rows(user: User | int, token_ids: Sequence[int]) -> Subquery:
    """The learner's rows of ``token_ids`` as one JSON value: a subquery another statement carries
    (the run lock of an answer: ``progress.services.lock_run``), read back with ``word_rows_from``.

    PostgreSQL only: its JSON prints a float as the shortest text that reads back as the same float,
    while SQLite's JSON functions round a REAL to 15 digits (on SQLite the rows are read on their own)."""
    return Subquery(
        TokenMastery.objects.filter(user=user, token_id__in=token_ids)
        .values("user")
        .annotate(rows=_JSONBAgg(JSONObject(token_id=F("token_id"), **{name: F(name) for name in STATE_FIELDS})))
        .values("rows"),
        output_field=JSONField(),
    )


def word_rows_from(value: Any, *, user: User) -> list[TokenMastery]:
    """The TokenMastery rows (unsaved instances with their state) of ``word_rows``'s JSON value
    (None: the learner has no row of those words), with the values the ORM would read."""
    rows = []
    for item in value or ():
        row = TokenMastery(user=user, token_id=int(item["token_id"]))
        for name in STATE_FIELDS:
            field = cast(Field, TokenMastery._meta.get_field(name))
            setattr(row, name, field.to_python(item[name]))
        rows.append(row)
    return rows


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
    attempt_id: int | IdOf | None = None,
    parameters: object = READ,
    rows: Sequence[TokenMastery] | None = None,
    batch: InsertBatch | None = None,
) -> TokenAnswers:
    """Rate the answer (``rating_for_answer``), update each token's counts and schedule and log one
    review per token. Returns the rating and how many of the words became mastered by this answer
    (the event that can earn a words-mastered achievement).

    Four queries whatever the number of tokens and the length of the learner's history: the
    learner's parameters, the tokens' rows, one upsert, one review-log insert; none when there are
    no tokens. Three when the caller passes the learner's ``parameters`` it has read (``None``: the
    defaults; leave it out, ``READ``, to have them read here), two when it also passes the tokens'
    ``rows`` (read under the wallet lock, e.g. with ``word_rows`` on the run lock), one when the
    review-log rows go into the caller's ``batch`` (``core.inserts``: written with the answer's other
    new rows; ``attempt_id`` may then be ``IdOf(attempt)``, the attempt in the same batch), none when
    the upsert goes there too — unless a word became mastered: the words-mastered achievement,
    evaluated before the batch is written, counts the rows, so they are written at once. Caller
    holds the learner's wallet lock (the per-learner mutex), so no two answers of the same learner
    interleave here.
    """
    rating = rating_for_answer(
        correct=correct, note=note, retry=retry, exercise_type=exercise_type, time_spent_ms=time_spent_ms
    )
    if not token_ids:
        return TokenAnswers(rating=rating, newly_mastered=0)
    scheduler = get_scheduler(learner_parameters(user) if parameters is READ else cast(list[float] | None, parameters))
    if rows is None:
        rows = list(TokenMastery.objects.filter(user=user, token_id__in=token_ids))
    existing = {m.token_id: m for m in rows}
    attempt: Any = attempt_id  # an IdOf stays in the row until its batch writes the attempt
    upserts = []
    logs = []
    newly_mastered = 0
    for token_id in sorted(set(token_ids)):
        m = existing.get(token_id) or TokenMastery(user=user, token_id=token_id)
        card = scheduler.review(card_state(m), rating=rating, now=now)
        newly_mastered += is_mastered(stability=card.stability) and not is_mastered(stability=m.stability)
        upserts.append(
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
                attempt_id=attempt,
            )
        )
    if batch is not None and not newly_mastered:
        batch.upsert(upserts, unique_fields=["user", "token"], update_fields=list(STATE_FIELDS))
    else:  # (a word mastered now is counted at once: a words-mastered achievement reads the rows)
        TokenMastery.objects.bulk_create(
            upserts, update_conflicts=True, unique_fields=["user", "token"], update_fields=list(STATE_FIELDS)
        )
    if batch is not None:
        batch.add(*logs)
    else:
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
