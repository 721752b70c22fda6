"""Lesson runs and review sessions: creating them, applying an answer to the queue, passing.

These functions are called by ``gamification.services`` (the learner's-loop entry points), which
holds the learner's wallet lock around them — see docs/game-rules.md "Locks". They never touch XP,
gems, hearts or streaks.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q

from accounts.models import User
from core.errors import NotFound
from courses.models import Course, Exercise, Lesson, LessonExercise, visible_q

from ..errors import EmptyLesson, LessonLocked, NothingToReview
from ..models import ExerciseAttempt, LessonProgress, LessonRun, TokenMastery
from ..rules import queue_after_answer, tier_for_counts
from .unlocking import lesson_state

REVIEW_SIZE = 10
RECENT_MISTAKES_DAYS = 14


def visible_lesson(*, lesson_id: int) -> Lesson:
    """The lesson with unit/section/course, if the whole chain is published; else NotFound."""
    lesson = Lesson.objects.visible().select_related("unit__section__course").filter(pk=lesson_id).first()
    if lesson is None:
        raise NotFound("No such lesson.")
    return lesson


def lesson_exercise_ids(lesson: Lesson) -> list[int]:
    return list(
        # The lesson is visible (``visible_lesson``), so the exercise's own flag decides.
        LessonExercise.objects.filter(lesson=lesson, exercise__is_published=True)
        .order_by("ordinal")
        .values_list("exercise_id", flat=True)
    )


def create_lesson_run(*, user: User, lesson: Lesson, now: datetime) -> LessonRun:
    """Return the learner's active run of ``lesson`` or start a new one.

    Lesson not open → LessonLocked; no published exercises → EmptyLesson. The caller holds the
    learner's wallet lock, so two tabs starting the same lesson get the same run (the partial unique
    constraint ``run_one_active_per_lesson`` backs this).
    """
    existing = LessonRun.objects.filter(user=user, lesson=lesson, kind=LessonRun.Kind.LESSON, status="active").first()
    if existing is not None:
        return existing
    state = lesson_state(user=user, lesson=lesson)
    if state is None:
        raise NotFound("No such lesson.")
    if state == "locked":
        raise LessonLocked()
    exercise_ids = lesson_exercise_ids(lesson)
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
    )
    updated = LessonProgress.objects.filter(user=user, lesson=lesson).update(runs_started=F("runs_started") + 1)
    if not updated:
        LessonProgress.objects.create(user=user, lesson=lesson, runs_started=1)
    return run


def review_exercise_ids(*, user: User, course: Course, now: datetime, limit: int = REVIEW_SIZE) -> list[int]:
    """Exercises for a review session: first those answered wrongly in the last 14 days (most recent
    first), then those teaching the learner's due tokens (most overdue first). Only published
    exercises that appear in a published lesson of the course. Three queries."""
    visible = Q(course=course) & visible_q("exercise")
    mistakes = (
        ExerciseAttempt.objects.filter(
            user=user, correct=False, run__course=course, created_at__gte=now - timedelta(days=RECENT_MISTAKES_DAYS)
        )
        .values("exercise_id")
        .annotate(last=Max("created_at"))
        .order_by("-last")
        .values_list("exercise_id", flat=True)[: limit * 3]
    )
    due_tokens = TokenMastery.objects.filter(user=user, due_at__lte=now, token__exercises__course=course)
    due = (
        Exercise.objects.filter(visible, tokens__mastery__in=due_tokens)
        .annotate(oldest=Max("tokens__mastery__due_at", filter=Q(tokens__mastery__user=user)))
        .order_by("oldest", "pk")
        .values_list("pk", flat=True)
        .distinct()[: limit * 3]
    )
    candidates = list(mistakes) + [pk for pk in due]
    allowed = set(Exercise.objects.filter(visible, pk__in=candidates).values_list("pk", flat=True))
    chosen: list[int] = []
    for pk in candidates:
        if pk in allowed and pk not in chosen:
            chosen.append(pk)
        if len(chosen) == limit:
            break
    return chosen


def create_review_run(*, user: User, course: Course, now: datetime) -> LessonRun:
    """Return the learner's active review of ``course`` or build a new one (NothingToReview if empty).
    Caller holds the wallet lock."""
    existing = LessonRun.objects.filter(user=user, course=course, kind=LessonRun.Kind.REVIEW, status="active").first()
    if existing is not None:
        return existing
    exercise_ids = review_exercise_ids(user=user, course=course, now=now)
    if not exercise_ids:
        raise NothingToReview()
    return LessonRun.objects.create(
        user=user,
        course=course,
        lesson=None,
        kind=LessonRun.Kind.REVIEW,
        exercise_ids=exercise_ids,
        queue=exercise_ids,
        started_at=now,
    )


def previous_attempt(*, user: User, client_id: uuid.UUID) -> ExerciseAttempt | None:
    """The learner's attempt stored under ``client_id``, if any (a repeated submission). One query."""
    return ExerciseAttempt.objects.filter(user=user, client_id=client_id).first()


def lock_run(*, user: User, run_id: int) -> LessonRun:
    """Lock (``select_for_update(no_key=True)``) and return the learner's run, with its lesson and
    course languages, to apply an answer to it. One query. Unknown or someone else's run → NotFound.
    The caller holds the learner's wallet lock (the lock order: wallet, then run).
    """
    run = (
        LessonRun.objects.select_for_update(no_key=True, of=("self",))
        .select_related("lesson", "course__from_language", "course__to_language")
        .filter(pk=run_id, user=user)
        .first()
    )
    if run is None:
        raise NotFound("No such run.")
    return run


@dataclass(frozen=True)
class RunAfterAnswer:
    status: str
    queue: list[int]
    xp_earned: int
    mistakes: int
    passed: bool
    perfect: bool


def apply_answer(
    *, run: LessonRun, exercise_id: int, correct: bool, xp: int, out_of_hearts: bool, now: datetime
) -> RunAfterAnswer:
    """Move the queue and the run's counters for one answer. ``run`` must be locked (select_for_update)
    by the caller, so the values computed here from it are exact. One UPDATE.

    The run passes when the queue empties; it fails when ``out_of_hearts`` (a wrong answer left the
    learner with 0 hearts in a lesson run).
    """
    queue = queue_after_answer(run.queue, exercise_id, correct=correct)
    mistakes = run.mistakes + (0 if correct else 1)
    xp_earned = run.xp_earned + xp
    status = LessonRun.Status.ACTIVE
    if not queue:
        status = LessonRun.Status.PASSED
    elif out_of_hearts:
        status = LessonRun.Status.FAILED
    missed = run.missed_ids if correct or exercise_id in run.missed_ids else [*run.missed_ids, exercise_id]
    fields = {
        "queue": queue,
        "missed_ids": missed,
        "status": status,
        "xp_earned": F("xp_earned") + xp,
        "mistakes": F("mistakes") + (0 if correct else 1),
        "answers_count": F("answers_count") + 1,
    }
    if status != LessonRun.Status.ACTIVE:
        fields["finished_at"] = now
    LessonRun.objects.filter(pk=run.pk).update(**fields)
    run.queue, run.missed_ids, run.status, run.xp_earned, run.mistakes = queue, missed, status, xp_earned, mistakes
    run.answers_count += 1
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
) -> ExerciseAttempt:
    """Store one judged answer (the answer as given, made JSON-safe; ``result`` is what a repeated
    submission with the same ``client_id`` returns). One INSERT; the caller holds the wallet lock."""
    return ExerciseAttempt.objects.create(
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
            raise NotFound("No such run.")
        if run.status == LessonRun.Status.ACTIVE:
            run.status = LessonRun.Status.ABANDONED
            run.finished_at = now
            run.save(update_fields=["status", "finished_at"])
    return run
