"""The API's JSON parser: bounded in size and nesting before anything is decoded or walked.

Python's ``json`` module recurses once per nesting level, and so do the serializers and the error
handler that walk the result; a body of 10,000 ``[`` raises ``RecursionError`` (a 500) before any
of our code runs. So the body is read up to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (more: 413
``request_too_large``) and its nesting is measured on the raw bytes (strings skipped) before
``json`` sees it: deeper than ``MAX_DEPTH`` is a 400 ``malformed_request``. No request of this API
needs more than a few levels (an answer of pairs is three).
"""

import io
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def nesting_depth(data: bytes, *, stop_at: int) -> int:
    """The deepest nesting of ``[`` / ``{`` in ``data`` outside strings (counting stops past ``stop_at``)."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    if brackets.count(b"[") + brackets.count(b"{") <= stop_at:
        return brackets.count(b"[") + brackets.count(b"{")
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_at:
                    break
        else:
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        data = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise RequestTooLarge(_("The request body is larger than %(limit)s bytes.") % {"limit": f"{limit:,}"})
        if nesting_depth(data, stop_at=MAX_DEPTH) > MAX_DEPTH:
            raise ParseError(_("JSON parse error - nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH})
        try:
            return super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError:  # pragma: no cover - the depth check comes first
            raise ParseError(_("JSON parse error - nested too deep.")) from None
