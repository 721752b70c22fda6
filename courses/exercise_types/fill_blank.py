"""``fill_blank``: complete a sentence with one missing word or phrase (typed, or chosen from choices)."""

import random
import re
from typing import Any

from django.utils.translation import gettext

from courses.answers import NO_LEXICON, Lexicon, Verdict

from . import _fields, _text, permuted, register
from .base import ExerciseType

BLANK = "___"
_BLANK_RUN = re.compile(r"_{3,}")


@register
class FillBlank(ExerciseType):
    name = "fill_blank"
    label = "Fill in the blank"
    template = "exercises/fill_blank.html"
    schema = (
        "text: the sentence with exactly one ___ (three underscores) where the answer goes\n"
        "solutions: what goes in the blank (list of strings, ≥ 1; alternates allowed)\n"
        "choices: optional list of 2 to 6 distinct strings to pick from (one must be a solution)\n"
        + _text.STRICT_CONTRACTIONS_SCHEMA
    )
    example = {"text": "Yo ___ estudiante.", "solutions": ["soy"], "choices": ["soy", "estoy", "es"]}

    def validate_payload(self, payload: Any) -> dict:
        cleaned, errors = _fields.require_object(
            payload, required={"text", "solutions"}, optional={"choices", "strict_contractions"}
        )
        if "text" in cleaned and _fields.text(errors, "text", cleaned["text"]):
            runs = _BLANK_RUN.findall(cleaned["text"])
            if len(runs) != 1 or runs[0] != BLANK:
                errors.add(
                    "text",
                    gettext("Must contain exactly one blank written %(blank)s (three underscores); found %(count)s.")
                    % {"blank": BLANK, "count": len(runs)},
                )
        solutions_ok = "solutions" in cleaned and _fields.text_list(
            errors, "solutions", cleaned["solutions"], alternates=True
        )
        choices_ok = "choices" in cleaned and _fields.text_list(
            errors, "choices", cleaned["choices"], min_items=2, max_items=6
        )
        if choices_ok and solutions_ok:
            accepted = {_fields.fold(s) for sol in cleaned["solutions"] for s in _fields.expansions(sol)}
            if not any(_fields.fold(c) in accepted for c in cleaned["choices"]):
                errors.add("choices", gettext("None of the choices is an accepted solution."))
        _text.validate_strict_contractions(errors, cleaned)
        errors.raise_if_any()
        return cleaned

    def public_payload(self, payload: dict) -> dict:
        public = {"text": payload["text"]}
        before, _, after = payload["text"].partition(BLANK)
        public["before"], public["after"] = before, after
        if payload.get("choices"):
            public["choices"] = list(payload["choices"])
        return public

    def shuffle(self, payload: dict, rng: random.Random) -> dict:
        if not payload.get("choices"):
            return payload
        return {**payload, "choices": permuted(payload["choices"], rng)[0]}

    def parse_answer(self, data: Any) -> str:
        return _fields.as_single_string(data)

    def check(self, payload: dict, answer: str, *, language: str, lexicon: Lexicon = NO_LEXICON) -> Verdict:
        return _text.check_text(answer, payload["solutions"], language, payload=payload, lexicon=lexicon)

    def solution_display(self, payload: dict) -> str:
        return payload["text"].replace(BLANK, _text.first_solution(payload["solutions"]), 1)

    def answer_language(self, payload: dict) -> str:
        return "target"
