"""Shared pieces of the types whose answer is typed text (translate, listen, speak, fill_blank)."""

from courses import answers

from . import _fields

#: the payload line every typed-answer type adds to its ``schema``
STRICT_CONTRACTIONS_SCHEMA = (
    'strict_contractions: optional list of contractions ("don\'t", "zum") not to accept for their long form, '
    "nor the reverse, when the exercise is about them"
)


def check_text(
    text: str, solutions: list[str], language: str, *, payload: dict, lexicon: answers.Lexicon
) -> answers.Verdict:
    """Typed answers are judged in exactly one place: ``courses.answers.check_answer_text``."""
    return answers.check_answer_text(
        text, solutions, language, strict_contractions=payload.get("strict_contractions", ()), lexicon=lexicon
    )


def validate_strict_contractions(errors: _fields.Errors, cleaned: dict) -> None:
    if "strict_contractions" in cleaned:
        _fields.strict_contractions(errors, "strict_contractions", cleaned["strict_contractions"])


def first_solution(solutions: list[str]) -> str:
    """The solution shown to a learner after answering: the first sentence the first solution accepts."""
    return _fields.expansions(solutions[0])[0]
