"""One error shape for the whole API (docs/api.md "Errors").

Every error response of ``/api/v1/`` is::

    {"error": "<code>", "detail": "<human message>", "fields": {"<field>": ["<message>", ...]}}

``error`` is a stable machine-readable code, ``detail`` a sentence to show, ``fields`` the input
fields at fault (an empty object when no single field is). The handler maps DRF's exceptions
(validation, authentication, not found, throttling …), Django's ``Http404`` and
``ValidationError`` and the services' ``ServiceError`` subclasses (their ``code``, ``status`` and
``field``) onto it. The serializers here describe it in the OpenAPI schema.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ServiceError

from .parsers import RequestTooLarge

#: DRF exception class → our code (more specific classes first).
_DRF_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (RequestTooLarge, "request_too_large"),
    (exceptions.ValidationError, "invalid"),
    (exceptions.ParseError, "malformed_request"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]

NON_FIELD = "non_field_errors"


def error_body(code: str, detail: "str | Promise", fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": code, "detail": str(detail), "fields": fields or {}}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → ``{"a.b.0": ["message", ...]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out.setdefault(prefix or NON_FIELD, []).extend(str(item) for item in detail)
        else:
            for i, item in enumerate(detail):
                name = f"{prefix}.{i}" if prefix else str(i)
                for k, v in _flatten(item, name).items():
                    out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix or NON_FIELD, []).append(str(detail))
    return out


def _validation_detail(fields: dict[str, list[str]]) -> str:
    if len(fields) == 1:
        name, messages = next(iter(fields.items()))
        return messages[0] if name == NON_FIELD else f"{name}: {messages[0]}"
    return _("Some fields are invalid.")


def api_exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every handled error in the one shape."""
    if isinstance(exc, ServiceError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(error_body(exc.code, exc.message, fields), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)  # sets WWW-Authenticate, Retry-After …
    if response is None:
        return None  # an unexpected error: Django's 500 handling
    code = next((name for cls, name in _DRF_CODES if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body(code, _validation_detail(fields), fields)
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = error_body(code, detail)
    return response


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
def api_not_found(request, *args, **kwargs):
    """Any unknown URL under /api/: a 404 in the API's error shape (not Django's HTML page)."""
    return Response(error_body("not_found", _("No such API endpoint.")), status=status.HTTP_404_NOT_FOUND)


# --- Schema ------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    error = serializers.CharField(help_text="Stable machine-readable code, e.g. `out_of_hearts`, `invalid`.")
    detail = serializers.CharField(help_text="A human-readable message.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field at fault (`non_field_errors` for the request as a whole); "
        "an empty object when no field is at fault.",
    )


_DESCRIPTIONS = {
    400: "Invalid input (`invalid`, `malformed_request`, or a service code such as `invalid_answer`).",
    401: "No or bad credentials (`not_authenticated`, `authentication_failed`; on the token endpoint "
    "`invalid_credentials`).",
    403: "Refused (`permission_denied`; on the token endpoint `account_locked`, `email_not_verified`).",
    404: "Unknown — or someone else's — object (`not_found`). Never 403 for another learner's data.",
    409: "The request conflicts with the current state (e.g. `out_of_hearts`, `run_finished`, "
    "`lesson_locked`, `not_enough_gems`, `hearts_full`, `client_id_conflict`).",
    429: "Too many requests (`throttled`); see the `Retry-After` header.",
    503: "The language model is not configured (`llm_not_configured`) or could not answer (`llm_error` …).",
}


def error_responses(*statuses: int, auth: bool = True) -> dict[int, OpenApiResponse]:
    """``responses=`` entries for the error statuses an operation can return (401/403 when ``auth``)."""
    wanted = set(statuses) | ({401, 403} if auth else set())
    return {code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]) for code in sorted(wanted)}
