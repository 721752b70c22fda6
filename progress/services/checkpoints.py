"""Checkpoints: which a learner may take, their runs (items drawn, scored), and what passing one writes.

Called by ``gamification.services`` (the learner's-loop entry points), which holds the learner's wallet
lock around every write here — docs/game-rules.md, "Checkpoints" and "Locks". Nothing here touches XP,
gems, hearts or streaks.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils.translation import gettext, ngettext

from accounts.models import User
from core.errors import NotFound
from courses.models import Checkpoint, Lesson, LessonExercise, visible_q
from courses.publishing import servable_q

from ..errors import CheckpointCoolingDown, CheckpointLocked, EmptyCheckpoint
from ..models import LessonProgress, LessonRun
from ..rules import checkpoint_passes, checkpoint_score, cooldown_over_at
from .unlocking import course_lesson_states

#: The items are drawn and shuffled with the system's random source: nothing about a run's item list or
#: its order can be predicted from the course (or from an earlier run).
_RANDOM = random.SystemRandom()

FAILED_STATUSES = (LessonRun.Status.FAILED, LessonRun.Status.ABANDONED)


def cooldown() -> timedelta:
    """How long after a failed or abandoned checkpoint run the learner must wait (a setting)."""
    return timedelta(minutes=settings.MALLARD_CHECKPOINT_COOLDOWN_MINUTES)


def visible_checkpoints():
    """Published checkpoints of a visible unit or section (``courses.models.visible_q``: forward
    foreign keys only, so the two sides may be OR-ed in one filter)."""
    return Checkpoint.objects.filter(is_published=True).filter(
        visible_q("unit", "unit__") | visible_q("section", "section__")
    )


def visible_checkpoint(*, slug: str) -> Checkpoint:
    """The checkpoint with its unit, section and course (and the course's languages), if learners may see
    it; else NotFound."""
    checkpoint = (
        visible_checkpoints()
        .select_related(
            "unit__section__course__from_language",
            "unit__section__course__to_language",
            "section__course__from_language",
            "section__course__to_language",
        )
        .filter(slug=slug)
        .first()
    )
    if checkpoint is None:
        raise NotFound(gettext("No such checkpoint."))
    return checkpoint


def course_of(checkpoint: Checkpoint):
    scope = checkpoint.unit.section if checkpoint.unit is not None else checkpoint.section
    assert scope is not None  # the database's checkpoint_unit_or_section
    return scope.course


def scope_lessons_q(checkpoint: Checkpoint, prefix: str = "") -> Q:
    """The lessons a checkpoint's pass counts for: every lesson of its unit, or of its section."""
    if checkpoint.unit_id:
        return Q(**{f"{prefix}unit_id": checkpoint.unit_id})
    return Q(**{f"{prefix}unit__section_id": checkpoint.section_id})


@dataclass(frozen=True)
class CheckpointRecord:
    """A learner's history with one checkpoint: passed once, and when the last failed run ended."""

    passed: bool = False
    last_failed_at: datetime | None = None


def checkpoint_records(*, user: User, checkpoint_ids: list[int]) -> dict[int, CheckpointRecord]:
    """The learner's record for each checkpoint. One query, however many runs."""
    rows = (
        LessonRun.objects.filter(user=user, kind=LessonRun.Kind.CHECKPOINT, checkpoint_id__in=checkpoint_ids)
        .values("checkpoint_id")
        .annotate(
            passes=Count("pk", filter=Q(status=LessonRun.Status.PASSED)),
            last_failed=Max("finished_at", filter=Q(status__in=FAILED_STATUSES)),
        )
    )
    return {row["checkpoint_id"]: CheckpointRecord(row["passes"] > 0, row["last_failed"]) for row in rows}


def checkpoint_state(
    *, first_lesson_state: str | None, record: CheckpointRecord, now: datetime
) -> tuple[str, datetime | None]:
    """``(state, retry_at)``: ``locked`` until the learner has reached the first lesson of the unit or section
    it tests (that lesson is open or passed), ``cooling_down`` until ``retry_at`` after a failed run,
    ``passed`` once passed (it may be taken again), else ``available``."""
    if first_lesson_state is None or first_lesson_state == "locked":
        return "locked", None
    retry_at = cooldown_over_at(last_failed_at=record.last_failed_at, cooldown=cooldown())
    if retry_at is not None and now < retry_at:
        return "cooling_down", retry_at
    return ("passed" if record.passed else "available"), None


def create_checkpoint_run(*, user: User, checkpoint: Checkpoint, now: datetime) -> LessonRun:
    """Return the learner's active run of ``checkpoint`` or start a new one with its items drawn and shuffled.

    Locked → CheckpointLocked; within the cool-down after a failed run → CheckpointCoolingDown; no
    servable item → EmptyCheckpoint. The caller holds the learner's wallet lock, so two tabs get the same
    run (the partial unique constraint ``run_one_active_per_checkpoint`` backs this)."""
    existing = LessonRun.objects.filter(
        user=user, checkpoint=checkpoint, kind=LessonRun.Kind.CHECKPOINT, status=LessonRun.Status.ACTIVE
    ).first()
    if existing is not None:
        return existing
    course = course_of(checkpoint)
    ordered, states = course_lesson_states(user=user, course=course.pk)
    in_scope = set(Lesson.objects.visible().filter(scope_lessons_q(checkpoint)).values_list("pk", flat=True))
    first = next((lesson_id for lesson_id in ordered if lesson_id in in_scope), None)
    record = checkpoint_records(user=user, checkpoint_ids=[checkpoint.pk]).get(checkpoint.pk, CheckpointRecord())
    state, retry_at = checkpoint_state(first_lesson_state=states.get(first) if first else None, record=record, now=now)
    if state == "locked":
        raise CheckpointLocked()
    if state == "cooling_down" and retry_at is not None:
        minutes = math.ceil((retry_at - now).total_seconds() / 60)
        raise CheckpointCoolingDown(
            ngettext(
                "You can take this checkpoint again in %(minutes)d minute.",
                "You can take this checkpoint again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            retry_at=retry_at,
        )
    items = checkpoint_items(checkpoint=checkpoint, in_scope=in_scope)
    if not items:
        raise EmptyCheckpoint()
    return LessonRun.objects.create(
        user=user,
        course=course,
        lesson=None,
        checkpoint=checkpoint,
        kind=LessonRun.Kind.CHECKPOINT,
        exercise_ids=items,
        queue=items,
        started_at=now,
        deadline_at=now + timedelta(seconds=checkpoint.time_limit_sec) if checkpoint.time_limit_sec else None,
    )


def checkpoint_items(*, checkpoint: Checkpoint, in_scope: set[int]) -> list[int]:
    """A run's items: the fixed list, or ``draw`` of the covered lessons' exercises at random — only
    published, servable exercises of visible lessons it covers — in a fresh random order. Two queries."""
    covered = list(checkpoint.lessons.values_list("pk", flat=True)) or list(in_scope)
    links = LessonExercise.objects.filter(
        servable_q("exercise__"),
        visible_q("lesson", "lesson__"),
        lesson_id__in=covered,
        exercise__is_published=True,
    )
    if checkpoint.draw is None:
        links = links.filter(exercise__in=checkpoint.exercises.all())
    candidates = sorted(set(links.values_list("exercise_id", flat=True)))
    if checkpoint.draw is not None and len(candidates) > checkpoint.draw:
        return _RANDOM.sample(candidates, checkpoint.draw)
    _RANDOM.shuffle(candidates)
    return candidates


def checkpoint_result(run: LessonRun, *, queue: list[int], missed_ids: list[int]) -> tuple[int, bool]:
    """``(score, passed)`` of a checkpoint run with this queue left (unanswered items count as missed)."""
    assert run.checkpoint is not None
    total = len(run.exercise_ids)
    right = total - len(queue) - len(missed_ids)
    score = checkpoint_score(total=total, right=right)
    return score, checkpoint_passes(score=score, pass_percent=run.checkpoint.pass_percent)


def record_checkpoint_pass(*, run: LessonRun, now: datetime) -> list[int]:
    """Passing a checkpoint passes every visible lesson of its unit (or section) the learner had not
    passed: one pass each, bronze tier, the decay anchor set (``record_pass`` for each, without a run).
    Returns those lessons' ids. Caller holds the wallet lock. Three queries."""
    checkpoint = run.checkpoint
    assert checkpoint is not None
    scope = list(Lesson.objects.visible().filter(scope_lessons_q(checkpoint)).values_list("pk", flat=True))
    rows = dict(
        LessonProgress.objects.filter(user_id=run.user_id, lesson_id__in=scope).values_list("lesson_id", "passes")
    )
    fresh = [lesson_id for lesson_id in scope if not rows.get(lesson_id)]
    passed = {
        "passes": 1,
        "tier": LessonProgress.Tier.BRONZE,
        "first_passed_at": now,
        "last_passed_at": now,
        "tier_anchor_at": now,
    }
    existing = [lesson_id for lesson_id in fresh if lesson_id in rows]
    if existing:
        LessonProgress.objects.filter(user_id=run.user_id, lesson_id__in=existing, passes=0).update(**passed)
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(user_id=run.user_id, lesson_id=lesson_id, **passed)
            for lesson_id in fresh
            if lesson_id not in rows
        ]
    )
    return fresh


def close_timed_out_run(*, run: LessonRun, now: datetime) -> str:
    """End a run whose deadline has passed (``run`` locked by the caller): a checkpoint is scored on what
    was answered in time (passed or failed by its score), any other run fails. Returns the status. One UPDATE."""
    fields: dict = {"timed_out": True, "finished_at": now}
    if run.kind == LessonRun.Kind.CHECKPOINT:
        score, passed = checkpoint_result(run, queue=run.queue, missed_ids=run.missed_ids)
        fields["score_percent"] = score
        fields["status"] = LessonRun.Status.PASSED if passed else LessonRun.Status.FAILED
    else:
        fields["status"] = LessonRun.Status.FAILED
    LessonRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)
    return fields["status"]


def set_checkpoint_rewards(*, run: LessonRun, xp: int, gems: int) -> None:
    LessonRun.objects.filter(pk=run.pk).update(xp_earned=xp, gems_earned=gems)
    run.xp_earned, run.gems_earned = xp, gems
