"""The audit trail: who changed content, users, wallets and settings, when, from where, old and new values.

Built on django-auditlog (docs/operations.md, "Audit trail"). Registered models (each app registers
its own in ``AppConfig.ready``) get one ``auditlog.LogEntry`` per create, change and delete made with
``save()``/``delete()``, holding the changed fields as ``{field: [old, new]}``. Business actions that
are not one row's ``save()`` — a course import, an export, an erasure, a wallet adjustment, a job run —
write their own entry with ``log_event``.

Who and where are stamped on every entry here, from the *origin* of the change:

- a request to the admin site (``AuditMiddleware``): the staff user (``actor``, ``actor_email``) and
  the client IP (``remote_addr``; the same trusted-proxy rule as the log-in lockout);
- a management command (``AuditedCommand``, or any ``manage.py`` command): ``actor_email`` is
  ``command <name>`` and ``additional_data["host"]`` the machine's host name;
- a job (``acting_as("job <name>")``): likewise ``job <name>`` and the host;
- anything else (a Celery task, a shell script): ``system`` and the host.

Requests outside the admin site are made by learners (pages and the API): the audit trail is switched
off for them, so nothing is added to a learner's answer path; the learner's own actions are not staff
changes.
"""

import contextlib
import socket
import sys
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.core.management.base import BaseCommand
from django.db.models import Model, Q
from django.db.models.signals import pre_save
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .lockout import client_ip

Action = LogEntry.Action

__all__ = ["Action", "AuditMiddleware", "AuditedCommand", "acting_as", "disable_auditlog", "log_event", "subject_data"]

#: The text that replaces a masked value (a password hash) in a change.
HIDDEN = "[hidden]"
#: The text that replaces personal data in the entries about an erased user.
ERASED = "[erased]"


@dataclass(frozen=True)
class Origin:
    """Where the changes of the current context come from: an admin request, or a labelled process."""

    request: HttpRequest | None = None
    label: str = ""
    cid: str = ""


_origin: ContextVar[Origin | None] = ContextVar("mallard_audit_origin", default=None)


def hidden(value: str) -> str:
    """``mask_callable`` of registered models: a masked field's values are never stored."""
    return HIDDEN


@contextlib.contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Attribute every audit entry written inside to ``label`` (``command import_course``,
    ``job close_streaks``) on this host, with one correlation id for the whole run."""
    token = _origin.set(Origin(label=label, cid=f"{label.replace(' ', ':')}:{uuid.uuid4().hex[:12]}"))
    try:
        yield
    finally:
        _origin.reset(token)


class AuditedCommand(BaseCommand):
    """A management command that signs its audit entries as ``command <its name>``."""

    def execute(self, *args, **options):
        name = type(self).__module__.rsplit(".", 1)[-1]
        with acting_as(f"command {name}"):
            return super().execute(*args, **options)


def _fallback_label() -> str:
    """No origin set: ``manage.py <command>`` names the command; anything else is ``system``."""
    if sys.argv and sys.argv[0].endswith("manage.py") and len(sys.argv) > 1:
        return f"command {sys.argv[1]}"
    return "system"


def _stamp(sender, instance: LogEntry, **kwargs) -> None:
    """pre_save of LogEntry: fill in who and where from the current origin (never overwrites)."""
    if instance.pk is not None:
        return
    origin = _origin.get()
    extra = dict(instance.additional_data or {})
    if origin is not None and origin.request is not None:
        request = origin.request
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and instance.actor_id is None:
            instance.actor = user
            instance.actor_email = user.email
        if instance.remote_addr is None:
            instance.remote_addr = client_ip(request)
        extra.setdefault("via", "admin")
    else:
        if not instance.actor_email:
            instance.actor_email = origin.label if origin is not None else _fallback_label()
        extra.setdefault("host", socket.gethostname())
        if origin is not None and not instance.cid:
            instance.cid = origin.cid
    instance.additional_data = extra


pre_save.connect(_stamp, sender=LogEntry, dispatch_uid="mallard_audit_stamp")


class AuditMiddleware:
    """Admin requests: their changes are the staff user's, from the client's IP. Every other request
    (learner pages, the API) writes no audit entry at all, and costs nothing: the user is only loaded
    when an entry is actually written."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            admin_prefix: str | None = reverse("admin:index", urlconf=getattr(request, "urlconf", None))
        except NoReverseMatch:  # a URL configuration without the admin site
            admin_prefix = None
        if admin_prefix is None or not request.path.startswith(admin_prefix):
            with disable_auditlog():
                return self.get_response(request)
        token = _origin.set(Origin(request=request, cid=uuid.uuid4().hex))
        try:
            return self.get_response(request)
        finally:
            _origin.reset(token)


def log_event(
    *,
    obj: Model,
    action: int,
    changes: dict[str, list[Any]] | None = None,
    data: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> LogEntry:
    """Write one audit entry about ``obj`` for a business action (import, export, adjustment …):
    ``changes`` as ``{field: [old, new]}``, ``data`` (JSON) for the rest. Who and where are stamped
    from the current origin. One INSERT (plus the content type, cached after its first use)."""
    kwargs: dict[str, Any] = {"action": action, "changes": changes or {}, "additional_data": data or {}}
    if object_repr is not None:
        kwargs["object_repr"] = object_repr
    return LogEntry.objects.log_create(obj, force_log=True, **kwargs)


def subject_data(user_id: int) -> dict[str, int]:
    """``additional_data`` that names the learner an entry is about, so erasure can find it."""
    return {"subject_user_id": user_id}


def anonymise_trail(*, user_id: int, content_type_id: int) -> int:
    """Keep the erased user's audit entries but strip their personal data (docs/operations.md):

    - entries about them (the user row, or rows naming them in ``subject_user_id``): the object's
      text becomes ``erased user #<id>``, every recorded value ``[erased]``;
    - entries they made as staff: the e-mail address and IP go (``actor`` is set to NULL by the
      database when the user row goes); the action, time and values stay.

    Returns the number of entries changed. Writes with UPDATE (the trail is never edited otherwise).
    """
    about = LogEntry.objects.filter(
        Q(content_type_id=content_type_id, object_id=user_id) | Q(additional_data__subject_user_id=user_id)
    )
    changed = 0
    for entry in about.only("pk", "changes"):
        erased = {field: [ERASED, ERASED] for field in (entry.changes or {})} if isinstance(entry.changes, dict) else {}
        changed += LogEntry.objects.filter(pk=entry.pk).update(
            object_repr=f"erased user #{user_id}", changes=erased, serialized_data=None, changes_text=""
        )
    changed += LogEntry.objects.filter(actor_id=user_id).update(actor_email=f"erased user #{user_id}", remote_addr=None)
    return changed
