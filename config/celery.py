"""The Celery app. Broker and result backend come from Django settings (namespace CELERY).

With no REDIS_URL configured, settings turn on CELERY_TASK_ALWAYS_EAGER so tasks run in-process.
The beat schedule lives in one place: CELERY_BEAT_SCHEDULE below.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("mallard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job; each is also a manage.py command of the same name (docs/jobs.md).
app.conf.beat_schedule = {}
