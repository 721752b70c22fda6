"""The bubbles API (docs/api.md, "Bubbles"): list and request, one bubble, retry.

No language model configured → 503 ``llm_not_configured``. Someone else's bubble → 404.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import error_responses
from core.llm.client import LLMNotConfigured
from core.llm.config import is_configured

from .. import selectors, services, tasks
from ..models import Bubble
from .serializers import BubbleDetailSerializer, BubbleRequestSerializer, BubbleSerializer

BUBBLE_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The bubble's id (yours only).", required=True
)


def _require_model() -> None:
    if not is_configured():
        raise LLMNotConfigured()


def _detail(bubble, user) -> dict:
    progress = {bubble.pk: selectors.phase_progress(bubble=bubble)}
    sheet_open = bubble.status == Bubble.Status.READY and selectors.study_sheet_open(user=user, bubble=bubble)
    return BubbleDetailSerializer(bubble, context={"progress": progress, "sheet_open": sheet_open}).data


@extend_schema(tags=["bubbles"])
class BubbleListView(APIView):
    @extend_schema(
        summary="Your bubbles, newest first",
        responses={200: BubbleSerializer(many=True), **error_responses(503)},
    )
    def get(self, request):
        _require_model()
        bubbles = list(selectors.bubbles_of(user=request.user))
        progress = {b.pk: selectors.phase_progress(bubble=b) for b in bubbles}
        return Response(BubbleSerializer(bubbles, many=True, context={"progress": progress}).data)

    @extend_schema(
        summary="Ask for a bubble on a topic",
        description="Generation starts at once (status `pending`, then `running`, `ready` or `failed`); poll the "
        "bubble. The same topic in the same language (case and spaces aside) → 409 `duplicate_bubble`; over the "
        "daily limit → 429 `bubble_daily_limit`.",
        request=BubbleRequestSerializer,
        responses={201: BubbleDetailSerializer, **error_responses(400, 404, 409, 429, 503)},
    )
    def post(self, request):
        _require_model()
        serializer = BubbleRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        bubble = services.request_bubble(
            user=request.user, course=data["course"], topic=data["topic"], level=data["level"], now=timezone.now()
        )
        tasks.enqueue(bubble.pk)
        bubble = selectors.own_bubble(user=request.user, bubble_id=bubble.pk)
        return Response(_detail(bubble, request.user), status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["bubbles"],
    summary="One of your bubbles: status, each phase's progress, and its content",
    parameters=[BUBBLE_ID],
    responses={200: BubbleDetailSerializer, **error_responses(404, 503)},
)
class BubbleDetailView(APIView):
    def get(self, request, id: str):
        _require_model()
        bubble = selectors.own_bubble(user=request.user, bubble_id=id)
        return Response(_detail(bubble, request.user))


@extend_schema(
    tags=["bubbles"],
    summary="Retry a failed bubble from its failed phase",
    description="The phases that succeeded are kept. Not failed → 409 `bubble_not_retryable`.",
    parameters=[BUBBLE_ID],
    request=None,
    responses={200: BubbleDetailSerializer, **error_responses(404, 409, 503)},
)
class BubbleRetryView(APIView):
    def post(self, request, id: str):
        _require_model()
        bubble = selectors.own_bubble(user=request.user, bubble_id=id)
        services.retry_bubble(user=request.user, bubble_id=bubble.pk)
        tasks.enqueue(bubble.pk)
        return Response(_detail(selectors.own_bubble(user=request.user, bubble_id=bubble.pk), request.user))
