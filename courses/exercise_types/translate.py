"""``translate``: read a sentence, type its translation."""

from typing import Any

from django.utils.translation import gettext

from courses.answers import NO_LEXICON, Lexicon, Verdict

from . import _fields, _text, register
from .base import ExerciseType

DIRECTIONS = ("to_target", "to_source")


@register
class Translate(ExerciseType):
    name = "translate"
    label = "Translate (type the translation)"
    template = "exercises/translate.html"
    schema = (
        "text: the sentence to translate (string)\n"
        "solutions: accepted translations (list of strings, ≥ 1; alternates like 'I [am/'m] here')\n"
        "direction: 'to_target' (default) or 'to_source'\n" + _text.STRICT_CONTRACTIONS_SCHEMA
    )
    example = {"text": "Hola", "solutions": ["[Hello/Hi]"], "direction": "to_source"}

    def validate_payload(self, payload: Any) -> dict:
        cleaned, errors = _fields.require_object(
            payload, required={"text", "solutions"}, optional={"direction", "strict_contractions"}
        )
        if "text" in cleaned:
            _fields.text(errors, "text", cleaned["text"])
        if "solutions" in cleaned:
            _fields.text_list(errors, "solutions", cleaned["solutions"], alternates=True)
        if "direction" in cleaned and cleaned["direction"] not in DIRECTIONS:
            errors.add(
                "direction",
                gettext("Must be one of %(values)s, not %(value)r.")
                % {"values": ", ".join(DIRECTIONS), "value": cleaned["direction"]},
            )
        _text.validate_strict_contractions(errors, cleaned)
        errors.raise_if_any()
        return cleaned

    def public_payload(self, payload: dict) -> dict:
        return {"text": payload["text"], "direction": payload.get("direction", "to_target")}

    def parse_answer(self, data: Any) -> str:
        return _fields.as_single_string(data)

    def check(self, payload: dict, answer: str, *, language: str, lexicon: Lexicon = NO_LEXICON) -> Verdict:
        return _text.check_text(answer, payload["solutions"], language, payload=payload, lexicon=lexicon)

    def solution_display(self, payload: dict) -> str:
        return _text.first_solution(payload["solutions"])

    def audio_text(self, payload: dict) -> str | None:
        # The sentence shown is in the target language only when translating towards the source.
        return payload["text"] if payload.get("direction", "to_target") == "to_source" else None

    def answer_language(self, payload: dict) -> str:
        return "target" if payload.get("direction", "to_target") == "to_target" else "source"
