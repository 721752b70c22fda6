"""``picture``: choose the picture that matches a word or question."""

import random
from typing import Any

from django.utils.translation import gettext

from courses.answers import NO_LEXICON, Lexicon, Verdict

from . import _fields, permuted, register
from .base import ExerciseType


@register
class Picture(ExerciseType):
    name = "picture"
    label = "Picture (choose the image)"
    template = "exercises/picture.html"
    schema = (
        "question: the word or question (string)\n"
        "choices: 2 to 4 objects {label, image}; image is an emoji (string) or an image Asset id (integer)\n"
        "answer: index of the correct choice (integer, 0 = first)\n"
        "hide_labels: optional boolean (default false); true shows the images without their labels"
    )
    example = {
        "question": "el perro",
        "choices": [{"label": "the dog", "image": "🐕"}, {"label": "the cat", "image": "🐈"}],
        "answer": 0,
    }

    def validate_payload(self, payload: Any) -> dict:
        cleaned, errors = _fields.require_object(
            payload, required={"question", "choices", "answer"}, optional={"hide_labels"}
        )
        if "question" in cleaned:
            _fields.text(errors, "question", cleaned["question"])
        size = None
        choices = cleaned.get("choices")
        if "choices" in cleaned:
            if not isinstance(choices, list):
                errors.add(
                    "choices",
                    gettext("Must be a list of {label, image} objects, not %(type)s.")
                    % {"type": _fields.json_type(choices)},
                )
            elif not 2 <= len(choices) <= 4:
                errors.add("choices", gettext("Needs 2 to 4 choices, not %(count)s.") % {"count": len(choices)})
            else:
                size = len(choices)
                labels: dict[str, int] = {}
                images: dict[Any, int] = {}
                for i, choice in enumerate(choices):
                    key = f"choices.{i}"
                    if not isinstance(choice, dict):
                        errors.add(
                            key,
                            gettext("Must be an object {label, image}, not %(type)s.")
                            % {"type": _fields.json_type(choice)},
                        )
                        continue
                    for extra in sorted(set(choice) - {"label", "image"}, key=str):
                        errors.add(
                            f"{key}.{extra}",
                            gettext("Unknown key %(key)r. Allowed keys: %(keys)s.")
                            % {"key": extra, "keys": "image, label"},
                        )
                    for missing in sorted({"label", "image"} - set(choice)):
                        errors.add(f"{key}.{missing}", gettext("This key is required."))
                    if "label" in choice and _fields.text(errors, f"{key}.label", choice["label"]):
                        folded = _fields.fold(choice["label"])
                        if folded in labels:
                            errors.add(
                                f"{key}.label", gettext("Duplicate of choice %(index)s.") % {"index": labels[folded]}
                            )
                        labels.setdefault(folded, i)
                    if "image" in choice:
                        image = choice["image"]
                        if isinstance(image, int) and not isinstance(image, bool):
                            if image < 1:
                                errors.add(f"{key}.image", gettext("An asset id is a positive integer."))
                        elif not _fields.text(errors, f"{key}.image", image):
                            continue
                        if image in images:
                            errors.add(
                                f"{key}.image", gettext("Same image as choice %(index)s.") % {"index": images[image]}
                            )
                        images.setdefault(image, i)
        if "answer" in cleaned:
            _fields.index(errors, "answer", cleaned["answer"], size=size)
        if "hide_labels" in cleaned and not isinstance(cleaned["hide_labels"], bool):
            errors.add(
                "hide_labels",
                gettext("Must be true or false, not %(type)s.") % {"type": _fields.json_type(cleaned["hide_labels"])},
            )
        errors.raise_if_any()
        return cleaned

    def public_payload(self, payload: dict) -> dict:
        hide = bool(payload.get("hide_labels", False))
        choices = []
        for choice in payload["choices"]:
            image = choice["image"]
            public = {"emoji": image} if isinstance(image, str) else {"asset": image}
            if not hide:
                public["label"] = choice["label"]
            choices.append(public)
        return {"question": payload["question"], "choices": choices, "hide_labels": hide}

    def shuffle(self, payload: dict, rng: random.Random) -> dict:
        choices, order = permuted(payload["choices"], rng)
        return {**payload, "choices": choices, "answer": order.index(payload["answer"])}

    def parse_answer(self, data: Any) -> int:
        return _fields.as_index(data)

    def check(self, payload: dict, answer: int, *, language: str, lexicon: Lexicon = NO_LEXICON) -> Verdict:
        choices = payload["choices"]
        chosen = choices[answer]["label"] if 0 <= answer < len(choices) else None
        return Verdict(correct=answer == payload["answer"], best_match=chosen)

    def answer_display(self, payload: dict, answer: Any) -> str:
        choices = payload["choices"]
        return choices[answer]["label"] if isinstance(answer, int) and 0 <= answer < len(choices) else ""

    def solution_display(self, payload: dict) -> str:
        choice = payload["choices"][payload["answer"]]
        return f"{choice['image']} {choice['label']}" if isinstance(choice["image"], str) else choice["label"]

    def asset_ids(self, payload: dict) -> list[int]:
        """Image Asset ids the payload refers to (``courses.services.validate_exercise`` checks they exist)."""
        return [c["image"] for c in payload.get("choices", []) if isinstance(c.get("image"), int)]
