"""The tutor's own errors (``core.errors.ServiceError``): pages and the API show them like any other.

The model provider's errors (``core.llm.errors``) never reach the learner as such: a failed reply
is stored with the sentence of ``tutor.services.reply_failure`` instead.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError
from core.llm.errors import LLMNotConfigured


class TutorNotAvailable(LLMNotConfigured):
    """No model is configured (``llm_not_configured``, 503, like every feature built on the model)."""

    default_message = _("The tutor is not available: no language model is configured on this Mallard.")


class InvalidMessage(ServiceError):
    code = "invalid_message"
    status = 400
    default_message = _("Write a message for the tutor.")

    def __init__(self, message: "str | Promise | None" = None):
        super().__init__(message, field="content")


class TutorRateLimited(ServiceError):
    code = "tutor_rate_limited"
    status = 429
    default_message = _("You have sent the tutor many messages; try again later.")


class TutorBusy(ServiceError):
    code = "tutor_busy"
    status = 409
    default_message = _("The tutor is still answering your last message; wait for it before sending another.")


class NotAboutThisLesson(ServiceError):
    code = "not_about_this_lesson"
    status = 400
    default_message = _("That exercise is not part of this lesson.")

    def __init__(self, message: "str | Promise | None" = None):
        super().__init__(message, field="exercise")
