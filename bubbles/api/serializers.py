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
    sentences = BubbleSentenceSerializer(many=True, read_only=True)
    words = BubbleWordSerializer(many=True, read_only=True)
    dialogue = BubbleDialogueLineSerializer(many=True, read_only=True)

    class Meta(BubbleSerializer.Meta):
        fields = [*BubbleSerializer.Meta.fields, "sentences", "words", "dialogue"]
