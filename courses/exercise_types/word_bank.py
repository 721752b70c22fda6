"""``word_bank``: build the translation of a sentence by tapping word tiles in order."""

import random
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from courses.answers import NO_LEXICON, Lexicon, Verdict

from . import _fields, _text, permuted, register
from .base import ExerciseType


@register
class WordBank(ExerciseType):
    name = "word_bank"
    label = "Word bank (build the sentence from tiles)"
    template = "exercises/word_bank.html"
    schema = (
        "text: the sentence to translate, in the source language (string)\n"
        "tiles: the solution's words plus distractors, in the order shown (list of 2 to 20 strings)\n"
        "solutions: accepted sentences (list of strings, ≥ 1); every word of each must be a tile"
    )
    example = {
        "text": "I eat bread",
        "tiles": ["pan", "Yo", "agua", "como", "bebo"],
        "solutions": ["[Yo/] como pan"],
    }

    def validate_payload(self, payload: Any) -> dict:
        cleaned, errors = _fields.require_object(payload, required={"text", "tiles", "solutions"})
        if "text" in cleaned:
            _fields.text(errors, "text", cleaned["text"])
        tiles_ok = "tiles" in cleaned and _fields.text_list(
            # A word may appear twice in a sentence, so a tile may repeat; a tile is one word.
            errors,
            "tiles",
            cleaned["tiles"],
            min_items=2,
            max_items=20,
            distinct=False,
        )
        if tiles_ok:
            for i, tile in enumerate(cleaned["tiles"]):
                if len(tile.split()) != 1:
                    errors.add(
                        f"tiles.{i}", gettext("A tile is one word; split %(tile)r into several tiles.") % {"tile": tile}
                    )
        solutions_ok = "solutions" in cleaned and _fields.text_list(
            errors, "solutions", cleaned["solutions"], alternates=True
        )
        if tiles_ok and solutions_ok and "tiles" not in errors:
            available = Counter(w for tile in cleaned["tiles"] for w in _fields.words(tile))
            for i, solution in enumerate(cleaned["solutions"]):
                for sentence in _fields.expansions(solution):
                    needed = Counter(_fields.words(sentence))
                    missing = sorted(w for w, n in needed.items() if available[w] < n)
                    if missing:
                        errors.add(
                            f"solutions.{i}",
                            ngettext(
                                "%(sentence)r uses %(words)s, which is not a tile (or not often enough).",
                                "%(sentence)r uses %(words)s, which are not tiles (or not often enough).",
                                len(missing),
                            )
                            % {"sentence": sentence, "words": ", ".join(repr(w) for w in missing)},
                        )
                        break
        errors.raise_if_any()
        return cleaned

    def public_payload(self, payload: dict) -> dict:
        return {"text": payload["text"], "tiles": list(payload["tiles"])}

    def shuffle(self, payload: dict, rng: random.Random) -> dict:
        # The answer is checked as the sentence the chosen tiles spell, so reordering is all it takes.
        return {**payload, "tiles": permuted(payload["tiles"], rng)[0]}

    def parse_answer(self, data: Any) -> list[int] | str:
        """Tile indices in order (a JSON list of ints, or the form's repeated ``answer`` values), or — the
        no-JavaScript fallback — the sentence typed as one string."""
        if isinstance(data, str):
            data = [data]
        if not isinstance(data, list | tuple) or not data:
            raise ValidationError(_("Choose the tiles of your answer in order."))
        if all(isinstance(v, int) and not isinstance(v, bool) for v in data) or all(
            isinstance(v, str) and v.strip().isdigit() for v in data
        ):
            indices = [int(v) for v in data]
            if len(indices) > 20 or any(i < 0 or i > 99 for i in indices):
                raise ValidationError(_("Those are not tiles of this exercise."))
            return indices
        return _fields.as_single_string(list(data))

    def check(self, payload: dict, answer: list[int] | str, *, language: str, lexicon: Lexicon = NO_LEXICON) -> Verdict:
        tiles = payload["tiles"]
        if isinstance(answer, list):
            if any(i >= len(tiles) for i in answer) or len(set(answer)) != len(answer):
                return Verdict(correct=False, note=gettext("Each tile can be used once."))
            answer = " ".join(tiles[i] for i in answer)
        return _text.check_text(answer, payload["solutions"], language, payload={}, lexicon=lexicon)

    def answer_display(self, payload: dict, answer: Any) -> str:
        if isinstance(answer, str):
            return answer
        tiles = payload["tiles"]
        return " ".join(tiles[i] for i in answer if 0 <= i < len(tiles))

    def solution_display(self, payload: dict) -> str:
        return _text.first_solution(payload["solutions"])

    def answer_language(self, payload: dict) -> str:
        return "target"
