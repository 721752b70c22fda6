"""The API's authentication classes (``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``).

DRF authenticates a request inside the view, after every middleware ran, so a token-authenticated
request would keep the language LocaleMiddleware chose from ``Accept-Language``. This token
authentication also makes the learner's interface language (``User.locale``) the request's: every
``detail`` sentence of the response, and its ``Content-Language``, follow it (docs/i18n.md). A
request without a token, or with a bad one, keeps ``Accept-Language``'s language.
"""

from rest_framework.authentication import TokenAuthentication

from accounts.locale import activate_user_language


class LocaleTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, answered in the token owner's interface language."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_user_language(request._request, result[0])
        return result
