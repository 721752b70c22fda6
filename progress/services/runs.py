"""Lesson runs and review sessions: creating them, applying an answer to the queue, passing.

These functions are called by ``gamification.services`` (the learner's-loop entry points), which
holds the learner's wallet lock around them — see docs/game-rules.md "Locks". They never touch XP,
gems, hearts or streaks.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import NotFound
from core.inserts import InsertBatch
from core.lookups import id_in
from core.reads import CompiledRead, CompiledUpdates, fits_id
from courses.models import Course, Exercise, Lesson, LessonExercise, visible_q
from courses.publishing import servable_q
from courses.structure import course_structure

from ..errors import EmptyLesson, LessonLocked, NothingToPractise, NothingToReview
from ..models import Enrollment, ExerciseAttempt, LessonProgress, LessonRun, MemoryParameters, TokenMastery
from ..rules import (
    TIMED_REVIEW_SECONDS,
    TIMED_REVIEW_SIZE,
    adapt_lesson_order,
    checkpoint_queue_after_answer,
    lesson_states,
    pick_review_exercises,
    queue_after_answer,
    skipped_types,
    tier_for_counts,
    time_is_up,
    without_skipped,
)
from .checkpoints import checkpoint_result, close_timed_out_run
from .mastery import learner_decay, word_rows, word_rows_from
from .scheduling import is_recognition, word_strength
from .unlocking import passed_lessons

REVIEW_SIZE = 10
RECENT_MISTAKES_DAYS = 14


def visible_lesson(*, lesson_id: int | None = None, slug: str | None = None, user: User | None = None) -> Lesson:
    """The lesson (by id or slug) with unit/section/course (and the course's languages), if the whole
    chain is published, or if it is ``user``'s own private lesson (a generated bubble) in a published
    course; else NotFound. One query. With ``user`` the same statement reads ``lesson.is_current_course``:
    whether the course is the learner's current enrolment (then ``enroll`` has nothing to do)."""
    with_user = user is not None and user.pk is not None
    by_slug = slug is not None
    if not by_slug and (lesson_id is None or not fits_id(Lesson, lesson_id)):
        raise NotFound(gettext_lazy("No such lesson."))
    read = _VISIBLE_LESSON.get((with_user, by_slug))
    if read is None:
        stand_ins: dict[str, Any] = {"slug": "stand-in: no lesson has this slug"} if by_slug else {"pk": -2_000_000_001}
        if with_user:
            stand_ins["user_id"] = -2_000_000_002
        read = _VISIBLE_LESSON[(with_user, by_slug)] = CompiledRead(_visible_lesson_query, **stand_ins)
    values: dict[str, Any] = {"slug": slug} if by_slug else {"pk": lesson_id}
    if with_user:
        assert user is not None
        values["user_id"] = user.pk
    found = read.objects(connection.alias, **values)
    if not found:
        raise NotFound(gettext_lazy("No such lesson."))
    return found[0]


def _visible_lesson_query(*, pk: int | None = None, slug: str | None = None, user_id: int | None = None):
    visible = visible_q("lesson")
    lessons = Lesson.objects.select_related(
        "unit__section__course__from_language", "unit__section__course__to_language"
    )
    if user_id is not None:
        visible |= Q(owner_id=user_id, unit__section__course__is_published=True)
        lessons = lessons.annotate(
            is_current_course=Exists(
                Enrollment.objects.filter(user_id=user_id, course=OuterRef("unit__section__course"), is_current=True)
            )
        )
    which = Q(pk=pk) if slug is None else Q(slug=slug)
    return lessons.filter(visible).filter(which)


#: ``visible_lesson``'s statement for each shape (for a learner or not; by id or by slug), built once
#: per process (``core.reads``).
_VISIBLE_LESSON: dict[tuple[bool, bool], CompiledRead] = {}


def learner_skipped_types(user: User, now: datetime) -> set[str]:
    """The exercise types the learner has asked not to be served now ("Can't listen now")."""
    return skipped_types(cant_listen_until=user.cant_listen_until, cant_speak_until=user.cant_speak_until, now=now)


def lesson_exercise_ids(lesson: Lesson, *, user: User | None = None, skipped: set[str] | None = None) -> list[int]:
    """The lesson's published exercises in serving order (a listen exercise with no audio is never
    served: ``courses.publishing.servable_q``): the author's order, adapted to ``user``
    (``rules.adapt_lesson_order``) unless the lesson's ``adaptive_order`` is off, less the types the
    learner is ``skipped`` (``rules.without_skipped``). A lesson of the course's cached structure
    (``courses.structure``) costs no query for its exercises, a private one (a bubble) one; adapting
    the order reads the learner's words (one query)."""
    exercises, types = _lesson_exercises(lesson)
    seen = None
    if user is not None and lesson.adaptive_order:
        _, seen = _passed_and_seen(user=user, lesson_ids=[], token_ids=_tokens_of(exercises))
    return _serving_order(exercises, types, seen=seen, skipped=skipped)


#: A lesson's exercises as ordering reads them: id → (id, is a recognition exercise, token ids).
LessonExercises = dict[int, tuple[int, bool, list[int]]]


def _lesson_exercises(lesson: Lesson) -> tuple[LessonExercises, dict[int, str]]:
    """The lesson's servable published exercises in the author's order, and their types: from the
    course's cached structure, or one query for a private lesson (a bubble), which is not in it."""
    cached = course_structure(lesson.unit.section.course_id).lesson_exercises.get(lesson.pk)
    if cached is not None:
        rows = [(exercise_id, kind, token_id) for exercise_id, kind, tokens in cached for token_id in tokens or (None,)]
    else:  # not a visible lesson of the course: a learner's private lesson
        rows = list(
            # The lesson is visible to this learner (``visible_lesson``), so the exercise's own flag decides.
            LessonExercise.objects.filter(servable_q("exercise__"), lesson=lesson, exercise__is_published=True)
            .order_by("ordinal", "exercise_id")
            .values_list("exercise_id", "exercise__type", "exercise__tokens")
        )
    exercises: LessonExercises = {}
    types: dict[int, str] = {}
    for exercise_id, exercise_type, token_id in rows:
        types[exercise_id] = exercise_type
        entry = exercises.setdefault(exercise_id, (exercise_id, is_recognition(exercise_type), []))
        if token_id is not None:
            entry[2].append(token_id)
    return exercises, types


def _tokens_of(exercises: LessonExercises) -> set[int]:
    return {t for _, _, ts in exercises.values() for t in ts}


def _serving_order(
    exercises: LessonExercises, types: dict[int, str], *, seen: dict[int, int] | None, skipped: set[str] | None
) -> list[int]:
    """The serving order (pure): adapted to the learner's ``seen`` counts when given, less ``skipped`` types."""
    ordered = list(exercises) if seen is None else adapt_lesson_order(list(exercises.values()), seen=seen)
    return without_skipped(ordered, types, skipped) if skipped else ordered


def _passed_and_seen(*, user: User, lesson_ids, token_ids) -> tuple[set[int], dict[int, int]]:
    """Which of ``lesson_ids`` the learner has passed, and their ``seen_count`` of each of ``token_ids``
    they have met: the two look-ups a lesson start needs (unlocking, the adapted order), each by the
    learner's own index, sent as one statement (``UNION ALL``; a lesson's row has no count)."""
    no_count = Value(None, output_field=IntegerField())
    passed = passed_lessons(user=user, lesson_ids=lesson_ids).values_list("lesson_id", no_count)
    seen = TokenMastery.objects.filter(id_in("token_id", list(token_ids)), user=user).values_list(
        "token_id", "seen_count"
    )
    if not lesson_ids:
        return set(), dict(seen)
    if not token_ids:
        return set(passed.values_list("lesson_id", flat=True)), {}
    rows = list(passed.union(seen, all=True))
    return {pk for pk, count in rows if count is None}, {pk: count for pk, count in rows if count is not None}


def active_lesson_run(*, user: User, lesson: Lesson) -> LessonRun | None:
    """The learner's active run of ``lesson``, if any. One query."""
    found = _ACTIVE_LESSON_RUN.objects(connection.alias, user_id=user.pk, lesson_id=lesson.pk)
    return found[0] if found else None


#: ``active_lesson_run``'s statement, built once per process (``core.reads``; at most one row: the
#: constraint ``run_one_active_per_lesson``).
_ACTIVE_LESSON_RUN = CompiledRead(
    lambda user_id, lesson_id: LessonRun.objects.filter(
        user_id=user_id, lesson_id=lesson_id, kind=LessonRun.Kind.LESSON, status=LessonRun.Status.ACTIVE
    ),
    user_id=-2_000_000_001,
    lesson_id=-2_000_000_002,
)


def create_lesson_run(*, user: User, lesson: Lesson, now: datetime, checked_active: bool = False) -> LessonRun:
    """Return the learner's active run of ``lesson`` or start a new one (``checked_active``: the caller
    has just looked for the active run under the same lock and found none).

    Lesson not open → LessonLocked; no published exercises → EmptyLesson. The caller holds the
    learner's wallet lock, so two tabs starting the same lesson get the same run (the partial unique
    constraint ``run_one_active_per_lesson`` backs this).
    """
    existing = None if checked_active else active_lesson_run(user=user, lesson=lesson)
    if existing is not None and not time_is_up(deadline_at=existing.deadline_at, now=now):
        return existing
    if existing is not None:  # a timed lesson whose time ran out while no answer came: it failed
        close_timed_out_run(run=existing, now=now)
    # A private lesson (a bubble) is always open to its owner, and to no one else.
    private = lesson.owner_id is not None
    if private and lesson.owner_id != user.pk:
        raise NotFound(gettext_lazy("No such lesson."))
    structure = course_structure(lesson.unit.section.course_id)
    if not private and lesson.pk not in structure.ordered_lesson_ids:
        raise NotFound(gettext_lazy("No such lesson."))  # not visible to learners
    exercises, types = _lesson_exercises(lesson)
    # Unlocking (``rules.lesson_states``) and the adapted order read the learner's rows: one statement.
    passed, seen = _passed_and_seen(
        user=user,
        lesson_ids=() if private else structure.ordered_lesson_ids,
        token_ids=_tokens_of(exercises) if lesson.adaptive_order else (),
    )
    if not private:
        states = lesson_states(
            ordered_lesson_ids=structure.ordered_lesson_ids, prerequisites=structure.prerequisites, passed_ids=passed
        )
        if states[lesson.pk] == "locked":
            raise LessonLocked()
    exercise_ids = _serving_order(
        exercises, types, seen=seen if lesson.adaptive_order else None, skipped=learner_skipped_types(user, now)
    )
    if not exercise_ids:
        raise EmptyLesson()
    run = LessonRun.objects.create(
        user=user,
        course_id=lesson.unit.section.course_id,
        lesson=lesson,
        kind=LessonRun.Kind.LESSON,
        exercise_ids=exercise_ids,
        queue=exercise_ids,
        started_at=now,
        # A timed lesson: the server's clock refuses answers from the deadline on (docs/game-rules.md).
        deadline_at=now + timedelta(seconds=lesson.time_limit_sec) if lesson.time_limit_sec else None,
    )
    updated = LessonProgress.objects.filter(user=user, lesson=lesson).update(runs_started=F("runs_started") + 1)
    if not updated:
        LessonProgress.objects.create(user=user, lesson=lesson, runs_started=1)
    return run


#: At most this many of the learner's words are weighed for a review (the most overdue first).
REVIEW_WORDS_WEIGHED = 200


def review_exercise_ids(
    *, user: User, course: Course, now: datetime, limit: int = REVIEW_SIZE, ahead: bool = False
) -> list[int]:
    """Exercises for a review session (``rules.pick_review_exercises``): recent mistakes (answered
    wrongly in the last 14 days), then exercises teaching the learner's words with the lowest
    predicted recall now among those due — or, ``ahead``, among all the words they have practised —
    with the exercise type varied. Only published exercises in a published lesson of the course, and
    the learner's own private exercises (their bubbles', docs/llm.md). Five queries whatever the
    learner's history."""
    visible = Q(course=course) & (visible_q("exercise") | Q(owner=user, is_published=True)) & servable_q()
    mistakes = list(
        ExerciseAttempt.objects.filter(
            user=user, correct=False, run__course=course, created_at__gte=now - timedelta(days=RECENT_MISTAKES_DAYS)
        )
        .values("exercise_id")
        .annotate(last=Max("created_at"))
        .order_by("-last")
        .values_list("exercise_id", flat=True)[: limit * 3]
    )
    course_tokens = Exercise.objects.filter(visible).values("tokens")
    words = TokenMastery.objects.filter(user=user, seen_count__gt=0, token__in=course_tokens)
    if not ahead:
        words = words.filter(due_at__lte=now)
    rows = words.order_by("due_at", "token_id").values_list("token_id", "stability", "last_seen_at")
    decay = learner_decay(user)
    weak = sorted(
        (word_strength(stability=s, last_review_at=seen, now=now, decay=decay), token_id)
        for token_id, s, seen in rows[:REVIEW_WORDS_WEIGHED]
    )
    weak_tokens = list(dict.fromkeys(token_id for _, token_id in weak))[: limit * 3]
    teaching: dict[int, list[tuple[int, str]]] = {}
    types: dict[int, str] = {}
    for exercise_id, exercise_type, token_id in (
        Exercise.objects.filter(visible)
        .filter(Q(tokens__in=weak_tokens) | Q(pk__in=mistakes))
        .values_list("pk", "type", "tokens")
        .distinct()
    ):
        types[exercise_id] = exercise_type
        if token_id is not None:
            options = teaching.setdefault(token_id, [])
            if (exercise_id, exercise_type) not in options:
                options.append((exercise_id, exercise_type))
    picked = pick_review_exercises(
        mistakes=mistakes, weak_tokens=weak_tokens, teaching=teaching, types=types, limit=limit
    )
    skipped = learner_skipped_types(user, now)
    return without_skipped(picked, types, skipped) if skipped else picked


def create_review_run(
    *, user: User, course: Course, now: datetime, ahead: bool = False, timed: bool = False
) -> LessonRun:
    """Return the learner's active review of ``course`` (of either kind: one active review per
    course) or build a new one. Caller holds the wallet lock.

    A review serves due words and recent mistakes; nothing due → NothingToReview. ``ahead``
    ("practise ahead", offered when nothing is due) serves the words with the lowest predicted recall
    even though they are not due, and the run is flagged ``ahead`` (no gems, no heart: the loop reads
    the flag); no practised word and no recent mistake → NothingToPractise. ``timed``: a timed review,
    as many as the learner can answer in ``TIMED_REVIEW_SECONDS`` (up to ``TIMED_REVIEW_SIZE`` exercises).
    """
    existing = LessonRun.objects.filter(user=user, course=course, kind=LessonRun.Kind.REVIEW, status="active").first()
    if existing is not None and not time_is_up(deadline_at=existing.deadline_at, now=now):
        return existing
    if existing is not None:  # a timed review whose two minutes are over: it ended
        close_timed_out_run(run=existing, now=now)
    limit = TIMED_REVIEW_SIZE if timed else REVIEW_SIZE
    exercise_ids = review_exercise_ids(user=user, course=course, now=now, ahead=ahead, limit=limit)
    if not exercise_ids and timed and not ahead:  # a timed review with nothing due practises ahead
        ahead = True
        exercise_ids = review_exercise_ids(user=user, course=course, now=now, ahead=True, limit=limit)
    if not exercise_ids:
        raise NothingToPractise() if ahead else NothingToReview()
    return LessonRun.objects.create(
        user=user,
        course=course,
        lesson=None,
        kind=LessonRun.Kind.REVIEW,
        ahead=ahead,
        exercise_ids=exercise_ids,
        queue=exercise_ids,
        started_at=now,
        deadline_at=now + timedelta(seconds=TIMED_REVIEW_SECONDS) if timed else None,
    )


def previous_attempt(*, user: User, client_id: uuid.UUID) -> ExerciseAttempt | None:
    """The learner's attempt stored under ``client_id``, if any (a repeated submission). One query."""
    return ExerciseAttempt.objects.filter(user=user, client_id=client_id).first()


def lock_run(
    *, user: User, run_id: int, client_id: uuid.UUID | None = None, token_ids: Sequence[int] = ()
) -> LessonRun:
    """Lock (``select_for_update(no_key=True)``) and return the learner's run, with its lesson and
    course languages, to apply an answer to it. One query. Unknown or someone else's run → NotFound.
    The caller holds the learner's wallet lock (the lock order: wallet, then run).

    With ``client_id`` the same statement also reads ``run.previous_attempt_id`` (the learner's attempt
    stored under that client id, or None) and ``run.memory_parameters`` (the learner's FSRS parameters,
    or None for the defaults); with ``token_ids`` (the words of the exercise answered), on PostgreSQL,
    also ``run.word_rows``, the learner's rows of those words (``mastery.word_rows``). A statement
    reads what was committed when it began; this one begins after the wallet lock is held, so it sees
    every earlier answer of the learner (the lock is what serialises them) — which is why these reads
    ride on this statement and not on the wallet lock's.
    """
    if not fits_id(LessonRun, run_id):  # no row has it (and the statement would not take it)
        raise NotFound(gettext_lazy("No such run."))
    token_ids = list(dict.fromkeys(token_ids)) if connection.vendor == "postgresql" else []  # (see word_rows)
    key = (client_id is not None, len(token_ids))
    read = _LOCK_RUN.get(key)
    if read is None:
        stand_ins: dict[str, Any] = {"run_id": -2_000_000_001, "user_id": -2_000_000_002}
        if client_id is not None:
            stand_ins["client_id"] = uuid.UUID(int=1901)
        stand_ins |= {f"token{i}": -2_000_000_100 - i for i in range(len(token_ids))}
        read = _LOCK_RUN[key] = CompiledRead(_lock_run_query, **stand_ins)
    values: dict[str, Any] = {"run_id": run_id, "user_id": user.pk}
    if client_id is not None:
        values["client_id"] = client_id
    values |= {f"token{i}": pk for i, pk in enumerate(token_ids)}
    found = read.objects(connection.alias, **values)
    if not found:
        raise NotFound(gettext_lazy("No such run."))
    run = found[0]
    if token_ids:
        run.word_rows = word_rows_from(run.word_rows_json, user=user)
    return run


def _lock_run_query(*, run_id: int, user_id: int, client_id: uuid.UUID | None = None, **tokens: int):
    query = LessonRun.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "lesson", "checkpoint", "course__from_language", "course__to_language"
    )
    if client_id is not None:
        query = query.annotate(
            previous_attempt_id=Subquery(
                ExerciseAttempt.objects.filter(user_id=user_id, client_id=client_id).values("pk")[:1]
            ),
            memory_parameters=Subquery(MemoryParameters.objects.filter(user_id=user_id).values("parameters")[:1]),
        )
    if tokens:
        query = query.annotate(word_rows_json=word_rows(user_id, [tokens[f"token{i}"] for i in range(len(tokens))]))
    return query.filter(pk=run_id, user_id=user_id)


#: ``lock_run``'s statement for each shape (with a client id or not; how many words), built once
#: per process (``core.reads``).
_LOCK_RUN: dict[tuple[bool, int], CompiledRead] = {}


@dataclass(frozen=True)
class RunAfterAnswer:
    status: str
    queue: list[int]
    xp_earned: int
    mistakes: int
    passed: bool
    perfect: bool


def apply_answer(
    *,
    run: LessonRun,
    exercise_id: int,
    correct: bool,
    xp: int,
    out_of_hearts: bool,
    now: datetime,
    excused: bool = False,
    batch: InsertBatch | None = None,
) -> RunAfterAnswer:
    """Move the queue and the run's counters for one answer. ``run`` must be locked (select_for_update)
    by the caller, so the values computed here from it are exact. One UPDATE — sent with the caller's
    ``batch`` on PostgreSQL when one is given (``core.inserts``: the answer's new rows' statement),
    so the caller must not read the run's row again before writing the batch.

    The run passes when the queue empties; it fails when ``out_of_hearts`` (a wrong answer left the
    learner with 0 hearts in a lesson run). An ``excused`` answer ("I could not say it") comes back
    later like a wrong one but is no mistake. A checkpoint serves each item once (right or wrong) and,
    when its queue empties, passes or fails by its score (``checkpoints.checkpoint_result``).
    """
    is_checkpoint = run.kind == LessonRun.Kind.CHECKPOINT
    if is_checkpoint:
        queue = checkpoint_queue_after_answer(run.queue, exercise_id)
    else:
        queue = queue_after_answer(run.queue, exercise_id, correct=correct)
    mistake = not correct and not excused
    mistakes = run.mistakes + (1 if mistake else 0)
    xp_earned = run.xp_earned + xp
    missed = run.missed_ids if not mistake or exercise_id in run.missed_ids else [*run.missed_ids, exercise_id]
    if is_checkpoint and not correct and exercise_id not in missed:
        missed = [*missed, exercise_id]  # a checkpoint item not answered right is missed, excused or not
    status = LessonRun.Status.ACTIVE
    score = None
    if is_checkpoint and not queue:
        score, passed = checkpoint_result(run, queue=queue, missed_ids=missed)
        status = LessonRun.Status.PASSED if passed else LessonRun.Status.FAILED
    elif not queue:
        status = LessonRun.Status.PASSED
    elif out_of_hearts:
        status = LessonRun.Status.FAILED
    values: dict[str, Any] = {
        "pk": run.pk,
        "queue": queue,
        "missed_ids": missed,
        "status": status,
        "xp": xp,
        "mistake": 1 if mistake else 0,
        "now": now,
    }
    if score is not None:
        values["score_percent"] = score
        run.score_percent = score
    if status != LessonRun.Status.ACTIVE:
        values["finished_at"] = now
    if str(exercise_id) in run.pair_checks:  # a match's pair checks end with its answer (same UPDATE)
        run.pair_checks = {k: v for k, v in run.pair_checks.items() if k != str(exercise_id)}
        values["pair_checks"] = run.pair_checks
    if batch is not None and connection.vendor == "postgresql":
        sql, params = _RUN_UPDATE.statement(connection.alias, **values)
        batch.update_sql(LessonRun, run.pk, sql, params, using=connection.alias)
    else:
        _RUN_UPDATE.execute(connection.alias, **values)
    run.queue, run.missed_ids, run.status, run.xp_earned, run.mistakes = queue, missed, status, xp_earned, mistakes
    run.answers_count += 1
    run.last_answer_at = now
    if status != LessonRun.Status.ACTIVE:
        run.finished_at = now
    passed = status == LessonRun.Status.PASSED
    return RunAfterAnswer(
        status=status,
        queue=queue,
        xp_earned=xp_earned,
        mistakes=mistakes,
        passed=passed,
        perfect=passed and not mistakes,
    )


def _run_update_changes(pk, queue, missed_ids, status, xp, mistake, now, **optional):
    changes: dict[str, Any] = {
        "queue": queue,
        "missed_ids": missed_ids,
        "status": status,
        "xp_earned": F("xp_earned") + xp,
        "mistakes": F("mistakes") + mistake,
        "answers_count": F("answers_count") + 1,
        "last_answer_at": now,
    }
    return LessonRun.objects.filter(pk=pk), changes | optional


#: The UPDATE of a run after an answer, compiled once per shape (which of the optional columns it sets).
_RUN_UPDATE = CompiledUpdates(
    _run_update_changes,
    pk=-2_000_000_001,
    queue=[-2_000_000_002],
    missed_ids=[-2_000_000_003],
    status="(stand-in status)",
    xp=-2_000_000_004,
    mistake=-2_000_000_005,
    now=datetime(1901, 1, 1, tzinfo=UTC),
    score_percent=-2_000_000_006,
    finished_at=datetime(1902, 1, 1, tzinfo=UTC),
    pair_checks={"(stand-in)": [-2_000_000_007]},
)


def skip_exercises(*, run: LessonRun, exercise_ids: list[int], now: datetime) -> RunAfterAnswer:
    """Take ``exercise_ids`` out of the run (its queue and its exercises: they no longer count towards
    its progress), for an honest exit ("Can't listen now"). ``run`` must be locked by the caller. When
    the queue empties the run passes — if it had exercises left that the learner answered — or, when
    every exercise it had was skipped, ends abandoned (nothing was practised). One UPDATE."""
    gone = set(exercise_ids)
    queue = [pk for pk in run.queue if pk not in gone]
    kept = [pk for pk in run.exercise_ids if pk not in gone]
    status = LessonRun.Status.ACTIVE
    if not queue:
        status = LessonRun.Status.PASSED if kept else LessonRun.Status.ABANDONED
    fields: dict[str, Any] = {"queue": queue, "exercise_ids": kept, "status": status}
    if status != LessonRun.Status.ACTIVE:
        fields["finished_at"] = now
        run.finished_at = now
    LessonRun.objects.filter(pk=run.pk).update(**fields)
    run.queue, run.exercise_ids, run.status = queue, kept, status
    passed = status == LessonRun.Status.PASSED
    return RunAfterAnswer(
        status=status,
        queue=queue,
        xp_earned=run.xp_earned,
        mistakes=run.mistakes,
        passed=passed,
        perfect=passed and not run.mistakes,
    )


def pair_checks_of(run: LessonRun, exercise_id: int) -> dict[str, list[list[int]]]:
    """The pairs of a match exercise checked so far in the run: ``{"found": [[left, right], …],
    "wrong": [[left, right], …]}`` (indices of the public lists)."""
    checks = run.pair_checks.get(str(exercise_id)) or {}
    return {"found": list(checks.get("found", [])), "wrong": list(checks.get("wrong", []))}


def save_pair_checks(*, run: LessonRun, exercise_id: int, checks: dict[str, list[list[int]]]) -> None:
    """Store a match exercise's pair checks on the run. ``run`` must be locked by the caller
    (``lock_run``), so no other check or answer of the run is lost. One UPDATE."""
    run.pair_checks = {**run.pair_checks, str(exercise_id): checks}
    LessonRun.objects.filter(pk=run.pk).update(pair_checks=run.pair_checks)


def record_pass(*, run: LessonRun, gems: int, now: datetime) -> tuple[int, int]:
    """Count a passed lesson run in the learner's LessonProgress and set the tier the counts earn;
    reset the decay anchor (``tier_anchor_at = last_passed_at = now``). Returns (tier_before,
    tier_after) and stores them and ``gems`` on the run. Caller holds the wallet lock. Two queries.
    """
    perfect = run.mistakes == 0
    progress = LessonProgress.objects.filter(user_id=run.user_id, lesson_id=run.lesson_id).first()
    if progress is None:  # a run started before LessonProgress existed: create the row now
        progress = LessonProgress.objects.create(user_id=run.user_id, lesson_id=run.lesson_id, runs_started=1)
    before = progress.tier
    after = tier_for_counts(passes=progress.passes + 1, perfect_passes=progress.perfect_passes + (1 if perfect else 0))
    LessonProgress.objects.filter(pk=progress.pk).update(
        passes=F("passes") + 1,
        perfect_passes=F("perfect_passes") + (1 if perfect else 0),
        tier=after,
        xp_earned=F("xp_earned") + run.xp_earned,
        first_passed_at=progress.first_passed_at or now,
        last_passed_at=now,
        tier_anchor_at=now,
    )
    LessonRun.objects.filter(pk=run.pk).update(tier_before=before, tier_after=after, gems_earned=gems)
    run.tier_before, run.tier_after, run.gems_earned = before, after, gems
    return before, after


def review_credited_today(*, user: User, exercise_id: int, now: datetime) -> bool:
    """Whether a review session already paid XP for this exercise on the learner's local day
    (docs/game-rules.md "Review sessions": a review pays only for what is new that day). One query."""
    zone = user.zone
    day_start = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    return ExerciseAttempt.objects.filter(
        user=user,
        exercise_id=exercise_id,
        run__kind=LessonRun.Kind.REVIEW,
        xp_awarded__gt=0,
        created_at__gte=day_start,
    ).exists()


def record_review_pass(*, run: LessonRun, gems: int) -> None:
    LessonRun.objects.filter(pk=run.pk).update(gems_earned=gems)
    run.gems_earned = gems


def record_attempt(
    *,
    run: LessonRun,
    exercise_id: int,
    client_id: uuid.UUID,
    answer: Any,
    correct: bool,
    xp: int,
    time_spent_ms: int,
    result: dict,
    now: datetime,
    batch: InsertBatch | None = None,
) -> ExerciseAttempt:
    """Store one judged answer (the answer as given, made JSON-safe; ``result`` is what a repeated
    submission with the same ``client_id`` returns). One INSERT; the caller holds the wallet lock.
    With ``batch`` the row joins the caller's batch instead (``core.inserts``: written with the
    answer's other new rows, which may name its id as ``IdOf(attempt)``) and has no id until then."""
    attempt = ExerciseAttempt(
        run=run,
        user_id=run.user_id,
        exercise_id=exercise_id,
        client_id=client_id,
        answer=_jsonable_answer(answer),
        correct=correct,
        xp_awarded=xp,
        time_spent_ms=time_spent_ms,
        result=result,
        created_at=now,
    )
    if batch is not None:
        batch.add(attempt)
    else:
        attempt.save(force_insert=True)
    return attempt


def _jsonable_answer(answer: Any) -> Any:
    if isinstance(answer, (str, int, float, bool, type(None))):
        return answer
    if isinstance(answer, (list, tuple)):
        return [_jsonable_answer(a) for a in answer]
    if isinstance(answer, dict):
        return {str(k): _jsonable_answer(v) for k, v in answer.items()}
    return str(answer)


def mark_run_abandoned(*, user: User, run_id: int, now: datetime) -> LessonRun:
    """Set an active run's status to abandoned (XP earned stays; no pass, no gems); a finished run is
    returned as it is. The learner's-loop entry point ``gamification.services.abandon_run`` calls this
    with the wallet locked."""
    with transaction.atomic():
        run = LessonRun.objects.select_for_update(no_key=True).filter(pk=run_id, user=user).first()
        if run is None:
            raise NotFound(gettext_lazy("No such run."))
        if run.status == LessonRun.Status.ACTIVE:
            run.status = LessonRun.Status.ABANDONED
            run.finished_at = now
            run.save(update_fields=["status", "finished_at"])
    return run
