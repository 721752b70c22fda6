"""Service errors on pages, mapped in one place (the API's counterpart is ``core.api.errors``).

``@service_errors(...)`` wraps a page view: a ``NotFound`` from a service is a 404 page; an error
class named in ``on`` goes to its handler; any other ``ServiceError`` becomes an error message on
the page ``back`` names. Nothing else is caught, so a bug is still a 500.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.errors import NotFound, ServiceError

#: A handler of one error class: ``(request, error, **view_kwargs) -> response``.
ErrorHandler = Callable[..., HttpResponse]


def service_errors(
    back: str | Callable[..., str] | None = None,
    *,
    on: dict[type[ServiceError], ErrorHandler] | None = None,
):
    """``back``: where another service error's message is shown — a URL or URL name for
    ``redirect``, or a callable ``(request, **view_kwargs)`` returning one; ``None`` lets the error
    propagate. ``on``: handlers for particular error classes, the first matching one wins."""
    handlers = on or {}

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(str(exc)) from exc
            except ServiceError as exc:
                for error_class, handler in handlers.items():
                    if isinstance(exc, error_class):
                        return handler(request, exc, **kwargs)
                if back is None:
                    raise
                messages.error(request, str(exc))
                return redirect(back(request, **kwargs) if callable(back) else back)

        return wrapper

    return decorator
