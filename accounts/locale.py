"""The interface language of a signed-in learner (docs/i18n.md).

LocaleMiddleware picks a visitor's language from the language cookie or Accept-Language; once a
learner is signed in, their ``locale`` setting chooses instead, on every device: for a session
(the pages, the admin) ``UserLocaleMiddleware`` applies it; for an API request with a token, which
DRF authenticates only after the middleware ran, ``accounts.api.authentication`` does.
"""

from django.conf import settings
from django.utils import translation

SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)


def supported_language(code: str | None) -> str | None:
    """``code`` (e.g. "es", "es-MX") as one of settings.LANGUAGES, or None."""
    if not code:
        return None
    code = code.lower()
    if code in SUPPORTED:
        return code
    base = code.split("-")[0].split("_")[0]
    return base if base in SUPPORTED else None


def activate_user_language(request, user) -> None:
    """Make ``user``'s interface language the one of this request (and its ``Content-Language``).

    A signed-in user whose ``locale`` is not one of the interface's languages keeps what
    LocaleMiddleware chose from the request.
    """
    language = supported_language(getattr(user, "locale", None))
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class UserLocaleMiddleware:
    """Activate the signed-in learner's ``locale`` (after AuthenticationMiddleware and LocaleMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_user_language(request, user)
        return self.get_response(request)
