"""The tutor's reads for pages and the API. Fixed query counts, whatever the number of messages."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import NotFound

from .models import TutorMessage, TutorSession


def sessions_of(*, user: User) -> QuerySet[TutorSession]:
    """The learner's chats, the most recently used first, with their lesson, course and number of
    messages the learner wrote. One query (paginated by the caller)."""
    return (
        TutorSession.objects.filter(user=user)
        .select_related("lesson__unit__section__course")
        .annotate(learner_messages=Count("messages", filter=Q(messages__sender=TutorMessage.Sender.LEARNER)))
        .order_by("-updated_at", "-pk")
    )


@dataclass
class Conversation:
    session: TutorSession
    messages: list[TutorMessage]


def _session_id(session_id: object) -> int:
    try:
        return int(str(session_id))
    except (TypeError, ValueError):
        raise NotFound(_("No such tutor chat.")) from None


def conversation(*, user: User, session_id: object) -> Conversation:
    """One of the learner's chats and all its messages in order. Two queries. Someone else's or an
    unknown chat → ``NotFound``."""
    session = (
        TutorSession.objects.select_related("lesson__unit__section__course", "run", "exercise")
        .filter(pk=_session_id(session_id), user=user)
        .first()
    )
    if session is None:
        raise NotFound(_("No such tutor chat."))
    return Conversation(session=session, messages=list(session.messages.order_by("ordinal")))
