"""Who manages accounts in admin (users, the audit trail, learners' wallets)."""

from .models import User


def is_account_admin(user) -> bool:
    """Superusers and active staff whose role is *admin*."""
    return bool(user.is_active and user.is_staff and (user.is_superuser or user.role == User.Role.ADMIN))
