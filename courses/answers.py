"""Server-side checking of typed answers (DESIGN §4). Pure functions: no database, no Django models."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    correct: bool
    note: str | None = None  # learner-facing, e.g. the accent or typo that was forgiven
    best_match: str | None = None  # the accepted solution matched, or the closest one


def check_answer_text(text: str, solutions: list[str], language: str) -> Verdict:
    raise NotImplementedError  # implemented in the learner's-loop work
