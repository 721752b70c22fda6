"""Reads for the bubble pages and API."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from core.errors import NotFound
from progress.models import ExerciseAttempt

from .models import PHASES, Bubble, BubbleExercise, GenerationRecord, Phase


def bubbles_of(*, user: User) -> QuerySet[Bubble]:
    return Bubble.objects.filter(user=user).select_related("course", "language", "lesson").order_by("-created_at")


def own_bubble(*, user: User, bubble_id: object) -> Bubble:
    """The learner's bubble; anyone else's, or an unknown id → NotFound."""
    try:
        pk = int(str(bubble_id))
    except ValueError:
        raise NotFound(_("No such bubble.")) from None
    bubble = bubbles_of(user=user).filter(pk=pk).first()
    if bubble is None:
        raise NotFound(_("No such bubble."))
    return bubble


#: A phase's status as the progress list says it, in the active language ("waiting": no record yet).
STATUS_LABELS = {
    "waiting": pgettext_lazy("bubble step", "waiting"),
    "running": pgettext_lazy("bubble step", "being made"),
    "succeeded": pgettext_lazy("bubble step", "done"),
    "failed": pgettext_lazy("bubble step", "failed"),
    "skipped": pgettext_lazy("bubble step", "skipped"),
}


@dataclass(frozen=True)
class PhaseProgress:
    phase: str
    label: str
    status: str  # waiting, running, succeeded, failed, skipped
    error: str

    @property
    def status_label(self) -> str:
        """The status in words, in the active language (``status`` is the API's code)."""
        return str(STATUS_LABELS[self.status])


def phase_progress(*, bubble: Bubble) -> list[PhaseProgress]:
    """Each phase's latest status, in order (what the learner's progress list shows). One query."""
    latest: dict[str, GenerationRecord] = {}
    for record in GenerationRecord.objects.filter(bubble=bubble).only("phase", "status", "error").order_by("pk"):
        latest[record.phase] = record
    labels = dict(Phase.choices)
    return [
        PhaseProgress(
            phase=phase,
            label=str(labels[phase]),  # in the active language
            status=latest[phase].status if phase in latest else "waiting",
            error=latest[phase].error if phase in latest else "",
        )
        for phase in PHASES
    ]


def percent_done(progress: list[PhaseProgress]) -> int:
    done = sum(1 for p in progress if p.status in ("succeeded", "skipped"))
    return done * 100 // len(progress)


def due_sentences(*, bubble: Bubble) -> int:
    return bubble.sentences.filter(due_at__lte=timezone.now()).count()


def study_sheet_open(*, user: User, bubble: Bubble) -> bool:
    """Whether the bubble's sentences, words and dialogue (with their translations) may be shown: only
    once the learner has answered every exercise of the bubble at least once, since the study sheet
    holds those exercises' answers. Two queries."""
    exercise_ids = list(BubbleExercise.objects.filter(bubble=bubble).values_list("exercise_id", flat=True))
    if not exercise_ids:
        return False
    answered = (
        ExerciseAttempt.objects.filter(user=user, exercise_id__in=exercise_ids).values("exercise_id").distinct().count()
    )
    return answered == len(exercise_ids)
