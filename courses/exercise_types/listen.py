"""``listen``: hear a sentence, type what was said."""

from typing import Any

from courses.answers import NO_LEXICON, Lexicon, Verdict

from . import _fields, _text, register
from .base import ExerciseType


@register
class Listen(ExerciseType):
    name = "listen"
    label = "Listen (type what you hear)"
    template = "exercises/listen.html"
    schema = (
        "text: what the audio says, in the target language (string)\n"
        "solutions: optional accepted spellings (list of strings; default [text])\n" + _text.STRICT_CONTRACTIONS_SCHEMA
    )
    example = {"text": "Buenos días", "solutions": ["Buenos días", "Buen día"]}

    def validate_payload(self, payload: Any) -> dict:
        cleaned, errors = _fields.require_object(
            payload, required={"text"}, optional={"solutions", "strict_contractions"}
        )
        if "text" in cleaned:
            _fields.text(errors, "text", cleaned["text"])
        if "solutions" in cleaned:
            _fields.text_list(errors, "solutions", cleaned["solutions"], alternates=True)
        _text.validate_strict_contractions(errors, cleaned)
        errors.raise_if_any()
        return cleaned

    def public_payload(self, payload: dict) -> dict:
        # The text *is* the solution: the learner gets the audio (Exercise.audio) and nothing else.
        return {}

    def parse_answer(self, data: Any) -> str:
        return _fields.as_single_string(data)

    def solutions(self, payload: dict) -> list[str]:
        return payload.get("solutions") or [payload["text"]]

    def check(self, payload: dict, answer: str, *, language: str, lexicon: Lexicon = NO_LEXICON) -> Verdict:
        return _text.check_text(answer, self.solutions(payload), language, payload=payload, lexicon=lexicon)

    def solution_display(self, payload: dict) -> str:
        return payload["text"]

    def audio_text(self, payload: dict) -> str | None:
        return payload["text"]

    def answer_language(self, payload: dict) -> str:
        return "target"
