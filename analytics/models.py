"""Rollup tables for course analytics, one row per UTC day (written only by the nightly rollup job).

Every figure an analytics page shows is a sum over these rows for the chosen days, so a page reads a
fixed number of queries whatever the number of attempts. Runs and attempts count only in lesson
runs (reviews are spread over many lessons and are left out). See docs/authoring.md, "Course
analytics", and docs/jobs.md, ``rollup_daily_metrics``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LessonDay(models.Model):
    """Lesson runs of one lesson on one UTC day: started that day; passed, failed (out of hearts) or
    quit (abandoned) that day."""

    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.CASCADE, related_name="analytics_days", verbose_name=_("lesson")
    )
    day = models.DateField(_("day"))
    started = models.PositiveIntegerField(_("started"), default=0)
    passed = models.PositiveIntegerField(_("passed"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    quit = models.PositiveIntegerField(_("quit"), default=0)

    class Meta:
        verbose_name = _("course analytics")
        verbose_name_plural = _("course analytics")
        constraints = [models.UniqueConstraint(fields=["lesson", "day"], name="analytics_lesson_day_unique")]
        indexes = [models.Index(fields=["day"], name="analytics_lesson_day_day")]

    def __str__(self) -> str:
        return f"lesson {self.lesson_id} on {self.day}"


class LessonTime(models.Model):
    """How long the passed runs of a lesson took (the learners' time answering, summed over the run),
    as a histogram: ``runs`` passed runs in time bucket ``bucket`` (``analytics.rules``)."""

    lesson = models.ForeignKey("courses.Lesson", on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson"))
    day = models.DateField(_("day"))
    bucket = models.PositiveSmallIntegerField(_("bucket"))
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("lesson time")
        verbose_name_plural = _("lesson times")
        constraints = [models.UniqueConstraint(fields=["lesson", "day", "bucket"], name="analytics_lesson_time_unique")]
        indexes = [models.Index(fields=["day"], name="analytics_lesson_time_day")]

    def __str__(self) -> str:
        return f"lesson {self.lesson_id} on {self.day}, bucket {self.bucket}"


class ExerciseDay(models.Model):
    """Answers to one exercise in one lesson's runs on one UTC day. A first try is the first answer
    to the exercise in its run (a wrong answer brings the exercise back later in the run)."""

    lesson = models.ForeignKey("courses.Lesson", on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson"))
    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="analytics_days", verbose_name=_("exercise")
    )
    day = models.DateField(_("day"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    first_tries = models.PositiveIntegerField(_("first tries"), default=0)
    first_try_correct = models.PositiveIntegerField(_("right at the first try"), default=0)

    class Meta:
        verbose_name = _("exercise day")
        verbose_name_plural = _("exercise days")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "exercise", "day"], name="analytics_exercise_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="analytics_exercise_day_day")]

    def __str__(self) -> str:
        return f"exercise {self.exercise_id} in lesson {self.lesson_id} on {self.day}"


class ExerciseTime(models.Model):
    """Time spent on each answer to an exercise (``time_spent_ms``), as a histogram (``analytics.rules``)."""

    lesson = models.ForeignKey("courses.Lesson", on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson"))
    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="+", verbose_name=_("exercise")
    )
    day = models.DateField(_("day"))
    bucket = models.PositiveSmallIntegerField(_("bucket"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("exercise time")
        verbose_name_plural = _("exercise times")
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "exercise", "day", "bucket"], name="analytics_exercise_time_unique"
            )
        ]
        indexes = [models.Index(fields=["day"], name="analytics_exercise_time_day")]

    def __str__(self) -> str:
        return f"exercise {self.exercise_id} in lesson {self.lesson_id} on {self.day}, bucket {self.bucket}"


class WrongAnswerDay(models.Model):
    """How many wrong answers to an exercise (in one lesson's runs, on one UTC day) read the same once
    normalised (``courses.answers.normalized_answer``; a choice counts as the option chosen)."""

    lesson = models.ForeignKey("courses.Lesson", on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson"))
    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="+", verbose_name=_("exercise")
    )
    day = models.DateField(_("day"))
    answer = models.CharField(_("answer"), max_length=200)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("wrong answer day")
        verbose_name_plural = _("wrong answer days")
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "exercise", "day", "answer"], name="analytics_wrong_answer_unique"
            )
        ]
        indexes = [models.Index(fields=["day"], name="analytics_wrong_answer_day")]

    def __str__(self) -> str:
        return f"{self.answer!r} x{self.count} on {self.day}"
