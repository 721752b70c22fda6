"""A learner's tutor chats are in their data export and go with their account."""

import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.services import erase_user, export_user_data
from tutor import services
from tutor.models import TutorMessage, TutorSession

pytestmark = pytest.mark.django_db


def _chat(user, lesson3, fake_llm):
    session = services.start_session(user=user, lesson_slug=lesson3.lesson.slug, now=timezone.now())
    fake_llm.reply_text("Gato means cat.", prompt_tokens=40, completion_tokens=5)
    services.ask_tutor(user=user, session_id=session.pk, content="What is gato?", now=timezone.now())
    return session


def test_the_export_holds_the_whole_conversation(user, lesson3, fake_llm, tmp_path):
    session = _chat(user, lesson3, fake_llm)

    data = export_user_data(user=user)["data"]

    assert [row["id"] for row in data["tutor.tutorsession"]] == [session.pk]
    assert data["tutor.tutorsession"][0]["lesson"] == lesson3.lesson.pk
    messages = [(m["ordinal"], m["sender"], m["content"], m["completion_tokens"]) for m in data["tutor.tutormessage"]]
    assert messages[1:] == [(2, "learner", "What is gato?", 0), (3, "tutor", "Gato means cat.", 5)]
    assert messages[0][1] == "system"
    # The command writes the same.
    call_command("export_user", user.email, "--output", str(tmp_path / "me.json"))
    exported = json.loads((tmp_path / "me.json").read_text())
    assert len(exported["data"]["tutor.tutormessage"]) == 3


def test_erasing_the_account_deletes_the_conversation_and_no_one_elses(user, other_user, lesson3, fake_llm):
    _chat(user, lesson3, fake_llm)
    kept = _chat(other_user, lesson3, fake_llm)

    counts = erase_user(user=user)

    assert counts["tutor.TutorSession"] == 1 and counts["tutor.TutorMessage"] == 3
    assert list(TutorSession.objects.values_list("pk", flat=True)) == [kept.pk]
    assert TutorMessage.objects.filter(session=kept).count() == 3
