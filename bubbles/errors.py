"""The errors the bubble services raise on purpose (see core/errors.py)."""

from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError


class InvalidTopic(ServiceError):
    code = "invalid_topic"
    default_message = _("Give a topic of 2 to 120 characters.")


class DuplicateBubble(ServiceError):
    code = "duplicate_bubble"
    status = 409
    default_message = _("You already have a bubble on this topic in this language.")

    def __init__(self, message: str | None = None, *, bubble_id: int | None = None):
        super().__init__(message, field="topic")
        self.bubble_id = bubble_id


class DailyLimitReached(ServiceError):
    code = "bubble_daily_limit"
    status = 429
    default_message = _("You have asked for as many bubbles as a day allows; try again tomorrow.")


class NotRetryable(ServiceError):
    code = "bubble_not_retryable"
    status = 409
    default_message = _("Only a failed bubble can be retried.")


class ModerationRefused(Exception):
    """The moderation hook refused generated text (the phase fails with this message)."""
