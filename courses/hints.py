"""Word hints in a prompt (docs/exercise-types.md, "Word hints"): each word of the sentence a learner
translates — translate and word_bank, the only types whose prompt shows a sentence before the answer
(a listen exercise shows none: its text is the solution) — that is a word of the course's lexicon
shows its translation(s) when tapped or focused.

Pure: ``prompt_hints`` takes the course's glosses (``courses.selectors.lexicon_glosses``) and the full
payload, and returns only hints — never the payload. A hint never gives the exercise away: a
translation that is, once normalised, one of the exercise's accepted answers (a one-word exercise, or a
gloss that is the whole sentence) is left out, and hints come for the words of the prompt as
displayed, in its order, nothing else (never a tile or its order).
"""

import re
from collections.abc import Callable, Mapping

from .answers import expand_alternates, normalized_answer

#: The types whose prompt is a sentence shown before the answer.
HINTED_TYPES = ("translate", "word_bank")
#: At most this many translations per word.
MAX_TRANSLATIONS = 3

_GLOSS_SEPARATORS = re.compile(r"\s*[,;/]\s*")


def _parts(gloss: str) -> list[str]:
    return [part for part in _GLOSS_SEPARATORS.split(gloss.strip()) if part]


def reverse_glosses(glosses: Mapping[str, str], language: str) -> dict[str, list[str]]:
    """Source-language word → the course's target words whose gloss names it (``"bread"`` → ``pan``)."""
    reverse: dict[str, list[str]] = {}
    for word, gloss in glosses.items():
        for part in _parts(gloss):
            key = normalized_answer(part, language)
            if key and " " not in key and word not in reverse.setdefault(key, []):
                reverse[key].append(word)
    return reverse


def prompt_in_target(exercise_type: str, payload: dict) -> bool:
    """Whether the prompt sentence is in the course's target language (a translate exercise "to the
    source"): its words are then looked up in the lexicon as written, not through the reverse index."""
    return exercise_type == "translate" and payload.get("direction", "to_target") == "to_source"


def prompt_hints(
    *,
    exercise_type: str,
    payload: dict,
    target: str,
    source: str,
    glosses: Mapping[str, str],
    reverse: Mapping[str, list[str]] | None = None,
) -> list[dict] | None:
    """The prompt's words in order, each ``{"text": word as displayed, "translations": […]}`` (empty
    when the word is not in the lexicon or its only translations would give the answer away); None for
    a type without a prompt sentence. ``target``/``source``: the course's language codes. ``reverse``:
    ``reverse_glosses(glosses, source)`` when the caller keeps it (it is computed here otherwise)."""
    if exercise_type not in HINTED_TYPES or not isinstance(payload.get("text"), str):
        return None
    to_source = prompt_in_target(exercise_type, payload)
    prompt_language, answer_language = (target, source) if to_source else (source, target)
    lookup: Callable[[str], list[str]]
    if to_source:  # the sentence is in the target language: the lexicon's glosses, as written
        lookup = lambda key: _parts(glosses.get(key, ""))  # noqa: E731
    else:  # the sentence is in the source language: the course's words it translates to
        words = reverse if reverse is not None else reverse_glosses(glosses, source)
        lookup = lambda key: words.get(key, [])  # noqa: E731
    answers = {
        normalized_answer(sentence, answer_language)
        for solution in payload.get("solutions", [])
        for sentence in expand_alternates(solution)
    }
    hints = []
    for shown in payload["text"].split():
        key = normalized_answer(shown, prompt_language)
        translations = [] if not key or " " in key else lookup(key)
        kept = [t for t in translations if normalized_answer(t, answer_language) not in answers]
        hints.append({"text": shown, "translations": kept[:MAX_TRANSLATIONS]})
    return hints
