"""API-only reads built on ``progress.selectors`` (no rule of their own).

``run_exercises`` adds what the pages do not need: every exercise of a run as the learner sees it
(public payload, prompt, hint, audio) in one query plus one for audio variants; ``run_exercise_rows``
reads them for a caller that also picks the current one from them (``gamification.api.queries``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Prefetch

from courses.exercise_types import get_type, served_payload
from courses.models import Course, Exercise
from courses.selectors import attach_image_urls, exercise_hints
from media_assets.models import AssetVariant
from media_assets.selectors import audio_payload


@dataclass
class PublicExercise:
    """An exercise as a learner may see it before answering: never a solution."""

    id: int
    type: str
    prompt: str
    hint: str
    public: dict
    audio: dict | None
    hints: list[dict] | None = None


def public_exercise(exercise: Exercise, *, audio_quality: str, run_id: int, course: Course) -> PublicExercise:
    """``run_id``: choices and tiles come in that run's shuffled order (docs/exercise-types.md "Order");
    ``course`` (with its languages): for the word hints of the prompt."""
    kind = get_type(exercise.type)
    return PublicExercise(
        id=exercise.pk,
        type=exercise.type,
        prompt=exercise.prompt,
        hint=exercise.hint,
        public=kind.public_payload(served_payload(kind, exercise.payload, run_id=run_id, exercise_id=exercise.pk)),
        audio=audio_payload(asset=exercise.audio, quality=audio_quality) if exercise.audio_id else None,
        hints=exercise_hints(course=course, exercise_type=exercise.type, payload=exercise.payload),
    )


def run_exercise_rows(exercise_ids: Iterable[int]) -> dict[int, Exercise]:
    """The exercises of a run by id, with their audio and its variants: one query, and one for the
    variants when any of them has audio."""
    exercises = (
        Exercise.objects.filter(pk__in=set(exercise_ids))
        .select_related("audio", "image")
        .prefetch_related(Prefetch("audio__variants", queryset=AssetVariant.objects.order_by("pk")))
    )
    return {e.pk: e for e in exercises}


def run_exercises(
    *,
    run_id: int,
    exercise_ids: list[int],
    audio_quality: str,
    course: Course,
    rows: Mapping[int, Exercise] | None = None,
) -> list[PublicExercise]:
    """The run's exercises in serving order, each once: from ``rows`` (``run_exercise_rows``) or read
    here (its queries), and one query for the course's glosses (word hints) when they are not cached."""
    order = list(dict.fromkeys(exercise_ids))
    by_id = run_exercise_rows(order) if rows is None else rows
    result = [
        public_exercise(by_id[pk], audio_quality=audio_quality, run_id=run_id, course=course)
        for pk in order
        if pk in by_id
    ]
    attach_image_urls(item.public for item in result)  # a third query only when a picture uses assets
    return result
