"""Path and query parameters of the API: checked before any query, refused in the one error shape.

- A slug in a URL path must look like a slug (``PATH_SLUG_PATTERN``); anything else is a 404.
- A query string is validated by a serializer, and each parameter may be given only once.
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound, ValidationError

#: What a slug in a URL path may look like (looser than ``courses.slugs.SLUG_PATTERN``, the pattern
#: content slugs are made with); anything else is a 404 before any query.
PATH_SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,64}$"
_PATH_SLUG = re.compile(PATH_SLUG_PATTERN)


def slug_parameter(name: str = "slug", description: str = "The object's slug.") -> OpenApiParameter:
    return OpenApiParameter(
        name, str, OpenApiParameter.PATH, description=description, pattern=PATH_SLUG_PATTERN, required=True
    )


def is_slug(value: str | None) -> bool:
    return bool(_PATH_SLUG.match(value or ""))


#: ``check_slug``'s 404 sentence per kind of object (whole sentences, for translation).
_NO_SUCH = {
    "object": _("No such object."),
    "lesson": _("No such lesson."),
    "checkpoint": _("No such checkpoint."),
}


def check_slug(slug: str, what: str = "object") -> str:
    """The slug, or a 404 ``No such <what>.`` (``what``: a key of ``_NO_SUCH``) when it cannot be one."""
    if not is_slug(slug):
        raise NotFound(_NO_SUCH.get(what, _NO_SUCH["object"]))
    return slug


def parse_query(request, serializer_class) -> dict:
    """The query string validated by ``serializer_class``; a parameter given twice → 400."""
    for name in serializer_class().fields:
        if len(request.query_params.getlist(name)) > 1:
            raise ValidationError({name: [_("Give %(name)s once.") % {"name": name}]})
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data
