"""Checkpoints and timed runs in the learner's loop: starting a checkpoint, paying a passed one, and ending a
run whose time is up (docs/game-rules.md, "Checkpoints" and "Timed practice").

The answer itself goes through ``loop.submit_answer`` like any run; these are the steps of its own that a
checkpoint or a timed run adds. Every function holds (or takes) the learner's wallet lock first.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from accounts import activity as activity_log
from accounts.models import User
from core.errors import NotFound
from courses.models import Checkpoint
from progress import services as progress
from progress.models import LessonRun
from progress.rules import CHECKPOINT_XP_PER_LESSON, gems_for_pass, time_is_up

from ..errors import TimeLeft
from ..models import LedgerEntry, Wallet
from . import achievements, ledger
from .activity import record_activity
from .wallet import lock_wallet


def start_checkpoint_run(*, user: User, checkpoint: Checkpoint | str, now: datetime) -> LessonRun:
    """Start (or return the active) run of a checkpoint: no hearts needed, items drawn and shuffled.

    Unpublished or unknown → NotFound; enrols the learner; not reached yet → CheckpointLocked; in the
    cool-down after a failed run → CheckpointCoolingDown; nothing to serve → EmptyCheckpoint. An active
    run whose time is up is ended (and scored) first. Locks the wallet. The run returned carries its
    checkpoint, course and ``wallet_hearts`` (as ``start_lesson_run``'s)."""
    slug = checkpoint.slug if isinstance(checkpoint, Checkpoint) else checkpoint
    checkpoint = progress.visible_checkpoint(slug=slug)
    course = progress.checkpoint_course(checkpoint)
    progress.enroll(user=user, course=course, now=now)
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)  # creates the learner's wallet and streak on their first run
        active = (
            LessonRun.objects.select_for_update(no_key=True, of=("self",))
            .select_related("checkpoint", "course")
            .filter(user=user, checkpoint=checkpoint, kind=LessonRun.Kind.CHECKPOINT, status=LessonRun.Status.ACTIVE)
            .first()
        )
        if active is not None and not time_is_up(deadline_at=active.deadline_at, now=now):
            return _for_response(active, checkpoint=checkpoint, course=course, wallet=wallet)
        if active is not None:
            end_timed_out_run(user=user, wallet=wallet, run=active, now=now)
        run = _for_response(
            progress.create_checkpoint_run(user=user, checkpoint=checkpoint, now=now),
            checkpoint=checkpoint,
            course=course,
            wallet=wallet,
        )
        activity_log.record(
            user=user,
            kind=activity_log.Kind.LESSON_START,
            now=now,
            payload={"run": run.pk, "run_kind": run.kind, "checkpoint": checkpoint.slug},
        )
        return run


def _for_response(run: LessonRun, *, checkpoint: Checkpoint, course, wallet) -> LessonRun:
    """The run with the rows just read (the checkpoint with its unit or section, the course with its
    languages, the hearts of the wallet locked), so that its response reads none of them again."""
    run.checkpoint = checkpoint
    if run.course_id == course.pk:
        run.course = course
    setattr(run, "wallet_hearts", (wallet.hearts, wallet.hearts_anchor_at))  # noqa: B010 (read by run_state)
    return run


def checkpoint_rewards(*, user: User, run: LessonRun, now: datetime) -> list[LedgerEntry]:
    """A checkpoint run has passed: every lesson of its unit (or section) the learner had not passed is
    passed now (bronze), and the run earns ``CHECKPOINT_XP_PER_LESSON`` XP for each, and gems from that
    XP like any run. Returns the ledger entries to credit (keyed by the run: a run pays once). Caller
    holds the wallet lock."""
    lessons = progress.record_checkpoint_pass(run=run, now=now)
    xp = CHECKPOINT_XP_PER_LESSON * len(lessons)
    gems = gems_for_pass(xp)
    progress.set_checkpoint_rewards(run=run, xp=xp, gems=gems)
    return [
        ledger.xp_entry(
            user=user,
            amount=xp,
            reason=LedgerEntry.Reason.RUN_PASSED,
            key=f"run:{run.pk}:checkpoint:xp",
            source=run,
            now=now,
        ),
        ledger.gems_entry(
            user=user, amount=gems, reason=LedgerEntry.Reason.RUN_PASSED, key=f"run:{run.pk}:gems", source=run, now=now
        ),
    ]


def end_timed_out_run(*, user: User, wallet: Wallet, run: LessonRun, now: datetime) -> None:
    """End an active run whose deadline has passed (``run`` locked, wallet locked, by the caller): a
    checkpoint is scored on what was answered in time — and paid if that passes it — any other run
    fails; the day counts one finished activity, and the activity log the end of the run."""
    status = progress.close_timed_out_run(run=run, now=now)
    entries = checkpoint_rewards(user=user, run=run, now=now) if status == LessonRun.Status.PASSED else []
    ledger.credit(wallet=wallet, entries=entries)
    xp = sum(e.amount for e in entries if e.currency == LedgerEntry.Currency.XP)
    record_activity(user=user, now=now, xp=xp, activities=1)
    if status == LessonRun.Status.PASSED:
        conditions = achievements.ON_PASS + (achievements.ON_XP if xp else ())
        achievements.evaluate_locked(user=user, wallet=wallet, now=now, run=run, conditions=conditions)
    kind = activity_log.Kind.LESSON_FINISH if status == LessonRun.Status.PASSED else activity_log.Kind.LESSON_FAIL
    activity_log.record(
        user=user, kind=kind, now=now, payload={"run": run.pk, "run_kind": run.kind, "timed_out": True, "xp": xp}
    )


def finish_timed_run(*, user: User, run_id: int | str, now: datetime) -> LessonRun:
    """End one of the learner's runs once its time is up (the player calls it when its countdown reaches 0;
    an answer after the deadline does the same). A finished run is returned as it is; an active run with
    time left, or without a time limit → TimeLeft. Locks the wallet, then the run."""
    try:
        run_pk = int(run_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("No such run.")) from None
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)
        run = progress.lock_run(user=user, run_id=run_pk)
        if run.status != LessonRun.Status.ACTIVE:
            return run
        if not time_is_up(deadline_at=run.deadline_at, now=now):
            raise TimeLeft()
        end_timed_out_run(user=user, wallet=wallet, run=run, now=now)
        return run
