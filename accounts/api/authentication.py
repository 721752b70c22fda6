"""The API's authentication classes (``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``).

DRF authenticates a request inside the view, after every middleware ran, so a token-authenticated
request would keep the language LocaleMiddleware chose from ``Accept-Language``. This token
authentication also makes the learner's interface language (``User.locale``) the request's: every
``detail`` sentence of the response, and its ``Content-Language``, follow it (docs/i18n.md). A
request without a token, or with a bad one, keeps ``Accept-Language``'s language.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from accounts.locale import activate_user_language
from core.reads import CompiledRead

#: The token's row with its user, built once per process (``core.reads``; DRF builds it per request).
TOKEN_READ = CompiledRead(
    lambda key: Token.objects.select_related("user").filter(key=key), key="stand-in: no token has this key"
)


class LocaleTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, answered in the token owner's interface language."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_user_language(request._request, result[0])
        return result

    def authenticate_credentials(self, key):
        """DRF's check (an unknown key or an inactive user is refused), with the statement built once."""
        found = TOKEN_READ.objects(key=key)
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not found[0].user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (found[0].user, found[0])
