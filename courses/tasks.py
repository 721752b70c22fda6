"""The Celery task that makes missing audio for an admin selection (``courses.audio``), with its
progress kept in the cache for the admin's job page (``courses.admin_audio``).

The task holds no rule: it resolves the selection, calls ``audio.synthesize_missing_audio`` and
records its progress and report under the job's id. With Redis configured the task runs on a worker
and the cache is Redis, so the admin page (another process) sees the progress; without Redis
(eager tasks) the admin runs it inline and shows the report at once.
"""

from celery import shared_task
from django.core.cache import cache
from django.utils.translation import gettext as _

from media_assets.tts import TTSFailed, TTSUnavailable

from . import audio

#: How long a job's progress and report stay readable (seconds).
JOB_TTL = 24 * 3600


def job_key(job_id: str) -> str:
    return f"courses:audio-job:{job_id}"


def job_state(job_id: str) -> dict | None:
    """The job's state: ``status`` (queued, running, done, failed), ``done``/``total`` texts,
    ``lines`` (the report) and ``error``; None for an unknown or expired job."""
    return cache.get(job_key(job_id))


def _save(job_id: str, **state) -> None:
    cache.set(job_key(job_id), {**(job_state(job_id) or {}), **state}, JOB_TTL)


def queue_job(*, job_id: str, model: str, ids: list[int], user_id: int, label: str) -> None:
    _save(job_id, status="queued", done=0, total=None, lines=[], error="", user_id=user_id, label=label)


@shared_task(name="courses.synthesize_audio", acks_late=True)
def synthesize_audio(job_id: str, model: str, ids: list[int]) -> dict:
    """Make the missing audio of the selection; return (and store) the job's final state."""
    _save(job_id, status="running")
    scope = audio.audio_scope(model=model, ids=ids)
    try:
        reports = audio.synthesize_missing_audio(
            scope=scope, on_progress=lambda done, total: _save(job_id, done=done, total=total)
        )
    except TTSUnavailable as exc:
        _save(job_id, status="failed", error=_("%(reason)s. No audio was made.") % {"reason": exc})
    except TTSFailed as exc:
        message = _("%(reason)s. Audio stored before the failure is kept; run it again to continue.")
        _save(job_id, status="failed", error=message % {"reason": exc})
    else:
        lines = [line for report in reports for line in report.lines()]
        if not scope:
            lines = [_("Nothing to do: the selection has no exercises.")]
        _save(job_id, status="done", lines=lines)
    return job_state(job_id) or {}
