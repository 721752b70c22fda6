from django.http import HttpRequest

from core.llm.config import is_configured


def bubbles(request: HttpRequest) -> dict[str, bool]:
    """``bubbles_enabled``: whether the Bubbles link is shown (a language model is configured)."""
    return {"bubbles_enabled": is_configured()}
