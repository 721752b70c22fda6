"""The content tree: Language → Course → Section → Unit → Lesson → (ordered) Exercises, and Tokens.

Slugs are built from the course slug (normally the target language code)
and the ordinals at creation: ``es``, ``es-sec-01``, ``es-u-01-03``, ``es-l-01-03-05``,
``es-e-01-03-05-12``. They are stable: reordering or retitling never changes a slug, because URLs,
imports and exports use them. See ``courses.slugs``.

Sibling ordinals are unique. On PostgreSQL the constraints are DEFERRABLE INITIALLY DEFERRED so
that a reorder inside one transaction may pass through a duplicate; ``courses.services.reorder``
also works in two steps so SQLite copes.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Deferrable, F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import licences
from .slugs import SLUG_HINT, SLUG_PATTERN

slug_validator = RegexValidator(SLUG_PATTERN, SLUG_HINT)


class Language(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True, help_text=_("ISO 639-1 code, e.g. es"))
    name = models.CharField(_("name"), max_length=100, help_text=_("English name, e.g. Spanish"))
    native_name = models.CharField(_("native name"), max_length=100, blank=True, help_text=_("e.g. Español"))

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Visible to a learner ----------------------------------------------------------------------
#
# A learner sees a row when it is published and so is every row above it: a lesson needs its unit,
# section and course published; an exercise needs to be published and in such a lesson. This is
# the one definition; pages, the API, services and selectors all use it (``visible_q`` inside
# other queries, ``.visible()`` on a model's queryset, ``Token.objects.taught_in`` for words).

#: Each level's parent, as the lookup from a row of the level.
_PARENT = {"course": None, "section": "course", "unit": "section", "lesson": "unit"}


def visible_q(level: str, prefix: str = "") -> Q:
    """``Q`` for the rows of ``level`` (course, section, unit, lesson, exercise) reached through
    ``prefix`` (e.g. ``"lesson__"``) that a learner may see. Use it inside one ``filter()`` call with
    the other conditions on the same related row (an exercise's lesson link, say)."""
    if level == "exercise":
        return Q(**{f"{prefix}is_published": True}) & visible_q("lesson", f"{prefix}lesson_links__lesson__")
    condition = Q(**{f"{prefix}is_published": True})
    parent = _PARENT[level]
    return condition & visible_q(parent, f"{prefix}{parent}__") if parent else condition


class VisibleQuerySet(models.QuerySet):
    def visible(self):
        """The rows a learner may see (``visible_q`` of this model's level)."""
        return self.filter(visible_q(self.model._meta.model_name))


class Course(models.Model):
    from_language = models.ForeignKey(
        Language, on_delete=models.PROTECT, related_name="courses_from", verbose_name=_("learners' language")
    )
    to_language = models.ForeignKey(
        Language, on_delete=models.PROTECT, related_name="courses_to", verbose_name=_("language taught")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=20,
        unique=True,
        validators=[slug_validator],
        help_text=_("Prefix of every slug in the course; normally the target language code (es)."),
    )
    license_name = models.CharField(
        _("licence name"), max_length=200, blank=True, help_text=_("e.g. Attribution-ShareAlike 4.0 International")
    )
    license_short_name = models.CharField(
        _("licence short name"), max_length=50, blank=True, help_text=_("e.g. CC BY-SA 4.0")
    )
    license_url = models.URLField(_("licence link"), max_length=300, blank=True, help_text=_("The licence's text"))
    source_repository = models.URLField(
        _("source repository"),
        max_length=300,
        blank=True,
        help_text=_("Where the content comes from (credited to learners with the licence)"),
    )
    special_characters = models.JSONField(
        _("special characters"),
        default=list,
        blank=True,
        help_text=_(
            'Characters the player offers as keys under typed answers, e.g. ["ñ", "¿"]. '
            "Empty: the defaults for the language."
        ),
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["from_language", "to_language"], name="course_unique_language_pair"),
            models.CheckConstraint(condition=~Q(from_language=F("to_language")), name="course_languages_differ"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def requires_attribution(self) -> bool:
        return licences.requires_attribution(short_name=self.license_short_name, name=self.license_name)

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.special_characters, list) or not all(
            isinstance(c, str) and c.strip() for c in self.special_characters
        ):
            raise ValidationError({"special_characters": _('Give a list of non-empty strings, e.g. ["ñ", "¿"].')})
        if self.is_published:
            problems = licences.attribution_problems(
                short_name=self.license_short_name,
                name=self.license_name,
                url=self.license_url,
                source=self.source_repository,
            )
            if problems:
                raise ValidationError(problems)


class Section(models.Model):
    class Cefr(models.TextChoices):
        A1 = "A1"
        A2 = "A2"
        B1 = "B1"
        B2 = "B2"
        C1 = "C1"
        C2 = "C2"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections", verbose_name=_("course"))
    ordinal = models.PositiveSmallIntegerField(_("ordinal"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cefr_level = models.CharField(_("CEFR level"), max_length=2, choices=Cefr.choices, default=Cefr.A1)
    slug = models.SlugField(_("slug"), max_length=40, unique=True, validators=[slug_validator])
    is_published = models.BooleanField(
        _("published"), default=False
    )  # new content starts as a draft (courses.publishing)
    # Holds learners' private lessons (generated bubbles): never published, never exported.
    private = models.BooleanField(_("private"), default=False, editable=False)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["course", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "ordinal"], name="section_unique_ordinal", deferrable=Deferrable.DEFERRED
            ),
            models.CheckConstraint(condition=Q(ordinal__gte=1), name="section_ordinal_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal}. {self.title}"


class Unit(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="units", verbose_name=_("section"))
    ordinal = models.PositiveSmallIntegerField(_("ordinal"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    icon = models.CharField(_("icon"), max_length=16, blank=True, help_text=_("An emoji or short symbol"))
    color = models.CharField(
        _("color"),
        max_length=7,
        default="#58cc02",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour like #58cc02.")],
    )
    slug = models.SlugField(_("slug"), max_length=40, unique=True, validators=[slug_validator])
    is_published = models.BooleanField(
        _("published"), default=False
    )  # new content starts as a draft (courses.publishing)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["section", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "ordinal"], name="unit_unique_ordinal", deferrable=Deferrable.DEFERRED
            ),
            models.CheckConstraint(condition=Q(ordinal__gte=1), name="unit_ordinal_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal}. {self.title}"


#: the shortest time limit a lesson or a checkpoint may carry
MIN_TIME_LIMIT_SEC = 10


class Lesson(models.Model):
    class Kind(models.TextChoices):
        CORE = "core", _("Core")
        SPEAKING = "speaking", _("Speaking")
        AUDIO = "audio", _("Audio")

    class Difficulty(models.TextChoices):
        EASY = "easy", _("Easy")
        MEDIUM = "medium", _("Medium")
        HARD = "hard", _("Hard")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("unit"))
    ordinal = models.PositiveSmallIntegerField(_("ordinal"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CORE)
    difficulty = models.CharField(_("difficulty"), max_length=8, choices=Difficulty.choices, default=Difficulty.EASY)
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=5)
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Tips shown before the lesson (Markdown-free plain text)")
    )
    slug = models.SlugField(_("slug"), max_length=40, unique=True, validators=[slug_validator])
    is_published = models.BooleanField(
        _("published"), default=False
    )  # new content starts as a draft (courses.publishing)
    adaptive_order = models.BooleanField(
        _("adaptive order"),
        default=True,
        help_text=_(
            "A word the learner has seen fewer than 4 times is met in a recognition exercise before a "
            "production exercise asks for it (docs/learning.md). Off: always the order below."
        ),
    )
    time_limit_sec = models.PositiveIntegerField(
        _("time limit (seconds)"),
        null=True,
        blank=True,
        help_text=_(
            "A timed lesson: answers after this many seconds from the start are refused and the run "
            'ends (docs/game-rules.md, "Timed practice"). Empty: no limit.'
        ),
    )
    prerequisites = models.ManyToManyField(
        "self",
        through="LessonPrerequisite",
        through_fields=("lesson", "prerequisite"),
        symmetrical=False,
        related_name="unlocks",
        blank=True,
        help_text=_("Lessons that must be passed first. None: the lesson before this one in course order."),
        verbose_name=_("prerequisites"),
    )
    exercises = models.ManyToManyField(
        "Exercise", through="LessonExercise", related_name="lessons", blank=True, verbose_name=_("exercises")
    )
    # A learner's private lesson (a generated bubble): only its owner may play it; it sits in the course's
    # private section, so it is never visible to anyone else (docs/llm.md, "Bubbles").
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_lessons",
        verbose_name=_("owner"),
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["unit", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "ordinal"], name="lesson_unique_ordinal", deferrable=Deferrable.DEFERRED
            ),
            models.CheckConstraint(condition=Q(ordinal__gte=1), name="lesson_ordinal_positive"),
            models.CheckConstraint(condition=Q(estimated_minutes__gte=1), name="lesson_minutes_positive"),
            models.CheckConstraint(
                condition=Q(time_limit_sec__isnull=True) | Q(time_limit_sec__gte=MIN_TIME_LIMIT_SEC),
                name="lesson_time_limit_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug}: {self.title}"


class LessonPrerequisite(models.Model):
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="prerequisite_links", verbose_name=_("lesson")
    )
    prerequisite = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="dependent_links", verbose_name=_("prerequisite")
    )

    class Meta:
        verbose_name = _("lesson prerequisite")
        verbose_name_plural = _("lesson prerequisites")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "prerequisite"], name="prerequisite_unique"),
            models.CheckConstraint(condition=~Q(lesson=F("prerequisite")), name="prerequisite_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.prerequisite.slug} → {self.lesson.slug}"


class TokenQuerySet(models.QuerySet):
    def taught_in(self, *course_ids: int):
        """Tokens the courses teach: those of each course's visible exercises in its own visible
        lessons. A token may repeat (one row per exercise link); add ``.distinct()`` as needed."""
        return self.filter(
            visible_q("exercise", "exercises__"),
            exercises__course_id__in=course_ids,
            exercises__lesson_links__lesson__unit__section__course_id=F("exercises__course_id"),
        )


class Token(models.Model):
    """A lexicon item of a language: a word or short phrase that exercises teach."""

    language = models.ForeignKey(Language, on_delete=models.PROTECT, related_name="tokens", verbose_name=_("language"))
    text = models.CharField(_("text"), max_length=120)
    translation = models.CharField(
        _("translation"), max_length=200, blank=True, help_text=_("Gloss in the course's source language")
    )
    ipa = models.CharField(_("IPA"), max_length=120, blank=True)
    part_of_speech = models.CharField(_("part of speech"), max_length=20, blank=True)
    audio = models.ForeignKey(
        "media_assets.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tokens",
        verbose_name=_("audio"),
    )

    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("word")
        verbose_name_plural = _("words")
        ordering = ["language", "text"]
        constraints = [models.UniqueConstraint(fields=["language", "text"], name="token_unique_text")]

    def __str__(self) -> str:
        return self.text


class Exercise(models.Model):
    """One prompt. Reusable: lessons list exercises through LessonExercise.

    ``type`` names a module of ``courses.exercise_types``; ``payload`` is that type's JSON, validated
    by the type when an author saves (see docs/exercise-types.md). The payload holds the solution:
    it never leaves the server before the learner has answered (types expose ``public_payload``).
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exercises", verbose_name=_("course"))
    slug = models.SlugField(_("slug"), max_length=48, unique=True, validators=[slug_validator])
    type = models.CharField(_("type"), max_length=32)
    prompt = models.CharField(
        _("prompt"), max_length=300, blank=True, help_text=_("Instruction shown above the exercise")
    )
    payload = models.JSONField(_("payload"), default=dict)
    hint = models.CharField(_("hint"), max_length=300, blank=True)
    explanation = models.TextField(_("explanation"), blank=True, help_text=_("Shown after the answer"))
    tokens = models.ManyToManyField(Token, related_name="exercises", blank=True, verbose_name=_("tokens"))
    audio = models.ForeignKey(
        "media_assets.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exercises",
        verbose_name=_("audio"),
    )
    image = models.ForeignKey(
        "media_assets.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="image_exercises",
        verbose_name=_("image"),
    )
    is_published = models.BooleanField(
        _("published"), default=False
    )  # new content starts as a draft (courses.publishing)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The learner a generated exercise was made for (with their private lesson); deleted with them.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_exercises",
        verbose_name=_("owner"),
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["slug"]
        indexes = [models.Index(fields=["course", "type"])]

    def __str__(self) -> str:
        return f"{self.slug} ({self.type})"


class LessonExercise(models.Model):
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="lesson_exercises", verbose_name=_("lesson")
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="lesson_links", verbose_name=_("exercise")
    )
    ordinal = models.PositiveSmallIntegerField(_("ordinal"))

    class Meta:
        verbose_name = _("lesson exercise")
        verbose_name_plural = _("lesson exercises")
        ordering = ["lesson", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "ordinal"], name="lesson_exercise_unique_ordinal", deferrable=Deferrable.DEFERRED
            ),
            models.UniqueConstraint(fields=["lesson", "exercise"], name="lesson_exercise_unique_exercise"),
            models.CheckConstraint(condition=Q(ordinal__gte=1), name="lesson_exercise_ordinal_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson.slug} #{self.ordinal}: {self.exercise.slug}"


class Checkpoint(models.Model):
    """A test at the end of a unit or of a section (docs/game-rules.md, "Checkpoints").

    Its items come from the exercises of the lessons it ``covers`` (none listed: every lesson of its unit
    or section): either the fixed list ``exercises`` or ``draw`` of them picked at random per run. A run
    passes with ``pass_percent`` % of the items right at the first try, within ``time_limit_sec`` if set.
    Passing it passes every lesson of its unit (or section) the learner had not passed.
    """

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="checkpoint", verbose_name=_("unit")
    )
    section = models.OneToOneField(
        Section, on_delete=models.CASCADE, null=True, blank=True, related_name="checkpoint", verbose_name=_("section")
    )
    slug = models.SlugField(_("slug"), max_length=40, unique=True, validators=[slug_validator])
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Empty: “Checkpoint: <unit or section title>”")
    )
    pass_percent = models.PositiveSmallIntegerField(
        _("passing score (%)"),
        default=80,
        help_text=_("The share of items right at the first try needed to pass (1-100)"),
    )
    time_limit_sec = models.PositiveIntegerField(
        _("time limit (seconds)"), null=True, blank=True, help_text=_("Empty: no limit")
    )
    draw = models.PositiveSmallIntegerField(
        _("draw"),
        null=True,
        blank=True,
        help_text=_(
            "Draw this many exercises at random from the lessons covered for each run. "
            "Empty: the fixed list of exercises below."
        ),
    )
    lessons = models.ManyToManyField(
        Lesson,
        related_name="checkpoints",
        blank=True,
        help_text=_("The lessons whose exercises it tests. None: every lesson of its unit or section."),
        verbose_name=_("lessons"),
    )
    exercises = models.ManyToManyField(
        "Exercise",
        related_name="checkpoints",
        blank=True,
        help_text=_(
            "The fixed list of items (when nothing is drawn), from the lessons covered; each run "
            "serves them in a new random order."
        ),
        verbose_name=_("exercises"),
    )
    is_published = models.BooleanField(_("published"), default=False)

    objects = models.Manager()

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(section__isnull=True))
                | (Q(unit__isnull=True) & Q(section__isnull=False)),
                name="checkpoint_unit_or_section",
            ),
            models.CheckConstraint(
                condition=Q(pass_percent__gte=1) & Q(pass_percent__lte=100), name="checkpoint_pass_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(time_limit_sec__isnull=True) | Q(time_limit_sec__gte=MIN_TIME_LIMIT_SEC),
                name="checkpoint_time_limit_min",
            ),
            models.CheckConstraint(condition=Q(draw__isnull=True) | Q(draw__gte=1), name="checkpoint_draw_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.slug}: {self.display_title}"

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        scope = self.unit if self.unit_id else self.section
        if scope is None:
            return gettext("Checkpoint")
        return gettext("Checkpoint: %(title)s") % {"title": scope.title}

    @property
    def course_id_of_scope(self) -> int:
        """The course's id, through the unit's section or the section (loads them if not selected)."""
        return self.unit.section.course_id if self.unit_id else self.section.course_id

    def clean(self) -> None:
        super().clean()
        if (self.unit_id is None) == (self.section_id is None):
            raise ValidationError(_("A checkpoint ends either a unit or a section: choose one of them."))
