"""``speak``: say a phrase. Scored from the browser's speech-recognition transcript, or self-assessed."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from courses.answers import NO_LEXICON, Lexicon, Verdict

from . import _fields, _text, register
from .base import ExerciseType

#: form values of the two self-assessment buttons (for browsers without speech recognition)
SELF_YES = "self:yes"
SELF_NO = "self:no"


@register
class Speak(ExerciseType):
    name = "speak"
    label = "Speak (say the phrase)"
    template = "exercises/speak.html"
    schema = (
        "text: the phrase to say, in the target language (string)\n"
        "solutions: optional accepted transcripts (list of strings; default [text])\n"
        + _text.STRICT_CONTRACTIONS_SCHEMA
    )
    example = {"text": "Me llamo Ana"}

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
        # The learner reads the phrase aloud: showing it gives nothing away.
        return {"text": payload["text"]}

    def parse_answer(self, data: Any) -> dict:
        """JSON ``{"transcript": "..."}`` or ``{"self_assessed": true|false}``; a form sends ``self:yes`` /
        ``self:no`` from the self-assessment buttons, or the transcript text itself."""
        if isinstance(data, dict):
            if set(data) == {"transcript"}:
                return {"transcript": _fields.as_single_string(data["transcript"], what="transcript")}
            if set(data) == {"self_assessed"} and isinstance(data["self_assessed"], bool):
                return {"self_assessed": data["self_assessed"]}
            raise ValidationError(gettext('Send {"transcript": "..."} or {"self_assessed": true|false}.'))
        value = _fields.as_single_string(data)
        if value == SELF_YES:
            return {"self_assessed": True}
        if value == SELF_NO:
            return {"self_assessed": False}
        return {"transcript": value}

    def check(self, payload: dict, answer: dict, *, language: str, lexicon: Lexicon = NO_LEXICON) -> Verdict:
        if "self_assessed" in answer:
            if not answer["self_assessed"]:  # "I could not say it": honest, so not a mistake (game-rules.md)
                note = gettext("No problem: this one comes back later in the lesson.")
                return Verdict(correct=False, note=note, best_match=payload["text"], excused=True)
            return Verdict(correct=True, note="Self-assessed", best_match=payload["text"])
        solutions = payload.get("solutions") or [payload["text"]]
        return _text.check_text(answer["transcript"], solutions, language, payload=payload, lexicon=lexicon)

    def answer_display(self, payload: dict, answer: Any) -> str:
        """The transcript heard; nothing for a self-assessment (the feedback says what it means)."""
        return answer.get("transcript", "") if isinstance(answer, dict) else ""

    def solution_display(self, payload: dict) -> str:
        return payload["text"]

    def audio_text(self, payload: dict) -> str | None:
        return payload["text"]

    def answer_language(self, payload: dict) -> str:
        return "target"
