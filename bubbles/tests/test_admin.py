"""Admin: generation records filterable by status, model and cost with totals per day; promotion of a
bubble into its course as a draft lesson; an explanation when no language model is configured."""

import pytest
from django.urls import reverse

from bubbles import services
from bubbles.models import Bubble, GenerationRecord
from core.errors import ServiceError
from courses.models import Exercise, Lesson

from .script import script

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(fake_llm, enrolled, make_bubble):
    script(fake_llm)
    return make_bubble(enrolled)


def test_records_are_filtered_by_status_model_and_cost_with_totals_per_day(admin_client, ready, settings):
    records = reverse("admin:bubbles_generationrecord_changelist")
    page = admin_client.get(records).content.decode()
    assert 'id="totals-per-day"' in page
    assert "<td>6</td><td>500</td><td>250</td>" in page  # 6 records; 5 model calls of 100 + 50 tokens

    failed = admin_client.get(records, {"status__exact": "failed"})
    assert failed.context["cl"].result_count == 0
    skipped = admin_client.get(records, {"status__exact": "skipped"})
    assert skipped.context["cl"].result_count == 1
    by_model = admin_client.get(records, {"model": "fake-model"})
    assert by_model.context["cl"].result_count == 5
    GenerationRecord.objects.filter(phase="plan").update(cost="0.02")
    assert admin_client.get(records, {"cost": "high"}).context["cl"].result_count == 1
    assert admin_client.get(records, {"cost": "0"}).context["cl"].result_count == 5


def test_admin_explains_that_no_model_is_configured(admin_client, db, settings):
    settings.LLM_BASE_URL = ""
    page = admin_client.get(reverse("admin:bubbles_generationrecord_changelist"), follow=True).content.decode()
    assert "No language model is configured" in page
    page = admin_client.get(reverse("admin:bubbles_bubble_changelist"), follow=True).content.decode()
    assert "Set LLM_BASE_URL and LLM_MODEL" in page


def test_a_bubble_is_promoted_into_the_course_as_a_draft_lesson(admin_client, ready):
    response = admin_client.post(
        reverse("admin:bubbles_bubble_changelist"),
        {"action": "promote", "_selected_action": [ready.pk]},
        follow=True,
    )
    assert "draft lesson" in response.content.decode()
    lesson = Lesson.objects.exclude(pk=ready.lesson_id).filter(title="Un café en Madrid").get()
    assert not lesson.is_published and lesson.owner is None
    assert not lesson.unit.section.private
    copies = [link.exercise for link in lesson.lesson_exercises.order_by("ordinal")]
    assert [e.type for e in copies] == ["translate", "multiple_choice", "translate"]
    assert all(e.owner is None for e in copies)
    assert sorted(copies[0].tokens.values_list("text", flat=True)) == ["café", "querer"]
    # The learner's private lesson is untouched.
    assert Exercise.objects.filter(owner=ready.user).count() == 3


def test_only_a_ready_bubble_can_be_promoted(fake_llm, enrolled, make_bubble):
    bubble = make_bubble(enrolled, generate=False)
    assert bubble.status == Bubble.Status.PENDING
    with pytest.raises(ServiceError, match="Only a ready bubble"):
        services.promote_bubble(bubble=bubble)
