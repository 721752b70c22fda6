"""API-only reads built on ``progress.selectors`` (no rule of their own).

``run_exercises`` adds what the pages do not need: every exercise of a run as the learner sees it
(public payload, prompt, hint, audio) in one query plus one for audio variants.
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from courses.exercise_types import get_type
from courses.models import Exercise
from courses.selectors import attach_image_urls
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


def public_exercise(exercise: Exercise, *, audio_quality: str) -> PublicExercise:
    return PublicExercise(
        id=exercise.pk,
        type=exercise.type,
        prompt=exercise.prompt,
        hint=exercise.hint,
        public=get_type(exercise.type).public_payload(exercise.payload),
        audio=audio_payload(asset=exercise.audio, quality=audio_quality) if exercise.audio_id else None,
    )


def run_exercises(*, exercise_ids: list[int], audio_quality: str) -> list[PublicExercise]:
    """The run's exercises in serving order, each once. Two queries (exercises, audio variants)."""
    order = list(dict.fromkeys(exercise_ids))
    exercises = (
        Exercise.objects.filter(pk__in=order)
        .select_related("audio")
        .prefetch_related(Prefetch("audio__variants", queryset=AssetVariant.objects.order_by("pk")))
    )
    by_id = {e.pk: e for e in exercises}
    result = [public_exercise(by_id[pk], audio_quality=audio_quality) for pk in order if pk in by_id]
    attach_image_urls(item.public for item in result)  # a third query only when a picture uses assets
    return result
