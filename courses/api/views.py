"""The course catalog: published courses only, for everyone alike (authors and staff included)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound

from core.api.errors import error_responses
from core.api.pagination import StrictPageNumberPagination
from core.api.params import is_slug, slug_parameter
from courses.models import Course
from courses.selectors import published_courses

from .serializers import CourseSerializer


def published_course(slug: str) -> Course:
    """The published course with this slug; unknown or unpublished → 404 (the same for staff)."""
    course = published_courses().filter(slug=slug).first() if is_slug(slug) else None
    if course is None:
        raise NotFound(_("No such course."))
    return course


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
