"""``/favicon.ico``: browsers ask for it on pages without a ``<link rel="icon">`` (files, the API's JSON)."""

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Redirect to the static ICO (its hashed name under the manifest storage, so it is cached for good)."""
    return HttpResponseRedirect(static("img/favicon.ico"))
