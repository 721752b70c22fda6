"""Playable preview for authors (docs/authoring.md, "Playable preview"): a lesson played in the real
player, judged by the same rules as a learner's run, with **nothing written** to the database.

A preview's state — the queue, hearts, the match pairs found, first-try results — lives in the
author's session (a plain dict, ``PreviewState``), never in a run, an attempt, a ledger row, a wallet,
a word's memory or the activity log. Its answers are judged exactly as a run's are (the exercise
type, the answer's language and the course's lexicon: ``loop._judge``), the queue moves by the
run's pure rule (``progress.rules.queue_after_answer``), hearts go down on a wrong answer and the
preview fails at zero, as a lesson run does. Draft lessons and draft exercises play too (an author
previews before publishing); a listen exercise without audio is left out, as for learners.
"""

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.errors import NotFound
from courses.exercise_types import get_type, served_payload
from courses.exercise_types.match_pairs import pair_in_range, pair_is_right, verdict_after_pair_checks
from courses.models import Exercise, Lesson, LessonExercise
from courses.publishing import servable_q
from progress.rules import queue_after_answer, xp_per_exercise

from ..errors import ExerciseNotInRun, InvalidAnswer, PairAlreadyMatched, RunFinished
from ..models import MAX_HEARTS
from .loop import _judge, _shown_answer

#: The session key of the author's preview (one at a time; a new preview replaces it).
SESSION_KEY = "mallard_preview"


@dataclass
class PreviewState:
    lesson_id: int
    exercise_ids: list[int]
    queue: list[int]
    seed: int  # stands for a run id in the shuffle of choices and tiles (negative: never a real run)
    hearts: int = MAX_HEARTS
    status: str = "active"  # active, passed, failed
    xp: int = 0
    first_try: dict[str, bool] = field(default_factory=dict)  # exercise id → right at the first try
    pairs: dict[str, dict[str, list[list[int]]]] = field(default_factory=dict)  # match checks per exercise

    def as_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data: Any) -> "PreviewState":
        if not isinstance(data, dict):
            raise NotFound(_("No preview is open; start one from the lesson's admin page."))
        try:
            return cls(**data)
        except TypeError:
            raise NotFound(_("No preview is open; start one from the lesson's admin page.")) from None


def start_preview(*, lesson: Lesson) -> PreviewState:
    """A fresh preview of the lesson: its exercises in order (drafts included, a listen exercise
    without audio left out). Reads only."""
    ids = list(
        LessonExercise.objects.filter(lesson=lesson)
        .filter(servable_q("exercise__"))
        .order_by("ordinal")
        .values_list("exercise_id", flat=True)
    )
    return PreviewState(lesson_id=lesson.pk, exercise_ids=ids, queue=list(ids), seed=-secrets.randbelow(2**31) - 1)


def current_exercise(state: PreviewState) -> tuple[Exercise | None, dict | None]:
    """The exercise to play now and its public payload (as the run's player gets it)."""
    if state.status != "active" or not state.queue:
        return None, None
    exercise = Exercise.objects.select_related("audio", "image").filter(pk=state.queue[0]).first()
    if exercise is None:
        return None, None
    kind = get_type(exercise.type)
    return exercise, kind.public_payload(_served(state, exercise))


def _served(state: PreviewState, exercise: Exercise) -> dict:
    return served_payload(get_type(exercise.type), exercise.payload, run_id=state.seed, exercise_id=exercise.pk)


def _answerable(state: PreviewState, exercise_id: Any) -> Exercise:
    if state.status != "active":
        raise RunFinished()
    try:
        exercise_pk = int(exercise_id)
    except (TypeError, ValueError):
        raise ExerciseNotInRun() from None
    if not state.queue or state.queue[0] != exercise_pk:
        raise ExerciseNotInRun()
    exercise = (
        Exercise.objects.select_related("course__from_language", "course__to_language").filter(pk=exercise_pk).first()
    )
    if exercise is None:
        raise ExerciseNotInRun()
    return exercise


def preview_answer(*, state: PreviewState, exercise_id: Any, answer: Any, lesson: Lesson) -> dict:
    """Judge one answer of the preview and move its state (in memory): the outcome as the player's
    feedback shows it. Writes nothing."""
    exercise = _answerable(state, exercise_id)
    exercise_type = get_type(exercise.type)
    payload = _served(state, exercise)
    parsed, language, verdict = _judge(exercise_type, payload, answer, course=exercise.course)
    key = str(exercise.pk)
    if wrong := state.pairs.get(key, {}).get("wrong"):
        verdict = verdict_after_pair_checks(payload, verdict, wrong)
    correct = bool(verdict.correct)
    state.first_try.setdefault(key, correct)
    xp = xp_per_exercise(kind=lesson.kind, difficulty=lesson.difficulty) if correct else 0
    state.xp += xp
    if not correct:
        state.hearts = max(0, state.hearts - 1)
    state.queue = queue_after_answer(state.queue, exercise.pk, correct=correct)
    state.pairs.pop(key, None)
    if state.hearts == 0 and not correct:
        state.status = "failed"
    elif not state.queue:
        state.status = "passed"
    return {
        "exercise_id": exercise.pk,
        "correct": correct,
        "note": verdict.note,
        "solution": exercise_type.solution_display(payload),
        "xp_awarded": xp,
        "hearts": state.hearts,
        "run_status": state.status,
        "remaining": len(state.queue),
        "total": len(state.exercise_ids),
        **_shown_answer(exercise_type, payload, parsed, verdict, language=language),
    }


def preview_pair(*, state: PreviewState, exercise_id: Any, left: Any, right: Any) -> dict:
    """One pair of a match exercise, judged as the run's ``check_pair`` judges it; kept in the state."""
    exercise = _answerable(state, exercise_id)
    if exercise.type != "match_pairs":
        raise InvalidAnswer(_("Only a match exercise is checked pair by pair."), field="exercise")
    payload = _served(state, exercise)
    try:
        left, right = int(left), int(right)
    except (TypeError, ValueError):
        raise InvalidAnswer(_("left and right must be indices of the two columns."), field="left") from None
    if not pair_in_range(payload, left, right):
        raise InvalidAnswer(_("That pair is not part of this exercise."), field="left")
    checks = state.pairs.setdefault(str(exercise.pk), {"found": [], "wrong": []})
    pair = [left, right]
    repeated = pair in checks["found"] or pair in checks["wrong"]
    if not repeated:
        if any(f[0] == left or f[1] == right for f in checks["found"]):
            raise PairAlreadyMatched()
        checks["found" if pair_is_right(payload, left, right) else "wrong"].append(pair)
    return {
        "exercise_id": exercise.pk,
        "left": left,
        "right": right,
        "correct": pair in checks["found"],
        "found": checks["found"],
        "wrong_tries": len(checks["wrong"]),
        "complete": len(checks["found"]) == len(payload["pairs"]),
        "repeated": repeated,
    }
