"""The tutor admin: read-only for staff, and it says when the tutor is not available."""

import pytest
from django.urls import reverse

from tutor.models import TutorMessage

from .factories import TutorMessageFactory

pytestmark = pytest.mark.django_db


def test_staff_read_chats_and_cannot_change_them(admin_client, tutor_on):
    reply = TutorMessageFactory(reply=True, content="Ser is for identity.")
    session = reply.session
    listing = admin_client.get(reverse("admin:tutor_tutorsession_changelist")).content.decode()
    assert str(session.user) in listing and session.lesson.slug in listing
    detail = admin_client.get(reverse("admin:tutor_tutorsession_change", args=[session.pk]))
    assert detail.status_code == 200 and "Ser is for identity." in detail.content.decode()
    messages = admin_client.get(reverse("admin:tutor_tutormessage_changelist")).content.decode()
    assert "Tutor" in messages and "complete" in messages.lower()
    assert admin_client.get(reverse("admin:tutor_tutorsession_add")).status_code == 403
    assert admin_client.get(reverse("admin:tutor_tutormessage_add")).status_code == 403
    response = admin_client.post(reverse("admin:tutor_tutormessage_delete", args=[reply.pk]), {"post": "yes"})
    assert response.status_code == 403
    response = admin_client.post(
        reverse("admin:tutor_tutormessage_change", args=[reply.pk]), {"content": "Edited", "status": "complete"}
    )
    assert response.status_code == 403
    assert TutorMessage.objects.get(pk=reply.pk).content == "Ser is for identity."


def test_staff_without_the_view_permission_see_nothing(client, tutor_on):
    from accounts.tests.factories import UserFactory

    editor = UserFactory(is_staff=True)
    client.force_login(editor)
    assert client.get(reverse("admin:tutor_tutorsession_changelist")).status_code == 403


def test_the_admin_explains_an_unavailable_tutor(admin_client, settings):
    settings.LLM_BASE_URL = ""
    page = admin_client.get(reverse("admin:tutor_tutorsession_changelist")).content.decode()
    assert "The tutor is not available: no language model is configured" in page
    assert "LLM_BASE_URL" in page
    page = admin_client.get(reverse("admin:tutor_tutormessage_changelist")).content.decode()
    assert "The tutor is not available" in page


def test_a_configured_tutor_is_not_called_unavailable(admin_client, tutor_on):
    page = admin_client.get(reverse("admin:tutor_tutorsession_changelist")).content.decode()
    assert "not available" not in page
