"""Token log-in and the learner's settings."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from core.api.errors import error_body, error_responses
from core.api.throttling import ScopedRateThrottle

from .serializers import SettingsSerializer, TokenRequestSerializer, TokenSerializer

#: accounts.services exception → (HTTP status, error code)
_REFUSALS = {
    services.InvalidCredentials: (status.HTTP_401_UNAUTHORIZED, "invalid_credentials"),
    services.AccountLockedOut: (status.HTTP_403_FORBIDDEN, "account_locked"),
    services.EmailNotVerified: (status.HTTP_403_FORBIDDEN, "email_not_verified"),
}


@extend_schema(
    tags=["auth"],
    summary="Exchange e-mail and password for an API token",
    description="Counts towards the same django-axes lockout as the log-in page: once locked, even the "
    "right password is refused (`account_locked`) until the cool-off ends. Throttled (scope `auth`).",
    request=TokenRequestSerializer,
    responses={200: TokenSerializer, **error_responses(400, 401, 403, 429, auth=False)},
    auth=[],
)
class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.authenticate_with_lockout(
                request=request, email=data.validated_data["email"], password=data.validated_data["password"]
            )
        except services.AuthenticationRefused as exc:
            status_code, code = _REFUSALS.get(type(exc), (status.HTTP_401_UNAUTHORIZED, "invalid_credentials"))
            # We answer the lockout ourselves, in the API's shape: keep axes' middleware from
            # replacing this response with its HTML lockout page.
            request._request.axes_locked_out = False
            headers = {"WWW-Authenticate": 'Token realm="api"'} if status_code == 401 else None
            return Response(error_body(code, str(exc)), status=status_code, headers=headers)
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key}).data)


@extend_schema(tags=["me"])
class SettingsView(APIView):
    @extend_schema(summary="Your settings", responses={200: SettingsSerializer, **error_responses()})
    def get(self, request):
        return Response(SettingsSerializer(request.user).data)

    @extend_schema(
        summary="Change some of your settings",
        request=SettingsSerializer,
        responses={200: SettingsSerializer, **error_responses(400)},
    )
    def patch(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("Send a JSON object of settings.")]})
        unknown = sorted(set(request.data) - set(SettingsSerializer.Meta.fields))
        if unknown:
            raise ValidationError(
                {name: [_("This setting does not exist or cannot be changed here.")] for name in unknown}
            )
        data = SettingsSerializer(request.user, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.update_settings(user=request.user, **data.validated_data)
        return Response(SettingsSerializer(user).data)
