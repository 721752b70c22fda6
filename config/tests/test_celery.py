"""The Celery app's beat schedule: every periodic job, each a registered task."""

from celery.schedules import crontab

from config.celery import app as celery_app
from gamification.jobs import JOBS


def test_beat_schedule_names_every_job_and_every_task_is_registered():
    schedule = celery_app.conf.beat_schedule
    scheduled = {entry["task"] for entry in schedule.values()}
    assert scheduled == {f"gamification.{job}" for job in JOBS}
    celery_app.loader.import_default_modules()
    for name in scheduled:
        assert name in celery_app.tasks, name
    hourly = next(e for e in schedule.values() if e["task"] == "gamification.close_streaks")["schedule"]
    assert hourly == crontab(minute=5)
    for entry in schedule.values():
        if entry["task"] not in ("gamification.close_streaks", "gamification.send_streak_reminders"):
            assert len(entry["schedule"].hour) == 1, entry  # once a day
