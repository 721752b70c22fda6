from django.apps import AppConfig


class TutorConfig(AppConfig):
    """Ask Tutor: a chat with the language model about a lesson (docs/llm.md, "Ask Tutor")."""

    name = "tutor"
    verbose_name = "Ask Tutor"
