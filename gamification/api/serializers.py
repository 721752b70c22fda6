"""Serializers of runs, answers, the learner's profile and wallet."""

from datetime import UTC

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import QueryBooleanField, QueryIntegerField, StrictIntegerField, StrictUUIDField
from courses.api.serializers import CourseSerializer
from progress.api.serializers import PublicExerciseSerializer

MAX_BIGINT = 2**63 - 1
MAX_INT = 2**31 - 1
#: LessonRun.Status values (named RunStatusEnum in the schema: SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
RUN_STATUSES = ["active", "passed", "failed", "abandoned"]
#: LessonRun.Kind values (RunKindEnum in the schema).
RUN_KINDS = ["lesson", "review", "checkpoint"]


class HeartsSerializer(serializers.Serializer):
    hearts = serializers.IntegerField(min_value=0, help_text="Hearts now (regenerated lazily).")
    max = serializers.IntegerField()
    next_heart_at = serializers.DateTimeField(allow_null=True, help_text="When the next heart arrives; null when full.")
    refill_price = serializers.IntegerField(help_text="Gems a refill costs.")
    can_refill = serializers.BooleanField()


class AchievementSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    icon = serializers.CharField()
    level = serializers.IntegerField()
    threshold = serializers.IntegerField()
    xp_reward = serializers.IntegerField()
    earned_at = serializers.DateTimeField()


class EarnedLevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    threshold = serializers.IntegerField(help_text="The measure the level needed when it was earned.")
    xp_reward = serializers.IntegerField()
    earned_at = serializers.DateTimeField()


class NextLevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    threshold = serializers.IntegerField(help_text="The measure this level needs.")
    xp_reward = serializers.IntegerField()
    value = serializers.IntegerField(help_text="Your measure now, at most the threshold.")
    text = serializers.CharField(source="label", help_text='The progress as text, e.g. "7 / 14 days".')


class AchievementProgressSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    icon = serializers.CharField(allow_blank=True)
    condition_type = serializers.ChoiceField(
        choices=["lesson_count", "streak_days", "perfect_lessons", "xp_total", "units_completed", "words_mastered"]
    )
    levels_total = serializers.IntegerField()
    earned = EarnedLevelSerializer(many=True, help_text="The levels you hold, lowest first.")
    next = NextLevelSerializer(allow_null=True, help_text="The next level to earn; null when you hold them all.")


class AchievementListSerializer(serializers.Serializer):
    results = AchievementProgressSerializer(many=True)


class HistoryRowSerializer(serializers.Serializer):
    run_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RUN_KINDS)
    lesson_title = serializers.CharField(
        allow_blank=True, help_text="The lesson's, or the checkpoint's title; empty for a review session."
    )
    course_title = serializers.CharField()
    status = serializers.ChoiceField(choices=["passed", "failed", "abandoned"])
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    xp_earned = serializers.IntegerField()
    answered = serializers.IntegerField(help_text="Exercises answered at least once.")
    first_try_correct = serializers.IntegerField(help_text="Of those, right at the first answer.")
    accuracy_pct = serializers.IntegerField(allow_null=True, help_text="first_try_correct / answered, floored.")
    ahead = serializers.BooleanField(help_text="A review started as practice ahead.")


class MistakeSerializer(serializers.Serializer):
    exercise_id = serializers.IntegerField()
    type = serializers.CharField()
    prompt = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True, help_text="The question shown, when it has text.")
    your_answer = serializers.CharField(
        allow_blank=True, help_text="Your first wrong answer as text; empty for choices."
    )
    solution = serializers.CharField(help_text="The accepted answer (only of exercises answered in this run).")
    corrected = serializers.BooleanField(help_text="Answered right later in the same run.")


class RunSummarySerializer(serializers.Serializer):
    xp_earned = serializers.IntegerField()
    gems_earned = serializers.IntegerField()
    perfect = serializers.BooleanField()
    tier_before = serializers.IntegerField(allow_null=True)
    tier_after = serializers.IntegerField(allow_null=True)
    tier_before_label = serializers.CharField()
    tier_after_label = serializers.CharField()
    streak_current = serializers.IntegerField()
    streak_longest = serializers.IntegerField()
    streak_extended = serializers.BooleanField()
    day = serializers.DateField()
    xp_today = serializers.IntegerField()
    daily_goal = serializers.IntegerField()
    goal_met = serializers.BooleanField()
    new_achievements = AchievementSerializer(many=True)
    answered = serializers.IntegerField(help_text="Exercises answered at least once in the run.")
    first_try_correct = serializers.IntegerField(help_text="Of those, right at the first answer.")
    accuracy_pct = serializers.IntegerField(
        allow_null=True, help_text="first_try_correct / answered, floored; null when nothing was answered."
    )
    seconds_spent = serializers.IntegerField(help_text="Time spent answering (each answer counted up to 300 s).")
    mistakes = MistakeSerializer(many=True, help_text="Exercises answered wrongly in this run, with the right answer.")
    score_percent = serializers.IntegerField(
        allow_null=True, help_text="A checkpoint's score: items right at the first try / items, floored; else null."
    )
    pass_percent = serializers.IntegerField(allow_null=True, help_text="The score a checkpoint needs; else null.")
    timed_out = serializers.BooleanField(help_text="The run ended because its time was up.")


class RunSerializer(serializers.Serializer):
    """A lesson run (or review session) as the learner sees it; built from ``gamification.api.queries.RunView``."""

    id = serializers.IntegerField(source="state.run_id")
    kind = serializers.ChoiceField(choices=RUN_KINDS, source="state.run.kind")
    ahead = serializers.BooleanField(
        source="state.run.ahead",
        help_text="A review started as practice ahead: XP for new evidence only, no gems, no heart.",
    )
    status = serializers.ChoiceField(choices=RUN_STATUSES, source="state.status")
    course = serializers.CharField(source="state.course.slug", help_text="The course's slug.")
    lesson = serializers.CharField(
        source="state.lesson.slug", allow_null=True, default=None, help_text="Null for reviews."
    )
    lesson_title = serializers.CharField(source="state.lesson.title", allow_null=True, default=None)
    checkpoint = serializers.CharField(
        source="state.checkpoint.slug", allow_null=True, default=None, help_text="A checkpoint run's checkpoint."
    )
    checkpoint_title = serializers.CharField(source="state.checkpoint.display_title", allow_null=True, default=None)
    time_limit_sec = serializers.IntegerField(
        source="state.time_limit_sec", allow_null=True, help_text="A timed run's limit; null when untimed."
    )
    deadline_at = serializers.DateTimeField(
        source="state.deadline_at",
        allow_null=True,
        help_text="The server's clock: an answer at or after this instant is refused (409 `time_up`).",
    )
    seconds_left = serializers.IntegerField(
        source="state.seconds_left", allow_null=True, help_text="Whole seconds left now; null when untimed or over."
    )
    timed_out = serializers.BooleanField(source="state.run.timed_out", help_text="The run ended when its time was up.")
    done = serializers.IntegerField(source="state.done")
    total = serializers.IntegerField(source="state.total")
    queue = serializers.ListField(
        child=serializers.IntegerField(),
        source="state.run.queue",
        help_text="Exercise ids still to answer, head first.",
    )
    xp_earned = serializers.IntegerField(source="state.xp_earned")
    hearts = serializers.IntegerField(source="state.hearts")
    next_heart_at = serializers.DateTimeField(source="state.next_heart_at", allow_null=True)
    current_exercise = PublicExerciseSerializer(
        allow_null=True, help_text="The exercise to answer now; null when the run is over."
    )
    exercises = PublicExerciseSerializer(many=True, help_text="Every exercise of the run, in serving order.")
    summary = RunSummarySerializer(allow_null=True, help_text="The end screen; null while the run is active.")


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "typed answers (translate, fill_blank, listen, speak transcript)"},
            {"type": "integer", "description": "a choice index (multiple_choice, picture)"},
            {"type": "array", "items": {}, "description": "tile indices (word_bank) or pairs (match_pairs)"},
            {"type": "object", "description": 'speak: {"transcript": "..."} or {"self_assessed": true}'},
        ],
        "description": "The answer in the exercise type's own shape (docs/exercise-types.md).",
    }
)
class AnswerValueField(serializers.JSONField):
    """Any JSON value; the exercise type's ``parse_answer`` (in the service) judges its shape, and the
    service makes text PostgreSQL cannot store (NUL, lone surrogates) storable, for pages and API alike."""


class AnswerInputSerializer(serializers.Serializer):
    exercise = StrictIntegerField(min_value=1, max_value=MAX_BIGINT, help_text="The exercise's `id` in the run.")
    answer = AnswerValueField()
    client_id = StrictUUIDField(
        help_text="A UUID the client makes per answer; sending it again returns the first result unchanged."
    )
    time_spent_ms = StrictIntegerField(min_value=0, max_value=MAX_INT, required=False, default=0)


class PairCheckInputSerializer(serializers.Serializer):
    exercise = StrictIntegerField(min_value=1, max_value=MAX_BIGINT, help_text="The match exercise's `id` in the run.")
    left = StrictIntegerField(min_value=0, max_value=MAX_INT, help_text="Index into the exercise's public `left` list.")
    right = StrictIntegerField(
        min_value=0, max_value=MAX_INT, help_text="Index into the exercise's public `right` list."
    )


class PairCheckSerializer(serializers.Serializer):
    exercise_id = serializers.IntegerField()
    left = serializers.IntegerField()
    right = serializers.IntegerField()
    correct = serializers.BooleanField(help_text="Whether this pair is right (nothing about any other pair).")
    found = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="The pairs you have found so far, as [left, right] indices.",
    )
    wrong_tries = serializers.IntegerField(
        help_text="Wrong pairs tried so far; any makes the exercise's answer count wrong (one heart)."
    )
    complete = serializers.BooleanField(help_text="Every pair is found: send the answer (all pairs).")
    repeated = serializers.BooleanField(help_text="This pair was checked before; nothing changed.")


#: The honest exits' kinds (named SkipKindEnum in the schema: SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
SKIP_KINDS = ["listen", "speak"]


class SkipInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=SKIP_KINDS, help_text="`listen`: Can't listen now; `speak`: Can't speak now."
    )


class SkipSerializer(serializers.Serializer):
    run_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SKIP_KINDS)
    until = serializers.DateTimeField(help_text="No exercise of this kind is served to you until then.")
    skipped = serializers.ListField(
        child=serializers.IntegerField(), help_text="The exercises taken out of the run (no heart, no XP)."
    )
    run_status = serializers.ChoiceField(
        choices=RUN_STATUSES, help_text="`passed` when the skipped exercises were the last ones waiting."
    )


class DiffWordSerializer(serializers.Serializer):
    """One word of a side of an answer's diff (stored as ``[word, same]``)."""

    word = serializers.CharField()
    same = serializers.BooleanField(help_text="False: this word differs from the other side.")

    def to_representation(self, instance):
        word, same = instance
        return {"word": word, "same": same}


class AnswerDiffSerializer(serializers.Serializer):
    answer = DiffWordSerializer(many=True, help_text="Your answer's words, as written.")
    solution = DiffWordSerializer(many=True, help_text="The closest solution's words.")


class AnswerOutcomeSerializer(serializers.Serializer):
    attempt_id = serializers.IntegerField()
    exercise_id = serializers.IntegerField()
    correct = serializers.BooleanField()
    note = serializers.CharField(allow_null=True, help_text="e.g. an accent or typo that was forgiven.")
    solution = serializers.CharField(help_text="The accepted solution, shown after answering.")
    best_match = serializers.CharField(allow_null=True)
    xp_awarded = serializers.IntegerField()
    run_xp = serializers.IntegerField()
    hearts = serializers.IntegerField()
    next_heart_at = serializers.DateTimeField(allow_null=True)
    run_status = serializers.ChoiceField(choices=RUN_STATUSES)
    passed = serializers.SerializerMethodField(help_text="Whether the run is now passed.")
    remaining = serializers.IntegerField()
    total = serializers.IntegerField()
    repeated = serializers.BooleanField(help_text="True when this replays an earlier client_id.")
    your_answer = serializers.CharField(
        allow_blank=True, help_text="Your answer as text (a choice's text, never its index); empty when none."
    )
    diff = AnswerDiffSerializer(
        allow_null=True,
        help_text="After a wrong typed answer: your answer and the closest solution word by word, "
        "the words that differ marked `same: false`; null otherwise.",
    )

    def get_passed(self, outcome) -> bool:
        return outcome.run_status == "passed"


def answer_outcome_data(outcome) -> dict:
    """What ``AnswerOutcomeSerializer(outcome).data`` is (the documented shape; the JSON renderer then
    writes the time in ISO 8601, UTC as ``Z``, as the serializer's field does), as plain data: an
    answer is the hottest request, and building the serializer's fields (DRF deep-copies them for
    every serializer) was a few per cent of it (docs/performance.md, "Per-request Python")."""
    diff = outcome.diff
    next_heart_at = outcome.next_heart_at
    return {
        "attempt_id": int(outcome.attempt_id),
        "exercise_id": int(outcome.exercise_id),
        "correct": bool(outcome.correct),
        "note": None if outcome.note is None else str(outcome.note),
        "solution": str(outcome.solution),
        "best_match": None if outcome.best_match is None else str(outcome.best_match),
        "xp_awarded": int(outcome.xp_awarded),
        "run_xp": int(outcome.run_xp),
        "hearts": int(outcome.hearts),
        "next_heart_at": None if next_heart_at is None else next_heart_at.astimezone(UTC),
        "run_status": str(outcome.run_status),
        "passed": outcome.run_status == "passed",
        "remaining": int(outcome.remaining),
        "total": int(outcome.total),
        "repeated": bool(outcome.repeated),
        "your_answer": str(outcome.your_answer),
        "diff": None
        if diff is None
        else {
            side: [{"word": str(word), "same": bool(same)} for word, same in diff[side]]
            for side in ("answer", "solution")
        },
    }


class StreakSerializer(serializers.Serializer):
    current = serializers.IntegerField()
    longest = serializers.IntegerField()
    freezes = serializers.IntegerField(help_text="Streak freezes held (at most 2).")


class FreezeShopSerializer(serializers.Serializer):
    held = serializers.IntegerField(help_text="Streak freezes held now.")
    max = serializers.IntegerField(help_text="The most a learner may hold.")
    price = serializers.IntegerField(help_text="Gems one streak freeze costs.")
    gems = serializers.IntegerField(help_text="Your gems now.")
    can_buy = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why a purchase is not possible now; empty when it is.", allow_blank=True)
    repeated = serializers.BooleanField(help_text="True when this client_id already bought a freeze (nothing changed).")


class FreezePurchaseSerializer(serializers.Serializer):
    client_id = StrictUUIDField(
        help_text="A UUID the client makes per purchase; sending it again buys nothing more (retries, double clicks)."
    )


class TodaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Today in the learner's time zone.")
    xp = serializers.IntegerField()
    goal = serializers.IntegerField()
    met = serializers.BooleanField()


class MeSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True, help_text="Your avatar (a 256 px JPEG); null without one.")
    email = serializers.EmailField()
    xp_total = serializers.IntegerField()
    level = serializers.IntegerField()
    gems = serializers.IntegerField()
    hearts = HeartsSerializer()
    streak = StreakSerializer()
    today = TodaySerializer()


class DayXpSerializer(serializers.Serializer):
    date = serializers.DateField()
    xp = serializers.IntegerField()


class StartReviewQuerySerializer(serializers.Serializer):
    ahead = QueryBooleanField(
        default=False,
        help_text="`true`: practise ahead — the words with the lowest predicted recall even though none is "
        "due. XP only for exercises no review has paid for today; no gems, no heart.",
    )
    timed = QueryBooleanField(
        default=False,
        help_text="`true`: a timed review — as many as you can answer in 2 minutes (up to 30 exercises); the "
        "server is the clock; a quick right answer that pays XP earns a speed bonus.",
    )


class DailyXpQuerySerializer(serializers.Serializer):
    days = QueryIntegerField(min_value=1, max_value=365, default=14, help_text="How many days, today included.")


class DailyXpSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    results = DayXpSerializer(many=True, help_text="Oldest first, zero-filled, in the learner's time zone.")


class CourseProgressSerializer(serializers.Serializer):
    course = CourseSerializer()
    is_current = serializers.BooleanField()
    lessons_total = serializers.IntegerField()
    lessons_passed = serializers.IntegerField()
    completion_pct = serializers.IntegerField(min_value=0, max_value=100)
    tokens_total = serializers.IntegerField()
    tokens_mastered = serializers.IntegerField()
    mastery_pct = serializers.IntegerField(min_value=0, max_value=100)
