"""Who does what in admin, by role (docs/accounts.md, "Roles").

- *admin* (and superusers): manage users, the audit trail, learners' wallets — and everything a
  moderator does.
- *moderator*: the report queue (learners' problem reports: reject, resolve) and learner support
  (look a learner up: their account read-only, their activity log, their wallet read-only).

A role counts only for active staff: the role of an account without "Staff status" grants nothing.
Content editors are a group (``Content editor``), not a role: authoring is permissions on models.
"""

from .models import User


def is_account_admin(user) -> bool:
    """Superusers and active staff whose role is *admin*."""
    return bool(user.is_active and user.is_staff and (user.is_superuser or user.role == User.Role.ADMIN))


def is_moderator(user) -> bool:
    """Active staff whose role is *moderator* or *admin*, and superusers."""
    return bool(
        user.is_active and user.is_staff and (user.is_superuser or user.role in (User.Role.MODERATOR, User.Role.ADMIN))
    )
