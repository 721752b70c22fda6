"""Every error under ``/api/`` in the API's JSON error shape — also those DRF never sees.

DRF's exception handler (``core.api.errors``) shapes the errors a view raises on purpose. Others
reach Django's own handling and would answer an HTML page: an unexpected exception (a bug, bad data),
the database going away mid-request, a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` read by Django
itself. This middleware (first in ``MIDDLEWARE``) answers those in the one shape:

- a view's unexpected exception: 503 ``service_unavailable`` for a database error (the connection
  was lost: the transaction was rolled back, nothing is half-written; retrying is safe), 413
  ``request_too_large`` for an oversized body, otherwise 500 ``server_error`` — logged on
  ``django.request`` with its traceback, exactly as Django logs a 500;
- any other non-JSON error response under ``/api/`` (raised before or after the view, e.g. by a
  middleware) keeps its status and gets a JSON body.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import Error as DatabaseError
from django.http import JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import API_PREFIX
from .errors import error_body

logger = logging.getLogger("django.request")

_GENERIC = {
    400: ("bad_request", _("The request could not be understood.")),
    403: ("permission_denied", _("You do not have permission to perform this action.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("Method not allowed.")),
    413: ("request_too_large", _("The request body is too large.")),
    500: ("server_error", _("Something went wrong on our side. It has been logged; please try again later.")),
    503: ("service_unavailable", _("The service is briefly unavailable; nothing was changed. Please try again.")),
}


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error_response(status: int) -> JsonResponse:
    code, detail = _GENERIC.get(status) or (
        ("server_error", _GENERIC[500][1]) if status >= 500 else ("error", gettext("The request failed."))
    )
    return JsonResponse(error_body(code, detail), status=status)


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            _is_api(request)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return api_error_response(response.status_code)
        return response

    def process_exception(self, request, exception):
        if not _is_api(request):
            return None
        if isinstance(exception, RequestDataTooBig):
            return api_error_response(413)
        status = 503 if isinstance(exception, DatabaseError) else 500
        logger.error(
            "%s: %s",
            "Service Unavailable" if status == 503 else "Internal Server Error",
            request.path,
            exc_info=exception,
            extra={"status_code": status, "request": request},
        )
        return api_error_response(status)
