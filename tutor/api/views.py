"""The tutor's API (docs/api.md, "Tutor"): your chats, one chat with its messages, send a message.

Thin views over ``tutor.services`` and ``tutor.selectors``. Another learner's chat is a 404. The
API waits for the whole reply; streaming is for the chat page only (``tutor.views``).
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import ErrorSerializer, error_responses
from core.api.pagination import StrictPageNumberPagination

from .. import selectors, services
from .serializers import (
    ConversationSerializer,
    ExchangeSerializer,
    MessageInputSerializer,
    SessionListItemSerializer,
    StartSessionSerializer,
)

SESSION_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The chat's id (yours only).", required=True
)
NOT_AVAILABLE = {
    503: OpenApiResponse(
        ErrorSerializer, description="`llm_not_configured`: no language model is configured; nothing was written."
    )
}


def _conversation(request, session_id) -> dict:
    chat = selectors.conversation(user=request.user, session_id=session_id)
    return ConversationSerializer(
        {"session": chat.session, "messages": chat.messages, "available": services.tutor_available()}
    ).data


@extend_schema(tags=["tutor"])
class SessionsView(generics.ListAPIView):
    serializer_class = SessionListItemSerializer
    pagination_class = StrictPageNumberPagination

    def get_queryset(self):
        return selectors.sessions_of(user=self.request.user)

    @extend_schema(
        summary="Your tutor chats, the most recently used first",
        responses={200: SessionListItemSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Open (or reopen) a chat about a lesson",
        description="The same lesson, run and exercise again returns the same chat. A chat opened from a run "
        "lets the tutor see the solutions of the exercises you have answered, never of one you have not.",
        request=StartSessionSerializer,
        responses={201: ConversationSerializer, **error_responses(400, 404), **NOT_AVAILABLE},
    )
    def post(self, request):
        body = StartSessionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session = services.start_session(
            user=request.user,
            lesson_slug=body.validated_data["lesson"],
            run_id=body.validated_data["run"],
            exercise_id=body.validated_data["exercise"],
            now=timezone.now(),
        )
        return Response(_conversation(request, session.pk), status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["tutor"],
    summary="One of your chats, with every message in order",
    parameters=[SESSION_ID],
    responses={200: ConversationSerializer, **error_responses(404)},
)
class SessionDetailView(APIView):
    def get(self, request, id: str):
        return Response(_conversation(request, id))


@extend_schema(
    tags=["tutor"],
    summary="Send the tutor a message and wait for the whole reply",
    description="Your message is stored, then the tutor's reply. When the language model fails (timeout, "
    "rate limit, error, this month's cost cap), your message is kept and the reply comes back with "
    "`status: failed` and an `error` to show — still a 201. Limits: `content` is 1 to "
    "MALLARD_TUTOR_MAX_MESSAGE_CHARS characters (400); MALLARD_TUTOR_MESSAGES_PER_HOUR and _PER_DAY "
    "messages (429 `tutor_rate_limited`); one reply at a time (409 `tutor_busy`). The reply is not "
    "streamed here; the chat page streams it.",
    parameters=[SESSION_ID],
    request=MessageInputSerializer,
    responses={201: ExchangeSerializer, **error_responses(400, 404, 409, 429), **NOT_AVAILABLE},
)
class MessagesView(APIView):
    def post(self, request, id: str):
        body = MessageInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        exchange = services.ask_tutor(
            user=request.user, session_id=id, content=body.validated_data["content"], now=timezone.now()
        )
        return Response(ExchangeSerializer(exchange).data, status=status.HTTP_201_CREATED)
