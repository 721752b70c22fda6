"""Enrolment and the learner's path through a course."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import error_responses
from core.api.params import slug_parameter
from courses.api.views import published_course
from progress import selectors, services

from .serializers import (
    CoursePathSerializer,
    CourseWordsSerializer,
    EnrollmentSerializer,
    ReportInputSerializer,
    ReportSerializer,
)


@extend_schema(
    tags=["courses"],
    summary="Enrol in a course (idempotent) and make it the current one",
    parameters=[slug_parameter(description="The course's slug.")],
    request=None,
    responses={200: EnrollmentSerializer, **error_responses(404)},
)
class EnrolView(APIView):
    def post(self, request, slug: str):
        course = published_course(slug)
        enrollment = services.enroll(user=request.user, course=course, now=timezone.now())
        return Response(EnrollmentSerializer(enrollment).data)


@extend_schema(
    tags=["courses"],
    summary="The caller's path through a course: units and lessons with lock state and tier",
    description="With the caller's figures in the course: `xp_earned` and `seconds_spent`.",
    parameters=[slug_parameter(description="The course's slug.")],
    responses={200: CoursePathSerializer, **error_responses(404)},
)
class CoursePathView(APIView):
    def get(self, request, slug: str):
        course = published_course(slug)
        path = selectors.course_path(user=request.user, course=course, now=timezone.now())
        figures = selectors.course_figures(user=request.user, course=course)
        return Response(CoursePathSerializer(path, context={"figures": figures}).data)


@extend_schema(
    tags=["courses"],
    summary="The words of a course the caller has practised, with their strength now and due dates",
    parameters=[
        slug_parameter(description="The course's slug."),
        OpenApiParameter(
            "order",
            str,
            enum=list(selectors.WORD_ORDERS),
            description="recent (last practised first, the default), weakest (lowest strength first) or alphabetical.",
        ),
    ],
    responses={200: CourseWordsSerializer, **error_responses(400, 404)},
)
class CourseWordsView(APIView):
    def get(self, request, slug: str):
        course = published_course(slug)
        order = request.query_params.getlist("order") or ["recent"]
        if len(order) != 1 or order[0] not in selectors.WORD_ORDERS:
            raise ValidationError({"order": [_("One of %(orders)s.") % {"orders": ", ".join(selectors.WORD_ORDERS)}]})
        words = selectors.course_words(user=request.user, course=course, now=timezone.now(), order=order[0])
        context = {"audio_quality": request.user.audio_quality}
        return Response(CourseWordsSerializer(words, context=context).data)


@extend_schema(
    tags=["runs"],
    summary="Report a problem with the exercise of one of your answers",
    description="One report per answer: sending it again (a retry, a double click) returns the first report "
    "with status 200 and writes nothing. Kind `answer` attaches the answer you gave, and only for a wrong "
    "typed answer. At most `MALLARD_REPORTS_PER_HOUR` (default 20) reports an hour, else 429 "
    "`too_many_reports`.",
    parameters=[
        OpenApiParameter("id", int, OpenApiParameter.PATH, description="The answer's `attempt_id` (yours only).")
    ],
    request=ReportInputSerializer,
    responses={201: ReportSerializer, 200: ReportSerializer, **error_responses(400, 404, 429)},
)
class ReportProblemView(APIView):
    def post(self, request, id: str):
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report, created = services.report_problem(
            user=request.user,
            attempt_id=id,
            kind=data.validated_data["kind"],
            message=data.validated_data["message"],
            now=timezone.now(),
        )
        return Response(ReportSerializer(report).data, status=201 if created else 200)
