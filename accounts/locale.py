"""The interface language of a signed-in learner (docs/i18n.md).

LocaleMiddleware picks a visitor's language from the language cookie or Accept-Language; once a
learner is signed in, their ``locale`` setting chooses instead, on every device: for a session
(the pages, the admin) ``UserLocaleMiddleware`` applies it; for an API request with a token, which
DRF authenticates only after the middleware ran, ``accounts.api.authentication`` does.

An API request that names a token is that token's learner's, whatever session cookie it also carries
(the token is the API's first authentication class, and a bad token is refused, never passed on to
the session): ``UserLocaleMiddleware`` leaves it alone, so its session is never read.
"""

from django.conf import settings
from django.utils import translation

from core.api import API_PREFIX

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


def names_a_token(request) -> bool:
    """An API request with ``Authorization: Token …``: DRF's token authentication decides its learner
    (``rest_framework.authentication.TokenAuthentication``'s own test of the header's keyword, on the
    header's bytes)."""
    if not request.path_info.startswith(API_PREFIX):
        return False
    words = request.META.get("HTTP_AUTHORIZATION", "").encode("iso-8859-1", "replace").split()
    return bool(words) and words[0].lower() == b"token"


class UserLocaleMiddleware:
    """Activate the signed-in learner's ``locale`` (after AuthenticationMiddleware and LocaleMiddleware);
    a token's API request is left to its authentication (no session read)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = None if names_a_token(request) else getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_user_language(request, user)
        return self.get_response(request)
