"""Value objects returned by the learner's-loop services (and serialised by the API)."""

from dataclasses import asdict, dataclass, fields
from datetime import datetime


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class AnswerOutcome:
    attempt_id: int
    exercise_id: int
    correct: bool
    note: str | None
    solution: str
    best_match: str | None
    xp_awarded: int
    run_xp: int
    hearts: int
    next_heart_at: datetime | None
    run_status: str
    remaining: int
    total: int
    repeated: bool = False
    #: the learner's answer as text (a choice's text, never its index); "" when there is none to show
    your_answer: str = ""
    #: after a wrong typed answer: ``{"answer": [[word, same], …], "solution": [[word, same], …]}``
    #: (``courses.answers.word_diff``), the differing words marked; else None
    diff: dict | None = None
    #: "I could not say it": not right, but no heart and no mistake; the exercise comes back later
    excused: bool = False
    #: the run's kind (lesson, review, checkpoint): a checkpoint never serves a wrong item again
    run_kind: str = "lesson"

    def as_dict(self) -> dict:
        return {k: _jsonable(v) for k, v in asdict(self).items()}

    def stored_result(self) -> dict:
        """What ExerciseAttempt.result keeps (everything but the ids and the replay flag)."""
        data = self.as_dict()
        for key in ("attempt_id", "repeated"):
            data.pop(key)
        return data

    @classmethod
    def from_stored(cls, *, attempt_id: int, result: dict, repeated: bool = True) -> "AnswerOutcome":
        names = {f.name for f in fields(cls)}
        data = {k: v for k, v in result.items() if k in names}
        if data.get("next_heart_at"):
            data["next_heart_at"] = datetime.fromisoformat(data["next_heart_at"])
        return cls(**{**data, "attempt_id": attempt_id, "repeated": repeated})


@dataclass(frozen=True)
class PairCheck:
    """One pair of a match exercise, judged as the learner taps it (``check_pair``)."""

    exercise_id: int
    left: int
    right: int
    correct: bool  # this pair only
    found: list[list[int]]  # the pairs found right so far, [left, right] indices of the public lists
    wrong_tries: int  # wrong pairs tried so far: any makes the exercise's answer wrong (one heart)
    complete: bool  # every pair found: send the answer
    repeated: bool  # the same pair was checked before; nothing changed


@dataclass(frozen=True)
class SkipOutcome:
    """An honest exit ("Can't listen now"): what left the run and until when the kind is skipped."""

    run_id: int
    kind: str  # "listen" or "speak"
    until: datetime
    skipped: list[int]  # the exercise ids taken out of the run
    run_status: str


@dataclass(frozen=True)
class HeartsState:
    hearts: int
    max: int
    next_heart_at: datetime | None
    refill_price: int
    can_refill: bool

    def as_dict(self) -> dict:
        return {k: _jsonable(v) for k, v in asdict(self).items()}
