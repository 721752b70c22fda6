from django.apps import AppConfig


class BubblesConfig(AppConfig):
    name = "bubbles"
    verbose_name = "Bubbles (generated practice)"
    default_auto_field = "django.db.models.BigAutoField"
