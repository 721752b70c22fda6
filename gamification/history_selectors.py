"""The learner's history: their finished lesson runs and review sessions, newest first.

Each row comes from the run's own row (no per-run query): accuracy is the share of the exercises
answered that were right at the first try, as on the end screen — an exercise answered wrongly at
least once is in ``missed_ids``, one answered rightly has left the ``queue``.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from accounts.models import User
from courses.content_languages import text_columns
from progress.models import LessonRun
from progress.rules import percent

#: Runs per page of the history (page and API).
HISTORY_PAGE_SIZE = 20


@dataclass(frozen=True)
class HistoryRow:
    run_id: int
    kind: str  # "lesson" or "review"
    lesson_title: str  # empty for a review session
    course_title: str
    status: str  # passed, failed, abandoned
    started_at: datetime
    finished_at: datetime
    xp_earned: int
    answered: int  # exercises answered at least once
    first_try_correct: int
    accuracy_pct: int | None  # None when nothing was answered
    ahead: bool


def finished_runs(*, user: User) -> QuerySet[LessonRun]:
    """The learner's own finished runs, newest first (one query per page, plus the page count)."""
    return (
        LessonRun.objects.filter(user=user)
        .exclude(status=LessonRun.Status.ACTIVE)
        .select_related("lesson", "course", "checkpoint__unit", "checkpoint__section")
        .only(
            "kind",
            "status",
            "exercise_ids",
            "queue",
            "missed_ids",
            "xp_earned",
            "ahead",
            "started_at",
            "finished_at",
            *text_columns("title", prefix="lesson__"),
            *text_columns("title", prefix="course__"),
            *text_columns("title", prefix="checkpoint__"),
            *text_columns("title", prefix="checkpoint__unit__"),
            *text_columns("title", prefix="checkpoint__section__"),
        )
        .order_by("-finished_at", "-pk")
    )


def _title(run: LessonRun) -> str:
    """The lesson's title, a checkpoint's ("Checkpoint: <unit>" by default); empty for a review."""
    if run.lesson is not None:
        return run.lesson.title
    return run.checkpoint.display_title if run.checkpoint is not None else ""


def history_row(run: LessonRun) -> HistoryRow:
    exercises, queue, missed = set(run.exercise_ids), set(run.queue), set(run.missed_ids)
    right = exercises - queue  # answered rightly at some point
    answered = len(right | (missed & exercises))
    first_try = len(right - missed)
    return HistoryRow(
        run_id=run.pk,
        kind=run.kind,
        lesson_title=_title(run),
        course_title=run.course.title,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at or run.started_at,
        xp_earned=run.xp_earned,
        answered=answered,
        first_try_correct=first_try,
        accuracy_pct=percent(first_try, answered) if answered else None,
        ahead=run.ahead,
    )


def history_page(*, user: User, page: str | int | None) -> tuple[Page, list[HistoryRow]]:
    """One page of the history (``get_page``: a bad or too-large number shows the first or last page).
    Two queries (the count and the page), whatever the history."""
    paginator = Paginator(finished_runs(user=user), HISTORY_PAGE_SIZE)
    current = paginator.get_page(page)
    return current, [history_row(run) for run in current.object_list]
