"""``multiple_choice``: pick the right answer among 2 to 6 choices."""

import random
from typing import Any

from courses.answers import NO_LEXICON, Lexicon, Verdict

from . import _fields, permuted, register
from .base import ExerciseType


@register
class MultipleChoice(ExerciseType):
    name = "multiple_choice"
    label = "Multiple choice"
    template = "exercises/multiple_choice.html"
    schema = (
        "question: the question (string)\n"
        "choices: 2 to 6 distinct strings\n"
        "answer: index of the correct choice (integer, 0 = first)"
    )
    example = {"question": "Which one means “thank you”?", "choices": ["gracias", "por favor", "hola"], "answer": 0}

    def validate_payload(self, payload: Any) -> dict:
        cleaned, errors = _fields.require_object(payload, required={"question", "choices", "answer"})
        if "question" in cleaned:
            _fields.text(errors, "question", cleaned["question"])
        size = None
        if "choices" in cleaned:
            _fields.text_list(errors, "choices", cleaned["choices"], min_items=2, max_items=6)
            if isinstance(cleaned["choices"], list):
                size = len(cleaned["choices"])
        if "answer" in cleaned:
            _fields.index(errors, "answer", cleaned["answer"], size=size)
        errors.raise_if_any()
        return cleaned

    def public_payload(self, payload: dict) -> dict:
        return {"question": payload["question"], "choices": list(payload["choices"])}

    def shuffle(self, payload: dict, rng: random.Random) -> dict:
        choices, order = permuted(payload["choices"], rng)
        return {**payload, "choices": choices, "answer": order.index(payload["answer"])}

    def parse_answer(self, data: Any) -> int:
        return _fields.as_index(data)

    def check(self, payload: dict, answer: int, *, language: str, lexicon: Lexicon = NO_LEXICON) -> Verdict:
        choices = payload["choices"]
        chosen = choices[answer] if 0 <= answer < len(choices) else None
        return Verdict(correct=answer == payload["answer"], best_match=chosen)

    def answer_display(self, payload: dict, answer: Any) -> str:
        choices = payload["choices"]
        return choices[answer] if isinstance(answer, int) and 0 <= answer < len(choices) else ""

    def solution_display(self, payload: dict) -> str:
        return payload["choices"][payload["answer"]]
