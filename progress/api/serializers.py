"""Serializers of the path, enrolments and the public view of exercises."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import StrictCharField
from courses.api.serializers import CourseSerializer
from progress.models import ProblemReport


class EnrollmentSerializer(serializers.Serializer):
    course = serializers.CharField(source="course.slug", help_text="The course's slug.")
    is_current = serializers.BooleanField()
    enrolled_at = serializers.DateTimeField()


class PathLessonSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    ordinal = serializers.IntegerField()
    kind = serializers.CharField()
    difficulty = serializers.CharField()
    estimated_minutes = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["locked", "open", "passed"])
    tier = serializers.IntegerField(min_value=0, max_value=4)
    tier_label = serializers.CharField()
    passes = serializers.IntegerField()
    is_next = serializers.BooleanField(help_text="The first open lesson not yet passed.")
    tips = serializers.CharField(
        allow_blank=True, help_text="The lesson's tips (the authors' notes before it), plain text; empty when none."
    )


class WordSerializer(serializers.Serializer):
    text = serializers.CharField()
    translation = serializers.CharField()


class PathCheckpointSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="Start a run with POST /api/v1/checkpoints/{slug}/runs/.")
    title = serializers.CharField()
    state = serializers.ChoiceField(
        choices=["locked", "available", "cooling_down", "passed"],
        help_text="`locked` until you reach the unit or section it tests; `cooling_down` until `retry_at` after "
        "a failed run; `passed` once passed (it may be taken again).",
    )
    retry_at = serializers.DateTimeField(allow_null=True, help_text="When a failed checkpoint may be taken again.")
    pass_percent = serializers.IntegerField(help_text="Items right at the first try needed to pass, in %.")
    time_limit_sec = serializers.IntegerField(allow_null=True, help_text="Null: no time limit.")
    items = serializers.IntegerField(help_text="How many items a run serves (at most).")


class PathUnitSerializer(serializers.Serializer):
    slug = serializers.CharField()
    ordinal = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    icon = serializers.CharField()
    color = serializers.CharField()
    lessons = PathLessonSerializer(many=True)
    words = WordSerializer(many=True, source="tokens", help_text="The words the unit teaches.")
    checkpoint = PathCheckpointSerializer(allow_null=True, help_text="The checkpoint ending the unit, if any.")
    jump = PathCheckpointSerializer(
        allow_null=True,
        help_text="Jump here: the checkpoint just before this unit, when you have not reached the unit and can "
        "take that checkpoint now (passing it passes what it tests and opens this unit); else null.",
    )


class PathSectionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    ordinal = serializers.IntegerField()
    title = serializers.CharField()
    cefr_level = serializers.CharField()
    units = PathUnitSerializer(many=True)
    checkpoint = PathCheckpointSerializer(allow_null=True, help_text="The checkpoint ending the section, if any.")


class CoursePathSerializer(serializers.Serializer):
    course = CourseSerializer()
    sections = PathSectionSerializer(many=True)
    next_lesson = serializers.SerializerMethodField()
    lessons_total = serializers.IntegerField()
    lessons_passed = serializers.IntegerField()
    completion_pct = serializers.IntegerField(min_value=0, max_value=100)
    tokens_total = serializers.IntegerField()
    tokens_mastered = serializers.IntegerField()
    mastery_pct = serializers.IntegerField(
        min_value=0, max_value=100, help_text="Mastered words (stability ≥ 21 days) / the course's words, floored."
    )
    words_due = serializers.IntegerField(help_text="The caller's words of this course due for review now.")
    xp_earned = serializers.SerializerMethodField()
    seconds_spent = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(min_value=0, help_text="XP the caller earned in this course."))
    def get_xp_earned(self, path) -> int:
        return self.context["figures"].xp_earned

    @extend_schema_field(
        serializers.IntegerField(
            min_value=0,
            help_text="Seconds the caller spent answering in this course (each answer counts at most 300).",
        )
    )
    def get_seconds_spent(self, path) -> int:
        return self.context["figures"].seconds_spent

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Slug of the lesson to do next."))
    def get_next_lesson(self, path) -> str | None:
        return path.next_lesson.slug if path.next_lesson else None


class AudioSourceSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Site-relative URL.")
    type = serializers.CharField(help_text="MIME type for a <source> element.")
    format = serializers.CharField()
    quality = serializers.CharField()


class AudioSerializer(serializers.Serializer):
    duration_ms = serializers.IntegerField(allow_null=True)
    sources = AudioSourceSerializer(many=True, help_text="Best fit for the learner's audio quality first.")
    slow_sources = AudioSourceSerializer(many=True)


PUBLIC_PAYLOAD_HELP = (
    "What the learner sees before answering, by type (docs/exercise-types.md) — never a solution: "
    "translate {text, direction}; multiple_choice {question, choices}; fill_blank {text, before, after, "
    "choices?}; word_bank {text, tiles}; match_pairs {left, right}; listen {} (the audio is the question); "
    "speak {text}; picture {question, choices: [{emoji} or {asset, url}, plus label unless hide_labels], hide_labels}."
)


@extend_schema_field({"type": "object", "additionalProperties": True, "description": PUBLIC_PAYLOAD_HELP})
class PublicPayloadField(serializers.JSONField):
    pass


class HintSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The word as the prompt shows it.")
    translations = serializers.ListField(child=serializers.CharField(), help_text="Its translations (at most 3).")


class PublicExerciseSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Send it back as `exercise` when answering.")
    type = serializers.CharField()
    prompt = serializers.CharField()
    hint = serializers.CharField()
    public = PublicPayloadField()
    audio = AudioSerializer(allow_null=True)
    hints = HintSerializer(
        many=True,
        allow_null=True,
        help_text="Translate and word-bank exercises: the prompt's words in order, each with its translations "
        "from the course's lexicon (empty for a word it does not know, or whose translation is the answer); "
        "null for other types.",
    )


class LearnerWordSerializer(serializers.Serializer):
    token_id = serializers.IntegerField()
    text = serializers.CharField()
    translation = serializers.CharField()
    strength = serializers.FloatField(
        min_value=0, max_value=1, help_text="Predicted probability of recalling the word now (the memory model)."
    )
    last_practised_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text="When the word is due for review.")
    is_due = serializers.BooleanField()
    is_mastered = serializers.BooleanField(help_text="Stability of at least 21 days.")
    seen_count = serializers.IntegerField()
    stability_days = serializers.FloatField(
        allow_null=True, help_text="Days after the last practice until predicted recall falls to 90%."
    )
    audio = serializers.SerializerMethodField()

    @extend_schema_field(AudioSerializer(allow_null=True))
    def get_audio(self, word) -> dict | None:
        from media_assets.selectors import audio_payload

        if word.audio is None:
            return None
        return audio_payload(asset=word.audio, quality=self.context["audio_quality"])


class CourseWordsSerializer(serializers.Serializer):
    due_count = serializers.IntegerField(help_text="How many of these words are due for review now.")
    mastered_count = serializers.IntegerField()
    words = LearnerWordSerializer(many=True, help_text="Every word of the course the caller has practised.")


class ReportInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=ProblemReport.Kind.choices,
        help_text="answer: my answer should be accepted (the attempt's own answer is attached); "
        "audio: the audio is wrong or missing; other: something else (say what in `message`).",
    )
    message = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=280,
        help_text="Needed for `other`: what is wrong, at most 280 characters.",
    )


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    attempt_id = serializers.IntegerField(allow_null=True)
    exercise_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ProblemReport.Kind.choices)
    answer = serializers.CharField(source="answer_text", help_text="The reported answer (kind `answer`), else empty.")
    message = serializers.CharField()
    status = serializers.ChoiceField(choices=ProblemReport.Status.choices)
    created_at = serializers.DateTimeField()
