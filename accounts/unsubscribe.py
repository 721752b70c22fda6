"""Unsubscribe links that work without logging in (docs/accounts.md, "E-mails and unsubscribing").

A link carries a token signed with the site's secret key (``django.core.signing``, salted for this use):
the learner's id and the e-mail kind. Anyone holding the link can turn that one kind of e-mail off for
that one learner, and nothing else; a changed character makes the signature fail. Links do not expire
(an old e-mail's link still works), and following one twice is harmless.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError

from .models import User

SALT = "mallard.accounts.unsubscribe"

#: The e-mail kinds a link can turn off, and the setting each one clears.
TOPICS = {
    "streak_reminders": ("notify_streak_reminders", _("streak reminder e-mails")),
    "reengagement": ("notify_reengagement", _("we-miss-you e-mails")),
}


class InvalidUnsubscribeLink(ServiceError):
    code = "invalid_unsubscribe_link"
    status = 400
    default_message = _("This unsubscribe link is not valid. You can turn e-mails off in your settings.")


def unsubscribe_token(*, user: User, topic: str) -> str:
    if topic not in TOPICS:
        raise ValueError(f"unknown e-mail kind {topic!r}")
    return signing.dumps({"u": user.pk, "t": topic}, salt=SALT)


def unsubscribe_url(*, user: User, topic: str) -> str:
    """The absolute link for an e-mail's footer and its ``List-Unsubscribe`` header."""
    path = reverse("unsubscribe", args=[unsubscribe_token(user=user, topic=topic)])
    return settings.SITE_URL.rstrip("/") + path


def read_token(token: str) -> tuple[User, str]:
    """The learner and the e-mail kind of a valid token; InvalidUnsubscribeLink otherwise (tampered,
    unknown kind, or the account no longer exists)."""
    try:
        data = signing.loads(token, salt=SALT)
        user_id, topic = int(data["u"]), str(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidUnsubscribeLink() from None
    user = User.objects.filter(pk=user_id).first()
    if user is None or topic not in TOPICS:
        raise InvalidUnsubscribeLink()
    return user, topic


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off the e-mail kind the token names, for its learner (one UPDATE of that column). Returns
    the learner and the kind's name."""
    user, topic = read_token(token)
    field, label = TOPICS[topic]
    User.objects.filter(pk=user.pk).update(**{field: False})
    return user, str(label)
