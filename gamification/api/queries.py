"""API-only composition of existing selectors (no rule of its own): a run as the API returns it."""

from dataclasses import dataclass
from datetime import datetime

from accounts.models import User
from gamification.selectors import RunState, RunSummary, learner_run, run_state, run_summary
from progress.api.queries import PublicExercise, run_exercise_rows, run_exercises
from progress.models import LessonRun


@dataclass
class RunView:
    state: RunState
    exercises: list[PublicExercise]
    current_exercise: PublicExercise | None
    summary: RunSummary | None


def run_view(*, user: User, run_id, now: datetime, run: LessonRun | None = None) -> RunView:
    """``run_state`` + every exercise of the run (public payloads) + the end-of-run summary once the
    run is over. Someone else's run → NotFound (from the selectors). ``run``: the run just written
    (not read again). The run's exercises are read once: the current one is among them."""
    if run is None or run.user_id != user.pk:
        run = learner_run(user=user, run_id=run_id)
    rows = run_exercise_rows(run.exercise_ids)
    state = run_state(user=user, run_id=run.pk, now=now, run=run, exercises=rows)
    exercises = run_exercises(
        run_id=state.run_id,
        exercise_ids=state.run.exercise_ids,
        audio_quality=user.audio_quality,
        course=state.course,
        rows=rows,
    )
    current = None
    if state.exercise is not None:
        current = next((e for e in exercises if e.id == state.exercise.pk), None)
    summary = run_summary(user=user, run_id=state.run_id) if state.status != "active" else None
    return RunView(state=state, exercises=exercises, current_exercise=current, summary=summary)
