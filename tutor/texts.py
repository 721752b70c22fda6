"""What Mallard itself says in a tutor chat — the note that opens it and why a reply failed — put into
words when it is shown, in the reader's interface language (docs/i18n.md, "The tutor's notes").

The rows keep what was written when it happened, in the site's language (``settings.LANGUAGE_CODE``):
the record an operator reads in admin and a data export holds. Pages and the API show the sentence
these functions make from the row's code (``TutorMessage.error_code``) or from the chat's lesson and
exercise, so a learner reads them in their own language, whenever the row was written.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: Why a reply failed, by ``error_code``; any other ``llm_…`` code is "the language model failed".
FAILURES = {
    "llm_timeout": _("The tutor took too long to answer. Your message is saved; send it again in a moment."),
    "llm_rate_limited": _(
        "The tutor is busy right now (the language model asked us to slow down). Your message is saved; "
        "send it again in a moment."
    ),
    "llm_cost_cap_reached": _(
        "The tutor has used up this month's budget and cannot answer until next month. Your message is saved."
    ),
    "llm_not_configured": _("The tutor is not available: no language model is configured. Your message is saved."),
    "interrupted": _(
        "The reply was interrupted before it was finished. Your message is saved; send it again if you like."
    ),
    "error": _("The tutor could not answer (an unexpected error). Your message is saved; send it again in a moment."),
}
MODEL_FAILED = _(
    "The tutor could not answer (the language model failed). Your message is saved; send it again in a moment."
)


def failure_sentence(code: str) -> str:
    """Why a reply with this ``error_code`` failed, for the learner, in the active language."""
    if code in FAILURES:
        return str(FAILURES[code])
    return str(MODEL_FAILED if code.startswith("llm_") else FAILURES["error"])


def opening_note(*, lesson_title: str, exercise_prompt: str = "") -> str:
    """The note that opens a chat: what it is about and what the tutor will and will not do."""
    if exercise_prompt:
        about = gettext("Ask the tutor about the lesson “%(lesson)s” and the exercise “%(exercise)s”.") % {
            "lesson": lesson_title,
            "exercise": exercise_prompt,
        }
    else:
        about = gettext("Ask the tutor about the lesson “%(lesson)s”.") % {"lesson": lesson_title}
    promise = gettext(
        "It knows the lesson and your recent mistakes in it, and never gives away an answer you have not given yet."
    )
    return f"{about} {promise}"
