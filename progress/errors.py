"""Errors raised by progress's services: starting runs and reviews, enrolment (base: core.errors)."""

from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError


class LessonLocked(ServiceError):
    code = "lesson_locked"
    status = 409
    default_message = _("This lesson is locked: pass the lessons before it first.")


class EmptyLesson(ServiceError):
    code = "empty_lesson"
    status = 409
    default_message = _("This lesson has no exercises yet.")


class NotEnrolled(ServiceError):
    code = "not_enrolled"
    status = 409
    default_message = _("You are not enrolled in this course.")


class NothingToReview(ServiceError):
    code = "nothing_to_review"
    status = 409
    default_message = _("Nothing is due for review: no words are due and you have made no recent mistakes.")


class NothingToPractise(ServiceError):
    """Practice ahead needs words: the learner has practised none of the course's words yet."""

    code = "nothing_to_practise"
    status = 409
    default_message = _("You have not practised any word of this course yet: start a lesson first.")


class InvalidReport(ServiceError):
    code = "invalid_report"
    status = 400
    default_message = _("This report cannot be sent.")


class TooManyReports(ServiceError):
    code = "too_many_reports"
    status = 429
    default_message = _("You have sent many reports in the last hour. Thank you! Please try again later.")


class CheckpointLocked(ServiceError):
    code = "checkpoint_locked"
    status = 409
    default_message = _("This checkpoint is locked: reach the unit or section it tests first.")


class CheckpointCoolingDown(ServiceError):
    """A failed (or abandoned) checkpoint may be taken again once its cool-down is over."""

    code = "checkpoint_cooling_down"
    status = 409
    default_message = _("You can take this checkpoint again a little later.")

    def __init__(self, message=None, *, retry_at=None, field=None):
        self.retry_at = retry_at
        super().__init__(message, field=field)


class EmptyCheckpoint(ServiceError):
    code = "empty_checkpoint"
    status = 409
    default_message = _("This checkpoint has no exercises yet.")
