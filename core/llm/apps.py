from django.apps import AppConfig


class LLMConfig(AppConfig):
    """The model provider client; its one table is the usage ledger the monthly cost cap sums."""

    name = "core.llm"
    label = "llm"
    verbose_name = "Language model"
    default_auto_field = "django.db.models.BigAutoField"
