from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BubblesConfig(AppConfig):
    name = "bubbles"
    verbose_name = _("Bubbles (generated practice)")
    default_auto_field = "django.db.models.BigAutoField"
