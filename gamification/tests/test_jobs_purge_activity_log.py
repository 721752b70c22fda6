"""purge_activity applies the activity log's own retention (runs on PostgreSQL, and on SQLite in the
SQLite run like every test_jobs_* module)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import ActivityEvent
from accounts.tests.factories import ActivityEventFactory, UserFactory
from gamification.jobs import run_purge_activity

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 3, 15, tzinfo=UTC)


def test_purge_deletes_activity_older_than_its_retention_in_batches(settings):
    settings.MALLARD_ACTIVITY_LOG_RETENTION_DAYS = 30
    settings.MALLARD_ACTIVITY_RETENTION_DAYS = 365  # the attempts' retention is another setting
    user, other = UserFactory(), UserFactory()
    cutoff = datetime(2026, 5, 2, tzinfo=UTC)  # the UTC midnight 30 days before NOW
    old = [
        ActivityEventFactory(user=u, created_at=cutoff - timedelta(days=d, seconds=1))
        for u in (user, other)
        for d in (0, 10, 200)
    ]
    kept = [
        ActivityEventFactory(user=user, created_at=cutoff),
        ActivityEventFactory(user=other, created_at=NOW - timedelta(minutes=5)),
    ]
    dry = run_purge_activity(now=NOW, dry_run=True)
    assert dry.rows_changed == len(old)
    assert "6 activity-log rows before 2026-05-02" in dry.detail
    assert ActivityEvent.objects.count() == 8

    result = run_purge_activity(now=NOW, batch_size=4)
    assert result.rows_changed == len(old)
    assert "retention 30 days" in result.detail
    assert set(ActivityEvent.objects.values_list("pk", flat=True)) == {e.pk for e in kept}
    assert run_purge_activity(now=NOW).rows_changed == 0  # idempotent


def test_the_activity_retention_defaults_to_the_attempts_retention():
    from django.conf import settings

    assert settings.MALLARD_ACTIVITY_LOG_RETENTION_DAYS == settings.MALLARD_ACTIVITY_RETENTION_DAYS
