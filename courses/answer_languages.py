"""What the typed-answer checker knows about each language (docs/answers.md "Language rules").

Pure data and pure functions, each table built once per process on first use (``lru_cache``):

- ``number_forms(language)``: number words and digits (0 to 100, the years 1900 to 2099, ordinals 1 to 100),
  spelt by ``num2words``;
- ``contractions(language)``: standard contractions and what they stand for (English, German);
- ``apostrophe_less(language)``: those contractions typed without their apostrophe (``im`` → ``I'm``);
- ``spelling_variants(language)``: US/UK spellings of English (``breame``'s British/American list);
- ``known_words(language)``: the common words of a language (``wordfreq``'s "small" list), for telling
  a slip of the finger from another word.

Everything here is keyed by folded words (case-folded, NFC, one kind of apostrophe): the form
``courses.answers`` compares.
"""

import gzip
import importlib.util
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import msgpack
from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS, BRITISH_ENGLISH_SPELLINGS
from num2words import num2words


def fold(word: str) -> str:
    """The comparison form of a word (as ``courses.answers`` folds it, less the look-alike apostrophes)."""
    return unicodedata.normalize("NFC", word.replace("\u2019", "'").casefold()).replace("œ", "oe").replace("æ", "ae")


def phrase(text: str) -> tuple[str, ...]:
    """Folded words of a phrase as the checker splits it: hyphens are spaces."""
    return tuple(fold(text.replace("-", " ")).split())


# --------------------------------------------------------------------------------------------
# Numbers

#: languages whose numbers are spelt (num2words supports many more; these are the ones tested)
NUMBER_LANGUAGES = frozenset({"en", "es", "fr", "de", "it", "pt", "nl"})
MAX_CARDINAL = 100
MAX_ORDINAL = 100
YEARS = range(1900, 2100)

# Other spellings of the same number that learners use (num2words gives one of each).
_EXTRA_CARDINALS: dict[str, dict[int, tuple[str, ...]]] = {
    "en": {100: ("a hundred", "hundred")},
    "de": {1: ("ein", "eine"), 100: ("hundert",)},
    "fr": {1: ("une",), 80: ("quatre-vingt",)},
    "es": {1: ("un", "una"), 100: ("ciento",)},
}


def _feminine_and_short_forms(language: str, words: str) -> set[str]:
    """Inflected forms of a spelt number: Spanish veintiuno → veintiún, veintiuna; French vingt et un → une."""
    forms = {words}
    if language == "es" and words.endswith("uno"):
        stem = words[: -len("uno")]
        forms |= {stem + ("ún" if stem.endswith("i") else "un"), stem + "una"}
    if language == "fr" and words.endswith((" un", "-un")):
        forms.add(words + "e")
    return forms


def _ordinal_inflections(language: str, word: str) -> set[str]:
    """Gender, number and case forms of a spelt ordinal (primero, primera, primer; erste, ersten…)."""
    forms = {word}
    if language == "es" and word.endswith("o"):
        forms |= {word[:-1] + "a", word + "s", word[:-1] + "as"}
        if word.endswith(("primero", "tercero")):
            forms.add(word[:-1])  # primer, tercer
    elif language == "fr":
        if word.endswith("premier"):
            forms |= {word[: -len("premier")] + "première", word + "s", word[: -len("premier")] + "premières"}
        forms.add(word + "s")
        if word == "deuxième":
            forms |= {"second", "seconde"}
    elif language == "de" and word.endswith("e"):
        forms |= {word + ending for ending in ("n", "r", "s", "m")}
    elif language in ("it", "pt") and word.endswith("o"):
        forms |= {word[:-1] + "a", word[:-1] + ("i" if language == "it" else "os"), word[:-1] + "e"}
    return forms


@dataclass(frozen=True, slots=True)
class NumberForms:
    #: folded words of a spelt number → the value it stands for: "21" (cardinal) or "21." (ordinal)
    phrases: dict[tuple[str, ...], str]
    #: the longest phrase, in words
    longest: int
    #: first words of the phrases of two words or more
    starts: frozenset[str]
    #: a value → every phrase (words joined by one space) that spells it
    spellings: dict[str, frozenset[str]]


def _spell(value: int, language: str, to: str) -> str | None:
    try:
        return num2words(value, lang=language, to=to)
    except (NotImplementedError, OverflowError, TypeError, ValueError):
        return None


@lru_cache(maxsize=64)
def number_forms(language: str) -> NumberForms:
    """Every spelling of 0 to 100, of the years 1900 to 2099 and of the ordinals 1 to 100 in ``language``."""
    by_value: dict[str, set[str]] = {}
    if language in NUMBER_LANGUAGES:
        for value in range(MAX_CARDINAL + 1):
            words = _spell(value, language, "cardinal")
            if words:
                by_value.setdefault(str(value), set()).update(_feminine_and_short_forms(language, words))
            for extra in _EXTRA_CARDINALS.get(language, {}).get(value, ()):
                by_value.setdefault(str(value), set()).add(extra)
        for year in YEARS:
            for to in ("year", "cardinal"):
                words = _spell(year, language, to)
                if words:
                    by_value.setdefault(str(year), set()).add(words)
                    if language == "en" and " and " in words:
                        by_value[str(year)].add(words.replace(" and ", " "))  # two thousand five
        for value in range(1, MAX_ORDINAL + 1):
            words = _spell(value, language, "ordinal")
            if words:
                by_value.setdefault(f"{value}.", set()).update(_ordinal_inflections(language, words))
    phrases: dict[tuple[str, ...], str] = {}
    spellings: dict[str, frozenset[str]] = {}
    for value, texts in by_value.items():
        folded = {phrase(t) for t in texts}
        spellings[value] = frozenset(" ".join(p) for p in folded)
        for p in folded:
            phrases.setdefault(p, value)  # a year's spelling that is also a cardinal's keeps the first
    return NumberForms(
        phrases=phrases,
        longest=max((len(p) for p in phrases), default=0),
        starts=frozenset(p[0] for p in phrases if len(p) > 1),
        spellings=spellings,
    )


#: ordinal suffixes after digits (1st, 2º, 1er, 3e): the value is an ordinal
ORDINAL_SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": ("st", "nd", "rd", "th"),
    "es": ("º", "ª", "o", "a", "er", "ro", "do", "to", "mo", "vo", "no"),
    "fr": ("er", "re", "ère", "e", "è", "ème", "eme", "nd", "nde", "de"),
    "it": ("º", "ª", "o", "a"),
    "pt": ("º", "ª", "o", "a"),
    "nl": ("e", "ste", "de"),
    "de": ("º",),  # "1." is rewritten to "1º" before splitting into words (see courses.answers)
}


def digit_value(word: str, language: str) -> tuple[str, ...]:
    """The values a word of digits stands for: ``("21",)``, ``("1.",)`` for 1st, or ``()`` if not digits.

    German ``1.`` (rewritten ``1º``) is both the ordinal and, at a sentence's end, the cardinal."""
    digits = len(word) - len(word.lstrip("0123456789"))
    if digits == 0 or digits > 4:
        return ()
    number, suffix = str(int(word[:digits])), word[digits:]
    if not suffix:
        return (number,)
    if suffix.lstrip(".") in ORDINAL_SUFFIXES.get(language, ()):
        return (f"{number}.", number) if language == "de" else (f"{number}.",)
    return ()


# --------------------------------------------------------------------------------------------
# Contractions

# Expansions: an alternative "a|b" means either reading (she's = she is | she has).
_EN_PRONOUN_CONTRACTIONS = {
    "'m": ("i",),
    "'re": ("you", "we", "they", "who", "what", "there", "where"),
    "'ve": ("i", "you", "we", "they", "who", "could", "should", "would", "might", "must"),
    "'ll": ("i", "you", "he", "she", "it", "we", "they", "that", "there", "who", "what"),
    "'d": ("i", "you", "he", "she", "it", "we", "they", "that", "there", "who"),
    "'s": ("he", "she", "it", "that", "there", "here", "what", "who", "where", "how", "when", "why"),
}
_EN_SUFFIX_MEANING = {"'m": "am", "'re": "are", "'ve": "have", "'ll": "will", "'d": "would|had", "'s": "is|has"}
_EN_NEGATIVES = {
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "weren't": "were not",
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "haven't": "have not",
    "hasn't": "has not",
    "hadn't": "had not",
    "won't": "will not",
    "wouldn't": "would not",
    "can't": "can not",
    "cannot": "can not",
    "couldn't": "could not",
    "shouldn't": "should not",
    "mustn't": "must not",
    "needn't": "need not",
    "mightn't": "might not",
    "shan't": "shall not",
    "let's": "let us",
}
# German: a preposition fused with the article (standard written German), and a verb's 's (geht's).
_DE_CONTRACTIONS = {
    "am": "an dem",
    "ans": "an das",
    "aufs": "auf das",
    "beim": "bei dem",
    "durchs": "durch das",
    "fürs": "für das",
    "hinterm": "hinter dem",
    "hinters": "hinter das",
    "im": "in dem",
    "ins": "in das",
    "übers": "über das",
    "überm": "über dem",
    "ums": "um das",
    "unterm": "unter dem",
    "unters": "unter das",
    "vom": "von dem",
    "vorm": "vor dem",
    "vors": "vor das",
    "zum": "zu dem",
    "zur": "zu der",
}
#: German words after which a "preposition + article" is a relative clause (das Haus, in dem ich wohne),
#: where the fused form would be wrong: no contraction is read there.
DE_NOT_BEFORE = frozenset(
    [
        "ich",
        "du",
        "er",
        "sie",
        "es",
        "wir",
        "ihr",
        "man",
        "mich",
        "dich",
        "sich",
        "uns",
        "euch",
        "ihm",
        "ihn",
        "ihnen",
        "mir",
        "dir",
        "jemand",
        "niemand",
    ]
)
#: English words after which 's is "has" and 'd is "had" (he's been, I'd gone, you'd better)
EN_PERFECT_AFTER = frozenset(
    [
        "been",
        "got",
        "gotten",
        "done",
        "gone",
        "seen",
        "had",
        "made",
        "taken",
        "given",
        "better",
        "never",
        "already",
        "just",
    ]
)


@dataclass(frozen=True, slots=True)
class Contraction:
    shown: str  # as it is written, for notes (I'm, don't)
    #: what it stands for, one tuple of alternatives per word: (("she",), ("is", "has"))
    expansion: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=64)
def contractions(language: str) -> dict[str, Contraction]:
    """Folded contraction → what it stands for. Only languages whose contractions are optional
    (English, German) have any: French elision and au/du are obligatory, so there the long form is wrong."""
    table: dict[str, Contraction] = {}

    def add(word: str, expansion: str, shown: str | None = None) -> None:
        table[fold(word)] = Contraction(
            shown=shown or word, expansion=tuple(tuple(part.split("|")) for part in expansion.split())
        )

    if language == "en":
        for suffix, pronouns in _EN_PRONOUN_CONTRACTIONS.items():
            for pronoun in pronouns:
                shown = ("I" if pronoun == "i" else pronoun) + suffix
                add(pronoun + suffix, f"{pronoun} {_EN_SUFFIX_MEANING[suffix]}", shown)
        for word, expansion in _EN_NEGATIVES.items():
            add(word, expansion)
    elif language == "de":
        for word, expansion in _DE_CONTRACTIONS.items():
            add(word, expansion)
    return table


@lru_cache(maxsize=1)
def all_contractions() -> frozenset[str]:
    """Every contraction any language knows, folded (for validating an exercise's ``strict_contractions``)."""
    return frozenset(word for language in ("en", "de") for word in contractions(language))


@lru_cache(maxsize=64)
def apostrophe_less(language: str) -> dict[str, str]:
    """A contraction typed without its apostrophe → the contraction (``dont`` → ``don't``)."""
    return {word.replace("'", ""): word for word in contractions(language) if "'" in word}


# --------------------------------------------------------------------------------------------
# US/UK spelling

#: pairs in breame's list where one spelling is also a different common word (to tire, a draft of a letter)
_NOT_VARIANTS = frozenset({"tire", "tires", "tired", "tiring", "draft", "drafts", "drafty", "mum", "mom"})


@lru_cache(maxsize=64)
def spelling_variants(language: str) -> dict[str, frozenset[str]]:
    """Folded word → its other accepted spellings (English only: colour/color, organise/organize…)."""
    if language != "en":
        return {}
    groups: dict[str, set[str]] = {}
    pairs = [*BRITISH_ENGLISH_SPELLINGS.items(), *((b, a) for a, b in AMERICAN_ENGLISH_SPELLINGS.items())]
    for british, american in pairs:
        british, american = fold(british), fold(american)
        if british == american or {british, american} & _NOT_VARIANTS or " " in british + american:
            continue
        group = groups.get(british, set()) | groups.get(american, set()) | {british, american}
        for word in group:
            groups[word] = group
    return {word: frozenset(group - {word}) for word, group in groups.items()}


# --------------------------------------------------------------------------------------------
# Words of the language


def _wordfreq_data() -> Path | None:
    spec = importlib.util.find_spec("wordfreq")  # found without importing wordfreq (and its slow imports)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@lru_cache(maxsize=64)
def known_words(language: str) -> frozenset[str]:
    """The language's common words (about 30 000: each at least once in a million words), folded;
    empty for a language wordfreq has no list for. Read once per process (about 0.1 s)."""
    data = _wordfreq_data()
    path = data / f"small_{language}.msgpack.gz" if data else None
    if path is None or not path.is_file():
        return frozenset()
    # wordfreq's "cBpack": a header, then one list of words per centibel of frequency.
    packed = msgpack.loads(gzip.decompress(path.read_bytes()), raw=False)
    return frozenset(fold(word) for bucket in packed[1:] for word in bucket)
