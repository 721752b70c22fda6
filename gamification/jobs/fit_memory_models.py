"""``fit_memory_models`` (nightly): fit each eligible learner's FSRS parameters from their review
log, adopting them only when they predict the learner's most recent reviews better
(progress.memory.learners; docs/learning.md).

Eligible: at least ``MIN_LOG_ROWS`` reviews and ``REFIT_NEW_REVIEWS`` new ones since the learner's
last attempt (one set-based query). At most ``batch_size`` learners per run, in user order; the
rest wait for the next run. Each learner's fit is bounded (their most recent
``MAX_REVIEWS`` reviews) and committed on its own, so an interrupted run loses nothing. A second
run at once finds nobody: every attempt, adopted or not, records the log size it saw.
"""

from datetime import datetime

from django.conf import settings

from progress.memory.learners import fit_learner, learners_due_for_fit

from .base import JobResult, aware

#: The most failure reasons quoted in a run's detail.
QUOTED_FAILURES = 5


def run_fit_memory_models(
    *, now: datetime, dry_run: bool = False, batch_size: int | None = None, user_ids=None
) -> JobResult:
    now = aware(now)
    limit = batch_size or settings.MALLARD_FIT_BATCH_SIZE
    due = learners_due_for_fit(user_ids=user_ids, limit=limit)
    if dry_run:
        return JobResult(rows_changed=len(due), detail=f"would fit {len(due)} learners (at most {limit} per run)")
    adopted = kept = 0
    failures = []
    seconds = 0.0
    for user_id, rows in due:
        fit = fit_learner(user_id=user_id, log_rows=rows, now=now)
        if fit.error or fit.outcome is None:
            failures.append(f"learner {user_id}: {fit.error}")
            continue
        seconds += fit.outcome.seconds
        if fit.adopted:
            adopted += 1
        else:
            kept += 1
    detail = (
        f"fitted {len(due) - len(failures)} learners in {seconds:.1f} s: {adopted} adopted new parameters, "
        f"{kept} kept theirs (the fit did not validate better or too few spaced reviews)"
    )
    if failures:
        detail += f"; {len(failures)} failed and kept their parameters: " + "; ".join(failures[:QUOTED_FAILURES])
    return JobResult(rows_changed=adopted, detail=detail, problems=len(failures))
