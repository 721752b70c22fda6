"""The learner's loop — entry points pages and the API call (CONTRACT.md).

Each is one transaction that first locks the learner's Wallet row, then (for an answer) the
LessonRun row — the documented lock order — so double clicks, retries and two tabs are serialised
per learner and never award twice. Rules live in: ``progress.rules`` (XP, queue, tiers, unlocking),
``progress.services`` (runs, tiers, mastery), ``.hearts``, ``.ledger``, ``.activity``, ``.achievements``.
"""

import uuid
from datetime import datetime
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from core.errors import NotFound
from courses.exercise_types import get_type
from courses.models import Course, Exercise, Lesson
from courses.selectors import answer_lexicon
from progress import services as progress
from progress.models import ExerciseAttempt, LessonRun
from progress.rules import gems_for_pass, xp_per_exercise

from ..errors import ClientIdConflict, ExerciseNotInRun, InvalidAnswer, OutOfHearts, RunFinished
from ..models import HeartsLog, LedgerEntry
from . import achievements, ledger
from . import hearts as hearts_rules
from .activity import MAX_SECONDS_PER_ANSWER, record_activity
from .types import AnswerOutcome
from .wallet import ensure_learner, hearts_logs, lock_wallet, regenerated, update_wallet


def start_lesson_run(*, user, lesson: Lesson | int, now: datetime) -> LessonRun:
    """Start (or return the active) run of a lesson.

    Unpublished/unknown lesson → NotFound; enrols the learner if needed (the course is published);
    lesson not open → LessonLocked; no hearts after lazy regeneration → OutOfHearts.
    Locks the wallet.
    """
    lesson = progress.visible_lesson(lesson_id=lesson.pk if isinstance(lesson, Lesson) else lesson)
    course = lesson.unit.section.course
    progress.enroll(user=user, course=course, now=now)
    ensure_learner(user=user, now=now)
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)
        existing = LessonRun.objects.filter(
            user=user, lesson=lesson, kind=LessonRun.Kind.LESSON, status="active"
        ).first()
        if existing is not None:
            return existing
        hearts, _ = hearts_rules.current(wallet.hearts, wallet.hearts_anchor_at, now)
        if hearts <= 0:
            raise OutOfHearts()
        return progress.create_lesson_run(user=user, lesson=lesson, now=now)


def start_review_session(*, user, course: Course | int, now: datetime) -> LessonRun:
    """Start (or return the active) review session of a course: exercises teaching due tokens and
    recent mistakes. Needs no hearts. Unpublished course → NotFound; nothing due → NothingToReview."""
    course_id = course.pk if isinstance(course, Course) else course
    course = Course.objects.filter(pk=course_id, is_published=True).first()
    if course is None:
        raise NotFound("No such course.")
    progress.enroll(user=user, course=course, now=now)
    ensure_learner(user=user, now=now)
    with transaction.atomic():
        lock_wallet(user=user, now=now)
        return progress.create_review_run(user=user, course=course, now=now)


def abandon_run(*, user, run_id: int, now: datetime) -> LessonRun:
    """Abandon an active run: XP already earned stays; no pass, no gems. Locks wallet, then run."""
    with transaction.atomic():
        lock_wallet(user=user, now=now)
        return progress.abandon_run(user=user, run_id=_as_int(run_id, NotFound("No such run.")), now=now)


def _as_int(value: Any, error: Exception) -> int:
    try:
        if isinstance(value, bool):
            raise TypeError
        return int(value)
    except (TypeError, ValueError):
        raise error from None


def _answer_language(exercise_type, payload: dict, course: Course) -> str:
    """The code of the language the learner writes in (docs/exercise-types.md "answer language").

    A type may say so itself with ``answer_language(payload) -> "source" | "target"``; otherwise
    ``direction: to_source`` means the source language and everything else the target language."""
    side = None
    if hasattr(exercise_type, "answer_language"):
        side = exercise_type.answer_language(payload)
    elif payload.get("direction") == "to_source":
        side = "source"
    return course.from_language.code if side == "source" else course.to_language.code


def submit_answer(
    *,
    user,
    run_id: int,
    exercise_id: int,
    answer: Any,
    client_id: str | uuid.UUID,
    now: datetime,
    time_spent_ms: int = 0,
) -> AnswerOutcome:
    """Judge one answer in a run and apply every consequence, idempotently by (user, client_id).

    Locks: the learner's Wallet row, then the LessonRun row (``select_for_update(no_key=True)``).
    A repeated client_id returns the first stored outcome (``repeated=True``) and changes nothing;
    the same client_id for another exercise or run → ClientIdConflict. Errors (nothing changed):
    NotFound (unknown or someone else's run), RunFinished, ExerciseNotInRun, InvalidAnswer.

    Fixed number of queries whatever the size of the lesson or the learner's history.
    """
    try:
        client_uuid = client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except (TypeError, ValueError, AttributeError):
        raise InvalidAnswer("client_id must be a UUID.", field="client_id") from None
    run_pk = _as_int(run_id, NotFound("No such run."))
    exercise_pk = _as_int(exercise_id, ExerciseNotInRun("exercise must be an exercise id."))
    time_spent_ms = max(
        0, min(_as_int(time_spent_ms or 0, InvalidAnswer("Bad time_spent_ms.", field="time_spent_ms")), 2**31 - 1)
    )
    try:
        with transaction.atomic():
            return _submit(
                user=user,
                run_pk=run_pk,
                exercise_pk=exercise_pk,
                answer=answer,
                client_uuid=client_uuid,
                now=now,
                time_spent_ms=time_spent_ms,
            )
    except IntegrityError:
        # Backstop only: the wallet lock serialises a learner's submissions, so a duplicate client_id
        # is found by the look-up in _submit. If the unique constraint fires anyway, replay.
        attempt = ExerciseAttempt.objects.filter(user=user, client_id=client_uuid).first()
        if attempt is None:
            raise
        return _replay(attempt, run_pk=run_pk, exercise_pk=exercise_pk)


def _replay(attempt: ExerciseAttempt, *, run_pk: int, exercise_pk: int) -> AnswerOutcome:
    if attempt.run_id != run_pk or attempt.exercise_id != exercise_pk:
        raise ClientIdConflict()
    return AnswerOutcome.from_stored(attempt_id=attempt.pk, result=attempt.result, repeated=True)


def _load_exercise(exercise_pk: int) -> Exercise:
    query = Exercise.objects.filter(pk=exercise_pk)
    if connection.vendor == "postgresql":
        exercise = query.annotate(token_ids=ArrayAgg("tokens__id", filter=Q(tokens__isnull=False), default=[])).first()
    else:  # SQLite (laptop default): one more query
        exercise = query.first()
        if exercise is not None:
            exercise.token_ids = list(exercise.tokens.values_list("pk", flat=True))
    if exercise is None:
        raise ExerciseNotInRun()
    return exercise


def _submit(*, user, run_pk, exercise_pk, answer, client_uuid, now, time_spent_ms) -> AnswerOutcome:
    wallet = lock_wallet(user=user, now=now)
    previous = ExerciseAttempt.objects.filter(user=user, client_id=client_uuid).first()
    if previous is not None:
        return _replay(previous, run_pk=run_pk, exercise_pk=exercise_pk)
    run = (
        LessonRun.objects.select_for_update(no_key=True, of=("self",))
        .select_related("lesson", "course__from_language", "course__to_language")
        .filter(pk=run_pk, user=user)
        .first()
    )
    if run is None:
        raise NotFound("No such run.")
    if run.status != LessonRun.Status.ACTIVE:
        raise RunFinished()
    if exercise_pk not in run.queue:
        if exercise_pk in run.exercise_ids:
            raise ExerciseNotInRun("That exercise has already been answered correctly in this run.")
        raise ExerciseNotInRun()
    exercise = _load_exercise(exercise_pk)
    exercise_type = get_type(exercise.type)
    try:
        parsed = exercise_type.parse_answer(answer)
    except ValidationError as error:
        raise InvalidAnswer("; ".join(error.messages) or None) from None
    try:
        language = _answer_language(exercise_type, exercise.payload, run.course)
        lexicon = answer_lexicon(course=run.course, language_code=language)
        verdict = exercise_type.check(exercise.payload, parsed, language=language, lexicon=lexicon)
    except ValidationError as error:  # an answer that only the payload shows to be malformed
        raise InvalidAnswer("; ".join(error.messages) or None) from None
    correct = bool(verdict.correct)
    is_review = run.kind == LessonRun.Kind.REVIEW
    retry = exercise_pk in run.missed_ids

    # Hearts (lesson runs only): materialise regeneration, then lose one for a wrong answer.
    clock, steps = regenerated(wallet, now)
    if not correct and not is_review:
        lost = hearts_rules.lose(clock, now)
        steps.append((clock.hearts, lost.hearts, HeartsLog.Reason.WRONG_ANSWER))
        clock = lost
    out_of_hearts = not correct and not is_review and clock.hearts == 0

    xp = (
        xp_per_exercise(
            kind=None if is_review else run.lesson.kind, difficulty=None if is_review else run.lesson.difficulty
        )
        if correct
        else 0
    )
    progress.record_token_answers(
        user=user, token_ids=exercise.token_ids, correct=correct, note=verdict.note, retry=retry, now=now
    )
    after = progress.apply_answer(
        run=run, exercise_id=exercise_pk, correct=correct, xp=xp, out_of_hearts=out_of_hearts, now=now
    )
    gems = gems_for_pass(after.xp_earned) if after.passed else 0
    if after.passed:
        if is_review:
            progress.record_review_pass(run=run, gems=gems)
            gained = hearts_rules.gain(clock)
            steps.append((clock.hearts, gained.hearts, HeartsLog.Reason.REVIEW_PASSED))
            clock = gained
        else:
            progress.record_pass(run=run, gems=gems, now=now)

    outcome = AnswerOutcome(
        attempt_id=0,
        exercise_id=exercise_pk,
        correct=correct,
        note=verdict.note,
        solution=exercise_type.solution_display(exercise.payload),
        best_match=verdict.best_match,
        xp_awarded=xp,
        run_xp=after.xp_earned,
        hearts=clock.hearts,
        next_heart_at=hearts_rules.next_heart_at(clock.hearts, clock.anchor),
        run_status=str(after.status),
        remaining=len(after.queue),
        total=len(run.exercise_ids),
        repeated=False,
    )
    attempt = ExerciseAttempt.objects.create(
        run=run,
        user=user,
        exercise_id=exercise_pk,
        client_id=client_uuid,
        answer=_jsonable_answer(answer),
        correct=correct,
        xp_awarded=xp,
        time_spent_ms=time_spent_ms,
        result=outcome.stored_result(),
        created_at=now,
    )
    entries = []
    if xp:
        entries.append(
            ledger.xp_entry(
                user=user,
                amount=xp,
                reason=LedgerEntry.Reason.EXERCISE,
                key=f"run:{run.pk}:ex:{exercise_pk}:xp",
                source=attempt,
                now=now,
            )
        )
    if gems:
        entries.append(
            ledger.gems_entry(
                user=user,
                amount=gems,
                reason=LedgerEntry.Reason.RUN_PASSED,
                key=f"run:{run.pk}:gems",
                source=run,
                now=now,
            )
        )
    ledger.post(entries)
    logs = hearts_logs(user=user, steps=steps, run=run, now=now)
    if logs:
        HeartsLog.objects.bulk_create(logs)
    update_wallet(wallet, xp=xp, gems=gems, clock=clock)
    finished = after.status != LessonRun.Status.ACTIVE
    record_activity(
        user=user,
        now=now,
        xp=xp,
        activities=1 if finished else 0,
        seconds=min(round(time_spent_ms / 1000), MAX_SECONDS_PER_ANSWER),
    )
    if xp or after.passed:
        achievements.evaluate_locked(user=user, wallet=wallet, now=now, run=run)
    return AnswerOutcome.from_stored(attempt_id=attempt.pk, result=attempt.result, repeated=False)


def _jsonable_answer(answer: Any) -> Any:
    if isinstance(answer, (str, int, float, bool, type(None))):
        return answer
    if isinstance(answer, (list, tuple)):
        return [_jsonable_answer(a) for a in answer]
    if isinstance(answer, dict):
        return {str(k): _jsonable_answer(v) for k, v in answer.items()}
    return str(answer)
