"""Shared pieces of the types whose answer is typed text (translate, listen, speak, fill_blank)."""

from courses import answers

from . import _fields


def check_text(text: str, solutions: list[str], language: str) -> answers.Verdict:
    """Typed answers are judged in exactly one place: ``courses.answers.check_answer_text``."""
    return answers.check_answer_text(text, solutions, language)


def first_solution(solutions: list[str]) -> str:
    """The solution shown to a learner after answering: the first sentence the first solution accepts."""
    return _fields.expansions(solutions[0])[0]
