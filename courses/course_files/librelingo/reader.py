"""Read a LibreLingo course directory into plain dataclasses, refusing a malformed one with every
problem as ``FILE:LINE: FIELD: MESSAGE``.

The layout is LibreLingo's own: ``course.yaml`` lists the module directories (``Modules:``), each
``<module>/module.yaml`` lists its skill files (``Skills:``, under ``<module>/skills/``), and a skill
``<name>.yaml`` may have a Markdown introduction ``<name>.md`` next to it. Keys are checked as
LibreLingo's loader and schemas accept them; an unknown key is refused (a typo is never ignored).
Scalars are read as text (LibreLingo keeps ``true`` or ``2`` as written).
"""

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CourseFileError, Problem
from ..loader import LineDict, LineList, YamlSyntaxError, load

#: stop collecting after this many problems
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Origin:
    """Where something came from: a file, a line and the field's path in that file."""

    file: str
    line: int
    path: str


@dataclass
class LLLanguage:
    name: str
    code: str
    origin: Origin


@dataclass
class LLLicense:
    name: str
    short_name: str
    link: str


@dataclass
class LLWord:
    word: str
    synonyms: list[str]
    translation: str
    also_accepted: list[str]
    images: list[str]
    origin: Origin


@dataclass
class LLPhrase:
    phrase: str
    alternative_versions: list[str]
    translation: str
    alternative_translations: list[str]
    origin: Origin


@dataclass
class LLSkill:
    name: str
    id: str
    thumbnails: list[str]
    words: list[LLWord]
    phrases: list[LLPhrase]
    #: (language name as written in the file) -> [(term, [definitions])]
    dictionary: dict[str, list[tuple[str, list[str]]]]
    introduction: str | None
    origin: Origin
    file: str


@dataclass
class LLModule:
    name: str
    skills: list[LLSkill]
    origin: Origin
    directory: str


@dataclass
class LLTextToSpeech:
    provider: str
    voice: str
    engine: str


@dataclass
class LLCourse:
    directory: str
    target: LLLanguage
    source: LLLanguage
    license: LLLicense | None
    repository: str
    special_characters: list[str]
    audio_enabled: bool | None  # None: the course does not say
    text_to_speech: list[LLTextToSpeech]
    hunspell: dict[str, str]
    modules: list[LLModule] = field(default_factory=list)
    origin: Origin | None = None
    #: origins of course.yaml fields, for problems found later (licence, repository, languages)
    origins: dict[str, Origin] = field(default_factory=dict)


class _TooMany(Exception):
    pass


# One key: (name, kind, required). Kinds: str (text), strlist, map, list, any.
COURSE_FILE = (("Course", "map", True), ("Modules", "list", True), ("Settings", "map", False))
COURSE = (
    ("Language", "map", True),
    ("For speakers of", "map", True),
    ("License", "map", False),
    ("Repository", "str", False),
    ("Special characters", "strlist", False),
)
LANGUAGE = (("Name", "str", True), ("IETF BCP 47", "str", True))
LICENSE = (("Name", "str", True), ("Short name", "str", True), ("Link", "str", True))
SETTINGS = (("Audio", "map", False), ("Hunspell", "map", False))
AUDIO = (("Enabled", "str", True), ("TTS", "list", False))
TTS = (("Provider", "str", True), ("Voice", "str", True), ("Engine", "str", False))
MODULE_FILE = (("Module", "map", True), ("Skills", "list", True))
MODULE = (("Name", "str", True),)
SKILL_FILE = (
    ("Skill", "map", True),
    ("New words", "list", True),
    ("Phrases", "list", True),
    ("Mini-dictionary", "map", False),
)
SKILL = (("Name", "str", True), ("Id", "str", True), ("Thumbnails", "strlist", False))
WORD = (
    ("Word", "str", True),
    ("Synonyms", "strlist", False),
    ("Translation", "str", True),
    ("Also accepted", "strlist", False),
    ("Images", "strlist", False),
)
PHRASE = (
    ("Phrase", "str", True),
    ("Alternative versions", "strlist", False),
    ("Translation", "str", True),
    ("Alternative translations", "strlist", False),
)


def _kind_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"text ({value!r})"


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


class Reader:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []
        #: the names a Mini-dictionary may be keyed by: the course's two languages, once known
        self.language_names: list[str] = []

    # ------------------------------------------------------------------ problems

    def add(self, file: str, line: int, path: str, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            raise _TooMany
        self.problems.append(Problem(file, line, path or "(file)", message))

    def error(self) -> CourseFileError:
        # group by file in reading order, then by line
        order: dict[str, int] = {}
        for p in self.problems:
            order.setdefault(p.filename, len(order))
        items = sorted(self.problems, key=lambda p: (order[p.filename], p.line))
        if len(items) >= MAX_PROBLEMS:
            last = items[-1]
            items.append(
                Problem(last.filename, last.line, "(file)", f"too many problems; stopped after {MAX_PROBLEMS}")
            )
        return CourseFileError(items)

    # ------------------------------------------------------------------ files

    def load(self, path: Path, *, what: str, origin: Origin | None) -> Any:
        """The YAML document at ``path``, or None (the problem recorded, at ``origin`` when the file is missing)."""
        name = str(path)
        if not path.is_file():
            if origin is None:
                self.add(name, 1, "(file)", f"no {what} here: {name} does not exist")
            else:
                self.add(origin.file, origin.line, origin.path, f"no {what}: {name} does not exist")
            return None
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raw = path.read_bytes()
            self.add(name, raw[: exc.start].count(b"\n") + 1, "(file)", "the file is not valid UTF-8")
            return None
        try:
            data = load(text, strings=True)
        except YamlSyntaxError as exc:
            self.add(name, exc.line, "(yaml)", f"invalid YAML at column {exc.column}: {exc.message}")
            return None
        if not isinstance(data, dict):
            self.add(name, getattr(data, "line", 1), "(file)", f"expected a mapping ({what}), got {_kind_name(data)}")
            return None
        return data

    def fields(self, file: str, node: Any, line: int, path: str, keys: tuple, what: str) -> dict | None:
        """Check one mapping; return its values (absent optional keys as None), or None if it is unusable."""
        if not isinstance(node, dict):
            self.add(file, line, path, f"expected a mapping ({what}), got {_kind_name(node)}")
            return None
        spec = {name: (kind, required) for name, kind, required in keys}
        for key, key_line in getattr(node, "duplicate_keys", []):
            self.add(file, key_line, _join(path, key), "duplicate key: it appears more than once in this mapping")
        values: dict[str, Any] = {}
        ok = True
        for key, value in node.items():
            key_line = node.key_lines.get(key, node.line) if isinstance(node, LineDict) else line
            if key not in spec:
                close = difflib.get_close_matches(str(key), list(spec), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(spec)})"
                self.add(file, key_line, _join(path, key), f"unknown key {key!r} in {what}{hint}")
                ok = False
                continue
            kind, required = spec[key]
            checked = self.value(file, value, kind, required, key_line, _join(path, key))
            if checked is _BAD:
                ok = False
                continue
            values[key] = checked
        for name, _kind, required in keys:
            if name not in node:
                if required:
                    self.add(file, getattr(node, "line", line), path, f"missing required key {name!r} in {what}")
                    ok = False
                values[name] = [] if _kind in ("strlist", "list") else None
        return values if ok else None

    def value(self, file: str, value: Any, kind: str, required: bool, line: int, path: str) -> Any:
        if value is None and not required and kind in ("strlist", "list"):
            return []
        if kind == "str":
            if not isinstance(value, str) or not value.strip():
                self.add(file, line, path, f"expected non-empty text, got {_kind_name(value)}")
                return _BAD
            return value.strip()
        if kind == "map":
            if not isinstance(value, dict):
                self.add(file, line, path, f"expected a mapping, got {_kind_name(value)}")
                return _BAD
            return value
        if kind == "list":
            if value is None:  # "New words:" with nothing under it: no words
                return LineList()
            if not isinstance(value, list):
                self.add(file, line, path, f"expected a list, got {_kind_name(value)}")
                return _BAD
            return value
        if kind == "strlist":
            if not isinstance(value, list):
                self.add(file, line, path, f"expected a list of texts, got {_kind_name(value)}")
                return _BAD
            out = []
            for i, item in enumerate(value):
                if not isinstance(item, str) or not item.strip():
                    self.add(file, _item_line(value, i, line), _join(path, i), f"expected text, got {_kind_name(item)}")
                    return _BAD
                out.append(item.strip())
            return out
        raise AssertionError(kind)

    # ------------------------------------------------------------------ the course

    def course(self) -> LLCourse | None:
        course_file = self.directory / "course.yaml"
        file = str(course_file)
        if not self.directory.is_dir():
            self.add(str(self.directory), 1, "(file)", "not a directory: give a LibreLingo course directory")
            return None
        data = self.load(course_file, what="LibreLingo course file (course.yaml)", origin=None)
        if data is None:
            return None
        root = self.fields(file, data, 1, "", COURSE_FILE, "course.yaml")
        node = data.get("Course")
        head = (
            self.fields(file, node, _key_line(data, "Course"), "Course", COURSE, "the course")
            if "Course" in data
            else None
        )
        languages = {}
        for key in ("Language", "For speakers of"):
            sub = node.get(key) if isinstance(node, dict) else None
            if isinstance(sub, dict):
                lv = self.fields(file, sub, _key_line(node, key), f"Course.{key}", LANGUAGE, "a language")
                if lv:
                    languages[key] = LLLanguage(
                        lv["Name"],
                        lv["IETF BCP 47"],
                        Origin(file, _key_line(sub, "IETF BCP 47"), f"Course.{key}.IETF BCP 47"),
                    )
        if len(languages) == 2:
            self.language_names = [languages["Language"].name, languages["For speakers of"].name]
        license_ = None
        if head and head["License"] is not None:
            lv = self.fields(file, head["License"], _key_line(node, "License"), "Course.License", LICENSE, "a licence")
            if lv:
                license_ = LLLicense(lv["Name"], lv["Short name"], lv["Link"])
        audio_enabled, tts, hunspell = self.settings(file, data)
        modules: list[LLModule] = []
        if root is not None or isinstance(data.get("Modules"), list):
            raw = data.get("Modules")
            if isinstance(raw, list):
                modules = self.modules(file, raw)
        if head is None or root is None or len(languages) < 2:
            return None
        origins = {
            key: Origin(file, _key_line(node, key), f"Course.{key}")
            for key in ("Language", "For speakers of", "License", "Repository", "Special characters")
        }
        origins["Course"] = Origin(file, getattr(node, "line", 1), "Course")
        return LLCourse(
            directory=str(self.directory),
            target=languages["Language"],
            source=languages["For speakers of"],
            license=license_,
            repository=head["Repository"] or "",
            special_characters=head["Special characters"] or [],
            audio_enabled=audio_enabled,
            text_to_speech=tts,
            hunspell=hunspell,
            modules=modules,
            origin=origins["Course"],
            origins=origins,
        )

    def settings(self, file: str, data: dict) -> tuple[bool | None, list[LLTextToSpeech], dict[str, str]]:
        node = data.get("Settings")
        if not isinstance(node, dict):
            return None, [], {}
        values = self.fields(file, node, _key_line(data, "Settings"), "Settings", SETTINGS, "the settings")
        if values is None:
            return None, [], {}
        enabled, tts, hunspell = None, [], {}
        if values["Audio"] is not None:
            audio = self.fields(
                file, values["Audio"], _key_line(node, "Audio"), "Settings.Audio", AUDIO, "the audio settings"
            )
            if audio:
                text = audio["Enabled"].lower()
                if text not in ("true", "false"):
                    self.add(
                        file,
                        _key_line(values["Audio"], "Enabled"),
                        "Settings.Audio.Enabled",
                        f"expected True or False, got {audio['Enabled']!r}",
                    )
                else:
                    enabled = text == "true"
                for i, item in enumerate(audio["TTS"] or []):
                    line = _item_line(audio["TTS"], i, _key_line(values["Audio"], "TTS"))
                    tv = self.fields(file, item, line, f"Settings.Audio.TTS[{i}]", TTS, "a text-to-speech setting")
                    if tv:
                        tts.append(LLTextToSpeech(tv["Provider"], tv["Voice"], tv["Engine"] or ""))
        if values["Hunspell"] is not None:
            for key, value in values["Hunspell"].items():
                if isinstance(value, str) and value.strip():
                    hunspell[str(key)] = value.strip()
                else:
                    line = _key_line(values["Hunspell"], key)
                    self.add(
                        file, line, f"Settings.Hunspell.{key}", f"expected a dictionary code, got {_kind_name(value)}"
                    )
        return enabled, tts, hunspell

    def names(self, file: str, raw: list, key: str, what: str):
        """The file or directory names listed under ``key`` (``Modules``, ``Skills``), with their origin."""
        for i, entry in enumerate(raw):
            origin = Origin(file, _item_line(raw, i, getattr(raw, "line", 1)), f"{key}[{i}]")
            if not isinstance(entry, str) or not entry.strip():
                self.add(origin.file, origin.line, origin.path, f"expected {what}, got {_kind_name(entry)}")
                continue
            yield entry.strip(), origin

    def modules(self, file: str, raw: list) -> list[LLModule]:
        modules = []
        for name, origin in self.names(file, raw, "Modules", "a module directory name"):
            module = self.module(self.directory / name.rstrip("/"), origin)
            if module is not None:
                modules.append(module)
        return modules

    def document(self, path: Path, origin: Origin, *, what: str, keys: tuple, head: str, head_keys: tuple):
        """Load a module or skill file and check its top level and its head mapping (``Module``,
        ``Skill``). Returns (file name, data, root values, head values), or None when it cannot be read."""
        file = str(path)
        data = self.load(path, what=what, origin=origin)
        if data is None:
            return None
        root = self.fields(file, data, 1, "", keys, f"a {what}")
        values = None
        if isinstance(data.get(head), dict):
            values = self.fields(file, data[head], _key_line(data, head), head, head_keys, f"the {head.lower()}")
        return file, data, root, values

    def module(self, directory: Path, origin: Origin) -> LLModule | None:
        loaded = self.document(
            directory / "module.yaml", origin, what="module file", keys=MODULE_FILE, head="Module", head_keys=MODULE
        )
        if loaded is None:
            return None
        file, data, root, head = loaded
        skills = []
        raw = data.get("Skills")
        if isinstance(raw, list):
            for name, origin in self.names(file, raw, "Skills", "a skill file name"):
                skill = self.skill(directory / "skills" / name, origin)
                if skill is not None:
                    skills.append(skill)
        if root is None or head is None:
            return None
        return LLModule(
            head["Name"], skills, Origin(file, getattr(data["Module"], "line", 1), "Module"), str(directory)
        )

    def skill(self, path: Path, origin: Origin) -> LLSkill | None:
        loaded = self.document(path, origin, what="skill file", keys=SKILL_FILE, head="Skill", head_keys=SKILL)
        if loaded is None:
            return None
        file, data, root, head = loaded
        words = self.items(file, data, "New words", WORD, "a new word", self.word)
        phrases = self.items(file, data, "Phrases", PHRASE, "a phrase", self.phrase)
        dictionary = self.dictionary(file, data)
        introduction = None
        md = path.with_suffix(".md")
        if md.is_file():
            try:
                introduction = md.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raw = md.read_bytes()
                self.add(str(md), raw[: exc.start].count(b"\n") + 1, "(file)", "the file is not valid UTF-8")
        if root is None or head is None:
            return None
        return LLSkill(
            name=head["Name"],
            id=head["Id"],
            thumbnails=head["Thumbnails"] or [],
            words=words,
            phrases=phrases,
            dictionary=dictionary,
            introduction=introduction,
            origin=Origin(file, getattr(data["Skill"], "line", 1), "Skill"),
            file=file,
        )

    def items(self, file: str, data: dict, key: str, keys: tuple, what: str, build) -> list:
        raw = data.get(key)
        if not isinstance(raw, list):
            return []
        out = []
        for i, node in enumerate(raw):
            line = _item_line(raw, i, getattr(raw, "line", 1))
            values = self.fields(file, node, line, f"{key}[{i}]", keys, what)
            if values is not None:
                out.append(build(values, Origin(file, getattr(node, "line", line), f"{key}[{i}]")))
        return out

    @staticmethod
    def word(v: dict, origin: Origin) -> LLWord:
        return LLWord(v["Word"], v["Synonyms"], v["Translation"], v["Also accepted"], v["Images"], origin)

    @staticmethod
    def phrase(v: dict, origin: Origin) -> LLPhrase:
        return LLPhrase(v["Phrase"], v["Alternative versions"], v["Translation"], v["Alternative translations"], origin)

    def dictionary(self, file: str, data: dict) -> dict[str, list[tuple[str, list[str]]]]:
        node = data.get("Mini-dictionary")
        if not isinstance(node, dict):
            return {}
        out: dict[str, list[tuple[str, list[str]]]] = {}
        for language, entries in node.items():
            path = f"Mini-dictionary.{language}"
            line = _key_line(node, language)
            if self.language_names and language not in self.language_names:
                close = difflib.get_close_matches(str(language), self.language_names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.add(
                    file,
                    line,
                    path,
                    f"unknown language {language!r}: a mini-dictionary lists the course's languages "
                    f"by name ({' and '.join(self.language_names)}){hint}",
                )
                continue
            if entries is None:
                entries = []
            if not isinstance(entries, list):
                self.add(file, line, path, f"expected a list of 'term: meaning' entries, got {_kind_name(entries)}")
                continue
            items = []
            for i, entry in enumerate(entries):
                item_line = _item_line(entries, i, line)
                if not (isinstance(entry, dict) and len(entry) == 1):
                    self.add(
                        file, item_line, f"{path}[{i}]", "expected one 'term: meaning' entry (or 'term: [meanings]')"
                    )
                    continue
                ((term, meaning),) = entry.items()
                meanings = meaning if isinstance(meaning, list) else [meaning]
                if (
                    not (isinstance(term, str) and term.strip())
                    or not all(isinstance(m, str) and m.strip() for m in meanings)
                    or not meanings
                ):
                    self.add(
                        file,
                        item_line,
                        f"{path}[{i}]",
                        "a mini-dictionary entry is a term and one or more meanings (text)",
                    )
                    continue
                items.append((term.strip(), [m.strip() for m in meanings]))
            out[str(language)] = items
        return out


_BAD = object()


def _key_line(node: Any, key: str) -> int:
    if isinstance(node, LineDict):
        return node.key_lines.get(key, node.line)
    return 1


def _item_line(nodes: Any, i: int, fallback: int) -> int:
    if isinstance(nodes, LineList) and i < len(nodes.item_lines):
        return nodes.item_lines[i]
    return fallback


def read_course(directory: str | Path) -> LLCourse:
    """Read and check a LibreLingo course directory. Raises ``CourseFileError`` listing every problem."""
    reader = Reader(Path(directory))
    try:
        course = reader.course()
    except _TooMany:
        course = None
    if reader.problems:
        raise reader.error()
    assert course is not None
    return course
