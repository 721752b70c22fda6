"""The tutor's API bodies (docs/api.md, "Tutor")."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import StrictCharField, StrictIntegerField
from core.api.params import is_slug

from ..errors import InvalidMessage
from ..models import TutorMessage
from ..services import clean_message

MAX_BIGINT = 2**63 - 1


class StartSessionSerializer(serializers.Serializer):
    lesson = StrictCharField(max_length=64, help_text="The lesson's slug.")
    run = StrictIntegerField(
        min_value=1,
        max_value=MAX_BIGINT,
        required=False,
        allow_null=True,
        default=None,
        help_text="The run (yours) the chat is opened from; its answers decide which solutions the tutor may see.",
    )
    exercise = StrictIntegerField(
        min_value=1,
        max_value=MAX_BIGINT,
        required=False,
        allow_null=True,
        default=None,
        help_text="An exercise of the lesson the chat is about (from its feedback).",
    )

    def validate_lesson(self, value: str) -> str:
        if not is_slug(value):
            raise serializers.ValidationError(_("Not a lesson slug."))
        return value


class MessageInputSerializer(serializers.Serializer):
    content = StrictCharField(
        max_length=settings.MALLARD_TUTOR_MAX_MESSAGE_CHARS,
        trim_whitespace=False,
        help_text="Your message (trimmed; 1 to MALLARD_TUTOR_MAX_MESSAGE_CHARS characters, 1000 by default).",
    )

    def validate_content(self, value: str) -> str:
        try:
            return clean_message(value)
        except InvalidMessage as exc:
            raise serializers.ValidationError(exc.message) from exc


class MessageSerializer(serializers.ModelSerializer):
    sender = serializers.ChoiceField(choices=TutorMessage.Sender.choices)
    status = serializers.ChoiceField(
        choices=TutorMessage.Status.choices,
        help_text="`pending` while the tutor writes, `complete`, or `failed` (see `error`). Only replies fail.",
    )
    content = serializers.CharField(
        source="shown_content", help_text="The message; the note that opens a chat is in your interface language."
    )
    error = serializers.CharField(
        source="shown_error",
        help_text="Why the reply failed, for the learner, in your interface language (empty unless failed).",
    )
    error_code = serializers.CharField(
        help_text="`llm_timeout`, `llm_rate_limited`, `llm_cost_cap_reached`, `llm_bad_response`, `llm_error`, "
        "`interrupted` … (empty unless failed)."
    )

    class Meta:
        model = TutorMessage
        fields = [
            "id",
            "ordinal",
            "sender",
            "status",
            "content",
            "error",
            "error_code",
            "prompt_tokens",
            "completion_tokens",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lesson = serializers.CharField(source="lesson.slug", help_text="The lesson's slug.")
    lesson_title = serializers.CharField(source="lesson.title")
    course = serializers.CharField(source="lesson.unit.section.course.slug", help_text="The course's slug.")
    run = serializers.IntegerField(source="run_id", allow_null=True)
    exercise = serializers.IntegerField(source="exercise_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(help_text="The last message.")


class SessionListItemSerializer(SessionSerializer):
    learner_messages = serializers.IntegerField(help_text="How many messages you wrote in this chat.")


class ConversationSerializer(serializers.Serializer):
    session = SessionSerializer()
    available = serializers.BooleanField(help_text="Whether the tutor can answer now (a model is configured).")
    messages = MessageSerializer(many=True, help_text="Every message, in order.")


class ExchangeSerializer(serializers.Serializer):
    message = MessageSerializer(help_text="Your stored message.")
    reply = MessageSerializer(help_text="The tutor's reply: `complete`, or `failed` with `error`.")
