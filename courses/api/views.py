"""The course catalog: published courses only, for everyone alike (authors and staff included)."""

import re

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound

from config.api_errors import error_responses
from courses.models import Course
from courses.selectors import published_courses

from .pagination import StrictPageNumberPagination
from .serializers import CourseSerializer

#: What a slug in a URL may look like; anything else is a 404 before any query.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,64}$"
_SLUG = re.compile(SLUG_PATTERN)


def slug_parameter(name: str = "slug", description: str = "The object's slug.") -> OpenApiParameter:
    return OpenApiParameter(
        name, str, OpenApiParameter.PATH, description=description, pattern=SLUG_PATTERN, required=True
    )


def published_course(slug: str) -> Course:
    """The published course with this slug; unknown or unpublished → 404 (the same for staff)."""
    course = published_courses().filter(slug=slug).first() if _SLUG.match(slug or "") else None
    if course is None:
        raise NotFound("No such course.")
    return course


def check_slug(slug: str, what: str = "object") -> str:
    if not _SLUG.match(slug or ""):
        raise NotFound(f"No such {what}.")
    return slug


@extend_schema(
    tags=["courses"],
    summary="List the published courses",
    responses={200: CourseSerializer(many=True), **error_responses(404)},
)
class CourseListView(generics.ListAPIView):
    serializer_class = CourseSerializer
    pagination_class = StrictPageNumberPagination

    def get_queryset(self):
        return published_courses()


@extend_schema(
    tags=["courses"],
    summary="One published course",
    parameters=[slug_parameter(description="The course's slug, e.g. `es-en`.")],
    responses={200: CourseSerializer, **error_responses(404)},
)
class CourseDetailView(generics.RetrieveAPIView):
    serializer_class = CourseSerializer

    def get_object(self):
        return published_course(self.kwargs["slug"])
