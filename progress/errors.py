"""Errors raised by the learner's-loop services (progress and gamification).

Pages and the API map them to responses: ``status`` is the HTTP status to use, ``code`` a stable
machine-readable name, ``field`` the input field at fault (if any). Someone else's run, lesson or
course is always ``NotFound`` (404), never 403, so ids do not leak.
"""


class ServiceError(Exception):
    code: str = "error"
    status: int = 400
    default_message: str = "The request could not be completed."

    def __init__(self, message: str | None = None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(ServiceError):
    code = "not_found"
    status = 404
    default_message = "Not found."


class LessonLocked(ServiceError):
    code = "lesson_locked"
    status = 409
    default_message = "This lesson is locked: pass the lessons before it first."


class EmptyLesson(ServiceError):
    code = "empty_lesson"
    status = 409
    default_message = "This lesson has no exercises yet."


class OutOfHearts(ServiceError):
    code = "out_of_hearts"
    status = 409
    default_message = "You are out of hearts. Refill them with gems or do a review session."


class RunFinished(ServiceError):
    code = "run_finished"
    status = 409
    default_message = "This lesson run is already finished."


class ExerciseNotInRun(ServiceError):
    code = "exercise_not_in_run"
    status = 400
    default_message = "That exercise is not waiting for an answer in this run."

    def __init__(self, message: str | None = None, *, field: str | None = "exercise"):
        super().__init__(message, field=field)


class InvalidAnswer(ServiceError):
    code = "invalid_answer"
    status = 400
    default_message = "The answer is malformed."

    def __init__(self, message: str | None = None, *, field: str | None = "answer"):
        super().__init__(message, field=field)


class NotEnrolled(ServiceError):
    code = "not_enrolled"
    status = 409
    default_message = "You are not enrolled in this course."


class NotEnoughGems(ServiceError):
    code = "not_enough_gems"
    status = 409
    default_message = "You do not have enough gems."


class HeartsFull(ServiceError):
    code = "hearts_full"
    status = 409
    default_message = "Your hearts are already full."


class NothingToReview(ServiceError):
    code = "nothing_to_review"
    status = 409
    default_message = "Nothing to review yet: no words are due and you have made no recent mistakes."


class ClientIdConflict(ServiceError):
    code = "client_id_conflict"
    status = 409
    default_message = "This client_id was already used for a different exercise or run."

    def __init__(self, message: str | None = None, *, field: str | None = "client_id"):
        super().__init__(message, field=field)
