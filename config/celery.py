"""The Celery app. Broker and result backend come from Django settings (namespace CELERY).

With no REDIS_URL configured, settings turn on CELERY_TASK_ALWAYS_EAGER so tasks run in-process.
The beat schedule lives in one place: app.conf.beat_schedule below.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("mallard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job; each is also a manage.py command of the same name (docs/jobs.md).
# Times are UTC (CELERY_TIMEZONE). The streak job runs every hour because midnight arrives hour by
# hour around the world; the nightly jobs are spread out after 00:00 UTC so they never overlap:
# the rollup needs the UTC day to be over, the purge runs after the rollup, and the e-mail goes out
# at 16:00 UTC (morning in the Americas, afternoon in Europe, evening in Asia).
app.conf.beat_schedule = {
    "close-streaks-hourly": {"task": "gamification.close_streaks", "schedule": crontab(minute=5)},
    # Hourly too: each learner's reminder hour comes round in their own zone.
    "send-streak-reminders-hourly": {"task": "gamification.send_streak_reminders", "schedule": crontab(minute=0)},
    "rollup-daily-metrics-nightly": {
        "task": "gamification.rollup_daily_metrics",
        "schedule": crontab(hour=0, minute=20),
    },
    "decay-tiers-nightly": {"task": "gamification.decay_tiers", "schedule": crontab(hour=1, minute=15)},
    "check-ledger-nightly": {"task": "gamification.check_ledger", "schedule": crontab(hour=2, minute=15)},
    "purge-activity-nightly": {"task": "gamification.purge_activity", "schedule": crontab(hour=3, minute=15)},
    "send-reengagement-daily": {"task": "gamification.send_reengagement", "schedule": crontab(hour=16, minute=0)},
    "fit-memory-models-nightly": {"task": "gamification.fit_memory_models", "schedule": crontab(hour=4, minute=15)},
    # The league week ends on Sunday 24:00 UTC; its close ranks every cohort (docs/jobs.md).
    "close-league-week-weekly": {
        "task": "gamification.close_league_week",
        "schedule": crontab(day_of_week=1, hour=0, minute=10),
    },
}
