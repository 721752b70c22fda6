"""The tutor's own notes — the one that opens a chat, and why a reply failed — are shown in the reader's
interface language, whenever the row was written; the rows keep them in the site's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.tests.api import API, client_for
from tutor.models import TutorMessage
from tutor.texts import failure_sentence

from .test_pages import _open as open_on_page
from .test_pages import _played

pytestmark = pytest.mark.django_db

SESSIONS = f"{API}tutor/sessions/"
NOTE_EN = "Ask the tutor about the lesson “Greetings and cats”."
NOTE_ES = "Pregúntale al tutor sobre la lección «Greetings and cats»."
LATE_EN = "The tutor took too long to answer."
LATE_ES = "El tutor ha tardado demasiado en responder."


def _speaks(user, language):
    user.locale = language
    user.save(update_fields=["locale"])


def test_the_api_shows_a_spanish_learner_the_notes_in_spanish_and_keeps_them_in_english(
    user, lesson3, fake_llm, settings
):
    settings.LLM_TIMEOUT = 0.5
    _speaks(user, "es")
    api = client_for(user)
    opened = api.post(SESSIONS, {"lesson": lesson3.lesson.slug}, format="json").json()
    assert opened["messages"][0]["content"].startswith(NOTE_ES)
    fake_llm.reply_delay()
    body = api.post(f"{SESSIONS}{opened['session']['id']}/messages/", {"content": "¿Hola?"}, format="json").json()
    assert (body["reply"]["error_code"], body["reply"]["error"].startswith(LATE_ES)) == ("llm_timeout", True)
    # The rows keep the site's language (the record admin and an export show) …
    note, reply = TutorMessage.objects.filter(sender__in=["system", "tutor"]).order_by("ordinal")
    assert note.content.startswith(NOTE_EN) and reply.error.startswith(LATE_EN)
    # … and the same rows read in English once the learner switches.
    _speaks(user, "en")
    shown = api.get(f"{SESSIONS}{opened['session']['id']}/").json()["messages"]
    assert shown[0]["content"].startswith(NOTE_EN) and shown[2]["error"].startswith(LATE_EN)


def test_the_chat_page_shows_the_notes_in_the_learners_language(client, learner, lesson3, fake_llm, settings):
    settings.LLM_TIMEOUT = 0.5
    _speaks(learner, "es")
    session = open_on_page(client, lesson3, _played(learner, lesson3), lesson3.cat)
    fake_llm.reply_delay()
    html = client.post(reverse("tutor_send", args=[session.pk]), {"content": "¿Sigues ahí?"}, follow=True)
    page = html.content.decode()
    assert "Pregúntale al tutor sobre la lección «Greetings and cats» y el ejercicio «" in page
    assert 'class="tutor-failed"' in page and LATE_ES in page
    assert NOTE_EN not in page and LATE_EN not in page


@pytest.mark.parametrize(
    ("code", "english"),
    [
        ("llm_timeout", "The tutor took too long to answer."),
        ("llm_bad_response", "The tutor could not answer (the language model failed)."),
        ("llm_some_new_failure", "The tutor could not answer (the language model failed)."),
        ("interrupted", "The reply was interrupted before it was finished."),
        ("error", "The tutor could not answer (an unexpected error)."),
    ],
)
def test_every_failure_code_has_a_sentence_in_both_languages(code, english):
    with translation.override("en"):
        assert failure_sentence(code).startswith(english)
    with translation.override("es"):
        spanish = failure_sentence(code)
    assert spanish and not spanish.startswith(english) and "Tu mensaje" in spanish
