"""Serve asset files from Django's storage with HTTP range requests (RFC 9110 §14).

Django 6.1's FileResponse sets Content-Length, Content-Type and Content-Disposition but ignores
``Range`` (it always answers 200 with the whole file), and browsers need ranges to seek in audio —
Safari refuses to play audio served without them. So this view answers single byte ranges itself:
206 with Content-Range, 416 for a range that starts past the end, and the whole file (200) for no
range, a malformed one, several ranges, or an ``If-Range`` that no longer matches.

Files are immutable (a variant's bytes never change: its URL and its ETag are the SHA-256 of the
content), so they are cached for a year. The URL names the content hash only, so it says nothing
about what the file says or shows (no text, title or original name: a listening exercise's URL must
not give its answer away); the response names no file either. Audio of course content is not secret — a
learner hears it anyway — so no log-in is needed (see docs/media.md).
"""

import re

from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .models import AssetVariant

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024
CACHE_CONTROL = "public, max-age=31536000, immutable"


#: Past any file size: a position written with more digits than this is read as "beyond the end"
#: (so a 5,000-digit number costs nothing and converts to no int).
_MAX_DIGITS = 18
_BEYOND = 10**_MAX_DIGITS


def _position(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else _BEYOND


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """Return (first, last) inclusive for one satisfiable byte range; None to send the whole file
    (no header, malformed, or several ranges); "unsatisfiable" for a 416. Positions of any length
    are accepted; one past every file size counts as "beyond the end"."""
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match:
        return None  # malformed or multi-range: the whole file is a valid answer
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = _position(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = _position(first)
    if last and _position(last) < start:
        return None  # invalid range: ignore it
    if start >= size:
        return "unsatisfiable"
    end = _position(last) if last else size - 1
    return start, min(end, size - 1)


@require_safe
def serve_variant(request, checksum: str, extension: str):
    try:
        variant = AssetVariant.objects.only("file", "format", "size_bytes", "checksum_sha256").get(
            checksum_sha256=checksum, format=extension
        )
    except AssetVariant.DoesNotExist:
        raise Http404(_("No such media file.")) from None
    etag = f'"{variant.checksum_sha256}"'
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and (etag in parse_etags(if_none_match) or if_none_match.strip() == "*"):
        response = HttpResponseNotModified()
        _common_headers(response, etag)
        return response

    storage = variant.file.storage
    try:
        size = storage.size(variant.file.name)
    except (FileNotFoundError, OSError):
        raise Http404(_("The media file is missing from storage.")) from None

    byte_range = parse_range(request.headers.get("Range"), size)
    if_range = request.headers.get("If-Range")
    if byte_range is not None and if_range and if_range.strip() != etag:
        byte_range = None  # the client's copy is of another version: send it the whole file

    if byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        _common_headers(response, etag)
        return response

    fh = storage.open(variant.file.name, "rb")
    if byte_range is None:
        response = FileResponse(fh, content_type=variant.mime_type)
        response["Content-Length"] = str(size)
    else:
        first, last = byte_range
        fh.seek(first)
        response = StreamingHttpResponse(_read_slice(fh, last - first + 1), status=206, content_type=variant.mime_type)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Content-Disposition"] = "inline"  # no file name: the URL's last part (the hash) serves a download
    _common_headers(response, etag)
    return response


def _read_slice(fh, length: int):
    try:
        while length > 0:
            chunk = fh.read(min(_CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        fh.close()


def _common_headers(response: HttpResponse, etag: str) -> None:
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
