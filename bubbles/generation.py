"""What each phase asks the model: the messages, the JSON schema of the answer and the extra checks.

Pure functions of the bubble's context (no database), so tests and docs can read the prompts.
Generated exercises are checked by ``courses.services.validate_exercise``, the validator the admin
and the course-file import use, through the ``validate`` callable the exercises phase passes.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from courses.models import Course, Exercise
from courses.services import validate_exercise

#: The exercise types a bubble may use: text-only types that need no picture, no microphone and no audio.
EXERCISE_TYPES = ["translate", "multiple_choice", "word_bank", "fill_blank", "match_pairs"]

_STR = {"type": "string", "minLength": 1, "maxLength": 300}


def _obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


SCHEMAS: dict[str, dict[str, Any]] = {
    "plan": _obj({"title": {"type": "string", "minLength": 1, "maxLength": 200}, "summary": _STR}),
    "sentences": _obj(
        {
            "sentences": {
                "type": "array",
                "minItems": 3,
                "maxItems": 12,
                "items": _obj({"text": _STR, "translation": _STR}),
            }
        }
    ),
    "vocabulary": _obj(
        {
            "words": {
                "type": "array",
                "minItems": 3,
                "maxItems": 20,
                "items": _obj(
                    {
                        "lemma": {"type": "string", "minLength": 1, "maxLength": 120},
                        "translation": {"type": "string", "minLength": 1, "maxLength": 200},
                        "part_of_speech": {
                            "type": "string",
                            "enum": ["noun", "verb", "adjective", "adverb", "pronoun", "preposition", "other"],
                        },
                        "gender": {"type": "string", "enum": ["masculine", "feminine", "neuter", "none"]},
                        "example": _STR,
                    }
                ),
            }
        }
    ),
    "dialogue": _obj(
        {
            "lines": {
                "type": "array",
                "minItems": 4,
                "maxItems": 16,
                "items": _obj({"speaker": {"type": "string", "enum": ["A", "B"]}, "text": _STR, "translation": _STR}),
            }
        }
    ),
    # ``payload`` is open here (its shape depends on the type): the course format's validators check it.
    "exercises": {
        "type": "object",
        "properties": {
            "exercises": {
                "type": "array",
                "minItems": 3,
                "maxItems": 15,
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": EXERCISE_TYPES},
                        "prompt": {"type": "string", "maxLength": 300},
                        "payload": {"type": "object"},
                        "words": {"type": "array", "items": {"type": "string"}},
                        "sentence": {"type": "integer", "minimum": -1},
                    },
                    "required": ["type", "prompt", "payload", "words", "sentence"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["exercises"],
        "additionalProperties": False,
    },
}


@dataclass
class Context:
    """What earlier phases made, which later phases build on."""

    topic: str
    level: str
    target: str  # the language learnt, e.g. "Spanish"
    source: str  # the learner's language, e.g. "English"
    title: str = ""
    summary: str = ""
    sentences: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


def messages_for(phase: str, ctx: Context) -> list[dict[str, str]]:
    system = (
        f"You write material for a {ctx.source}-speaking learner of {ctx.target} at CEFR level {ctx.level}, "
        f"about the topic: {ctx.topic!r}. Use only {ctx.target} suited to that level; translations are in "
        f"{ctx.source}. Answer with one JSON object matching the given schema and nothing else."
    )
    known = ""
    if ctx.title:
        known += f"\nThe bubble is titled {ctx.title!r}: {ctx.summary}"
    if ctx.sentences:
        known += "\nIts sentences (numbered from 0):\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(ctx.sentences))
    if ctx.words:
        known += "\nIts vocabulary (lemmas): " + ", ".join(ctx.words)
    asks = {
        "plan": "Plan a short practice bubble on the topic: a title and a one-sentence summary.",
        "sentences": f"Write 6 to 10 useful {ctx.target} sentences for this bubble, each with its translation.",
        "vocabulary": f"List 6 to 12 {ctx.target} words from these sentences: lemma, translation, part of speech, "
        "grammatical gender (none when it has none) and a short example sentence.",
        "dialogue": f"Write a short {ctx.target} dialogue between two people, A and B, using this vocabulary, "
        "each line with its translation.",
        "exercises": "Write 6 to 10 exercises practising these sentences and words. Types and payloads:\n"
        + exercise_type_help()
        + "\n'words' lists the lemmas of the vocabulary each exercise practises; 'sentence' is the number of "
        "the sentence it practises, or -1.",
    }
    return [{"role": "system", "content": system}, {"role": "user", "content": asks[phase] + known}]


def exercise_type_help() -> str:
    from courses.exercise_types import get_type

    lines = []
    for name in EXERCISE_TYPES:
        kind = get_type(name)
        lines.append(f"- {name}: {kind.schema.strip()} Example payload: {kind.example}")
    return "\n".join(lines)


def exercise_errors(data: Any, *, course: Course, lemmas: list[str], sentence_count: int) -> list[str]:
    """The exercises phase's check on top of the schema: each payload through the course format's
    validator, the words among the bubble's vocabulary, the sentence number in range."""
    errors: list[str] = []
    known = {lemma.casefold() for lemma in lemmas}
    for i, item in enumerate(data.get("exercises", [])):
        exercise = Exercise(course=course, type=item["type"], payload=item["payload"])
        try:
            validate_exercise(exercise)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.extend(f"exercises/{i}/{key.replace('.', '/')}: {m}" for m in messages)
        for word in item["words"]:
            if word.casefold() not in known:
                errors.append(f"exercises/{i}/words: {word!r} is not one of the vocabulary's lemmas")
        if item["sentence"] >= sentence_count:
            errors.append(
                f"exercises/{i}/sentence: {item['sentence']} is not a sentence number (0-{sentence_count - 1})"
            )
    return errors


def texts_of(data: Any) -> list[str]:
    """Every string in a phase's answer: what the moderation hook reads."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [t for v in data.values() for t in texts_of(v)]
    if isinstance(data, list):
        return [t for v in data for t in texts_of(v)]
    return []
