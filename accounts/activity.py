"""The learner's activity log: one row per thing a learner does (docs/accounts.md, "Activity log").

``record`` (or ``record_all`` for several events of one action) is the one way to write it. Every
caller calls it inside the transaction of the action it records, so the row commits or rolls back
with the action; it costs exactly one INSERT, whatever the number of events.

The client's IP address and user agent come from the request being served: ``ActivityClientMiddleware``
puts them in a context variable for the length of the request, so services deep in the answer path
need no ``request`` argument. A job, a command or a shell has no request: its rows have no IP and no
user agent. ``MALLARD_ACTIVITY_LOG_IP`` says what is kept of the IP address: ``full`` (default),
``truncated`` (IPv4 to its /24, IPv6 to its /48) or ``none``.
"""

import ipaddress
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.inserts import InsertBatch

from .lockout import client_ip
from .models import ActivityEvent, User

Kind = ActivityEvent.Kind

#: The longest user agent kept (the column's length); longer ones are cut.
USER_AGENT_MAX_LENGTH = ActivityEvent._meta.get_field("user_agent").max_length or 255

IP_MODES = ("full", "truncated", "none")


@dataclass(frozen=True)
class Client:
    ip: str | None = None
    user_agent: str = ""


NO_CLIENT = Client()
_client: ContextVar[Client] = ContextVar("mallard_activity_client", default=NO_CLIENT)


def stored_ip(address: str | None, mode: str | None = None) -> str | None:
    """The IP address as the activity log keeps it under ``mode`` (the setting by default):
    ``full`` as given, ``truncated`` with the host part zeroed (IPv4 /24, IPv6 /48), ``none``: None.
    Something that is not an IP address is not kept."""
    mode = mode or settings.MALLARD_ACTIVITY_LOG_IP
    if not address or mode == "none":
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if mode == "truncated":
        prefix = 24 if ip.version == 4 else 48
        return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
    return str(ip)


def client_of(request: HttpRequest) -> Client:
    """The IP address (after our trusted proxies, as the lockout reads it) and user agent of a request."""
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    agent = request.META.get("HTTP_USER_AGENT", "") or ""
    agent = "".join(ch for ch in agent if ch.isprintable())[:USER_AGENT_MAX_LENGTH]
    return Client(ip=stored_ip(client_ip(request)), user_agent=agent)


@contextmanager
def client(value: Client) -> Iterator[None]:
    """Record activity as coming from ``value`` inside the block (the middleware; tests)."""
    token = _client.set(value)
    try:
        yield
    finally:
        _client.reset(token)


class ActivityClientMiddleware:
    """Makes the request's IP address and user agent those of every event recorded while serving it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with client(client_of(request)):
            return self.get_response(request)


def record(
    *,
    user: User | int,
    kind: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> ActivityEvent:
    """Log one event of ``user`` (one INSERT). Call it inside the transaction of the action."""
    return record_all(user=user, events=[(kind, payload)], now=now, request=request)[0]


def record_all(
    *,
    user: User | int,
    events: Sequence[tuple[str, dict[str, Any] | None]],
    now: datetime,
    request: HttpRequest | None = None,
    batch: InsertBatch | None = None,
) -> list[ActivityEvent]:
    """Log several events of one action (an answer that also finishes the lesson) in one INSERT.

    ``request`` gives the client; without it, the request being served (``ActivityClientMiddleware``).
    With ``batch`` the rows join the caller's ``InsertBatch`` (``core.inserts``: written with the
    action's other new rows, in its transaction; a payload may then hold ``IdOf(row)`` at its top
    level, e.g. the answer's attempt in the same batch).
    """
    source = client_of(request) if request is not None else _client.get()
    user_id = user if isinstance(user, int) else user.pk
    rows = [
        ActivityEvent(
            user_id=user_id,
            kind=Kind(kind),
            payload=payload or {},
            ip=source.ip,
            user_agent=source.user_agent,
            created_at=now,
        )
        for kind, payload in events
    ]
    if batch is not None:
        batch.add(*rows)
        return rows
    return ActivityEvent.objects.bulk_create(rows)
