"""Log-in, log-out and failed log-ins in the activity log.

Django announces these with its auth signals (from allauth's pages, admin's log-in and the API's
token endpoint alike): the receivers only hand them to ``activity.record``. A failed log-in is
logged only for an existing account (the address typed is never stored); a failure for an unknown
address writes nothing.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from . import activity
from .lockout import client_username
from .models import User


@receiver(user_logged_in, dispatch_uid="activity_login")
def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    activity.record(user=user, kind=activity.Kind.LOGIN, now=timezone.now(), request=request)


@receiver(user_logged_out, dispatch_uid="activity_logout")
def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.pk is not None:
        activity.record(user=user, kind=activity.Kind.LOGOUT, now=timezone.now(), request=request)


@receiver(user_login_failed, dispatch_uid="activity_login_failed")
def on_login_failed(sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any) -> None:
    address = client_username(request, credentials) if request is not None else None
    if address is None and credentials:
        value = credentials.get("email") or credentials.get("username")
        address = value.strip().lower() if isinstance(value, str) and value.strip() else None
    if not address:
        return
    user_id = User.objects.filter(email__iexact=address).values_list("pk", flat=True).first()
    if user_id is None:
        return  # an unknown address: nothing is tied to anybody
    activity.record(user=user_id, kind=activity.Kind.LOGIN_FAILED, now=timezone.now(), request=request)
