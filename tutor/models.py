"""A learner's tutor chats: one session per lesson (and run) they asked about, and its messages.

Both tables point at the learner (``user``), so the data export finds them and erasing the account
deletes them (docs/accounts.md, "Export" and "Erasure"). Rows are written only by ``tutor.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .texts import failure_sentence, opening_note


class TutorSession(models.Model):
    """A chat about one lesson, opened from an answer's feedback or a run's end screen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutor_sessions", verbose_name=_("user")
    )
    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.CASCADE, related_name="tutor_sessions", verbose_name=_("lesson")
    )
    run = models.ForeignKey(
        "progress.LessonRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tutor_sessions",
        help_text=_("The run the chat was opened from (its answers decide which solutions the tutor may see)"),
        verbose_name=_("run"),
    )
    exercise = models.ForeignKey(
        "courses.Exercise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tutor_sessions",
        help_text=_("The exercise whose feedback the chat was opened from, if any"),
        verbose_name=_("exercise"),
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"), help_text=_("The last message"))

    class Meta:
        verbose_name = _("tutor session")
        verbose_name_plural = _("tutor sessions")
        indexes = [models.Index(fields=["user", "-updated_at"])]

    def __str__(self) -> str:
        return f"Tutor chat #{self.pk} of {self.user} on {self.lesson.slug}"


class TutorMessage(models.Model):
    """One message of a session, numbered from 1 in the order it was written.

    A tutor reply is created ``pending`` before the model is asked, becomes ``complete`` with its
    text and token counts, or ``failed`` with the reason (and whatever text had arrived); the
    learner's message before it is kept either way.
    """

    class Sender(models.TextChoices):
        LEARNER = "learner", _("Learner")
        TUTOR = "tutor", _("Tutor")
        SYSTEM = "system", _("System")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being written")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    session = models.ForeignKey(
        TutorSession, on_delete=models.CASCADE, related_name="messages", verbose_name=_("session")
    )
    # The session's learner again, so that the export and erasure of an account find the messages.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutor_messages", verbose_name=_("user")
    )
    ordinal = models.PositiveIntegerField(_("ordinal"), help_text=_("1, 2, 3 … in the session"))
    sender = models.CharField(_("sender"), max_length=8, choices=Sender.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.COMPLETE)
    content = models.TextField(_("content"), blank=True)
    error = models.CharField(
        _("error"), max_length=300, blank=True, help_text=_("Why the reply failed, as shown to the learner")
    )
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    model = models.CharField(_("model"), max_length=200, blank=True, help_text=_("The model that wrote the reply"))
    prompt_tokens = models.PositiveIntegerField(_("prompt tokens"), default=0)
    completion_tokens = models.PositiveIntegerField(_("completion tokens"), default=0)
    created_at = models.DateTimeField(_("created at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tutor message")
        verbose_name_plural = _("tutor messages")
        ordering = ["session", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["session", "ordinal"], name="tutor_message_unique_ordinal"),
            models.CheckConstraint(condition=Q(ordinal__gte=1), name="tutor_message_ordinal_positive"),
            # Only the tutor's replies can be pending or fail; a failed reply says why.
            models.CheckConstraint(
                condition=Q(sender="tutor") | Q(status="complete"), name="tutor_message_only_replies_pending"
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="tutor_message_failure_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", completed_at__isnull=True)
                | (~Q(status="pending") & Q(completed_at__isnull=False)),
                name="tutor_message_completed_iff_not_pending",
            ),
        ]
        indexes = [models.Index(fields=["user", "sender", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.ordinal} {self.sender} ({self.status}) in chat {self.session_id}"

    @property
    def shown_content(self) -> str:
        """The text pages and the API show: the note that opens the chat (Mallard's) in the reader's
        language, made from the chat's lesson and exercise (``tutor.texts``); any other message as
        written. Reads ``session.lesson`` and ``session.exercise``: load them with the messages."""
        if self.sender != self.Sender.SYSTEM:
            return self.content
        session = self.session
        exercise = session.exercise if session.exercise_id else None
        return opening_note(lesson_title=session.lesson.title, exercise_prompt=exercise.prompt if exercise else "")

    @property
    def shown_error(self) -> str:
        """Why the reply failed, in the reader's language, from its ``error_code`` (``error`` keeps the
        sentence as written, in the site's language); empty unless failed."""
        return failure_sentence(self.error_code) if self.status == self.Status.FAILED else ""
