"""The learner's loop — the entry points pages and the API call.

Each is one transaction that first locks the learner's Wallet row, then (for an answer) the
LessonRun row — the documented lock order — so double clicks, retries and two tabs are serialised
per learner and never award twice. Rules live in: ``progress.rules`` (XP, queue, tiers, unlocking),
``progress.services`` (runs, attempts, tiers, mastery), ``.hearts``, ``.ledger``, ``.activity``,
``.achievements``. ``submit_answer`` is a list of named steps, one per rule (docs/game-rules.md
"The answer, step by step"); each app writes its own rows.
"""

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_lazy

from accounts import activity as activity_log
from accounts.models import User
from core.errors import NotFound
from core.inserts import IdOf, InsertBatch
from courses.answers import storable_answer, word_diff
from courses.exercise_types import ExerciseType, answer_language_code, get_type, served_payload
from courses.exercise_types.match_pairs import pair_in_range, pair_is_right, verdict_after_pair_checks
from courses.models import Course, Exercise, Lesson
from courses.selectors import answer_lexicon
from courses.structure import exercise_for_answer
from progress import services as progress
from progress.models import ExerciseAttempt, LessonRun
from progress.rules import (
    SKIP_KIND_FOR,
    SKIPPABLE_KINDS,
    answer_passes_run,
    gems_for_pass,
    speed_bonus,
    time_is_up,
    xp_per_exercise,
)

from ..errors import (
    ClientIdConflict,
    ExerciseNotInRun,
    InvalidAnswer,
    OutOfHearts,
    PairAlreadyMatched,
    RunFinished,
    SkipNotAllowed,
    TimeUp,
)
from ..models import LedgerEntry
from . import achievements, checkpoints, ledger
from . import hearts as hearts_rules
from .activity import clamp_time_spent_ms, record_activity, record_day, seconds_counted
from .types import AnswerOutcome, PairCheck, SkipOutcome
from .wallet import hearts_logs, lock_wallet


def start_lesson_run(*, user: User, lesson: Lesson | int | str, now: datetime) -> LessonRun:
    """Start (or return the active) run of a lesson (a Lesson, its id or its slug).

    Unpublished/unknown lesson → NotFound; enrols the learner if needed (the course is published);
    lesson not open → LessonLocked; no hearts after lazy regeneration → OutOfHearts.
    Locks the wallet (creating the learner's wallet and streak on their first run).

    The run returned carries what the response needs from the rows just read: its lesson and course
    (with the course's languages) and ``wallet_hearts``, the hearts columns of the wallet it locked
    (``gamification.selectors.run_state`` reads them instead of the wallet again).
    """
    if isinstance(lesson, str):
        lesson = progress.visible_lesson(slug=lesson, user=user)
    else:
        lesson = progress.visible_lesson(lesson_id=lesson.pk if isinstance(lesson, Lesson) else lesson, user=user)
    course = lesson.unit.section.course
    if not lesson.is_current_course:  # (read with the lesson) already enrolled, and it is the current course
        progress.enroll(user=user, course=course, now=now)
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)
        existing = progress.active_lesson_run(user=user, lesson=lesson)
        if existing is not None and not time_is_up(deadline_at=existing.deadline_at, now=now):
            existing.lesson = lesson  # the row just read, for the response
            if existing.course_id == course.pk:  # (a lesson moved to another course keeps its runs' course)
                existing.course = course
            existing.wallet_hearts = (wallet.hearts, wallet.hearts_anchor_at)
            return existing  # (a timed run whose time is up is ended by create_lesson_run, and a new one made)
        hearts, _ = hearts_rules.current(wallet.hearts, wallet.hearts_anchor_at, now)
        if hearts <= 0:
            raise OutOfHearts()
        run = progress.create_lesson_run(user=user, lesson=lesson, now=now, checked_active=existing is None)
        run.course = course
        run.wallet_hearts = (wallet.hearts, wallet.hearts_anchor_at)
        activity_log.record(user=user, kind=activity_log.Kind.LESSON_START, now=now, payload=_run_payload(run))
        return run


def start_review_session(
    *, user: User, course: Course | int, now: datetime, ahead: bool = False, timed: bool = False
) -> LessonRun:
    """Start (or return the active) review session of a course: exercises teaching due tokens and
    recent mistakes. Needs no hearts. Unpublished course → NotFound; nothing due → NothingToReview.

    ``ahead`` (practice ahead, offered when nothing is due): the words with the lowest predicted
    recall even though not due; the run pays XP for new evidence only — no gems, no heart
    (docs/game-rules.md, "Practice ahead"); no practised word → NothingToPractise. ``timed``: a timed
    review — as many as the learner can answer in two minutes, on the server's clock (docs/game-rules.md,
    "Timed practice"). The run returned carries its course and ``wallet_hearts`` (as ``start_lesson_run``'s)."""
    course_id = course.pk if isinstance(course, Course) else course
    course = Course.objects.visible().select_related("from_language", "to_language").filter(pk=course_id).first()
    if course is None:
        raise NotFound(gettext_lazy("No such course."))
    progress.enroll(user=user, course=course, now=now)
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)  # creates the learner's wallet and streak on their first run
        run = progress.create_review_run(user=user, course=course, now=now, ahead=ahead, timed=timed)
        run.course = course  # the row just read, with its languages, for the response (as a lesson run's)
        run.wallet_hearts = (wallet.hearts, wallet.hearts_anchor_at)
        if run.started_at == now:  # a new session, not the active one resumed
            activity_log.record(user=user, kind=activity_log.Kind.LESSON_START, now=now, payload=_run_payload(run))
        return run


def abandon_run(*, user: User, run_id: int, now: datetime) -> LessonRun:
    """Abandon an active run: XP already earned stays; no pass, no gems. Locks wallet, then run."""
    with transaction.atomic():
        lock_wallet(user=user, now=now)
        run = progress.mark_run_abandoned(
            user=user, run_id=_as_int(run_id, NotFound(gettext_lazy("No such run."))), now=now
        )
        if run.status == LessonRun.Status.ABANDONED and run.finished_at == now:  # abandoned by this call
            activity_log.record(user=user, kind=activity_log.Kind.LESSON_QUIT, now=now, payload=_run_payload(run))
        return run


def _run_payload(run: LessonRun, **extra: Any) -> dict[str, Any]:
    """The activity log's payload about a run: its id, kind and lesson slug (none for a review)."""
    payload: dict[str, Any] = {"run": run.pk, "run_kind": run.kind}
    if run.lesson_id is not None:
        payload["lesson"] = run.lesson.slug
    return {**payload, **extra}


def _answer_events(*, run: LessonRun, attempt: ExerciseAttempt, status: str, xp: int, gems: int):
    """The activity-log events of one answer: the answer, and the end of the run when it ended it."""
    events: list[tuple[str, dict[str, Any] | None]] = [
        (
            activity_log.Kind.ANSWER,
            {
                "run": run.pk,
                "exercise": attempt.exercise_id,
                "attempt": IdOf(attempt),  # written in the same batch as the attempt
                "correct": attempt.correct,
                "xp": xp,
            },
        )
    ]
    if status == LessonRun.Status.PASSED:
        events.append((activity_log.Kind.LESSON_FINISH, _run_payload(run, xp=run.xp_earned, gems=gems)))
    elif status == LessonRun.Status.FAILED:
        events.append((activity_log.Kind.LESSON_FAIL, _run_payload(run)))
    return events


def _as_int(value: Any, error: Exception) -> int:
    try:
        if isinstance(value, bool):
            raise TypeError
        return int(value)
    except (TypeError, ValueError):
        raise error from None


def submit_answer(
    *,
    user: User,
    run_id: int,
    exercise_id: int,
    answer: Any,
    client_id: str | uuid.UUID,
    now: datetime,
    time_spent_ms: int = 0,
    exercise: Exercise | None = None,
) -> AnswerOutcome:
    """Judge one answer in a run and apply every consequence, idempotently by (user, client_id).

    ``exercise``: the exercise as ``courses.structure.exercise_for_answer`` returns it, when the caller
    has read it already (the lesson page's answer shows its explanation); else it is read here.

    Locks: the learner's Wallet row, then the LessonRun row (``select_for_update(no_key=True)``).
    A repeated client_id returns the first stored outcome (``repeated=True``) and changes nothing;
    the same client_id for another exercise or run → ClientIdConflict. Errors (nothing changed):
    NotFound (unknown or someone else's run), RunFinished, ExerciseNotInRun, InvalidAnswer.

    Fixed number of queries whatever the size of the lesson or the learner's history.
    """
    answer = storable_answer(answer)  # NUL / lone surrogates: judged, never a database error
    try:
        client_uuid = client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except (TypeError, ValueError, AttributeError):
        raise InvalidAnswer(gettext_lazy("client_id must be a UUID."), field="client_id") from None
    run_pk = _as_int(run_id, NotFound(gettext_lazy("No such run.")))
    exercise_pk = _as_int(exercise_id, ExerciseNotInRun(gettext_lazy("exercise must be an exercise id.")))
    time_spent_ms = clamp_time_spent_ms(
        _as_int(time_spent_ms or 0, InvalidAnswer(gettext_lazy("Bad time_spent_ms."), field="time_spent_ms"))
    )
    try:
        with transaction.atomic():
            outcome = _submit(
                user=user,
                run_pk=run_pk,
                exercise_pk=exercise_pk,
                answer=answer,
                client_uuid=client_uuid,
                now=now,
                time_spent_ms=time_spent_ms,
                known=exercise if exercise is not None and exercise.pk == exercise_pk else None,
            )
        if outcome is None:  # the run's time was up: it has ended (committed), and the answer is refused
            raise TimeUp()
        return outcome
    except IntegrityError:
        # Backstop only: the wallet lock serialises a learner's submissions, so a duplicate client_id
        # is found by the look-up in _submit. If the unique constraint fires anyway, replay.
        attempt = progress.previous_attempt(user=user, client_id=client_uuid)
        if attempt is None:
            raise
        return _replay(attempt, run_pk=run_pk, exercise_pk=exercise_pk)


def _replay(attempt: ExerciseAttempt, *, run_pk: int, exercise_pk: int) -> AnswerOutcome:
    if attempt.run_id != run_pk or attempt.exercise_id != exercise_pk:
        raise ClientIdConflict()
    return AnswerOutcome.from_stored(attempt_id=attempt.pk, result=attempt.result, repeated=True)


def _load_exercise(exercise_pk: int) -> Exercise:
    """The exercise with ``token_ids`` (the words it teaches): cached with the course's content
    (``courses.structure``), so no query once a server has seen it."""
    exercise = exercise_for_answer(exercise_pk)
    if exercise is None:
        raise ExerciseNotInRun()
    return exercise


def _check_answerable(run: LessonRun, exercise_pk: int) -> None:
    """The run takes this answer: it is active and the exercise is in its queue (RunFinished,
    ExerciseNotInRun — with its own message when it was already answered correctly)."""
    if run.status != LessonRun.Status.ACTIVE:
        raise TimeUp() if run.timed_out else RunFinished()
    if exercise_pk not in run.queue:
        if exercise_pk in run.exercise_ids:
            raise ExerciseNotInRun(gettext_lazy("That exercise has already been answered correctly in this run."))
        raise ExerciseNotInRun()


def _judge(exercise_type: ExerciseType, payload: dict, answer: Any, *, course: Course):
    """Parse and check the answer in the language it is written in, with the course's lexicon in that
    language (read lazily): ``(parsed answer, language code, verdict)``. A malformed answer →
    InvalidAnswer (also one that only the payload shows to be malformed)."""
    try:
        parsed = exercise_type.parse_answer(answer)
    except ValidationError as error:
        raise InvalidAnswer("; ".join(error.messages) or None) from None
    try:
        language = answer_language_code(exercise_type, payload, course)
        lexicon = answer_lexicon(course=course, language_code=language)
        return parsed, language, exercise_type.check(payload, parsed, language=language, lexicon=lexicon)
    except ValidationError as error:
        raise InvalidAnswer("; ".join(error.messages) or None) from None


def _shown_answer(exercise_type: ExerciseType, payload: dict, parsed: Any, verdict, *, language: str) -> dict:
    """What the feedback shows of the learner's own answer: its text (a choice's text, not its index)
    and, after a wrong typed answer, the word-by-word comparison with the closest solution (pure)."""
    shown = exercise_type.answer_display(payload, parsed)
    diff = None
    if not verdict.correct and shown and verdict.best_match and exercise_type.answer_language(payload):
        diff = {
            side: [list(word) for word in words]
            for side, words in word_diff(shown, verdict.best_match, language).items()
        }
    return {"your_answer": shown, "diff": diff}


def _xp_for_answer(run: LessonRun, *, correct: bool) -> int:
    """XP for this answer: the run's rate for a correct one (a review's own rate), 0 for a wrong one;
    a checkpoint's answers pay nothing (its pass does: ``checkpoints.checkpoint_rewards``)."""
    if not correct or run.kind == LessonRun.Kind.CHECKPOINT:
        return 0
    if run.kind == LessonRun.Kind.REVIEW:
        return xp_per_exercise(kind=None, difficulty=None)
    return xp_per_exercise(kind=run.lesson.kind, difficulty=run.lesson.difficulty)


def _submit(
    *, user: User, run_pk, exercise_pk, answer, client_uuid, now, time_spent_ms, known: Exercise | None = None
) -> AnswerOutcome | None:
    """The answer, step by step (docs/game-rules.md). Caller opened the transaction. None: the run's time
    was up, so it has been ended and the answer is not counted (the caller refuses it once committed).

    The new rows of the answer (attempt, review log, ledger, hearts log, activity log) are collected in
    an ``InsertBatch`` as each step makes them and written at the end, in one statement on PostgreSQL
    (``core.inserts``)."""
    # The exercise (with the words it teaches) comes from the course's cached content: no query, and
    # its words are known before the run lock, which reads the learner's rows of them (step 2).
    exercise = known or exercise_for_answer(exercise_pk)
    # 1. Lock the learner (a repeated client_id replays the stored outcome: step 2 finds it).
    wallet = lock_wallet(user=user, now=now)
    # 2. Lock the run (progress), reading in the same statement whether this client_id was answered
    # already, the learner's memory parameters and their rows of the exercise's words; check the run
    # takes this answer.
    try:
        run = progress.lock_run(
            user=user, run_id=run_pk, client_id=client_uuid, token_ids=exercise.token_ids if exercise else ()
        )
    except NotFound:
        previous = progress.previous_attempt(user=user, client_id=client_uuid)
        if previous is not None:  # a repeat naming another run: a conflict, not a 404
            return _replay(previous, run_pk=run_pk, exercise_pk=exercise_pk)
        raise
    previous_id = getattr(run, "previous_attempt_id", None)
    if previous_id is not None:
        return _replay(ExerciseAttempt.objects.get(pk=previous_id), run_pk=run_pk, exercise_pk=exercise_pk)
    if run.status == LessonRun.Status.ACTIVE and time_is_up(deadline_at=run.deadline_at, now=now):
        checkpoints.end_timed_out_run(user=user, wallet=wallet, run=run, now=now)
        return None
    _check_answerable(run, exercise_pk)
    if exercise is None:
        raise ExerciseNotInRun()
    batch = InsertBatch()
    # 3. Judge the answer (courses: the exercise type, in the answer's language).
    exercise_type = get_type(exercise.type)
    # Judged against the payload as this run served it: choices and tiles in the run's order.
    payload = served_payload(exercise_type, exercise.payload, run_id=run.pk, exercise_id=exercise_pk)
    parsed, language, verdict = _judge(exercise_type, payload, answer, course=run.course)
    if wrong_pairs := progress.pair_checks_of(run, exercise_pk)["wrong"]:
        # A match checked pair by pair counts wrong if any pair needed a second try (game-rules.md).
        verdict = verdict_after_pair_checks(payload, verdict, wrong_pairs)
    correct = bool(verdict.correct)
    is_review = run.kind == LessonRun.Kind.REVIEW
    is_checkpoint = run.kind == LessonRun.Kind.CHECKPOINT
    # 4. XP for the answer, and hearts after it (pure rule).
    xp = _xp_for_answer(run, correct=correct)
    if xp and is_review and progress.review_credited_today(user=user, exercise_id=exercise_pk, now=now):
        xp = 0  # a review pays only for exercises no review has paid for yet today: no farming
    if run.deadline_at is not None:  # a timed run: a quick right answer that pays earns the speed bonus
        xp += speed_bonus(xp=xp, since_previous=now - (run.last_answer_at or run.started_at))
    hearts = hearts_rules.after_answer(
        hearts=wallet.hearts,
        anchor=wallet.hearts_anchor_at,
        now=now,
        correct=correct or verdict.excused,  # "I could not say it" costs no heart
        is_review=is_review or is_checkpoint,  # a checkpoint spends no hearts (and gives none back)
        passes_run=answer_passes_run(run.queue, exercise_pk, correct=correct) and not is_checkpoint,
        # A review that paid nothing earns no heart (nor gems); practice ahead never gives one.
        review_paid=run.xp_earned + xp > 0 and not run.ahead,
    )
    # 5. Progress: the run's queue and counters, a pass (tier, or review gems).
    retry = exercise_pk in run.missed_ids  # answered wrongly earlier in this run (read before the queue moves)
    after = progress.apply_answer(
        run=run,
        exercise_id=exercise_pk,
        correct=correct,
        xp=xp,
        out_of_hearts=hearts.out_of_hearts,
        now=now,
        excused=verdict.excused,
        batch=batch,  # the run's UPDATE goes with the answer's new rows (one statement on PostgreSQL)
    )
    gems = gems_for_pass(after.xp_earned) if after.passed and not run.ahead else 0  # ahead: no gems
    rewards: list[LedgerEntry] = []
    if is_checkpoint:  # its pass passes the lessons it tests and pays for them
        rewards = checkpoints.checkpoint_rewards(user=user, run=run, now=now) if after.passed else []
        gems = 0  # in ``rewards``
    elif after.passed:
        if is_review:
            progress.record_review_pass(run=run, gems=gems)
        else:
            progress.record_pass(run=run, gems=gems, now=now)
    # 6. Progress records the attempt, with the outcome a repeat of this client_id returns.
    outcome = AnswerOutcome(
        attempt_id=0,
        exercise_id=exercise_pk,
        correct=correct,
        note=verdict.note,
        solution=exercise_type.solution_display(payload),
        best_match=verdict.best_match,
        xp_awarded=xp,
        run_xp=run.xp_earned,
        hearts=hearts.clock.hearts,
        next_heart_at=hearts_rules.next_heart_at(hearts.clock.hearts, hearts.clock.anchor),
        run_status=str(after.status),
        remaining=len(after.queue),
        total=len(run.exercise_ids),
        repeated=False,
        run_kind=run.kind,
        **_shown_answer(exercise_type, payload, parsed, verdict, language=language),
        excused=verdict.excused,
    )
    attempt = progress.record_attempt(
        run=run,
        exercise_id=exercise_pk,
        client_id=client_uuid,
        answer=answer,
        correct=correct,
        xp=xp,
        time_spent_ms=time_spent_ms,
        result=outcome.stored_result(),
        now=now,
        batch=batch,
    )
    # 6b. Progress: the memory of every word the exercise teaches, and their review-log rows (with
    # the attempt they came from). "I could not say it" says nothing about recall: no word is rated.
    words = progress.record_token_answers(
        user=user,
        token_ids=[] if verdict.excused else exercise.token_ids,
        correct=correct,
        note=verdict.note,
        retry=retry,
        now=now,
        exercise_type=exercise.type,
        time_spent_ms=time_spent_ms,
        exercise_id=exercise_pk,
        attempt_id=IdOf(attempt),
        parameters=getattr(run, "memory_parameters", None),
        rows=getattr(run, "word_rows", None),
        batch=batch,
    )
    # 7. Gamification credits the ledger (XP, gems; the entries join the batch) and stores the hearts
    # (one UPDATE).
    xp_today = ledger.credit(
        wallet=wallet,
        entries=[
            ledger.xp_entry(
                user=user,
                amount=xp,
                reason=LedgerEntry.Reason.EXERCISE,
                key=f"run:{run.pk}:ex:{exercise_pk}:xp",
                source=attempt,
                now=now,
            ),
            ledger.gems_entry(
                user=user,
                amount=gems,
                reason=LedgerEntry.Reason.RUN_PASSED,
                key=f"run:{run.pk}:gems",
                source=run,
                now=now,
            ),
            *rewards,
        ],
        hearts=hearts.clock,
        batch=batch,
        league=False,  # the league week's XP goes with the day's statement (step 8)
    )
    if hearts.steps:
        batch.add(*hearts_logs(user=user, steps=hearts.steps, run=run, now=now))
    # The achievement conditions the answer can have changed (step 9 evaluates only those).
    conditions = (
        (achievements.ON_XP if xp_today else ())
        + (achievements.ON_PASS if after.passed else ())
        + (achievements.ON_MASTERY if words.newly_mastered else ())
    )
    # 8. The day: XP, a finished activity, study time; the streak; the league week's XP — and, when XP
    # is all the answer can have changed for achievements (most right answers), step 9's read in the
    # same statement (it reads the streak's new longest there).
    in_day = conditions == achievements.ON_XP and connection.vendor == "postgresql"
    _, met_ids = record_day(
        user=user,
        now=now,
        xp=xp_today,
        activities=1 if after.status != LessonRun.Status.ACTIVE else 0,
        seconds=seconds_counted(time_spent_ms),
        league_xp=xp_today,
        read=achievements.xp_levels_read(user=user, wallet=wallet) if in_day else None,
    )
    # 9. Achievements the answer earned (from the levels read with the day, when they were).
    if conditions:
        achievements.evaluate_locked(user=user, wallet=wallet, now=now, run=run, conditions=conditions, met_ids=met_ids)
    # 10. The activity log: the answer, and the end of the run if it ended it.
    activity_log.record_all(
        user=user,
        now=now,
        events=_answer_events(run=run, attempt=attempt, status=after.status, xp=xp, gems=gems),
        batch=batch,
    )
    # 11. The answer's new rows, in one statement (the attempt first: the others name its id).
    batch.write()
    return AnswerOutcome.from_stored(attempt_id=attempt.pk, result=attempt.result, repeated=False)


def check_pair(*, user: User, run_id: Any, exercise_id: Any, left: Any, right: Any, now: datetime) -> PairCheck:
    """Judge one pair of a match exercise as the learner taps it (docs/game-rules.md, "Match pairs").

    Locks the run (``select_for_update(no_key=True)``, the one lock taken, so no pair check or answer of
    the run is lost) and stores the check on it (one UPDATE). Idempotent: a pair checked before is
    answered the same and changes nothing (``repeated``). A check costs no heart and earns nothing; it
    says whether **this** pair is right, nothing about any other. The exercise's answer, sent when every
    pair is found, counts wrong — one heart, once — if any wrong pair was tried. Errors (nothing
    written): NotFound (unknown or someone else's run), RunFinished, ExerciseNotInRun, InvalidAnswer
    (not a match exercise; an item not in it), PairAlreadyMatched (an item of a pair found already).
    """
    run_pk = _as_int(run_id, NotFound(gettext_lazy("No such run.")))
    exercise_pk = _as_int(exercise_id, ExerciseNotInRun(gettext_lazy("exercise must be an exercise id.")))
    left = _as_int(left, InvalidAnswer(gettext_lazy("left must be an index of the left column."), field="left"))
    right = _as_int(right, InvalidAnswer(gettext_lazy("right must be an index of the right column."), field="right"))
    with transaction.atomic():
        run = progress.lock_run(user=user, run_id=run_pk)
        if run.status == LessonRun.Status.ACTIVE and time_is_up(deadline_at=run.deadline_at, now=now):
            raise TimeUp()  # a timed run is over (the answer or finish_timed_run ends it, under the wallet lock)
        _check_answerable(run, exercise_pk)
        exercise = _load_exercise(exercise_pk)  # cached with the course's content (courses.structure)
        kind, payload = exercise.type, exercise.payload
        if kind != "match_pairs":
            raise InvalidAnswer(gettext_lazy("Only a match exercise is checked pair by pair."), field="exercise")
        if not pair_in_range(payload, left, right):
            raise InvalidAnswer(gettext_lazy("That pair is not part of this exercise."), field="left")
        checks = progress.pair_checks_of(run, exercise_pk)
        pair = [left, right]
        repeated = pair in checks["found"] or pair in checks["wrong"]
        if not repeated:
            if any(f[0] == left or f[1] == right for f in checks["found"]):
                raise PairAlreadyMatched()
            checks["found" if pair_is_right(payload, left, right) else "wrong"].append(pair)
            progress.save_pair_checks(run=run, exercise_id=exercise_pk, checks=checks)
        return PairCheck(
            exercise_id=exercise_pk,
            left=left,
            right=right,
            correct=pair in checks["found"],
            found=checks["found"],
            wrong_tries=len(checks["wrong"]),
            complete=len(checks["found"]) == len(payload["pairs"]),
            repeated=repeated,
        )


def skip_kind(*, user: User, run_id: Any, kind: str, now: datetime) -> SkipOutcome:
    """An honest exit: "Can't listen now" (``kind="listen"``) or "Can't speak now" (``"speak"``) —
    docs/game-rules.md. For ``SKIP_KIND_FOR`` (15 minutes) no exercise of that kind is served to the
    learner (stored on the learner: ``User.cant_listen_until`` / ``cant_speak_until``); those still
    waiting in this run leave it, with no heart lost and no XP. When that empties the queue the run
    passes without them (gems, tier, the day's activity, achievements, as for a last answer) — or ends
    abandoned when every exercise it had was skipped. Locks the wallet, then the run. Errors (nothing
    written): NotFound, RunFinished, InvalidAnswer (an unknown kind), SkipNotAllowed (a checkpoint: a
    test skips nothing)."""
    if kind not in SKIPPABLE_KINDS:
        raise InvalidAnswer(
            gettext_lazy("kind must be one of: %(kinds)s.") % {"kinds": ", ".join(SKIPPABLE_KINDS)}, field="kind"
        )
    run_pk = _as_int(run_id, NotFound(gettext_lazy("No such run.")))
    until = now + SKIP_KIND_FOR
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)
        run = progress.lock_run(user=user, run_id=run_pk)
        if run.status != LessonRun.Status.ACTIVE:
            raise RunFinished()
        if run.kind == LessonRun.Kind.CHECKPOINT:
            raise SkipNotAllowed()
        field = "cant_listen_until" if kind == "listen" else "cant_speak_until"
        User.objects.filter(pk=user.pk).update(**{field: until})
        setattr(user, field, until)
        skipped = list(
            Exercise.objects.filter(pk__in=run.queue, type__in=SKIPPABLE_KINDS[kind]).values_list("pk", flat=True)
        )
        after = progress.skip_exercises(run=run, exercise_ids=skipped, now=now) if skipped else None
        if after is not None and after.passed:
            _pass_without_answer(user=user, wallet=wallet, run=run, now=now)
        elif after is not None and after.status == LessonRun.Status.ABANDONED:
            activity_log.record(user=user, kind=activity_log.Kind.LESSON_QUIT, now=now, payload=_run_payload(run))
        return SkipOutcome(run_id=run.pk, kind=kind, until=until, skipped=skipped, run_status=str(run.status))


def _pass_without_answer(*, user: User, wallet, run: LessonRun, now: datetime) -> None:
    """The consequences of a run passed by an honest exit (its last exercises skipped): the steps of a
    passing answer that do not depend on an answer — gems, the pass (tier; a review's gems), the
    day's finished activity, achievements, the activity log. No XP, no heart."""
    is_review = run.kind == LessonRun.Kind.REVIEW
    gems = gems_for_pass(run.xp_earned) if not run.ahead else 0
    if is_review:
        progress.record_review_pass(run=run, gems=gems)
    else:
        progress.record_pass(run=run, gems=gems, now=now)
    ledger.credit(
        wallet=wallet,
        entries=[
            ledger.gems_entry(
                user=user,
                amount=gems,
                reason=LedgerEntry.Reason.RUN_PASSED,
                key=f"run:{run.pk}:gems",
                source=run,
                now=now,
            )
        ],
    )
    record_activity(user=user, now=now, activities=1)
    achievements.evaluate_locked(user=user, wallet=wallet, now=now, run=run)
    activity_log.record(
        user=user, kind=activity_log.Kind.LESSON_FINISH, now=now, payload=_run_payload(run, xp=run.xp_earned, gems=gems)
    )
