from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

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
