"""django-axes glue: which account a log-in attempt is for.

allauth's log-in form authenticates with ``email=...`` (our ``USERNAME_FIELD``), Django's admin with
``username=...``, and the API with ``email=...``; axes has to key failures on the same, normalised
address whichever way the attempt came in, or a lockout could be dodged by switching forms.
"""

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
