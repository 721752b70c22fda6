from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LLMConfig(AppConfig):
    """The model provider client; its one table is the usage ledger the monthly cost cap sums."""

    name = "core.llm"
    label = "llm"
    verbose_name = _("Language model")
    default_auto_field = "django.db.models.BigAutoField"
