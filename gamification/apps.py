from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = _("Gamification")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # The audit trail (docs/operations.md): achievements and their levels are content authors edit in admin. Wallets
        # are not registered: they change only through the services, and a staff adjustment writes its
        # own entry (gamification.services.adjustments); learners' own writes are not audited.
        auditlog.register(self.get_model("Achievement"))
        auditlog.register(self.get_model("AchievementLevel"))
