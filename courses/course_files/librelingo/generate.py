"""Turn a read LibreLingo course into Mallard course-file data (the document ``import_course`` reads).

The mapping and the generation rules are documented in docs/course-format.md ("Importing a
LibreLingo course"). Everything here is deterministic — the same directory (and the same image
assets) gives the same document — so a re-import changes nothing. Choices and tiles are put in
alphabetical order, which says nothing about the answer.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from courses.models import Course, Lesson, Section, Unit

from .markdown import to_plain_text
from .reader import LLCourse, LLPhrase, LLSkill, LLWord, Origin

#: a skill's words are matched in groups of at most this many pairs (the type takes 3 to 6)
MAX_PAIRS = 6
#: cards: the word and up to this many other words of the skill
CARD_DISTRACTORS = 3
#: options: the phrase and up to this many other phrases of the skill
OPTION_DISTRACTORS = 2
#: chips: the phrase's words plus up to this many words of the skill's other phrases
TILE_DISTRACTORS = 4
MAX_TILES = 20
#: estimated seconds per exercise, for a lesson's minutes
SECONDS_PER_EXERCISE = 20
HINT_MAX = 300
_EDGE = re.compile(r"^[^\w']+|[^\w']+$")
_BRACES = re.compile(r"\{([^{}]+)\}")


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def plain(text: str) -> str:
    """LibreLingo marks multi-word dictionary terms with braces (``{post office}``): learners never see them."""
    return " ".join(_BRACES.sub(lambda m: m.group(1), text).split())


def words_of(text: str) -> list[str]:
    """A sentence's words, edge punctuation dropped (``¿Dónde?`` → ``Dónde``)."""
    out = []
    for raw in plain(text).split():
        word = _EDGE.sub("", raw)
        if word:
            out.append(word)
    return out


def terms_of(text: str) -> list[str]:
    """The dictionary terms of a sentence: brace groups whole, other words one by one."""
    out: list[str] = []
    pos = 0
    for match in _BRACES.finditer(text):
        out += words_of(text[pos : match.start()])
        out.append(" ".join(match.group(1).split()))
        pos = match.end()
    return out + words_of(text[pos:])


def ordered(items: list[str]) -> list[str]:
    """Alphabetical (case-folded): an order that says nothing about which item is the answer."""
    return sorted(items, key=lambda s: (fold(s), s))


@dataclass
class Generated:
    """The course-file document, and where each part of it came from (for problems found later)."""

    document: dict[str, Any]
    origins: dict[str, Origin] = field(default_factory=dict)

    def origin_of(self, path: str) -> Origin | None:
        """The origin of the longest recorded path that ``path`` starts with."""
        best = None
        for key, origin in self.origins.items():
            if (path == key or path.startswith(key + ".") or path.startswith(key + "[")) and (
                best is None or len(key) > len(best[0])
            ):
                best = (key, origin)
        return best[1] if best else None


class Dictionary:
    """A LibreLingo course's mini-dictionary, course-wide as LibreLingo merges it: a term's meanings in
    one direction, from every skill's ``Mini-dictionary`` and from the new words (``Word`` ↔ ``Translation``)."""

    def __init__(self) -> None:
        self.meanings: dict[str, dict[str, list[str]]] = {"target": {}, "source": {}}

    def add(self, side: str, term: str, meaning: str) -> None:
        known = self.meanings[side].setdefault(fold(plain(term)), [])
        if meaning not in known:
            known.append(plain(meaning))

    def hint(self, text: str, *, side: str, solutions: list[str]) -> str:
        """Word hints for the sentence ``text`` (written in ``side``'s language): ``term: meaning, meaning``
        for each term of it the dictionary knows, in order, never a meaning that is a whole solution."""
        banned = {fold(s) for s in solutions}
        parts: list[str] = []
        seen: set[str] = set()
        for term in terms_of(text):
            key = fold(term)
            if key in seen:
                continue
            seen.add(key)
            meanings = [m for m in self.meanings[side].get(key, []) if fold(m) not in banned]
            if not meanings:
                continue
            part = f"{term}: {', '.join(meanings)}"
            if len(" · ".join([*parts, part])) > HINT_MAX:
                break
            parts.append(part)
        return " · ".join(parts)


class Generator:
    def __init__(self, course: LLCourse, *, slug: str, images: dict[str, int], publish: bool) -> None:
        self.ll = course
        self.slug = slug
        self.images = images
        self.publish = publish
        self.listen = course.audio_enabled is not False
        self.out = Generated(document={})
        self.dictionary = Dictionary()
        self.lexicon: dict[str, dict[str, str]] = {}  # folded text -> token entry
        self.token_texts: list[str] = []
        self.token_index: dict[str, list[tuple[tuple[str, ...], int]]] | None = None

    # ------------------------------------------------------------------ the whole course

    def run(self) -> Generated:
        ll = self.ll
        self.build_dictionary()
        doc: dict[str, Any] = {"format": 1}
        target, source = ll.target, ll.source
        title = f"{target.name} for {source.name} speakers"
        head: dict[str, Any] = {
            "slug": self.slug,
            "title": title[: Course._meta.get_field("title").max_length],
            "description": "Imported from a LibreLingo course" + (f" ({ll.repository})." if ll.repository else "."),
            "from_language": {"code": source.code, "name": source.name},
            "to_language": {"code": target.code, "name": target.name},
        }
        if ll.license is not None:
            head["license"] = {"name": ll.license.name, "short_name": ll.license.short_name, "url": ll.license.link}
        if ll.repository:
            head["source"] = ll.repository
        if ll.special_characters:
            head["special_characters"] = list(dict.fromkeys(ll.special_characters))
        head["published"] = self.publish
        doc["course"] = head
        self.out.origins["course"] = ll.origin
        self.out.origins["course.from_language"] = ll.source.origin
        self.out.origins["course.to_language"] = ll.target.origin
        for key, ll_key in (
            ("license", "License"),
            ("source", "Repository"),
            ("special_characters", "Special characters"),
        ):
            self.out.origins[f"course.{key}"] = ll.origins[ll_key]
        self.out.origins["course.published"] = ll.origins["License"]

        units = []
        for u, module in enumerate(ll.modules, start=1):
            path = f"sections[0].units[{u - 1}]"
            self.out.origins[path] = module.origin
            lessons = []
            for le, skill in enumerate(module.skills, start=1):
                lessons.append(self.lesson(skill, le, f"{path}.lessons[{le - 1}]"))
            unit: dict[str, Any] = {"ordinal": u, "title": module.name[: Unit._meta.get_field("title").max_length]}
            if lessons:
                unit["lessons"] = lessons
            units.append(unit)
        doc["tokens"] = [self.lexicon[t] for t in self.token_texts]
        section: dict[str, Any] = {
            "ordinal": 1,
            "title": title[: Section._meta.get_field("title").max_length],
            "cefr": "A1",
        }
        if units:
            section["units"] = units
        doc["sections"] = [section]
        self.out.origins["sections[0]"] = ll.origin
        self.out.document = doc
        return self.out

    def build_dictionary(self) -> None:
        target, source = self.ll.target.name, self.ll.source.name
        for module in self.ll.modules:
            for skill in module.skills:
                for word in skill.words:
                    self.dictionary.add("target", word.word, word.translation)
                    self.dictionary.add("source", word.translation, word.word)
                    key = fold(word.word)
                    if key not in self.lexicon:
                        self.lexicon[key] = {"text": word.word, "translation": word.translation}
                        self.token_texts.append(key)
                        index = len(self.token_texts) - 1
                        self.out.origins[f"tokens[{index}]"] = word.origin
                for language, entries in skill.dictionary.items():
                    side = "target" if language == target else "source" if language == source else None
                    if side is None:
                        continue
                    for term, meanings in entries:
                        for meaning in meanings:
                            self.dictionary.add(side, term, meaning)

    # ------------------------------------------------------------------ one skill → one lesson

    def lesson(self, skill: LLSkill, ordinal: int, path: str) -> dict[str, Any]:
        self.out.origins[path] = skill.origin
        exercises: list[tuple[dict, Origin]] = []
        words = skill.words
        phrases = skill.phrases
        # first: cards (picture or multiple choice) for words, options for phrases
        for i, word in enumerate(words):
            card = self.picture(word, i, words) or self.word_choice(word, i, words)
            if card:
                exercises.append((card, word.origin))
        for i, phrase in enumerate(phrases):
            option = self.phrase_choice(phrase, i, phrases)
            if option:
                exercises.append((option, phrase.origin))
        # second: typed translations both ways and listening
        for word in words:
            exercises.append((self.translate_word_to_target(word), word.origin))
            exercises.append((self.translate_word_to_source(word), word.origin))
            if self.listen:
                exercises.append((self.listen_to(word.word), word.origin))
        for phrase in phrases:
            exercises.append((self.translate_phrase_to_source(phrase), phrase.origin))
            if self.listen:
                exercises.append((self.listen_to(phrase.phrase), phrase.origin))
        # third: chips (a word bank, or the typed translation when the phrase makes no word bank)
        for i, phrase in enumerate(phrases):
            bank = self.word_bank(phrase, i, phrases) or self.translate_phrase_to_target(phrase)
            exercises.append((bank, phrase.origin))
        # last: match a skill's words with their translations
        for group in self.pair_groups(words):
            exercises.append((self.match_pairs(group), group[0].origin))

        items = []
        for position, (exercise, origin) in enumerate(exercises):
            self.out.origins[f"{path}.exercises[{position}]"] = origin
            items.append(exercise)
        lesson: dict[str, Any] = {
            "ordinal": ordinal,
            "title": skill.name[: Lesson._meta.get_field("title").max_length],
        }
        minutes = max(1, round(len(items) * SECONDS_PER_EXERCISE / 60))
        if minutes != 5:
            lesson["minutes"] = minutes
        if skill.introduction and skill.introduction.strip():
            lesson["notes"] = to_plain_text(skill.introduction)
            self.out.origins[f"{path}.notes"] = Origin(skill.file[:-5] + ".md", 1, "(introduction)")
        if items:
            lesson["exercises"] = items
        return lesson

    # ------------------------------------------------------------------ exercises

    def tokens_for(self, *texts: str) -> list[str]:
        """The lexicon tokens that occur, as whole words, in any of ``texts`` (lexicon order)."""
        if self.token_index is None:
            # first folded word -> [(the token's folded words, its place in the lexicon)]
            self.token_index = {}
            for place, key in enumerate(self.token_texts):
                folded = tuple(fold(w) for w in words_of(key))
                if folded:
                    self.token_index.setdefault(folded[0], []).append((folded, place))
        found: set[int] = set()
        for text in texts:
            folded = [fold(w) for w in words_of(text)]
            for i, word in enumerate(folded):
                for needle, place in self.token_index.get(word, ()):
                    if tuple(folded[i : i + len(needle)]) == needle:
                        found.add(place)
        return [self.lexicon[self.token_texts[place]]["text"] for place in sorted(found)]

    def exercise(self, type_: str, payload: dict, *, tokens: list[str], prompt: str = "", hint: str = "") -> dict:
        out: dict[str, Any] = {"type": type_}
        if prompt:
            out["prompt"] = prompt
        if tokens:
            out["tokens"] = list(dict.fromkeys(tokens))
        if hint:
            out["hint"] = hint
        out["payload"] = payload
        return out

    def others(self, items: list, index: int, limit: int, key, exclude: set[str], clash) -> list:
        """Up to ``limit`` items after ``index`` (wrapping round), distinct by ``key`` and not in ``exclude``;
        ``clash(item)`` drops an item that would make a second right answer."""
        picked = []
        seen = set(exclude)
        for step in range(1, len(items)):
            item = items[(index + step) % len(items)]
            k = fold(key(item))
            if k in seen or clash(item):
                continue
            seen.add(k)
            picked.append(item)
            if len(picked) == limit:
                break
        return picked

    def image_of(self, word: LLWord) -> int | None:
        for name in word.images:
            if name in self.images:
                return self.images[name]
        return None

    def picture(self, word: LLWord, index: int, words: list[LLWord]) -> dict | None:
        """LibreLingo's cards challenge, where the skill's words have images in Mallard's media library."""
        image = self.image_of(word)
        if image is None:
            return None
        same = {fold(t) for t in [word.translation, *word.also_accepted]}
        used = {image}

        def clash(other: LLWord) -> bool:
            other_image = self.image_of(other)
            if other_image is None or other_image in used or fold(other.translation) in same:
                return True
            used.add(other_image)
            return False

        distractors = self.others(
            words, index, CARD_DISTRACTORS, key=lambda w: plain(w.word), exclude={fold(plain(word.word))}, clash=clash
        )
        if not distractors:
            return None
        by_label = {plain(word.word): image, **{plain(w.word): self.image_of(w) for w in distractors}}
        labels = ordered(list(by_label))
        payload = {
            "question": plain(word.translation),
            "choices": [{"label": label, "image": by_label[label]} for label in labels],
            "answer": labels.index(plain(word.word)),
        }
        return self.exercise(
            "picture", payload, tokens=[self.token(word)], prompt=f"Which one is “{plain(word.translation)}”?"
        )

    def choice(self, pool: list[tuple[list[str], list[str]]], index: int, limit: int, tokens: list[str]) -> dict | None:
        """A ``multiple_choice``: the target-language text of ``pool[index]`` for its translation, among up to
        ``limit`` others of the pool. Each pool item is (target texts, source texts), the main one first."""
        target, source = pool[index]
        same = {fold(plain(t)) for t in source}
        distractors = self.others(
            pool,
            index,
            limit,
            key=lambda item: plain(item[0][0]),
            exclude={fold(plain(t)) for t in target},
            clash=lambda item: fold(plain(item[1][0])) in same,
        )
        if not distractors:
            return None
        choices = ordered([plain(target[0]), *(plain(item[0][0]) for item in distractors)])
        payload = {
            "question": f"Choose the {self.ll.target.name} for “{plain(source[0])}”",
            "choices": choices,
            "answer": choices.index(plain(target[0])),
        }
        return self.exercise("multiple_choice", payload, tokens=tokens)

    def word_choice(self, word: LLWord, index: int, words: list[LLWord]) -> dict | None:
        """The cards challenge without pictures: pick the word for a translation among the skill's words."""
        pool = [([w.word, *w.synonyms], [w.translation, *w.also_accepted]) for w in words]
        return self.choice(pool, index, CARD_DISTRACTORS, [self.token(word)])

    def phrase_choice(self, phrase: LLPhrase, index: int, phrases: list[LLPhrase]) -> dict | None:
        """LibreLingo's options challenge: pick the phrase that means a translation."""
        pool = [([p.phrase, *p.alternative_versions], [p.translation, *p.alternative_translations]) for p in phrases]
        return self.choice(pool, index, OPTION_DISTRACTORS, self.tokens_for(phrase.phrase))

    def token(self, word: LLWord) -> str:
        """The lexicon's text for a new word (the first skill to define a word names its token)."""
        return self.lexicon[fold(word.word)]["text"]

    @staticmethod
    def solutions(main: str, alternatives: list[str]) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        for text in [main, *alternatives]:
            if fold(plain(text)) not in seen:
                seen.add(fold(plain(text)))
                out.append(plain(text))
        return out

    def translate(
        self, text: str, solutions: list[str], *, direction: str, tokens: list[str], hint_side: str | None
    ) -> dict:
        # a single word's gloss would be its answer: only sentences get word hints
        hint = self.dictionary.hint(text, side=hint_side, solutions=solutions) if hint_side else ""
        language = self.ll.target.name if direction == "to_target" else self.ll.source.name
        payload = {"text": plain(text), "solutions": solutions, "direction": direction}
        return self.exercise("translate", payload, tokens=tokens, prompt=f"Write this in {language}", hint=hint)

    def translate_word_to_target(self, word: LLWord) -> dict:
        """The short input challenge: type the word for a translation (its synonyms accepted)."""
        solutions = self.solutions(word.word, word.synonyms)
        return self.translate(
            word.translation, solutions, direction="to_target", tokens=[word.word], hint_side="source"
        )

    def translate_word_to_source(self, word: LLWord) -> dict:
        """The other way: translate the word (``Also accepted`` accepted)."""
        solutions = self.solutions(word.translation, word.also_accepted)
        return self.translate(word.word, solutions, direction="to_source", tokens=[self.token(word)], hint_side=None)

    def translate_phrase_to_source(self, phrase: LLPhrase) -> dict:
        solutions = self.solutions(phrase.translation, phrase.alternative_translations)
        return self.translate(
            phrase.phrase, solutions, direction="to_source", tokens=self.tokens_for(phrase.phrase), hint_side="target"
        )

    def translate_phrase_to_target(self, phrase: LLPhrase) -> dict:
        solutions = self.solutions(phrase.phrase, phrase.alternative_versions)
        return self.translate(
            phrase.translation,
            solutions,
            direction="to_target",
            tokens=self.tokens_for(phrase.phrase),
            hint_side="source",
        )

    def listen_to(self, text: str) -> dict:
        """LibreLingo's listening challenge: type what the audio says (made by ``synthesize_audio``)."""
        return self.exercise("listen", {"text": plain(text)}, tokens=self.tokens_for(text))

    def word_bank(self, phrase: LLPhrase, index: int, phrases: list[LLPhrase]) -> dict | None:
        """LibreLingo's chips challenge towards the target language: the phrase's words and a few words
        of the skill's other phrases as tiles; an alternative version is accepted when its words are tiles."""
        tiles = words_of(phrase.phrase)
        if len(tiles) < 2 or len(tiles) > MAX_TILES:
            return None
        have = {fold(t) for t in tiles}
        extra: list[str] = []
        for step in range(1, len(phrases)):
            for word in words_of(phrases[(index + step) % len(phrases)].phrase):
                if len(extra) >= TILE_DISTRACTORS or len(tiles) + len(extra) >= MAX_TILES:
                    break
                if fold(word) not in have:
                    have.add(fold(word))
                    extra.append(word)
        available = Counter(fold(t) for t in tiles + extra)
        solutions = [plain(phrase.phrase)]
        for version in phrase.alternative_versions:
            needed = Counter(fold(w) for w in words_of(version))
            if (
                needed
                and all(available[w] >= n for w, n in needed.items())
                and fold(plain(version)) not in {fold(s) for s in solutions}
            ):
                solutions.append(plain(version))
        payload = {"text": plain(phrase.translation), "tiles": ordered(tiles + extra), "solutions": solutions}
        hint = self.dictionary.hint(phrase.translation, side="source", solutions=solutions)
        return self.exercise("word_bank", payload, tokens=self.tokens_for(phrase.phrase), hint=hint)

    def pair_groups(self, words: list[LLWord]) -> list[list[LLWord]]:
        """The skill's words with distinct words and distinct translations, in groups of 3 to 6."""
        distinct: list[LLWord] = []
        lefts: set[str] = set()
        rights: set[str] = set()
        for word in words:
            left, right = fold(plain(word.word)), fold(plain(word.translation))
            if left in lefts or right in rights:
                continue
            lefts.add(left)
            rights.add(right)
            distinct.append(word)
        if len(distinct) < 3:
            return []
        count = -(-len(distinct) // MAX_PAIRS)
        size, extra = divmod(len(distinct), count)
        groups, start = [], 0
        for g in range(count):
            end = start + size + (1 if g < extra else 0)
            groups.append(distinct[start:end])
            start = end
        return groups

    def match_pairs(self, group: list[LLWord]) -> dict:
        payload = {"pairs": [[plain(w.word), plain(w.translation)] for w in group]}
        return self.exercise("match_pairs", payload, tokens=[self.token(w) for w in group], prompt="Match the pairs")


def generate(course: LLCourse, *, slug: str, images: dict[str, int], publish: bool) -> Generated:
    """The Mallard course-file document for ``course`` (see the module docstring)."""
    return Generator(course, slug=slug, images=images, publish=publish).run()
