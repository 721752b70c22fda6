"""The read-only admin of JobRun and the daily metrics."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from courses.tests.factories import CourseFactory, ExerciseFactory
from gamification.models import CourseDailyMetric, ExerciseDailyMetric, JobRun

pytestmark = pytest.mark.django_db

T = datetime(2026, 3, 2, 1, 15, tzinfo=UTC)


def test_job_runs_and_metrics_are_listed_with_rates_and_cannot_be_edited(admin_client):
    run = JobRun.objects.create(
        job="decay_tiers", started_at=T, finished_at=T.replace(second=3), as_of=T, rows_changed=42, outcome="ok"
    )
    course = CourseFactory()
    CourseDailyMetric.objects.create(course=course, day=date(2026, 3, 1), answers=8, correct_answers=6)
    ExerciseDailyMetric.objects.create(
        exercise=ExerciseFactory(course=course), day=date(2026, 3, 1), attempts=4, errors=1
    )

    page = admin_client.get(reverse("admin:gamification_jobrun_changelist")).content.decode()
    assert "decay_tiers" in page and "3.0 s" in page
    page = admin_client.get(reverse("admin:gamification_coursedailymetric_changelist")).content.decode()
    assert "75.0%" in page
    page = admin_client.get(reverse("admin:gamification_exercisedailymetric_changelist")).content.decode()
    assert "25.0%" in page

    assert admin_client.get(reverse("admin:gamification_jobrun_add")).status_code == 403
    detail = admin_client.get(reverse("admin:gamification_jobrun_change", args=[run.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert (
        admin_client.post(reverse("admin:gamification_jobrun_delete", args=[run.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert JobRun.objects.filter(pk=run.pk).exists()
