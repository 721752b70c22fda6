from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import StrictCharField, StrictChoiceField, StrictIntegerField

from ..models import Bubble, Level

#: A phase's status as the learner sees it ("waiting": not started yet).
PHASE_STATUSES = ["waiting", "running", "succeeded", "failed", "skipped"]


class BubbleRequestSerializer(serializers.Serializer):
    course = StrictIntegerField(help_text="The course's id (a published course).")
    topic = StrictCharField(max_length=200, help_text="2 to 120 characters; case and spaces do not make it new.")
    level = StrictChoiceField(choices=Level.values)


class BubblePhaseSerializer(serializers.Serializer):
    phase = serializers.CharField()
    status = serializers.ChoiceField(choices=PHASE_STATUSES)
    error = serializers.CharField()


class BubbleSentenceSerializer(serializers.Serializer):
    text = serializers.CharField()
    translation = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    stability = serializers.FloatField(allow_null=True)


class BubbleWordSerializer(serializers.Serializer):
    lemma = serializers.CharField()
    translation = serializers.CharField()
    part_of_speech = serializers.CharField()
    gender = serializers.CharField()
    example = serializers.CharField()
    frequency = serializers.FloatField(allow_null=True)


class BubbleDialogueLineSerializer(serializers.Serializer):
    speaker = serializers.CharField()
    text = serializers.CharField()
    translation = serializers.CharField()


class BubbleSerializer(serializers.ModelSerializer):
    course: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    language: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lesson = serializers.SerializerMethodField(help_text="The private lesson's slug, to start a run (ready only).")
    progress = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()

    class Meta:
        model = Bubble
        fields = [
            "id",
            "course",
            "language",
            "topic",
            "level",
            "status",
            "error",
            "title",
            "summary",
            "lesson",
            "progress",
            "percent",
            "created_at",
            "finished_at",
        ]

    def get_lesson(self, bubble: Bubble) -> str | None:
        return bubble.lesson.slug if bubble.lesson is not None and bubble.status == Bubble.Status.READY else None

    def get_progress(self, bubble: Bubble) -> list[dict]:
        return [BubblePhaseSerializer(p).data for p in self.context["progress"][bubble.pk]]

    def get_percent(self, bubble: Bubble) -> int:
        from ..selectors import percent_done

        return percent_done(self.context["progress"][bubble.pk])


class BubbleDetailSerializer(BubbleSerializer):
    """The content (the study sheet) only once ``study_sheet_open`` (every exercise answered once):
    before that ``sentences``, ``words`` and ``dialogue`` are empty, as they hold the answers."""

    study_sheet_open = serializers.SerializerMethodField(
        help_text="True once you have answered every exercise of the bubble; the content lists are empty before."
    )
    sentences = serializers.SerializerMethodField()
    words = serializers.SerializerMethodField()
    dialogue = serializers.SerializerMethodField()

    class Meta(BubbleSerializer.Meta):
        fields = [*BubbleSerializer.Meta.fields, "study_sheet_open", "sentences", "words", "dialogue"]

    def get_study_sheet_open(self, bubble: Bubble) -> bool:
        return bool(self.context.get("sheet_open"))

    @extend_schema_field(BubbleSentenceSerializer(many=True))
    def get_sentences(self, bubble: Bubble) -> list:
        if not self.context.get("sheet_open"):
            return []
        return list(BubbleSentenceSerializer(bubble.sentences.all(), many=True).data)

    @extend_schema_field(BubbleWordSerializer(many=True))
    def get_words(self, bubble: Bubble) -> list:
        if not self.context.get("sheet_open"):
            return []
        return list(BubbleWordSerializer(bubble.words.all(), many=True).data)

    @extend_schema_field(BubbleDialogueLineSerializer(many=True))
    def get_dialogue(self, bubble: Bubble) -> list:
        if not self.context.get("sheet_open"):
            return []
        return list(BubbleDialogueLineSerializer(bubble.dialogue.all(), many=True).data)
