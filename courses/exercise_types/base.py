"""The contract every exercise type implements. One module per type; see docs/exercise-types.md."""

import random
from typing import Any, ClassVar, Literal

from courses.answers import NO_LEXICON, Lexicon, Verdict


class ExerciseType:
    #: the value stored in Exercise.type
    name: ClassVar[str]
    #: shown to authors
    label: ClassVar[str]
    #: the learner-facing template fragment, under templates/exercises/
    template: ClassVar[str]
    #: for authors (admin help text, docs): the payload's keys, one line each
    schema: ClassVar[str] = ""
    #: a valid payload, shown to authors as an example
    example: ClassVar[dict] = {}

    def validate_payload(self, payload: Any) -> dict:
        """Return the cleaned payload, or raise django.core.exceptions.ValidationError whose
        message dict is keyed by the payload field at fault (``"solutions"``, ``"choices.2"``)."""
        raise NotImplementedError

    def public_payload(self, payload: dict) -> dict:
        """What a learner may see before answering: never a solution, nor anything that gives it away."""
        raise NotImplementedError

    def shuffle(self, payload: dict, rng: random.Random) -> dict:
        """The payload as served in one run: lists whose authored order could give the answer away
        (choices, tiles) in ``rng``'s order, with whatever points into them (an answer index) moved
        along, so that ``check`` and ``solution_display`` on the result judge the served positions.
        Use ``courses.exercise_types.served_payload`` (seeded per run and exercise). Default: as is."""
        return payload

    def parse_answer(self, data: Any) -> Any:
        """Turn a submitted answer (form value or JSON) into this type's answer, or raise ValidationError."""
        raise NotImplementedError

    def check(self, payload: dict, answer: Any, *, language: str, lexicon: Lexicon = NO_LEXICON) -> Verdict:
        """Judge an answer; ``language`` is the code of the language the answer is written in."""
        raise NotImplementedError

    def solution_display(self, payload: dict) -> str:
        """The accepted solution as shown after the learner has answered."""
        raise NotImplementedError

    def answer_display(self, payload: dict, answer: Any) -> str:
        """The learner's parsed answer as text for the feedback (``payload`` as served): typed text as
        typed, a choice's text — never an index. Empty when there is nothing to show."""
        return answer if isinstance(answer, str) else ""

    def audio_text(self, payload: dict) -> str | None:
        """The target-language text that audio for this exercise should speak, if any (used by TTS)."""
        return None

    def answer_language(self, payload: dict) -> Literal["target", "source"] | None:
        """Which of the course's languages the learner writes in (None: the answer is not text).
        ``courses.exercise_types.answer_language_code`` turns it into the code ``check`` expects."""
        return None
