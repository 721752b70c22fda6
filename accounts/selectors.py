"""Reads for accounts."""

from allauth.account.models import EmailAddress
from django.core.paginator import Page, Paginator

from .models import ActivityEvent, User


def user_by_email(*, email: str) -> User | None:
    """The user whose login address is ``email`` (case-insensitive), or None."""
    return User.objects.filter(email__iexact=(email or "").strip()).first()


def has_verified_email(*, user: User) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


#: Rows per page of "Recent activity".
ACTIVITY_PAGE_SIZE = 25


def _activity_summary(event: ActivityEvent) -> str:
    """A short line about the event's payload for the learner's page (the kind's label says the rest)."""
    data = event.payload if isinstance(event.payload, dict) else {}
    parts: list[str] = []
    if data.get("lesson"):
        parts.append(f"lesson {data['lesson']}")
    elif data.get("run_kind") == "review":
        parts.append("review session")
    if "correct" in data:
        parts.append("right" if data["correct"] else "wrong")
    if data.get("xp"):
        parts.append(f"+{data['xp']} XP")
    if data.get("gems"):
        parts.append(f"{data['gems']} gems")
    if data.get("fields"):
        parts.append(", ".join(str(name).replace("_", " ") for name in data["fields"]))
    if data.get("item"):
        parts.append(str(data["item"]).replace("_", " "))
    if data.get("report_kind"):
        parts.append(str(data["report_kind"]).replace("_", " "))
    return " · ".join(parts)


def recent_activity(*, user: User, page: int | str | None = 1) -> Page:
    """The learner's own activity, newest first, ``ACTIVITY_PAGE_SIZE`` a page (an out-of-range or
    malformed page number gives the nearest page). Two queries: the count and the page."""
    events = ActivityEvent.objects.filter(user=user).order_by("-created_at", "-id")
    result = Paginator(events, ACTIVITY_PAGE_SIZE).get_page(page)
    for event in result.object_list:
        setattr(event, "summary", _activity_summary(event))  # noqa: B010  (for the template)
    return result
