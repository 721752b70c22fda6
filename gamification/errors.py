"""Errors raised by gamification's services: hearts, gems and answers (base: core.errors)."""

from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError


class OutOfHearts(ServiceError):
    code = "out_of_hearts"
    status = 409
    default_message = _("You are out of hearts. Refill them with gems or do a review session.")


class RunFinished(ServiceError):
    code = "run_finished"
    status = 409
    default_message = _("This lesson run is already finished.")


class ExerciseNotInRun(ServiceError):
    code = "exercise_not_in_run"
    status = 400
    default_message = _("That exercise is not waiting for an answer in this run.")

    def __init__(self, message: str | None = None, *, field: str | None = "exercise"):
        super().__init__(message, field=field)


class InvalidAnswer(ServiceError):
    code = "invalid_answer"
    status = 400
    default_message = _("The answer is malformed.")

    def __init__(self, message: str | None = None, *, field: str | None = "answer"):
        super().__init__(message, field=field)


class PairAlreadyMatched(ServiceError):
    code = "pair_already_matched"
    status = 409
    default_message = _("One of these items is already matched.")

    def __init__(self, message: str | None = None, *, field: str | None = "left"):
        super().__init__(message, field=field)


class SkipNotAllowed(ServiceError):
    code = "skip_not_allowed"
    status = 409
    default_message = _("A checkpoint tests every exercise it has: none can be skipped.")


class ClientIdConflict(ServiceError):
    code = "client_id_conflict"
    status = 409
    default_message = _("This client_id was already used for a different exercise or run.")

    def __init__(self, message: str | None = None, *, field: str | None = "client_id"):
        super().__init__(message, field=field)


class NotEnoughGems(ServiceError):
    code = "not_enough_gems"
    status = 409
    default_message = _("You do not have enough gems.")


class HeartsFull(ServiceError):
    code = "hearts_full"
    status = 409
    default_message = _("Your hearts are already full.")


class FreezesFull(ServiceError):
    code = "freezes_full"
    status = 409
    default_message = _("You already hold as many streak freezes as you can (2).")


class TimeUp(ServiceError):
    """An answer at or after a timed run's deadline (the server's clock): not counted; the run has ended."""

    code = "time_up"
    status = 409
    default_message = _("Time is up: this answer came after the time limit and was not counted.")


class TimeLeft(ServiceError):
    code = "time_left"
    status = 409
    default_message = _("This run still has time left (or no time limit): answer, or quit it.")
