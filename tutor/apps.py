from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TutorConfig(AppConfig):
    """Ask Tutor: a chat with the language model about a lesson (docs/llm.md, "Ask Tutor")."""

    name = "tutor"
    verbose_name = _("Ask Tutor")
