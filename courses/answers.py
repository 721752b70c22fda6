"""Server-side checking of typed answers (DESIGN §4). Pure functions: no database, no Django models.

Two public functions:

- ``expand_alternates(solution)`` turns the compact alternates syntax (``I [am/'m] here``) into the
  list of sentences it stands for, or raises ``ValueError`` (authors' payload validation calls it).
- ``check_answer_text(text, solutions, language)`` judges a learner's typed answer.

The rules, with examples, are in docs/answers.md; keep the two in step.
"""

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein


@dataclass(frozen=True, slots=True)
class Verdict:
    correct: bool
    note: str | None = None  # learner-facing, e.g. the accent or typo that was forgiven
    best_match: str | None = None  # the accepted solution matched, or the closest one


#: ``expand_alternates`` refuses a solution that stands for more sentences than this.
MAX_EXPANSIONS = 256
#: a single typo is forgiven only in a word with at least this many letters (DESIGN §4).
TYPO_MIN_LETTERS = 5
#: an answer longer than 4 times the longest solution plus this is wrong without further ado (bounds the work).
ANSWER_SLACK_CHARS = 1000
#: languages where an apostrophe followed by a space is still an elision (``l' homme`` = ``l'homme``).
ELISION_LANGUAGES = frozenset({"fr", "it", "ca"})

# Everything a keyboard or a word processor may put where an apostrophe belongs.
_APOSTROPHE_CHARS = frozenset("'\u2019\u2018\u02bc\u02bb\u2032\u00b4\u0060\uff07\u201b")
_APOSTROPHES = str.maketrans(dict.fromkeys(_APOSTROPHE_CHARS, "'"))
# An alternative ending in an elided word (l', j', qu', jusqu') binds to the word after the group.
_ELIDED_END = re.compile(
    r"(?:^|\s)(?:[^\W\d_]{1,2}|[^\W\d_]*qu)[" + re.escape("".join(sorted(_APOSTROPHE_CHARS))) + "]$", re.I
)
# Spellings that are the same word, not an accent miss: cœur = coeur, Cæsar = Caesar.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
# German writers may spell an umlaut as a following e (Mädchen = Maedchen): an accent miss, not a typo.
_UMLAUT_SPELLINGS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_COMBINING_CEDILLA = "\u0327"
_COMBINING_DIAERESIS = "\u0308"


# --------------------------------------------------------------------------------------------
# Alternates


def _is_apostrophe(ch: str) -> bool:
    return ch in _APOSTROPHE_CHARS


def _parse_alternates(solution: str) -> list[tuple[str, ...]]:
    """Split a solution into pieces: a 1-tuple for literal text, an n-tuple for a ``[a/b]`` group."""
    pieces: list[tuple[str, ...]] = []
    literal: list[str] = []
    group: list[str] | None = None
    for position, ch in enumerate(solution):
        if ch == "[":
            if group is not None:
                raise ValueError(f"nested brackets are not allowed (at character {position + 1}): {solution!r}")
            pieces.append(("".join(literal),))
            literal, group = [], []
        elif ch == "]":
            if group is None:
                raise ValueError(f"unbalanced brackets: ']' without '[' (at character {position + 1}): {solution!r}")
            alternatives = tuple("".join(literal).split("/"))
            if len(alternatives) < 2:
                raise ValueError(f"a [group] needs at least two alternatives separated by '/': {solution!r}")
            if not any(a.strip() for a in alternatives):
                raise ValueError(f"a [group] needs at least one non-empty alternative: {solution!r}")
            pieces.append(alternatives)
            literal, group = [], None
        else:
            literal.append(ch)
    if group is not None:
        raise ValueError(f"unbalanced brackets: '[' is never closed: {solution!r}")
    pieces.append(("".join(literal),))
    return pieces


def expand_alternates(solution: str) -> list[str]:
    """Every sentence a solution written with the alternates syntax stands for, in order, without duplicates.

    ``I [am/'m] here`` → ``["I am here", "I'm here"]``. Groups multiply; an alternative may be empty
    (``[the /]cat`` → ``["the cat", "cat"]``). White space is collapsed and trimmed after joining;
    an alternative that starts with an apostrophe attaches to the word before the group, one that ends
    in an elided word (``l'``, ``qu'``) to the word after it, and an empty alternative directly followed
    by punctuation leaves no space before it (``Hola [Ana/].`` → ``Hola.``).
    Raises ``ValueError`` for nested or unbalanced brackets, a group without ``/``, a group of only empty
    alternatives, or more than ``MAX_EXPANSIONS`` sentences.
    """
    pieces = _parse_alternates(solution)
    count = math.prod(len(p) for p in pieces)
    if count > MAX_EXPANSIONS:
        raise ValueError(f"{solution!r} stands for {count} sentences; at most {MAX_EXPANSIONS} are allowed")
    sentences: dict[str, None] = {}
    for combination in itertools.product(*pieces):
        text = ""
        glue = False  # the previous alternative ended in an elision: no space before what follows
        for index, (piece, chosen) in enumerate(zip(pieces, combination, strict=True)):
            if glue and chosen:
                chosen, glue = chosen.lstrip(), False
            if len(piece) > 1:  # a group
                core = chosen.strip()
                if core[:1] and _is_apostrophe(core[0]):
                    text, chosen = text.rstrip(), chosen.lstrip()  # I [am/'m] → I'm
                if _ELIDED_END.search(core):
                    chosen, glue = chosen.rstrip(), True  # [le/l'] homme → l'homme
                if not core:
                    following = combination[index + 1] if index + 1 < len(combination) else ""
                    if following[:1] and _is_punctuation(following[0]):
                        text = text.rstrip()  # Hola [Ana/]. → Hola.
            text += chosen
        sentences.setdefault(" ".join(text.split()), None)
    return list(sentences)


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS" and not _is_apostrophe(ch)


# --------------------------------------------------------------------------------------------
# Normalisation


def _primary_language(language: str) -> str:
    return language.strip().lower().replace("_", "-").split("-")[0]


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def _words(text: str, *, elision: bool) -> tuple[str, ...]:
    """The words of ``text`` in display case: NFC, punctuation and symbols gone.

    Apostrophes (any of the look-alikes, kept as typed so notes show the author's spelling) are kept
    inside a word (``j'ai``, ``aujourd'hui``) and dropped where they act as quotation marks
    (``'hola'``). In an elision language an apostrophe ending a word binds it to the next word even
    across spaces (``l' homme`` → ``l'homme``).
    """
    chars: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _APOSTROPHE_CHARS:
            if not (chars and chars[-1] in _APOSTROPHE_CHARS):  # l''homme → l'homme
                chars.append(ch)
        elif _is_word_char(ch):
            chars.append(ch)
        elif unicodedata.category(ch) == "Cf":
            continue  # soft hyphen, zero-width space: invisible, not a word break
        else:
            chars.append(" ")  # spaces, punctuation (hyphens and dashes too), symbols

    def is_letter(c: str) -> bool:
        return c != " " and c not in _APOSTROPHE_CHARS

    cleaned: list[str] = []
    quote_open = False
    i, n = 0, len(chars)
    while i < n:
        ch = chars[i]
        i += 1
        if ch not in _APOSTROPHE_CHARS:
            cleaned.append(ch)
            continue
        after_word = bool(cleaned) and is_letter(cleaned[-1])
        before_word = i < n and is_letter(chars[i])
        if after_word and before_word:
            cleaned.append(ch)  # j'ai
        elif before_word:
            quote_open = True  # an opening quotation mark: 'hola
        elif after_word and quote_open:
            quote_open = False  # the closing one: hola'
        elif after_word and elision:
            j = i
            while j < n and chars[j] == " ":
                j += 1
            if j < n and is_letter(chars[j]):
                cleaned.append(ch)  # l' homme → l'homme
                i = j
    return tuple("".join(cleaned).split())


def _fold(word: str) -> str:
    """The comparison form of a word: one apostrophe, case-folded (ß → ss), ligatures spelt out, NFC."""
    return unicodedata.normalize("NFC", word.translate(_APOSTROPHES).casefold()).translate(_LIGATURES)


def _strip_accents(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


def _letters(word: str) -> int:
    return sum(1 for ch in unicodedata.normalize("NFC", word) if ch.isalnum() and ch not in _APOSTROPHE_CHARS)


@dataclass(frozen=True, slots=True)
class _Candidate:
    display: str  # the expanded solution as the author wrote it
    shown: tuple[str, ...]  # its words in display case, for notes
    words: tuple[str, ...]  # folded
    bare: tuple[str, ...]  # folded, accents stripped
    joined: str  # folded words joined by spaces, for the closest match


@lru_cache(maxsize=2048)
def _candidates(solutions: tuple[str, ...], language: str) -> tuple[tuple[_Candidate, ...], frozenset[str]]:
    elision = language in ELISION_LANGUAGES
    candidates: list[_Candidate] = []
    seen: set[str] = set()
    for solution in solutions:
        for display in expand_alternates(solution):
            if display in seen:
                continue
            seen.add(display)
            shown = _words(display, elision=elision)
            words = tuple(_fold(w) for w in shown)
            candidates.append(
                _Candidate(display, shown, words, tuple(_strip_accents(w) for w in words), " ".join(words))
            )
    vocabulary = frozenset(w for c in candidates for w in c.words)
    return tuple(candidates), vocabulary


# --------------------------------------------------------------------------------------------
# Checking


def _mark_kind(solution_char: str, learner_char: str, language: str) -> str:
    if "ñ" in (solution_char.lower(), learner_char.lower()):
        return "ñ"
    marks = {
        ch for c in (solution_char, learner_char) for ch in unicodedata.normalize("NFD", c) if unicodedata.combining(ch)
    }
    if marks == {_COMBINING_CEDILLA}:
        return "cedilla"
    if marks == {_COMBINING_DIAERESIS} and language == "de":
        return "umlaut"
    return "accent"


def _accent_kind(learner_word: str, solution_word: str, language: str) -> str:
    """What the learner got wrong in a word that matches but for accents: "ñ", "cedilla", "umlaut" or "accent"."""
    if len(learner_word) == len(solution_word):
        kinds = {_mark_kind(s, t, language) for s, t in zip(solution_word, learner_word, strict=True) if s != t}
    else:  # a letter without a precomposed form: judge the word as a whole
        kinds = {_mark_kind(solution_word, learner_word, language)}
    return kinds.pop() if len(kinds) == 1 else "accent"


def _accent_only(learner: tuple[str, ...], candidate: _Candidate, bare: tuple[str, ...], language: str) -> str | None:
    """The note when ``learner`` differs from ``candidate`` in accents only (in at least one word), else None."""
    if len(learner) != len(candidate.words):
        return None
    missed: list[tuple[str, str]] = []  # (kind, correct word)
    for learner_word, learner_bare, word, word_bare, shown in zip(
        learner, bare, candidate.words, candidate.bare, candidate.shown, strict=True
    ):
        if learner_word == word:
            continue
        if learner_bare == word_bare:
            missed.append((_accent_kind(learner_word, word, language), shown))
        elif language == "de" and learner_word == word.translate(_UMLAUT_SPELLINGS):
            missed.append(("umlaut", shown))  # Maedchen for Mädchen
        else:
            return None
    if not missed:
        return None
    kinds = {kind for kind, _ in missed}
    label = kinds.pop() if len(kinds) == 1 else "accent"  # mixed kinds: just "accents"
    if label == "accent" and len(missed) > 1:
        label = "accents"
    return f"Watch out for the {label}: " + ", ".join(f'"{shown}"' for _, shown in missed)


def _single_typo(learner: tuple[str, ...], candidate: _Candidate, vocabulary: frozenset[str]) -> str | None:
    """The note when ``learner`` differs from ``candidate`` by one typo in one long word, else None."""
    if len(learner) != len(candidate.words):
        return None
    differing = [i for i, (a, b) in enumerate(zip(learner, candidate.words, strict=True)) if a != b]
    if len(differing) != 1:
        return None
    i = differing[0]
    typed, word = learner[i], candidate.words[i]
    if _letters(candidate.shown[i]) < TYPO_MIN_LETTERS:
        return None
    if typed in vocabulary:
        return None  # a word the solutions use elsewhere (perros for perro) is a mistake, not a slip
    if OSA.distance(typed, word) != 1:
        return None
    return f'You have a typo: "{candidate.shown[i]}"'


def check_answer_text(text: str, solutions: list[str], language: str) -> Verdict:
    """Judge a typed answer against the accepted ``solutions`` (alternates syntax allowed), DESIGN §4.

    In order: an exact match after normalisation (no note); a match but for accents (note naming the
    words); one typo in one word of five letters or more (note naming the word). Otherwise wrong, with
    ``best_match`` the closest solution. ``language`` is the code of the language the answer is written
    in (``es``, ``fr-CA``…). Raises ``ValueError`` for an empty ``solutions`` list or a malformed solution.
    """
    if not solutions:
        raise ValueError("an exercise needs at least one solution")
    language = _primary_language(language)
    candidates, vocabulary = _candidates(tuple(solutions), language)
    if not candidates:
        raise ValueError("an exercise needs at least one solution")
    if len(text) > ANSWER_SLACK_CHARS + 4 * max(len(c.display) for c in candidates):
        return Verdict(correct=False, note=None, best_match=candidates[0].display)  # don't spend time on junk
    learner = tuple(_fold(w) for w in _words(text, elision=language in ELISION_LANGUAGES))

    for candidate in candidates:
        if learner == candidate.words:
            return Verdict(correct=True, note=None, best_match=candidate.display)
    bare = tuple(_strip_accents(w) for w in learner)
    for candidate in candidates:
        note = _accent_only(learner, candidate, bare, language)
        if note:
            return Verdict(correct=True, note=note, best_match=candidate.display)
    for candidate in candidates:
        note = _single_typo(learner, candidate, vocabulary)
        if note:
            return Verdict(correct=True, note=note, best_match=candidate.display)

    joined = " ".join(learner)
    closest = min(candidates, key=lambda c: Levenshtein.normalized_distance(joined, c.joined))
    return Verdict(correct=False, note=None, best_match=closest.display)
