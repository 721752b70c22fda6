"""Server-side checking of typed answers (docs/answers.md). Pure functions: no database, no Django models.

Public:

- ``expand_alternates(solution)`` turns the compact alternates syntax (``I [am/'m] here``) into the
  list of sentences it stands for, or raises ``ValueError`` (authors' payload validation calls it).
- ``check_answer_text(text, solutions, language, *, strict_contractions, lexicon)`` judges a learner's
  typed answer, knowing the language: digits for number words, contractions, missing apostrophes,
  real-word slips, US/UK spellings (the data: ``courses.answer_languages``).
- ``Lexicon``: a course's words with their glosses (built by ``courses.selectors.answer_lexicon``);
  ``is_contraction`` for validating an exercise's ``strict_contractions``.

The rules, with examples, are in docs/answers.md; keep the two in step.
"""

import difflib
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from core.text import storable
from courses import answer_languages as languages


@dataclass(frozen=True, slots=True)
class Verdict:
    correct: bool
    note: str | None = None  # learner-facing, e.g. the accent or typo that was forgiven
    best_match: str | None = None  # the accepted solution matched, or the closest one
    # Not right, but not a mistake either: the learner could not answer now ("I could not say it" on a
    # self-assessed speak exercise) — no heart, no mistake; the exercise comes back later in the run.
    excused: bool = False


def storable_answer(value):
    """A learner's answer (any JSON value) with text PostgreSQL cannot store made storable: NUL
    characters dropped, lone surrogates (from ``\\ud800``-style escapes) replaced by U+FFFD. Such an
    answer is then judged like any other (wrong) answer instead of failing in the database."""
    if isinstance(value, str):
        if not storable(value):
            value = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value.replace("\x00", ""))
        return value
    if isinstance(value, list | tuple):
        return [storable_answer(item) for item in value]
    if isinstance(value, dict):
        return {storable_answer(str(key)): storable_answer(item) for key, item in value.items()}
    return value


#: ``expand_alternates`` refuses a solution that stands for more sentences than this.
MAX_EXPANSIONS = 256
#: a single typo is forgiven only in a word with at least this many letters.
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
    if text.isascii() and "'" not in text and "`" not in text:  # the same words, a fifth of the time
        return tuple(_ASCII_WORD.findall(text))
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


# In ASCII text without apostrophes, the words _words keeps are the runs of letters and digits.
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


def normalized_answer(text: str, language: str) -> str:
    """The comparison form of a whole answer, for grouping answers that differ only in case,
    punctuation, spacing, apostrophe look-alikes or Unicode form (``¡Estoy bien, gracias!`` and
    ``estoy  bien gracias`` → ``estoy bien gracias``): the words the checker compares, each folded
    as the checker folds it. Accents are kept (``está`` and ``esta`` stay apart)."""
    language = _primary_language(language)
    words = _words(_prepare(storable_answer(text), language), elision=language in ELISION_LANGUAGES)
    return " ".join(_fold(word) for word in words)


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """The comparison form of a word: one apostrophe, case-folded (ß → ss), ligatures spelt out, NFC."""
    return unicodedata.normalize("NFC", word.translate(_APOSTROPHES).casefold()).translate(_LIGATURES)


@lru_cache(maxsize=65536)
def _strip_accents(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


def _letters(word: str) -> int:
    return sum(1 for ch in unicodedata.normalize("NFC", word) if ch.isalnum() and ch not in _APOSTROPHE_CHARS)


def _prepare(text: str, language: str) -> str:
    """Language-specific rewriting before splitting into words: German ordinals ``1. Mai`` → ``1º Mai``."""
    if language == "de" and "." in text:
        return _DE_ORDINAL.sub("\\1º", text)
    return text


_DE_ORDINAL = re.compile(r"(?<![\d.,])(\d{1,4})\.(?=[^\S\n]+[^\W\d_])")


# --------------------------------------------------------------------------------------------
# Slots: the words of a sentence with the language's equivalences applied


@dataclass(frozen=True, slots=True)
class _Slot:
    """One position of a sentence once contractions are expanded and spelt numbers grouped.

    Two slots match when they share a spelling (``forms``: a word, its US/UK variants, the readings of a
    contraction's part), or when one is digits and the other spells that number (``spelt``)."""

    forms: frozenset[str]
    bare: frozenset[str]  # forms without accents (and, in German, with umlauts also spelt ae/oe/ue)
    shown: str  # the word(s) as written, for notes
    word: str | None = None  # the folded word, for a slot that is one word as written (typo pass)
    letters: int = 0  # letters of that word as written (ß is one letter)
    spelt: frozenset[str] = frozenset()  # digits: every phrase that spells the number


def _same(a: _Slot, b: _Slot) -> bool:
    if a.forms is b.forms or a.forms == b.forms:
        return True
    return not (a.forms.isdisjoint(b.forms) and a.spelt.isdisjoint(b.forms) and b.spelt.isdisjoint(a.forms))


@lru_cache(maxsize=65536)
def _bare_forms(forms: frozenset[str], language: str) -> frozenset[str]:
    bare = {_strip_accents(f) for f in forms}
    if language == "de":
        bare |= {f.translate(_UMLAUT_SPELLINGS) for f in forms}
    return frozenset(bare)


# Slots are built by these cached constructors: answers reuse words, so most cost a dict look-up.


@lru_cache(maxsize=65536)
def _word_slot(readings: tuple[str, ...], written: str, expanded: bool, language: str) -> _Slot:
    """A word (or a contraction's part, ``readings`` its alternatives), with its US/UK variants."""
    variants = languages.spelling_variants(language)
    forms = frozenset(readings).union(*(variants.get(r, ()) for r in readings))
    if len(readings) > 1:
        return _Slot(forms, _bare_forms(forms, language), written)
    word = readings[0]
    letters = _letters(word if expanded else written)
    return _Slot(forms, _bare_forms(forms, language), written, word=word, letters=letters)


def _plain_slot(word: str, language: str) -> _Slot:
    return _word_slot((word,), word, False, language)


@lru_cache(maxsize=16384)
def _digit_slot(word: str, written: str, language: str) -> _Slot | None:
    """Digits (``21``, ``1st``, ``1º``): their values, and every phrase that spells them; None if not a number."""
    values = languages.digit_value(word, language)
    if not values:
        return None
    spellings = languages.number_forms(language).spellings
    forms = frozenset("#" + v for v in values)
    return _Slot(forms, forms, written, spelt=frozenset(s for v in values for s in spellings.get(v, ())))


@lru_cache(maxsize=16384)
def _phrase_slot(text: str, written: str, language: str) -> _Slot:
    """A number spelt in several words (``twenty one``, ``treinta y un``): one slot."""
    forms = frozenset((text,))
    return _Slot(forms, _bare_forms(forms, language), written)


def _slots(
    words: tuple[str, ...], shown: tuple[str, ...] | None, language: str, strict: frozenset[str]
) -> tuple[_Slot, ...]:
    """The slots of a sentence: ``words`` folded, ``shown`` the same words as written (None for a
    learner's answer, whose slots never appear in a note)."""
    learner = shown is None
    table = languages.contractions(language)
    numbers = languages.number_forms(language)
    if learner:
        for word in words:
            if word in table or word in numbers.starts or word[:1].isdigit() or word.endswith("'s"):
                break
        else:  # nothing to expand or group: the common case
            return tuple(_plain_slot(word, language) for word in words)
        shown = words
    pieces: list[tuple[tuple[str, ...], str, bool]] = []  # (readings, shown, expanded from a contraction)
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else None
        contraction = table.get(word) if word not in strict else None
        if contraction and language == "de" and (following is None or following in languages.DE_NOT_BEFORE):
            contraction = None  # das Haus, in dem ich wohne: not "im ich wohne"
        if contraction:
            for readings in contraction.expansion:
                if len(readings) > 1 and following not in languages.EN_PERFECT_AFTER:
                    readings = readings[:1]  # she's = she is; she's been = she has been
                pieces.append((readings, shown[i], True))
        elif language == "de" and word.endswith("'s") and len(word) > 3 and word not in strict:
            pieces += [((word[:-2],), shown[i], True), (("es",), shown[i], True)]  # geht's = geht es
        else:
            pieces.append(((word,), shown[i], False))

    slots: list[_Slot] = []
    i, n = 0, len(pieces)
    while i < n:
        readings, written, expanded = pieces[i]
        word = readings[0]
        if len(readings) == 1 and word[:1].isdigit():
            digits = _digit_slot(word, written, language)
            if digits is not None:
                slots.append(digits)
                i += 1
                continue
        length = 0
        if len(readings) == 1 and not expanded and word in numbers.starts:
            for size in range(min(numbers.longest, n - i), 1, -1):
                span = pieces[i : i + size]
                plain = all(len(r) == 1 and not e for r, _, e in span)
                if plain and tuple(r[0] for r, _, _ in span) in numbers.phrases:
                    length = size
                    break
        if length:
            text = " ".join(r[0] for r, _, _ in pieces[i : i + length])
            written_text = " ".join(w for _, w, _ in pieces[i : i + length])
            slots.append(_phrase_slot(text, written_text, language))
            i += length
            continue
        slots.append(_word_slot(readings, written, expanded, language))
        i += 1
    return tuple(slots)


# --------------------------------------------------------------------------------------------
# Candidates: the expanded solutions, normalised once (cached)


@dataclass(frozen=True, slots=True)
class _Candidate:
    display: str  # the expanded solution as the author wrote it
    shown: tuple[str, ...]  # its words in display case, for notes
    words: tuple[str, ...]  # folded
    joined: str  # folded words joined by spaces, for the closest match
    slots: tuple[_Slot, ...]


@dataclass(frozen=True, slots=True)
class _Solutions:
    candidates: tuple[_Candidate, ...]
    vocabulary: frozenset[str]  # every folded word of every candidate
    #: a word with an apostrophe, folded and stripped of apostrophes and accents → (folded word, as written)
    apostrophes: dict[str, tuple[str, str]]


@lru_cache(maxsize=2048)
def _solutions(solutions: tuple[str, ...], language: str, strict: frozenset[str]) -> _Solutions:
    elision = language in ELISION_LANGUAGES
    candidates: list[_Candidate] = []
    seen: set[str] = set()
    apostrophes: dict[str, tuple[str, str]] = {}
    for solution in solutions:
        for display in expand_alternates(solution):
            if display in seen:
                continue
            seen.add(display)
            shown = _words(_prepare(display, language), elision=elision)
            words = tuple(_fold(w) for w in shown)
            slots = _slots(words, shown, language, strict)
            candidates.append(_Candidate(display, shown, words, " ".join(words), slots))
            for word, written in zip(words, shown, strict=True):
                if "'" in word:
                    apostrophes.setdefault(_strip_accents(word.replace("'", "")), (word, written))
    vocabulary = frozenset(w for c in candidates for w in c.words)
    return _Solutions(tuple(candidates), vocabulary, apostrophes)


# --------------------------------------------------------------------------------------------
# Checking


def known_contractions() -> frozenset[str]:
    """Every contraction that ``strict_contractions`` may name (folded), all languages together."""
    return languages.all_contractions()


def is_contraction(word: str) -> bool:
    """Whether ``word`` is a contraction the checker reads (``don't``, ``I'm``, ``zum``, German ``geht's``)."""
    folded = _fold(word.strip())
    if folded in languages.all_contractions():
        return True
    return folded.endswith("'s") and len(folded) > 3 and " " not in folded  # a German verb's 's


class Lexicon:
    """The words a course teaches in the answer's language, with their glosses in the learner's language.

    ``Lexicon({"pero": "but"})``, or ``Lexicon(load=f)`` where ``f()`` returns that mapping the first time
    a word is looked up (``courses.selectors.answer_lexicon`` builds one so: an answer without a slip
    never reads it). Words are folded single words (``Lexicon.from_tokens`` folds them); a gloss may be
    empty. ``check_answer_text`` only reads it, and only for a one-edit slip.
    """

    __slots__ = ("_glosses", "_load")

    def __init__(
        self, glosses: Mapping[str, str] | None = None, *, load: Callable[[], Mapping[str, str]] | None = None
    ):
        self._glosses = glosses
        self._load = load

    @classmethod
    def from_tokens(cls, tokens: Iterable[tuple[str, str]], language: str) -> dict[str, str]:
        """The mapping for ``Lexicon``: (token text, gloss) pairs → folded single word → gloss (first wins)."""
        elision = _primary_language(language) in ELISION_LANGUAGES
        glosses: dict[str, str] = {}
        for text, gloss in tokens:
            words = _words(text, elision=elision)
            if len(words) == 1:
                glosses.setdefault(_fold(words[0]), gloss.strip())
        return glosses

    def _mapping(self) -> Mapping[str, str]:
        if self._glosses is None:
            self._glosses = self._load() if self._load else {}
        return self._glosses

    def knows(self, word: str) -> bool:
        return word in self._mapping()

    def gloss(self, word: str) -> str | None:
        return self._mapping().get(word) or None


NO_LEXICON = Lexicon()


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
    else:  # a letter without a precomposed form, or an umlaut spelt with e: judge the word as a whole
        kinds = {_mark_kind(solution_word, learner_word, language)}
    return kinds.pop() if len(kinds) == 1 else "accent"


def _accent_note(missed: list[tuple[str, str]]) -> str:
    kinds = {kind for kind, _ in missed}
    label = kinds.pop() if len(kinds) == 1 else "accent"  # mixed kinds: just "accents"
    if label == "accent" and len(missed) > 1:
        label = "accents"
    return f"Watch out for the {label}: " + ", ".join(f'"{shown}"' for _, shown in missed)


def _restore_apostrophes(typed: str, target: str) -> str:
    """``typed`` (``lecole``) with the apostrophes of ``target`` (``l'école``) put back: ``l'ecole``."""
    stripped = target.replace("'", "")
    if len(stripped) != len(typed):
        return target
    out, k = [], 0
    for ch in target:
        if ch == "'":
            out.append(ch)
        else:
            out.append(typed[k])
            k += 1
    return "".join(out)


def _repair_apostrophes(
    learner: tuple[str, ...], solutions: _Solutions, language: str, strict: frozenset[str]
) -> tuple[tuple[str, ...], list[str]]:
    """The learner's words with missing apostrophes put back (``cest`` → ``c'est``, ``im`` → ``i'm``),
    and the repaired words as the solution (or the language's contraction) writes them."""
    repaired = list(learner)
    fixed: list[str] = []
    table = languages.apostrophe_less(language)
    for i, word in enumerate(learner):
        if "'" in word or word in solutions.vocabulary:
            continue
        hit = solutions.apostrophes.get(_strip_accents(word))
        if hit is None and word in table and table[word] not in strict:
            contraction = table[word]
            hit = (contraction, languages.contractions(language)[contraction].shown)
        if hit is not None:
            repaired[i] = _restore_apostrophes(word, hit[0])
            fixed.append(hit[1])
    return tuple(repaired), list(dict.fromkeys(fixed))


def _marks_only(
    repaired: tuple[_Slot, ...], apostrophes: list[str], candidate: _Candidate, language: str
) -> str | None:
    """The note when the learner's answer (its missing apostrophes put back) matches ``candidate`` but
    for accents and those apostrophes, else None."""
    if len(repaired) != len(candidate.slots):
        return None
    missed: list[tuple[str, str]] = []  # (kind, the solution's word as written)
    for typed, wanted in zip(repaired, candidate.slots, strict=True):
        if _same(typed, wanted):
            continue
        if typed.bare.isdisjoint(wanted.bare):
            return None
        if typed.word and wanted.word:
            missed.append((_accent_kind(typed.word, wanted.word, language), wanted.shown))
        else:
            missed.append(("accent", wanted.shown))
    if not missed and not apostrophes:
        return None
    notes = []
    if apostrophes:
        notes.append("Watch out for the apostrophe: " + ", ".join(f'"{w}"' for w in apostrophes))
    if missed:
        notes.append(_accent_note(missed))
    return ". ".join(notes)


def _single_typo(
    learner: tuple[_Slot, ...], candidate: _Candidate, solutions: _Solutions, language: str, lexicon: Lexicon
) -> Verdict | None:
    """The verdict when ``learner`` differs from ``candidate`` by one edit in one long word, else None:
    correct with a note for a slip, wrong with a note when the slip makes another word of the language."""
    if len(learner) != len(candidate.slots):
        return None
    differing = None
    for i, (a, b) in enumerate(zip(learner, candidate.slots, strict=True)):
        if not _same(a, b):
            if differing is not None:
                return None  # two words differ
            differing = i
    if differing is None:
        return None
    typed, wanted = learner[differing], candidate.slots[differing]
    if typed.word is None or wanted.word is None or wanted.letters < TYPO_MIN_LETTERS:
        return None
    if typed.word in solutions.vocabulary:
        return None  # a word the solutions use elsewhere (perros for perro) is a mistake, not a slip
    if OSA.distance(typed.word, wanted.word) != 1:
        return None
    if typed.word in languages.known_words(language) or lexicon.knows(typed.word):
        gloss = lexicon.gloss(typed.word)
        said = f'"{typed.word}" means "{gloss}"' if gloss else f'"{typed.word}" is another word'
        return Verdict(correct=False, note=f'{said}; did you mean "{wanted.shown}"?', best_match=candidate.display)
    return Verdict(correct=True, note=f'You have a typo: "{wanted.shown}"', best_match=candidate.display)


def check_answer_text(
    text: str,
    solutions: list[str],
    language: str,
    *,
    strict_contractions: Iterable[str] = (),
    lexicon: Lexicon = NO_LEXICON,
) -> Verdict:
    """Judge a typed answer against the accepted ``solutions`` (alternates syntax allowed).

    In order: an exact match after normalisation (no note); a match once the language's equivalences
    are applied — digits for spelt numbers, contractions, US/UK spellings (no note); a match but for
    accents and missing apostrophes (note naming the words); one typo in one word of five letters or
    more (note naming the word) — unless the typo makes another word of the language (in ``lexicon``
    or the language's word list): then wrong, with a note naming both. Otherwise wrong, with
    ``best_match`` the closest solution. ``language`` is the code of the language the answer is
    written in (``es``, ``fr-CA``…); ``strict_contractions`` lists contractions that this exercise
    does not let stand for their long form (nor the reverse). Raises ``ValueError`` for an empty
    ``solutions`` list or a malformed solution.
    """
    if not solutions:
        raise ValueError("an exercise needs at least one solution")
    language = _primary_language(language)
    strict = frozenset(_fold(c) for c in strict_contractions)
    known = _solutions(tuple(solutions), language, strict)
    candidates = known.candidates
    if not candidates:
        raise ValueError("an exercise needs at least one solution")
    if len(text) > ANSWER_SLACK_CHARS + 4 * max(len(c.display) for c in candidates):
        return Verdict(correct=False, note=None, best_match=candidates[0].display)  # don't spend time on junk
    shown = _words(_prepare(text, language), elision=language in ELISION_LANGUAGES)
    learner = tuple(_fold(w) for w in shown)

    for candidate in candidates:
        if learner == candidate.words:
            return Verdict(correct=True, note=None, best_match=candidate.display)
    slots = _slots(learner, None, language, strict)
    for candidate in candidates:
        if len(slots) == len(candidate.slots) and all(map(_same, slots, candidate.slots)):
            return Verdict(correct=True, note=None, best_match=candidate.display)
    repaired, apostrophes = _repair_apostrophes(learner, known, language, strict)
    repaired_slots = _slots(repaired, None, language, strict) if apostrophes else slots
    ordered = sorted(candidates, key=lambda c: c.words != repaired) if apostrophes else candidates
    # A learner's word that is also a contraction (German "im") may still be the solution's word
    # but for its accents ("ím"): compare the words as typed too, not only their expansions.
    plain_slots = tuple(_plain_slot(word, language) for word in repaired)
    for candidate in ordered:
        note = _marks_only(repaired_slots, apostrophes, candidate, language)
        if not note and plain_slots != repaired_slots:
            note = _marks_only(plain_slots, apostrophes, candidate, language)
        if not note and len(plain_slots) != len(candidate.slots):
            # The solution's contraction without its accents ("uberm" for German "überm" = "über dem")
            # is no contraction the language knows, so it is one word against the solution's two:
            # compare the words as written on both sides.
            as_written = replace(candidate, slots=tuple(_plain_slot(word, language) for word in candidate.words))
            note = _marks_only(plain_slots, apostrophes, as_written, language)
        if note:
            return Verdict(correct=True, note=note, best_match=candidate.display)
    another_word = None
    for candidate in candidates:
        verdict = _single_typo(slots, candidate, known, language, lexicon)
        if verdict is not None and verdict.correct:
            return verdict
        another_word = another_word or verdict
    if another_word is not None:
        return another_word

    joined = " ".join(learner)
    closest = min(candidates, key=lambda c: Levenshtein.normalized_distance(joined, c.joined))
    return Verdict(correct=False, note=None, best_match=closest.display)


# --------------------------------------------------------------------------------------------
# Showing a wrong answer beside the right one

#: ``(word as written, same)``: one word of a side of ``word_diff``.
DiffWord = tuple[str, bool]


def word_diff(answer: str, solution: str, language: str) -> dict[str, list[DiffWord]]:
    """The learner's answer and the solution side by side, word by word, with the words that differ
    marked (``same`` False) on each side: difflib's longest matching blocks over the words as the
    checker compares them (folded: case, punctuation and apostrophe look-alikes do not count; accents
    do). Each side keeps its words as written (split at spaces), for display; the page escapes them
    like any text."""
    language = _primary_language(language)
    elision = language in ELISION_LANGUAGES

    def keyed(text: str) -> tuple[list[str], list[str]]:
        written = storable_answer(text).split()
        keys = [" ".join(_fold(w) for w in _words(_prepare(word, language), elision=elision)) for word in written]
        return written, keys

    answer_words, answer_keys = keyed(answer)
    solution_words, solution_keys = keyed(solution)
    matcher = difflib.SequenceMatcher(a=answer_keys, b=solution_keys, autojunk=False)
    same_a: set[int] = set()
    same_b: set[int] = set()
    for block in matcher.get_matching_blocks():
        same_a.update(range(block.a, block.a + block.size))
        same_b.update(range(block.b, block.b + block.size))
    return {
        "answer": [(w, i in same_a) for i, w in enumerate(answer_words)],
        "solution": [(w, i in same_b) for i, w in enumerate(solution_words)],
    }
