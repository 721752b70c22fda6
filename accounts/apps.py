from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import audit

        # The audit trail (docs/operations.md): every change of a user by staff, a command or a job.
        # The password hash is never stored (a change shows as "[hidden]"); log-in times are not changes.
        auditlog.register(
            self.get_model("User"),
            exclude_fields=["last_login"],
            mask_fields=["password"],
            mask_callable=f"{audit.__name__}.hidden",
            m2m_fields={"groups", "user_permissions"},
        )
        # The site's settings kept in the database: groups and their permissions, the site's name and
        # domain, the log-in providers' apps (their secrets are never stored).
        auditlog.register(apps.get_model("auth", "Group"), m2m_fields={"permissions"})
        auditlog.register(apps.get_model("sites", "Site"))
        auditlog.register(
            apps.get_model("socialaccount", "SocialApp"),
            mask_fields=["secret", "key"],
            mask_callable=f"{audit.__name__}.hidden",
            m2m_fields={"sites"},
        )
        from . import auth_events  # noqa: F401  (connects the activity log to Django's auth signals)
