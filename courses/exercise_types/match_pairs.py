"""``match_pairs``: match each word on the left with its partner on the right."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy, ngettext

from courses.answers import NO_LEXICON, Lexicon, Verdict

from . import _fields, register
from .base import ExerciseType

#: A pair's item that repeats another pair's, on the left or on the right (whole sentences).
_DUPLICATE_LEFT = gettext_lazy("Duplicate left %(item)r (also in pair %(pair)s).")
_DUPLICATE_RIGHT = gettext_lazy("Duplicate right %(item)r (also in pair %(pair)s).")


def sorted_rights(pairs: list) -> list[str]:
    """The right column as learners see it: alphabetical (case-folded), so its order says nothing about
    the pairing."""
    return sorted((right for _, right in pairs), key=lambda s: (_fields.fold(s), s))


def wrong_pairs_note(wrong: list[str], unmatched: int = 0) -> str:
    """The feedback's note naming the pairs the learner got wrong (``"el gato = the dog"``)."""
    parts = []
    if wrong:
        parts.append(
            ngettext("Wrong pair: %(pairs)s.", "Wrong pairs: %(pairs)s.", len(wrong)) % {"pairs": "; ".join(wrong)}
        )
    if unmatched:
        parts.append(ngettext("%(n)d item not matched.", "%(n)d items not matched.", unmatched) % {"n": unmatched})
    return " ".join(parts)


def pair_is_right(payload: dict, left: int, right: int) -> bool:
    """Whether item ``left`` of the public left column goes with item ``right`` of the public right
    column (indices in range: ``pair_in_range``). Reveals nothing about any other pair."""
    public_right = sorted_rights(payload["pairs"])
    return _fields.fold(payload["pairs"][left][1]) == _fields.fold(public_right[right])


def pair_in_range(payload: dict, left: Any, right: Any) -> bool:
    n = len(payload["pairs"])
    return all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < n for v in (left, right))


def pairs_shown(payload: dict, pairs: list) -> list[str]:
    """``[left, right]`` index pairs of the public lists as the learner saw them: ``"el gato = the dog"``."""
    public_right = sorted_rights(payload["pairs"])
    return [f"{payload['pairs'][left][0]} = {public_right[right]}" for left, right in pairs]


def verdict_after_pair_checks(payload: dict, verdict: Verdict, wrong_pairs: list) -> Verdict:
    """The verdict of a match answered pair by pair: wrong if any wrong pair was tried on the way,
    with a note naming those pairs (and the answer's own problem, if it has one)."""
    note = wrong_pairs_note(pairs_shown(payload, wrong_pairs))
    if not verdict.correct and verdict.note:
        note = f"{note} {verdict.note}"
    return Verdict(correct=False, note=note, best_match=verdict.best_match)


@register
class MatchPairs(ExerciseType):
    name = "match_pairs"
    label = "Match pairs"
    template = "exercises/match_pairs.html"
    schema = (
        "pairs: 3 to 6 [left, right] pairs of strings; lefts distinct, rights distinct\n"
        "(learners see the lefts in this order and the rights sorted alphabetically)"
    )
    example = {"pairs": [["el perro", "the dog"], ["el gato", "the cat"], ["el pájaro", "the bird"]]}

    def validate_payload(self, payload: Any) -> dict:
        cleaned, errors = _fields.require_object(payload, required={"pairs"})
        pairs = cleaned.get("pairs")
        if "pairs" in cleaned:
            if not isinstance(pairs, list):
                errors.add(
                    "pairs",
                    gettext("Must be a list of [left, right] pairs, not %(type)s.")
                    % {"type": _fields.json_type(pairs)},
                )
            else:
                if not 3 <= len(pairs) <= 6:
                    errors.add("pairs", gettext("Needs 3 to 6 pairs, not %(count)s.") % {"count": len(pairs)})
                seen: list[dict[str, int]] = [{}, {}]
                for i, pair in enumerate(pairs):
                    if not (isinstance(pair, list) and len(pair) == 2):
                        errors.add(f"pairs.{i}", gettext('Each pair is a list of two strings: ["left", "right"].'))
                        continue
                    for side in (0, 1):
                        key = f"pairs.{i}.{side}"
                        if _fields.text(errors, key, pair[side]):
                            folded = _fields.fold(pair[side])
                            if folded in seen[side]:
                                duplicate = _DUPLICATE_LEFT if side == 0 else _DUPLICATE_RIGHT
                                errors.add(key, duplicate % {"item": pair[side], "pair": seen[side][folded]})
                            seen[side].setdefault(folded, i)
        errors.raise_if_any()
        return cleaned

    def public_payload(self, payload: dict) -> dict:
        return {"left": [left for left, _ in payload["pairs"]], "right": sorted_rights(payload["pairs"])}

    def parse_answer(self, data: Any) -> list[tuple[Any, Any]]:
        """A list of pairs: ``[["el perro", "the dog"], ...]`` (texts) or ``[[0, 2], ...]`` (indices into the
        public ``left`` and ``right`` lists); a form sends repeated ``answer`` values ``"0-2"`` (one select per
        left item whose options are ``"<left index>-<right index>"``)."""
        if isinstance(data, str):
            data = [data]
        if not isinstance(data, list | tuple) or not 1 <= len(data) <= 6:
            raise ValidationError(gettext_lazy("Send one pair for each item on the left."))
        pairs: list[tuple[Any, Any]] = []
        for item in data:
            if isinstance(item, str):
                left, sep, right = item.partition("-")
                if not (sep and left.isdigit() and right.isdigit()):
                    if not item.strip():
                        raise ValidationError(gettext_lazy("Match every item on the left."))
                    raise ValidationError(gettext("Malformed pair %(pair)r.") % {"pair": item})
                pairs.append((int(left), int(right)))
            elif isinstance(item, list | tuple) and len(item) == 2:
                if all(isinstance(v, int) and not isinstance(v, bool) for v in item) or all(
                    isinstance(v, str) for v in item
                ):
                    pairs.append((item[0], item[1]))
                else:
                    raise ValidationError(gettext_lazy("A pair is two indices or two texts."))
            else:
                raise ValidationError(gettext_lazy("A pair is a list of two items: [left, right]."))
        return pairs

    def check(
        self, payload: dict, answer: list[tuple[Any, Any]], *, language: str, lexicon: Lexicon = NO_LEXICON
    ) -> Verdict:
        public = self.public_payload(payload)
        expected = {_fields.fold(left): _fields.fold(right) for left, right in payload["pairs"]}
        given: dict[str, tuple[str, str]] = {}
        for left, right in answer:
            if isinstance(left, int):
                if not (
                    0 <= left < len(public["left"]) and isinstance(right, int) and 0 <= right < len(public["right"])
                ):
                    return Verdict(correct=False, note=gettext("That pair is not part of this exercise."))
                left, right = public["left"][left], public["right"][right]
            if _fields.fold(left) in given:
                return Verdict(correct=False, note=f"{left!r} was matched twice.")
            given[_fields.fold(left)] = (_fields.fold(right), f"{left} = {right}")
        wrong = [shown for left, (right, shown) in given.items() if expected.get(left) != right]
        correct = not wrong and len(given) == len(expected)
        return Verdict(correct=correct, note=None if correct else wrong_pairs_note(wrong, len(expected) - len(given)))

    def answer_display(self, payload: dict, answer: Any) -> str:
        public = self.public_payload(payload)
        shown = []
        for left, right in answer:
            if isinstance(left, int):
                if not (
                    0 <= left < len(public["left"]) and isinstance(right, int) and 0 <= right < len(public["right"])
                ):
                    continue
                left, right = public["left"][left], public["right"][right]
            shown.append(f"{left} = {right}")
        return "; ".join(shown)

    def solution_display(self, payload: dict) -> str:
        return "; ".join(f"{left} = {right}" for left, right in payload["pairs"])
