"""django-axes glue: which account a log-in attempt is for.

allauth's log-in form authenticates with ``email=...`` (our ``USERNAME_FIELD``), Django's admin with
``username=...``, and the API with ``email=...``; axes has to key failures on the same, normalised
address whichever way the attempt came in, or a lockout could be dodged by switching forms.
"""

from django.conf import settings
from django.http import HttpRequest


def client_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the e-mail address an attempt was made for, lower-cased."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        data = getattr(request, "data", None) or request.POST
        value = data.get("login") or data.get("email") or data.get("username")
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: REMOTE_ADDR, or the client address our own proxies put in X-Forwarded-For.

    Only the last MALLARD_TRUSTED_PROXY_COUNT entries were written by proxies we run; anything to
    their left came from the client and could be forged, so it is never used.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.MALLARD_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-count] if len(forwarded) >= count else remote
