"""Reads for accounts."""

from allauth.account.models import EmailAddress

from .models import User


def user_by_email(*, email: str) -> User | None:
    """The user whose login address is ``email`` (case-insensitive), or None."""
    return User.objects.filter(email__iexact=(email or "").strip()).first()


def has_verified_email(*, user: User) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()
