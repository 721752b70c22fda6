"""Wallet (XP, gems, hearts), the append-only ledger, streaks, daily goals, achievements, jobs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_HEARTS = 5
#: A learner holds at most this many streak freezes (docs/game-rules.md, "Streak freezes").
MAX_STREAK_FREEZES = 2


class Wallet(models.Model):
    """Cached totals for one learner. XP and gems change only with a LedgerEntry in the same
    transaction (``manage.py check_ledger`` proves total == sum). Hearts regenerate lazily from
    ``hearts`` and ``hearts_anchor_at`` (see gamification.services.hearts)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet", verbose_name=_("user")
    )
    xp_total = models.PositiveBigIntegerField(_("XP total"), default=0)
    gems = models.PositiveIntegerField(_("gems"), default=0)
    hearts = models.PositiveSmallIntegerField(_("hearts"), default=MAX_HEARTS)
    hearts_anchor_at = models.DateTimeField(
        _("hearts refill anchor"), help_text=_("Refill anchor: hearts regenerate in 4-hour steps from here")
    )
    streak_freezes = models.PositiveSmallIntegerField(_("streak freezes"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        # Staff with it adjust balances in admin (gamification.admin_wallets); the Content editor group has not.
        verbose_name = _("wallet")
        verbose_name_plural = _("wallets")
        permissions = [("adjust_balance", "Can adjust a learner's XP, gems, hearts, freezes and streak")]
        constraints = [
            models.CheckConstraint(condition=Q(hearts__gte=0) & Q(hearts__lte=MAX_HEARTS), name="wallet_hearts_range"),
            models.CheckConstraint(condition=Q(gems__gte=0), name="wallet_gems_nonnegative"),
            models.CheckConstraint(condition=Q(xp_total__gte=0), name="wallet_xp_nonnegative"),
            models.CheckConstraint(
                condition=Q(streak_freezes__lte=MAX_STREAK_FREEZES), name="wallet_streak_freezes_max"
            ),
        ]

    def __str__(self) -> str:
        return f"Wallet of {self.user}"

    @property
    def level(self) -> int:
        return self.xp_total // 1000


class LedgerEntry(models.Model):
    """An append-only movement of XP or gems. Corrections are new rows, never edits.

    ``key`` makes an award idempotent: the same business event (e.g. ``attempt:41:xp``,
    ``run:7:pass-gems``, ``achievement:3``) can be written once only.
    """

    class Currency(models.TextChoices):
        XP = "xp", _("XP")
        GEMS = "gems", _("Gems")

    class Reason(models.TextChoices):
        EXERCISE = "exercise", _("Exercise answered")
        RUN_PASSED = "run_passed", _("Lesson passed")
        ACHIEVEMENT = "achievement", _("Achievement")
        HEART_REFILL = "heart_refill", _("Hearts refilled")
        STREAK_FREEZE = "streak_freeze", _("Streak freeze bought")
        LEAGUE_REWARD = "league_reward", _("League reward")
        ADJUSTMENT = "adjustment", _("Adjustment by staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ledger", verbose_name=_("user")
    )
    currency = models.CharField(_("currency"), max_length=4, choices=Currency.choices)
    amount = models.IntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    source_type = models.CharField(_("source type"), max_length=40, blank=True)
    source_id = models.BigIntegerField(_("source ID"), null=True, blank=True)
    key = models.CharField(_("key"), max_length=80, unique=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["user", "currency"]), models.Index(fields=["created_at"])]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_nonzero")]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.currency} for {self.user} ({self.reason})"


class HeartsLog(models.Model):
    """Every change of a learner's hearts, with its reason (an audit trail beside ``Wallet.hearts``)."""

    class Reason(models.TextChoices):
        WRONG_ANSWER = "wrong_answer", _("Wrong answer")
        REGENERATED = "regenerated", _("Regenerated over time")
        GEM_REFILL = "gem_refill", _("Refilled with gems")
        REVIEW_PASSED = "review_passed", _("Review session passed")
        ADJUSTMENT = "adjustment", _("Adjustment by staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hearts_log", verbose_name=_("user")
    )
    hearts_before = models.PositiveSmallIntegerField(_("hearts before"))
    hearts_after = models.PositiveSmallIntegerField(_("hearts after"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    run = models.ForeignKey(
        "progress.LessonRun", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("run")
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("hearts log entry")
        verbose_name_plural = _("hearts log")
        indexes = [models.Index(fields=["user", "created_at"]), models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.user}: {self.hearts_before}→{self.hearts_after} ({self.reason})"


class Streak(models.Model):
    """Daily streak. ``last_day`` is the learner-local date of the latest XP."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="streak", verbose_name=_("user")
    )
    current = models.PositiveIntegerField(_("current"), default=0)
    longest = models.PositiveIntegerField(_("longest"), default=0)
    last_day = models.DateField(_("last day"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity at"), null=True, blank=True)
    # The streak is alive until this instant: the end of the day after its latest streak day, in the
    # zone of that XP (docs/game-rules.md "Streaks"); a change of zone does not move it.
    alive_until = models.DateTimeField(_("alive until"), null=True, blank=True)
    # The nightly close job records the local day it last closed, so a second run changes nothing.
    closed_through = models.DateField(_("closed through"), null=True, blank=True)
    freezes_used = models.PositiveIntegerField(_("freezes used"), default=0)
    # Set by the close job when it spends freezes, cleared when the learner has seen the notice
    # ("Your streak freeze saved your 12-day streak"): the streak length saved and the freezes spent.
    freeze_notice_streak = models.PositiveIntegerField(_("freeze notice streak"), null=True, blank=True)
    freeze_notice_freezes = models.PositiveSmallIntegerField(_("freeze notice freezes"), default=0)
    reengagement_sent_at = models.DateTimeField(_("reengagement sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("streak")
        verbose_name_plural = _("streaks")
        constraints = [
            models.CheckConstraint(condition=Q(longest__gte=models.F("current")), name="streak_longest_ge_current")
        ]
        indexes = [models.Index(fields=["last_day"]), models.Index(fields=["last_activity_at"])]

    def __str__(self) -> str:
        return f"{self.user}: {self.current} days"


class FrozenDay(models.Model):
    """A learner-local day without XP that a streak freeze kept (written by the close job), for the
    streak calendar."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="frozen_days", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("frozen day")
        verbose_name_plural = _("frozen days")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="frozen_day_unique")]

    def __str__(self) -> str:
        return f"{self.user}: {self.day} kept by a streak freeze"


class StreakReminder(models.Model):
    """The streak reminder e-mail of one learner-day (learner-local date). The row is the claim: the
    hourly job inserts it before sending (unique, so two runs never both send), sets ``sent_at`` once
    sent, and deletes it when sending failed, so the next hour tries again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="streak_reminders", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    claimed_at = models.DateTimeField(_("claimed at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("streak reminder")
        verbose_name_plural = _("streak reminders")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="streak_reminder_unique")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"Streak reminder for {self.user} on {self.day}"


class DailyActivity(models.Model):
    """One row per learner-day (learner-local date): XP, activities, time, goal met."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_activity", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    xp = models.PositiveIntegerField(_("XP"), default=0)
    activities = models.PositiveIntegerField(_("activities"), default=0)
    seconds_spent = models.PositiveIntegerField(_("seconds spent"), default=0)
    goal = models.PositiveSmallIntegerField(_("goal"), default=160)
    goal_met = models.BooleanField(_("goal met"), default=False)

    class Meta:
        verbose_name = _("daily activity")
        verbose_name_plural = _("daily activity")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="daily_activity_unique")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.day}: {self.xp} XP"


class Achievement(models.Model):
    """An achievement: a condition measured per learner and one or more levels (``AchievementLevel``),
    each a threshold of that measure with its XP reward (docs/game-rules.md, "Achievements")."""

    class Condition(models.TextChoices):
        LESSON_COUNT = "lesson_count", _("Lessons passed")
        STREAK_DAYS = "streak_days", _("Streak length (days)")
        PERFECT_LESSONS = "perfect_lessons", _("Perfect lessons")
        XP_TOTAL = "xp_total", _("Total XP")
        UNITS_COMPLETED = "units_completed", _("Units completed")
        WORDS_MASTERED = "words_mastered", _("Words mastered")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300)
    icon = models.CharField(_("icon"), max_length=16, blank=True)
    condition_type = models.CharField(_("condition type"), max_length=20, choices=Condition.choices)
    is_active = models.BooleanField(default=True, verbose_name=_("published"))

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["condition_type", "code"]

    def __str__(self) -> str:
        return self.name


class AchievementLevel(models.Model):
    """Level ``level`` of an achievement: reached when the measure is at least ``threshold``; awards
    ``xp_reward`` XP once. Levels are numbered 1, 2, … and their thresholds rise with the number."""

    achievement = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="levels", verbose_name=_("achievement")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    threshold = models.PositiveIntegerField(_("threshold"))
    xp_reward = models.PositiveIntegerField(_("XP reward"), default=0)

    class Meta:
        verbose_name = _("achievement level")
        verbose_name_plural = _("achievement levels")
        ordering = ["achievement", "level"]
        constraints = [
            models.UniqueConstraint(fields=["achievement", "level"], name="achievement_level_unique"),
            models.UniqueConstraint(fields=["achievement", "threshold"], name="achievement_threshold_unique"),
            models.CheckConstraint(condition=Q(level__gte=1), name="achievement_level_positive"),
            models.CheckConstraint(condition=Q(threshold__gte=1), name="achievement_threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.achievement} {self.level}"


class UserAchievement(models.Model):
    """A level of an achievement a learner earned: once per learner, achievement and level. The
    threshold and reward are kept as they were when it was earned."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements", verbose_name=_("user")
    )
    achievement = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="holders", verbose_name=_("achievement")
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    threshold = models.PositiveIntegerField(_("threshold"), default=1)
    xp_reward = models.PositiveIntegerField(_("XP reward"), default=0)
    earned_at = models.DateTimeField(_("earned at"))
    # The run whose pass (or answer) earned it, for the end-of-lesson screen; null when earned otherwise.
    run = models.ForeignKey(
        "progress.LessonRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="achievements_earned",
        verbose_name=_("run"),
    )

    class Meta:
        verbose_name = _("user achievement")
        verbose_name_plural = _("user achievements")
        constraints = [
            models.UniqueConstraint(fields=["user", "achievement", "level"], name="user_achievement_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.achievement} {self.level}"


class JobRun(models.Model):
    """One execution of a periodic job (by Celery beat or by hand)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("OK")
        DRY_RUN = "dry_run", _("Dry run")
        PROBLEMS = "problems", _("Found problems")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=40)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateTimeField(_("as of"), help_text=_("The time the job acted as (--now)"))
    dry_run = models.BooleanField(_("dry run"), default=False)
    rows_changed = models.PositiveBigIntegerField(_("rows changed"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    detail = models.TextField(_("detail"), blank=True)
    triggered_by = models.CharField(_("triggered by"), max_length=20, default="command")

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"


class CourseDailyMetric(models.Model):
    """Nightly rollup per course and UTC day, kept after attempt detail is purged."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="daily_metrics", verbose_name=_("course")
    )
    day = models.DateField(_("day"))
    active_learners = models.PositiveIntegerField(_("active learners"), default=0)
    runs_started = models.PositiveIntegerField(_("runs started"), default=0)
    runs_passed = models.PositiveIntegerField(_("runs passed"), default=0)
    xp_earned = models.PositiveBigIntegerField(_("XP earned"), default=0)
    answers = models.PositiveIntegerField(_("answers"), default=0)
    correct_answers = models.PositiveIntegerField(_("correct answers"), default=0)

    class Meta:
        verbose_name = _("course daily metric")
        verbose_name_plural = _("course daily metrics")
        constraints = [models.UniqueConstraint(fields=["course", "day"], name="course_daily_metric_unique")]
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.course} on {self.day}"

    @property
    def accuracy(self) -> float | None:
        return self.correct_answers / self.answers if self.answers else None


class ExerciseDailyMetric(models.Model):
    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="daily_metrics", verbose_name=_("exercise")
    )
    day = models.DateField(_("day"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)

    class Meta:
        verbose_name = _("exercise daily metric")
        verbose_name_plural = _("exercise daily metrics")
        constraints = [models.UniqueConstraint(fields=["exercise", "day"], name="exercise_daily_metric_unique")]
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.exercise} on {self.day}"

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.attempts if self.attempts else None


# --- Weekly leagues (docs/game-rules.md "Leagues") ------------------------------------------------
#: Ten divisions, lowest first; a division is stored as its index (0 = Bronze … 9 = Diamond).
DIVISIONS = ("Bronze", "Silver", "Gold", "Sapphire", "Ruby", "Emerald", "Amethyst", "Pearl", "Obsidian", "Diamond")
#: The divisions' names as learners read them, in the interface language (the API names a division by
#: its index and its English name from ``DIVISIONS``, which never change with the language).
DIVISION_LABELS = (
    _("Bronze"),
    _("Silver"),
    _("Gold"),
    _("Sapphire"),
    _("Ruby"),
    _("Emerald"),
    _("Amethyst"),
    _("Pearl"),
    _("Obsidian"),
    _("Diamond"),
)
#: At most this many learners in a cohort.
COHORT_SIZE = 30


class LeagueWeek(models.Model):
    """One league week (Monday 00:00 to Sunday 24:00 UTC) that has learners.

    ``closed_at`` is set (under a row lock) when the week's close starts: from then on nobody joins the
    week; ``finished_at`` when every learner of the week has a result and the gems are paid."""

    week_start = models.DateField(_("week start"), unique=True, help_text=_("The Monday the week starts on (UTC)"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("league week")
        verbose_name_plural = _("league weeks")
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"League week of {self.week_start}"


class LeagueDivisionWeek(models.Model):
    """Seats handed out in one division in one week: the ``joined``-th learner to join takes seat
    ``(joined - 1) % 30 + 1`` of cohort ``(joined - 1) // 30 + 1`` (cohorts fill in join order). The row
    lock on this counter serialises the joins of a division, so a cohort never gets a 31st learner."""

    week_start = models.DateField(_("week start"))
    division = models.PositiveSmallIntegerField(_("division"))
    joined = models.PositiveIntegerField(_("joined"), default=0)

    class Meta:
        verbose_name = _("league division week")
        verbose_name_plural = _("league division weeks")
        constraints = [
            models.UniqueConstraint(fields=["week_start", "division"], name="league_division_week_unique"),
            models.CheckConstraint(condition=Q(division__lt=len(DIVISIONS)), name="league_division_week_division"),
        ]

    def __str__(self) -> str:
        return f"{DIVISIONS[self.division]} in the week of {self.week_start}: {self.joined} joined"


class LeagueCohort(models.Model):
    """Up to 30 learners of one division playing one week against each other."""

    week_start = models.DateField(_("week start"))
    division = models.PositiveSmallIntegerField(_("division"))
    number = models.PositiveIntegerField(
        _("number"), help_text=_("1 for the first cohort of this division and week, …")
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("league cohort")
        verbose_name_plural = _("league cohorts")
        constraints = [
            models.UniqueConstraint(fields=["week_start", "division", "number"], name="league_cohort_unique"),
            models.CheckConstraint(condition=Q(division__lt=len(DIVISIONS)), name="league_cohort_division"),
        ]
        indexes = [models.Index(fields=["week_start", "id"], name="league_cohort_week")]

    def __str__(self) -> str:
        return f"{DIVISIONS[self.division]} #{self.number}, week of {self.week_start}"


class LeagueMembership(models.Model):
    """A learner's row for one league week: their XP of the week, kept current in the same transaction
    as the ledger entries (``gamification.services.leagues.record_league_xp``, called by
    ``ledger.credit``), the cohort and seat they joined, and — once the week is closed — their result.

    ``division`` is null while the learner waits for the previous week's close (``pending``);
    ``cohort``/``seat`` are null for a learner hidden from leaderboards (or still pending)."""

    class Move(models.IntegerChoices):
        DOWN = -1, _("Moved down")
        STAY = 0, _("Stayed")
        UP = 1, _("Moved up")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="league_weeks", verbose_name=_("user")
    )
    week_start = models.DateField(_("week start"))
    division = models.PositiveSmallIntegerField(_("division"), null=True, blank=True)
    cohort = models.ForeignKey(
        LeagueCohort, on_delete=models.CASCADE, null=True, blank=True, related_name="members", verbose_name=_("cohort")
    )
    seat = models.PositiveSmallIntegerField(_("seat"), null=True, blank=True)
    xp = models.PositiveIntegerField(_("XP"), default=0)
    # The instant the XP last went up: of two learners with the same XP, who got there first ranks higher.
    reached_at = models.DateTimeField(_("reached at"))
    joined_at = models.DateTimeField(_("joined at"))
    # The result, written by the week's close.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    move = models.SmallIntegerField(_("move"), choices=Move.choices, null=True, blank=True)
    division_after = models.PositiveSmallIntegerField(_("division after"), null=True, blank=True)
    gems = models.PositiveIntegerField(_("gems"), default=0)
    result_seen_at = models.DateTimeField(_("result seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("league membership")
        verbose_name_plural = _("league memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="league_membership_one_per_week"),
            models.UniqueConstraint(fields=["cohort", "seat"], name="league_membership_one_per_seat"),
            models.CheckConstraint(
                condition=Q(seat__isnull=True) | (Q(seat__gte=1) & Q(seat__lte=COHORT_SIZE)),
                name="league_membership_seat_range",
            ),
            models.CheckConstraint(
                condition=Q(cohort__isnull=True, seat__isnull=True) | Q(cohort__isnull=False, seat__isnull=False),
                name="league_membership_cohort_has_seat",
            ),
            models.CheckConstraint(
                condition=Q(division__isnull=True) | Q(division__lt=len(DIVISIONS)),
                name="league_membership_division",
            ),
        ]
        indexes = [
            models.Index(fields=["week_start", "cohort"], name="league_membership_week"),
            models.Index(fields=["cohort", "xp"], name="league_membership_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in the week of {self.week_start}: {self.xp} XP"
