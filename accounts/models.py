import uuid
import zoneinfo
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.reads import CompiledRead, fits_id

from .validators import validate_time_zone


def avatar_upload_to(instance, filename: str) -> str:
    """A random name, keeping only the image's extension: the name a file was uploaded under (which may
    be a person's name) never becomes part of a stored name or URL."""
    suffix = PurePath(filename).suffix.lower()
    return f"avatars/{uuid.uuid4().hex}{suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ''}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get(self, *args, **kwargs):
        """``User.objects.get(pk=…)`` — what Django's authentication backends run on every signed-in
        request to load the session's user — by a statement built once per process (``core.reads``);
        any other look-up, a related manager's or another database's, as the ORM builds it."""
        if args or kwargs.keys() != {"pk"} or type(self) is not UserManager or self._db is not None:
            return super().get(*args, **kwargs)
        try:
            pk = User._meta.pk.to_python(kwargs["pk"])
        except ValidationError:
            raise ValueError(f"Field 'id' expected a number but got {kwargs['pk']!r}.") from None
        found = _USER_BY_PK.objects(router.db_for_read(User), pk=pk) if fits_id(User, pk) else []
        if not found:
            raise User.DoesNotExist("User matching query does not exist.")
        return found[0]

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", User.Role.ADMIN)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A Mallard account. E-mail is the login; per-user settings live on the row (one read)."""

    class Role(models.TextChoices):
        LEARNER = "learner", _("Learner")
        MODERATOR = "moderator", _("Moderator")
        ADMIN = "admin", _("Admin")

    class DailyGoal(models.IntegerChoices):
        """Each goal is a whole number of core lessons at the XP rules (docs/game-rules.md, "The daily
        goal"): an easy core lesson of 8 exercises pays 8 x 10 = 80 XP (``progress.rules``; a test
        there holds these values to it)."""

        CASUAL = 80, _("Casual: about 1 lesson a day (80 XP)")
        REGULAR = 160, _("Regular: about 2 lessons a day (160 XP)")
        SERIOUS = 240, _("Serious: about 3 lessons a day (240 XP)")
        INTENSE = 400, _("Intense: about 5 lessons a day (400 XP)")

    class Theme(models.TextChoices):
        SYSTEM = "system", _("Follow the device")
        LIGHT = "light", _("Light")
        DARK = "dark", _("Dark")

    class AudioQuality(models.TextChoices):
        LOW = "low", _("Low (saves data)")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_to, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    # The interface language (docs/i18n.md): pages, e-mails and API messages. Never what is accepted as an answer.
    locale = models.CharField(_("interface language"), max_length=16, choices=settings.LANGUAGES, default="en")
    native_language = models.CharField(
        _("native language"), max_length=10, default="en", help_text=_("ISO 639-1 code, e.g. en")
    )
    daily_xp_goal = models.PositiveSmallIntegerField(
        _("daily XP goal"), choices=DailyGoal.choices, default=DailyGoal.REGULAR
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.LEARNER)
    # Settings
    theme = models.CharField(_("theme"), max_length=8, choices=Theme.choices, default=Theme.SYSTEM)
    sound_effects = models.BooleanField(_("sound effects"), default=True)
    audio_quality = models.CharField(
        _("audio quality"), max_length=8, choices=AudioQuality.choices, default=AudioQuality.MEDIUM
    )
    notify_streak_reminders = models.BooleanField(_("streak reminder e-mails"), default=True)
    # The local hour (0 to 23, in ``time_zone``) from which a learner who has not practised that day gets
    # the streak reminder (docs/jobs.md, "send_streak_reminders").
    streak_reminder_hour = models.PositiveSmallIntegerField(
        _("streak reminder time"), default=19, choices=[(h, f"{h:02d}:00") for h in range(24)]
    )
    notify_reengagement = models.BooleanField(_("we-miss-you e-mails"), default=True)
    # Weekly leagues: a hidden learner joins no cohort and appears in no league table.
    hide_from_leaderboards = models.BooleanField(_("hide me from leaderboards"), default=False)
    # Honest exits (docs/game-rules.md, "Can't listen or speak now"): until then, no listen (speak)
    # exercise is served to this learner; set by the player's "Can't listen now" ("Can't speak now").
    cant_listen_until = models.DateTimeField(
        _("can't listen until"), null=True, blank=True, help_text=_("No listen exercise until then")
    )
    cant_speak_until = models.DateTimeField(
        _("can't speak until"), null=True, blank=True, help_text=_("No speak exercise until then")
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(daily_xp_goal__in=[80, 160, 240, 400]), name="user_daily_goal_valid"),
            models.CheckConstraint(condition=Q(streak_reminder_hour__lte=23), name="user_reminder_hour_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@", 1)[0]


class ActivityEvent(models.Model):
    """One thing a learner did (log-in, lesson start, answer, refill …): the learner's activity log.

    Written by ``accounts.activity.record`` in the transaction of the action it records; kept for
    ``MALLARD_ACTIVITY_LOG_RETENTION_DAYS`` (the nightly ``purge_activity`` job); exported with the
    learner's data and deleted with the account (docs/accounts.md, "Activity log").
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed log-in")
        LESSON_START = "lesson_start", _("Started a lesson")
        LESSON_FINISH = "lesson_finish", _("Finished a lesson")
        LESSON_FAIL = "lesson_fail", _("Ran out of hearts")
        LESSON_QUIT = "lesson_quit", _("Quit a lesson")
        ANSWER = "answer", _("Answered")
        PURCHASE = "purchase", _("Bought something")
        REFILL = "refill", _("Refilled hearts")
        SETTINGS = "settings", _("Changed settings")
        DATA_EXPORT = "data_export", _("Exported their data")
        REPORT = "report", _("Reported a problem")

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="activity_events", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="activity_user_recent"),
            models.Index(fields=["created_at"], name="activity_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"


#: ``User.objects.get(pk=…)``'s statement, built once per process (``core.reads``).
_USER_BY_PK = CompiledRead(lambda pk: User.objects.filter(pk=pk), pk=-2_000_000_001)
