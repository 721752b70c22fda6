"""A learner's progress: enrolments, lesson runs and their attempts, per-lesson tiers, word mastery."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("user")
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("course")
    )
    is_current = models.BooleanField(
        _("current course"), default=True, help_text=_("The course the learner is working on now")
    )
    enrolled_at = models.DateTimeField(_("enrolled at"))
    last_active_at = models.DateTimeField(_("last active at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrollment_unique"),
            models.UniqueConstraint(fields=["user"], condition=Q(is_current=True), name="enrollment_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.course}"


class LessonRun(models.Model):
    """One attempt at a lesson (or a review session), from start to finish.

    ``queue`` holds the exercise ids still to be answered correctly, head first: a correct answer
    pops the head; a wrong one moves it further back (served again later in the run). The run is
    passed when the queue is empty; perfect when ``mistakes`` is 0.
    """

    class Kind(models.TextChoices):
        LESSON = "lesson", _("Lesson")
        REVIEW = "review", _("Review session")
        CHECKPOINT = "checkpoint", _("Checkpoint")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed (out of hearts, out of time, or below a checkpoint's passing score)")
        ABANDONED = "abandoned", _("Abandoned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs", verbose_name=_("user")
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="runs", verbose_name=_("course")
    )
    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.CASCADE, null=True, blank=True, related_name="runs", verbose_name=_("lesson")
    )  # null for review sessions and checkpoints
    # The checkpoint a checkpoint run tests (docs/game-rules.md, "Checkpoints"); null for other runs.
    checkpoint = models.ForeignKey(
        "courses.Checkpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name=_("checkpoint"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LESSON)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    exercise_ids = models.JSONField(
        _("exercise IDs"), default=list, help_text=_("The run's exercises in serving order")
    )
    queue = models.JSONField(
        _("queue"), default=list, help_text=_("Exercise ids not yet answered correctly, head first")
    )
    missed_ids = models.JSONField(
        _("missed exercise IDs"), default=list, help_text=_("Exercise ids answered wrongly at least once in this run")
    )
    # Match exercises checked pair by pair (docs/game-rules.md, "Match pairs"): per exercise id (a string
    # key), the pairs found right and the wrong pairs tried, as [left index, right index] of the public
    # lists; an exercise's entry is cleared when its answer is recorded.
    pair_checks = models.JSONField(
        _("match pairs checked"), default=dict, blank=True, help_text=_("Match pairs checked so far, per exercise")
    )
    xp_earned = models.PositiveIntegerField(_("XP earned"), default=0)
    gems_earned = models.PositiveIntegerField(_("gems earned"), default=0)
    mistakes = models.PositiveIntegerField(_("mistakes"), default=0)
    answers_count = models.PositiveIntegerField(_("answers count"), default=0)
    # The lesson's tier just before and just after this run passed (null until it passes; reviews: null).
    tier_before = models.PositiveSmallIntegerField(_("tier before"), null=True, blank=True)
    tier_after = models.PositiveSmallIntegerField(_("tier after"), null=True, blank=True)
    # A review started when nothing was due ("practise ahead"): XP for new evidence only, no gems,
    # no heart (docs/game-rules.md, "Practice ahead").
    ahead = models.BooleanField(
        _("practice ahead"), default=False, help_text=_("Practice ahead: a review started when nothing was due")
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Timed runs (docs/game-rules.md, "Timed practice"): the server is the clock. An answer at or after
    # ``deadline_at`` is refused and ends the run (``timed_out``); null: no time limit.
    deadline_at = models.DateTimeField(_("deadline at"), null=True, blank=True)
    timed_out = models.BooleanField(_("timed out"), default=False)
    last_answer_at = models.DateTimeField(
        _("last answer at"), null=True, blank=True, help_text=_("For the speed bonus of timed runs")
    )
    # A checkpoint's score when it ended: items right at the first try / items, floored (null before).
    score_percent = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson run")
        verbose_name_plural = _("lesson runs")
        indexes = [
            models.Index(fields=["user", "status"]),
            models.Index(fields=["course", "started_at"]),
            models.Index(fields=["started_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["review", "checkpoint"]) | Q(lesson__isnull=False),
                name="run_lesson_required_unless_review",
            ),
            models.CheckConstraint(
                condition=Q(kind="checkpoint", checkpoint__isnull=False, lesson__isnull=True)
                | (~Q(kind="checkpoint") & Q(checkpoint__isnull=True)),
                name="run_checkpoint_iff_checkpoint_kind",
            ),
            models.CheckConstraint(
                condition=Q(score_percent__isnull=True) | Q(score_percent__lte=100), name="run_score_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(status="active", finished_at__isnull=True)
                | (~Q(status="active") & Q(finished_at__isnull=False)),
                name="run_finished_iff_not_active",
            ),
            # Two tabs starting the same lesson share one run (start_lesson_run returns the active one).
            models.UniqueConstraint(
                fields=["user", "lesson"],
                condition=Q(status="active", kind="lesson"),
                name="run_one_active_per_lesson",
            ),
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(status="active", kind="review"),
                name="run_one_active_review_per_course",
            ),
            # Two tabs starting the same checkpoint share one run.
            models.UniqueConstraint(
                fields=["user", "checkpoint"],
                condition=Q(status="active", kind="checkpoint"),
                name="run_one_active_per_checkpoint",
            ),
            models.CheckConstraint(condition=Q(ahead=False) | Q(kind="review"), name="run_ahead_only_review"),
        ]

    def __str__(self) -> str:
        return f"Run #{self.pk} ({self.get_status_display()})"

    @property
    def is_perfect(self) -> bool:
        return self.status == self.Status.PASSED and self.mistakes == 0


class ExerciseAttempt(models.Model):
    """One submitted answer. ``client_id`` is generated by the client; a repeat returns ``result``."""

    run = models.ForeignKey(LessonRun, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("run"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("user")
    )
    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="attempts", verbose_name=_("exercise")
    )
    client_id = models.UUIDField(_("client ID"), default=uuid.uuid4)
    answer = models.JSONField(_("answer"))
    correct = models.BooleanField(_("correct"))
    xp_awarded = models.PositiveIntegerField(_("XP awarded"), default=0)
    time_spent_ms = models.PositiveIntegerField(_("time spent (ms)"), default=0)
    result = models.JSONField(_("result"), default=dict, help_text=_("The response first given for this client_id"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("exercise attempt")
        verbose_name_plural = _("exercise attempts")
        constraints = [models.UniqueConstraint(fields=["user", "client_id"], name="attempt_unique_client_id")]
        indexes = [models.Index(fields=["created_at"]), models.Index(fields=["exercise", "created_at"])]

    def __str__(self) -> str:
        return f"Attempt #{self.pk} on {self.exercise_id}: {'right' if self.correct else 'wrong'}"


class LessonProgress(models.Model):
    """A learner's lifetime record for one lesson: pass counts and the tier they earn."""

    class Tier(models.IntegerChoices):
        NONE = 0, _("Not passed")
        BRONZE = 1, _("Bronze")
        SILVER = 2, _("Silver")
        GOLD = 3, _("Gold")
        LEGENDARY = 4, _("Legendary")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress", verbose_name=_("user")
    )
    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.CASCADE, related_name="progress", verbose_name=_("lesson")
    )
    runs_started = models.PositiveIntegerField(_("runs started"), default=0)
    passes = models.PositiveIntegerField(_("passes"), default=0)
    perfect_passes = models.PositiveIntegerField(_("perfect passes"), default=0)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.NONE)
    xp_earned = models.PositiveIntegerField(_("XP earned"), default=0)
    first_passed_at = models.DateTimeField(_("first passed at"), null=True, blank=True)
    last_passed_at = models.DateTimeField(_("last passed at"), null=True, blank=True)
    last_decayed_at = models.DateTimeField(_("last decayed at"), null=True, blank=True)
    # The later of last pass and last decay: the tier decays one step 14 days after this.
    tier_anchor_at = models.DateTimeField(_("tier anchor at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lesson_progress_unique"),
            models.CheckConstraint(condition=Q(tier__gte=0) & Q(tier__lte=4), name="lesson_progress_tier_range"),
            models.CheckConstraint(
                condition=Q(perfect_passes__lte=models.F("passes")), name="lesson_progress_perfect_le_passes"
            ),
        ]
        indexes = [
            # The decay job's scan: only silver and gold can decay.
            models.Index(fields=["tier_anchor_at"], condition=Q(tier__in=[2, 3]), name="lesson_progress_decayable"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson.slug}: {self.get_tier_display()}"


class TokenMastery(models.Model):
    """Per-word state: how often seen, the running correct streak and the memory model's schedule.

    FSRS (the default scheduler) keeps ``stability`` (days until predicted recall falls to 90%),
    ``difficulty`` (1-10), the last review (``last_seen_at``) and ``due_at``; SM-2 keeps its ease,
    interval and repetitions and reports its interval as the stability. See docs/learning.md.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="token_mastery", verbose_name=_("user")
    )
    token = models.ForeignKey(
        "courses.Token", on_delete=models.CASCADE, related_name="mastery", verbose_name=_("token")
    )
    seen_count = models.PositiveIntegerField(_("seen count"), default=0)
    correct_count = models.PositiveIntegerField(_("correct count"), default=0)
    correct_streak = models.PositiveIntegerField(_("correct streak"), default=0)
    ease_factor = models.FloatField(_("ease factor"), default=2.5)
    interval_days = models.PositiveIntegerField(_("interval (days)"), default=0)
    repetitions = models.PositiveIntegerField(_("repetitions"), default=0)
    stability = models.FloatField(
        _("stability"), null=True, blank=True, help_text=_("Days until predicted recall falls to 90%")
    )
    difficulty = models.FloatField(
        _("difficulty"), null=True, blank=True, help_text=_("FSRS difficulty, 1 (easy) to 10 (hard)")
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True, help_text=_("The last review"))

    class Meta:
        verbose_name = _("word mastery")
        verbose_name_plural = _("word mastery")
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="token_mastery_unique"),
            models.CheckConstraint(condition=Q(ease_factor__gte=1.3), name="token_mastery_ease_floor"),
        ]
        indexes = [models.Index(fields=["user", "due_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.token}"


class ReviewLog(models.Model):
    """One review of one word: every answer logs a row per word its exercise teaches. The data
    the memory model learns from; kept when the attempt itself is purged (``attempt`` → null)."""

    class Rating(models.IntegerChoices):
        AGAIN = 1, _("Again")
        HARD = 2, _("Hard")
        GOOD = 3, _("Good")
        EASY = 4, _("Easy")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_log", verbose_name=_("user")
    )
    token = models.ForeignKey(
        "courses.Token", on_delete=models.CASCADE, related_name="review_log", verbose_name=_("token")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    exercise = models.ForeignKey(
        "courses.Exercise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_log",
        verbose_name=_("exercise"),
    )
    attempt = models.ForeignKey(
        ExerciseAttempt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_log",
        verbose_name=_("attempt"),
    )

    class Meta:
        verbose_name = _("review log entry")
        verbose_name_plural = _("review log")
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=4), name="review_log_rating_range")
        ]
        indexes = [models.Index(fields=["user", "reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.token_id} · {self.get_rating_display()}"


class MemoryParameters(models.Model):
    """A learner's FSRS parameters and the record of their last fit (``fit_memory_models``).

    ``parameters`` is null while the learner uses the defaults. A fit is *adopted* only when it
    predicts the learner's most recent reviews better (lower log loss) than the set in use.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="memory_parameters",
        verbose_name=_("user"),
    )
    parameters = models.JSONField(
        _("parameters"), null=True, blank=True, help_text=_("21 FSRS-6 parameters; null = the defaults")
    )
    fitted_at = models.DateTimeField(
        _("fitted at"), null=True, blank=True, help_text=_("When the parameters in use were adopted")
    )
    reviews_used = models.PositiveIntegerField(
        _("reviews used"), default=0, help_text=_("Reviews the adopted fit learnt from")
    )
    loss_previous = models.FloatField(
        _("previous loss"), null=True, blank=True, help_text=_("Validation log loss of the set it replaced")
    )
    loss_fitted = models.FloatField(
        _("fitted loss"), null=True, blank=True, help_text=_("Validation log loss of the adopted set")
    )
    # The last attempt, adopted or not: the fit job refits only when enough new reviews arrived.
    attempted_at = models.DateTimeField(_("attempted at"), null=True, blank=True)
    log_size_at_attempt = models.PositiveIntegerField(
        _("log size at attempt"), default=0, help_text=_("Review-log rows at the last attempt")
    )
    last_outcome = models.TextField(
        _("last outcome"), blank=True, help_text=_("What the last attempt did, or why it failed")
    )

    class Meta:
        verbose_name = _("memory parameters")
        verbose_name_plural = _("memory parameters")

    def __str__(self) -> str:
        return f"{self.user}: {'fitted' if self.parameters else 'defaults'}"


class ProblemReport(models.Model):
    """A learner's report of a problem with an exercise, sent from the feedback of one of their answers.

    One per attempt (``report_one_per_attempt``). ``answer_text`` is the learner's answer as stored
    with the attempt (never typed into the report); ``normalized_answer`` is its comparison form
    (``courses.answers.normalized_answer``), the key the report queue groups by. The attempt link
    goes null when the nightly purge deletes the attempt; the report stays.
    """

    class Kind(models.TextChoices):
        ANSWER = "answer", _("My answer should be accepted")
        AUDIO = "audio", _("The audio is wrong or missing")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Answer accepted")
        REJECTED = "rejected", _("Rejected")
        RESOLVED = "resolved", _("Resolved")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_reports", verbose_name=_("user")
    )
    attempt = models.ForeignKey(
        ExerciseAttempt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_reports",
        verbose_name=_("attempt"),
    )
    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="problem_reports", verbose_name=_("exercise")
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="problem_reports", verbose_name=_("course")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    answer_text = models.TextField(_("answer text"), blank=True, help_text=_("The learner's answer, from the attempt"))
    normalized_answer = models.CharField(
        _("normalized answer"), max_length=500, blank=True, help_text=_("The answer's comparison form")
    )
    message = models.CharField(
        _("message"), max_length=280, blank=True, help_text=_("What the learner wrote (Something else)")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        constraints = [
            models.UniqueConstraint(fields=["attempt"], name="report_one_per_attempt"),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="report_resolved_iff_not_open",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="report_status_recent"),
            models.Index(fields=["exercise", "kind", "normalized_answer"], name="report_group"),
            models.Index(fields=["user", "created_at"], name="report_user_recent"),
        ]

    def __str__(self) -> str:
        return f"Report #{self.pk}: {self.get_kind_display()} ({self.get_status_display()})"
