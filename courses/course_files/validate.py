"""Turn parsed YAML (with positions) into a ``CourseFile``, collecting every problem with its line.

Every problem is a whole translatable sentence, filled in when shown (``errors.Problem``); the kinds of
mapping (``_("a lesson")``) and of value (``describe``) it names are translated with it.

Checks, in one pass over the tree: the shape of every mapping (unknown keys, missing required
keys, wrong types, bad enum values, lengths), then across the tree: duplicate ordinals among
siblings, duplicate slugs, duplicate tokens, exercise tokens missing from the lexicon, dangling
``ref:`` and ``prerequisites``, prerequisite cycles, unknown exercise types and invalid payloads.
"""

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from core.i18n import interpolate_lazy as lazy_text
from courses import exercise_types, licences
from courses.content_languages import LANGUAGE_CODES, TRANSLATED_FIELDS, source_language
from courses.models import MIN_TIME_LIMIT_SEC, Checkpoint, Course, Exercise, Language, Lesson, Section, Token, Unit
from courses.services import prerequisite_cycles
from courses.slugs import SLUG_RE, checkpoint_slug, exercise_slug, lesson_slug, section_slug, unit_slug

from .errors import Problems, TooManyProblems
from .loader import LineDict, LineList, plain
from .spec import (
    FORMAT_VERSION,
    CheckpointSpec,
    CourseFile,
    CourseSpec,
    ExerciseSpec,
    ExerciseUse,
    LanguageSpec,
    LessonSpec,
    LicenseSpec,
    SectionSpec,
    TokenSpec,
    UnitSpec,
    Where,
)

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_SMALLINT = 32767
DEFAULT_COLOR = Unit._meta.get_field("color").default


#: a slug used twice in the file, per kind of row (whole sentences, each translated)
DUPLICATE_SLUG = {
    "section": _("duplicate section slug %(slug)s (also %(path)s, line %(line)s)"),
    "unit": _("duplicate unit slug %(slug)s (also %(path)s, line %(line)s)"),
    "lesson": _("duplicate lesson slug %(slug)s (also %(path)s, line %(line)s)"),
    "exercise": _("duplicate exercise slug %(slug)s (also %(path)s, line %(line)s)"),
    "checkpoint": _("duplicate checkpoint slug %(slug)s (also %(path)s, line %(line)s)"),
}


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class Key:
    """One key of a mapping in the file: its type, whether it is required, and its default."""

    name: str
    kind: str  # str | int | bool | slug | list | map | strlist
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    min_value: int | None = None
    nonblank: bool = False
    pattern: re.Pattern | None = None
    pattern_hint: str = ""  # a noun phrase: "… is not <pattern_hint>"


def _str(name, model=None, field=None, **kw) -> Key:
    kw.setdefault("default", "")
    return Key(name, "str", max_length=_max(model, field or name) if model else None, **kw)


LANGUAGE_KEYS = (
    _str("code", Language, required=True, nonblank=True),
    _str("name", Language, required=True, nonblank=True),
    _str("native_name", Language),
)
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _url(name: str, field: str) -> Key:
    """An optional http(s) link, as long as the course's ``field`` can hold."""
    return Key(
        name, "str", default="", max_length=_max(Course, field), pattern=URL_RE, pattern_hint=_("an http(s) link")
    )


COURSE_KEYS = (
    Key("slug", "slug", required=True, max_length=_max(Course, "slug")),
    _str("title", Course, required=True, nonblank=True),
    _str("description"),
    Key("from_language", "map", required=True),
    Key("to_language", "map", required=True),
    Key("license", "map", default=None),
    _url("source", "source_repository"),
    Key("special_characters", "strlist", default=()),
    Key("published", "bool", default=False),
    Key("translations", "map", default=None),
)
LICENSE_KEYS = (
    _str("name", Course, "license_name"),
    _str("short_name", Course, "license_short_name"),
    _url("url", "license_url"),
)
#: a special character is a key of the player's keyboard: one letter or a few (a digraph, a combining mark)
SPECIAL_CHARACTER_MAX = 4
SPECIAL_CHARACTERS_MAX = 40
TOKEN_KEYS = (
    _str("text", Token, required=True, nonblank=True),
    _str("translation", Token),
    _str("ipa", Token),
    _str("pos", Token, "part_of_speech"),
)
SECTION_KEYS = (
    Key("ordinal", "int", required=True, min_value=1),
    Key("slug", "slug", max_length=_max(Section, "slug")),
    _str("title", Section, required=True, nonblank=True),
    Key("cefr", "str", required=True, choices=tuple(Section.Cefr.values)),
    _str("description"),
    Key("published", "bool", default=True),
    Key("units", "list", default=()),
    Key("checkpoint", "map", default=None),
    Key("translations", "map", default=None),
)
UNIT_KEYS = (
    Key("ordinal", "int", required=True, min_value=1),
    Key("slug", "slug", max_length=_max(Unit, "slug")),
    _str("title", Unit, required=True, nonblank=True),
    _str("icon", Unit),
    Key("color", "str", default=DEFAULT_COLOR, pattern=COLOR_RE, pattern_hint=_("a hex colour like #58cc02")),
    _str("description"),
    Key("published", "bool", default=True),
    Key("lessons", "list", default=()),
    Key("checkpoint", "map", default=None),
    Key("translations", "map", default=None),
)
LESSON_KEYS = (
    Key("ordinal", "int", required=True, min_value=1),
    Key("slug", "slug", max_length=_max(Lesson, "slug")),
    _str("title", Lesson, required=True, nonblank=True),
    Key("kind", "str", default=Lesson.Kind.CORE.value, choices=tuple(Lesson.Kind.values)),
    Key("difficulty", "str", default=Lesson.Difficulty.EASY.value, choices=tuple(Lesson.Difficulty.values)),
    Key("minutes", "int", default=Lesson._meta.get_field("estimated_minutes").default, min_value=1),
    Key("time_limit_sec", "int", default=None, min_value=MIN_TIME_LIMIT_SEC),
    _str("notes"),
    Key("prerequisites", "strlist", default=()),
    Key("published", "bool", default=True),
    Key("adaptive_order", "bool", default=True),
    Key("exercises", "list", default=()),
    Key("translations", "map", default=None),
)
CHECKPOINT_KEYS = (
    Key("slug", "slug", max_length=_max(Checkpoint, "slug")),
    _str("title", Checkpoint),
    Key("pass_percent", "int", default=Checkpoint._meta.get_field("pass_percent").default, min_value=1),
    Key("time_limit_sec", "int", default=None, min_value=MIN_TIME_LIMIT_SEC),
    Key("draw", "int", default=None, min_value=1),
    Key("lessons", "strlist", default=()),
    Key("exercises", "strlist", default=()),
    Key("published", "bool", default=True),
    Key("translations", "map", default=None),
)
EXERCISE_KEYS = (
    Key("slug", "slug", max_length=_max(Exercise, "slug")),
    Key("type", "str", required=True, nonblank=True),
    _str("prompt", Exercise),
    Key("tokens", "strlist", default=()),
    _str("hint", Exercise),
    _str("explanation"),
    Key("published", "bool", default=True),
    Key("payload", "map", required=True),
    Key("translations", "map", default=None),
)
REF_KEYS = (Key("ref", "slug", required=True),)
ROOT_KEYS = (
    Key("format", "int", required=True),
    Key("course", "map", required=True),
    Key("tokens", "list", default=()),
    Key("sections", "list", default=()),
    Key("exercises", "list", default=()),
)


def describe(value: Any) -> str:
    """What a value is, as a noun phrase for "expected …, got <this>" (translated when shown)."""
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return lazy_text(_("a boolean (%(value)s)"), value="true" if value else "false")
    if isinstance(value, int | float):
        return lazy_text(_("a number (%(value)s)"), value=value)
    if isinstance(value, str):
        return lazy_text(_("a string (%(value)s)"), value=repr(value))
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return type(value).__name__


def join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


class Validator:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.course_slug = "course"
        #: the interface language the course's own texts are in (its from_language, when Mallard has it)
        self.source = source_language("")
        #: (model name) -> slug -> Where of its first use, for duplicate detection
        self.slugs: dict[str, dict[str, Where]] = {
            "section": {},
            "unit": {},
            "lesson": {},
            "exercise": {},
            "checkpoint": {},
        }
        #: the node of each checkpoint, by slug, for the lines of its list items
        self.checkpoint_node: dict[str, LineDict] = {}
        self.exercises: dict[str, ExerciseSpec] = {}
        self.exercise_node: dict[str, LineDict] = {}
        self.refs: list[ExerciseUse] = []

    def add(self, line: int, path: str, message: str) -> None:
        self.problems.add(line, path, message)

    # ----------------------------------------------------------------- one mapping

    def fields(self, node: Any, line: int, path: str, keys: tuple[Key, ...], what: str) -> dict | None:
        """Check one mapping against ``keys``; return its values (defaults filled in), or None."""
        if not isinstance(node, dict):
            self.add(
                line, path, lazy_text(_("expected a mapping (%(what)s), got %(got)s"), what=what, got=describe(node))
            )
            return None
        by_name = {k.name: k for k in keys}
        for key, key_line in getattr(node, "duplicate_keys", []):
            self.add(key_line, join(path, key), _("duplicate key: it appears more than once in this mapping"))
        values: dict[str, Any] = {}
        ok = True
        for key, value in node.items():
            key_line = node.key_lines.get(key, node.line) if isinstance(node, LineDict) else line
            spec = by_name.get(key) if isinstance(key, str) else None
            if spec is None:
                self.add(key_line, join(path, key), unknown_key(key, list(by_name), what))
                ok = False
                continue
            if not self.check_value(spec, value, key_line, join(path, key)):
                ok = False
                continue
            values[key] = value
        for spec in keys:
            if spec.name not in node:
                if spec.required:
                    self.add(
                        node_line(node, line),
                        path,
                        lazy_text(_("missing required key %(key)s in %(what)s"), key=repr(spec.name), what=what),
                    )
                    ok = False
                else:
                    values[spec.name] = list(spec.default) if isinstance(spec.default, tuple) else spec.default
        return values if ok else None

    def check_value(self, spec: Key, value: Any, line: int, path: str) -> bool:
        kind = spec.kind
        if kind in ("str", "slug"):
            if not isinstance(value, str):
                self.add(line, path, lazy_text(_("expected a string, got %(got)s"), got=describe(value)))
                return False
            if spec.nonblank and not value.strip():
                self.add(line, path, _("must not be empty"))
                return False
            if spec.max_length and len(value) > spec.max_length:
                self.add(
                    line,
                    path,
                    lazy_text(
                        _("is %(length)s characters long; the limit is %(limit)s"),
                        length=len(value),
                        limit=spec.max_length,
                    ),
                )
                return False
            if kind == "slug" and not SLUG_RE.match(value):
                self.add(
                    line,
                    path,
                    lazy_text(
                        _("%(value)s is not a valid slug: use lower-case letters, digits and hyphens"),
                        value=repr(value),
                    ),
                )
                return False
            if spec.choices and value not in spec.choices:
                self.add(
                    line,
                    path,
                    lazy_text(
                        _("%(value)s is not one of: %(choices)s"), value=repr(value), choices=", ".join(spec.choices)
                    ),
                )
                return False
            if spec.pattern and not spec.pattern.match(value):
                self.add(
                    line,
                    path,
                    lazy_text(_("%(value)s is not %(expected)s"), value=repr(value), expected=spec.pattern_hint),
                )
                return False
            return True
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                self.add(line, path, lazy_text(_("expected a whole number, got %(got)s"), got=describe(value)))
                return False
            if spec.min_value is not None and value < spec.min_value:
                self.add(
                    line,
                    path,
                    lazy_text(_("must be at least %(limit)s, got %(value)s"), limit=spec.min_value, value=value),
                )
                return False
            if value > MAX_SMALLINT:
                self.add(line, path, at_most(MAX_SMALLINT, value))
                return False
            return True
        if kind == "bool":
            if not isinstance(value, bool):
                self.add(line, path, lazy_text(_("expected true or false, got %(got)s"), got=describe(value)))
                return False
            return True
        if kind == "list":
            if not isinstance(value, list):
                self.add(line, path, lazy_text(_("expected a list, got %(got)s"), got=describe(value)))
                return False
            return True
        if kind == "map":
            if not isinstance(value, dict):
                self.add(line, path, lazy_text(_("expected a mapping, got %(got)s"), got=describe(value)))
                return False
            return True
        if kind == "strlist":
            if not isinstance(value, list):
                self.add(line, path, lazy_text(_("expected a list of strings, got %(got)s"), got=describe(value)))
                return False
            ok = True
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    self.add(
                        item_line(value, i, line),
                        join(path, i),
                        lazy_text(_("expected a string, got %(got)s"), got=describe(item)),
                    )
                    ok = False
            return ok
        raise AssertionError(kind)

    # ----------------------------------------------------------------- the tree

    def document(self, data: Any, filename: str) -> CourseFile | None:
        root = self.fields(data, 1, "", ROOT_KEYS, _("the course file"))
        if root is None:
            if not isinstance(data, dict):
                return None
            # keep going with what can be read, to report as much as possible in one go
            root = {k.name: data.get(k.name, k.default) for k in ROOT_KEYS}
        if isinstance(root.get("format"), int) and root["format"] != FORMAT_VERSION:
            self.add(
                key_line(data, "format"),
                "format",
                lazy_text(
                    _("unsupported format version %(version)s; this Mallard reads format %(supported)s"),
                    version=root["format"],
                    supported=FORMAT_VERSION,
                ),
            )
        node = data.get("course")
        course = self.course(node, key_line(data, "course")) if "course" in data else None
        if course is not None:
            self.course_slug = course.slug
        elif isinstance(node, dict) and isinstance(node.get("slug"), str) and SLUG_RE.match(node["slug"]):
            self.course_slug = node["slug"]  # the course has problems: go on, to report those below it too
        result = CourseFile(filename=filename, course=course)
        result.tokens = self.tokens(data.get("tokens", []), key_line(data, "tokens"))
        sections = data.get("sections", [])
        if isinstance(sections, list):
            result.sections = self.siblings(sections, "sections", self.section, ())
        library = data.get("exercises", [])
        if isinstance(library, list):
            for i, node in enumerate(library):
                self.exercise(node, item_line(library, i, 1), f"exercises[{i}]", default_slug=None)
        result.exercises = self.exercises
        self.cross_checks(result)
        return result if course is not None else None

    def course(self, node: Any, line: int) -> CourseSpec | None:
        values = self.fields(node, line, "course", COURSE_KEYS, _("the course"))
        languages = {}
        for side in ("from_language", "to_language"):
            sub = node.get(side) if isinstance(node, dict) else None
            if isinstance(sub, dict):
                lv = self.fields(sub, key_line(node, side), f"course.{side}", LANGUAGE_KEYS, _("a language"))
                if lv:
                    where = Where(sub.line if isinstance(sub, LineDict) else line, f"course.{side}")
                    languages[side] = LanguageSpec(lv["code"], lv["name"], lv["native_name"], where)
        license_spec = LicenseSpec()
        sub = node.get("license") if isinstance(node, dict) else None
        if isinstance(sub, dict):
            lv = self.fields(sub, key_line(node, "license"), "course.license", LICENSE_KEYS, _("a licence"))
            if lv is None:
                values = None
            else:
                license_spec = LicenseSpec(lv["name"], lv["short_name"], lv["url"])
        if values is not None and not self.special_characters(node, values["special_characters"]):
            values = None
        if "from_language" in languages:
            self.source = source_language(languages["from_language"].code)
        if values is None or len(languages) < 2:
            return None
        if languages["from_language"].code == languages["to_language"].code:
            self.add(
                key_line(node, "to_language"),
                "course.to_language.code",
                _("a course must teach a language other than the one it is taught from"),
            )
        if values["published"]:
            problems = licences.attribution_problems(
                short_name=license_spec.short_name,
                name=license_spec.name,
                url=license_spec.url,
                source=values["source"],
            )
            for message in problems.values():
                self.add(key_line(node, "published"), "course.published", message)
        return CourseSpec(
            translations=self.translations(node, "course", "course", Course),
            slug=values["slug"],
            title=values["title"],
            description=values["description"],
            from_language=languages["from_language"],
            to_language=languages["to_language"],
            published=values["published"],
            where=Where(node_line(node, line), "course"),
            license=license_spec,
            source=values["source"],
            special_characters=list(values["special_characters"]),
        )

    def translations(self, node: Any, path: str, kind: str, model) -> dict[str, dict[str, str]]:
        """An object's ``translations:``: {language: {field: text}} for interface languages other than the
        course's own (docs/course-format.md, "translations"); problems are reported, empty texts dropped."""
        sub = node.get("translations") if isinstance(node, dict) else None
        if not isinstance(sub, dict):
            return {}
        line = key_line(node, "translations")
        path = f"{path}.translations"
        names = TRANSLATED_FIELDS[kind]
        keys = tuple(_str(name, model) for name in names)
        out: dict[str, dict[str, str]] = {}
        for language, texts in sub.items():
            language_line = sub.key_lines.get(language, line) if isinstance(sub, LineDict) else line
            language_path = join(path, language)
            if language not in LANGUAGE_CODES:
                self.add(
                    language_line,
                    language_path,
                    lazy_text(
                        _("%(language)s is not an interface language of Mallard (%(languages)s)"),
                        language=repr(language),
                        languages=", ".join(LANGUAGE_CODES),
                    ),
                )
                continue
            if language == self.source:
                self.add(
                    language_line,
                    language_path,
                    lazy_text(
                        _(
                            "%(language)s is the language this course is written in: "
                            "put these texts in the fields themselves"
                        ),
                        language=repr(language),
                    ),
                )
                continue
            what = lazy_text(_("the %(language)s texts"), language=repr(language))
            values = self.fields(texts, language_line, language_path, keys, what)
            if values is not None:
                texts_given = {name: values[name] for name in names if values[name]}
                if texts_given:
                    out[language] = texts_given
        return out

    def special_characters(self, node: Any, chars: list[str]) -> bool:
        items = node.get("special_characters") if isinstance(node, dict) else None
        line = key_line(node, "special_characters")
        ok = True
        if len(chars) > SPECIAL_CHARACTERS_MAX:
            message = _("lists %(count)s keys; the limit is %(limit)s")
            self.add(
                line,
                "course.special_characters",
                lazy_text(message, count=len(chars), limit=SPECIAL_CHARACTERS_MAX),
            )
            ok = False
        seen: set[str] = set()
        for i, char in enumerate(chars):
            path = f"course.special_characters[{i}]"
            if not char.strip() or len(char) > SPECIAL_CHARACTER_MAX:
                self.add(
                    item_line(items, i, line),
                    path,
                    lazy_text(
                        _("%(key)s is not a key: give 1 to %(limit)s characters, not blank"),
                        key=repr(char),
                        limit=SPECIAL_CHARACTER_MAX,
                    ),
                )
                ok = False
            elif char in seen:
                self.add(item_line(items, i, line), path, lazy_text(_("%(key)s is listed twice"), key=repr(char)))
                ok = False
            seen.add(char)
        return ok

    def tokens(self, nodes: Any, line: int) -> list[TokenSpec]:
        if not isinstance(nodes, list):
            return []
        result: list[TokenSpec] = []
        seen: dict[str, Where] = {}
        for i, node in enumerate(nodes):
            path = f"tokens[{i}]"
            values = self.fields(node, item_line(nodes, i, line), path, TOKEN_KEYS, _("a token"))
            if values is None:
                continue
            where = Where(node_line(node, line), path)
            text = values["text"]
            if text in seen:
                first = seen[text]
                self.add(
                    key_line(node, "text"),
                    f"{path}.text",
                    lazy_text(
                        _("duplicate token %(text)s (first at %(path)s, line %(line)s)"),
                        text=repr(text),
                        path=first.path,
                        line=first.line,
                    ),
                )
                continue
            seen[text] = where
            result.append(TokenSpec(text, values["translation"], values["ipa"], values["pos"], where))
        return result

    def siblings(self, nodes: list, path: str, build, parents: tuple[int, ...]) -> list:
        """Build each child of one parent; refuse duplicate ordinals among them."""
        result = []
        ordinals: dict[int, Where] = {}
        for i, node in enumerate(nodes):
            ordinal = node.get("ordinal") if isinstance(node, dict) else None
            if _int(ordinal) and ordinal in ordinals:
                # skip the whole child: its default slugs would only repeat the first one's
                first = ordinals[ordinal]
                self.add(
                    key_line(node, "ordinal"),
                    f"{join(path, i)}.ordinal",
                    lazy_text(
                        _("duplicate ordinal %(ordinal)s (also %(path)s, line %(line)s)"),
                        ordinal=ordinal,
                        path=first.path,
                        line=first.line,
                    ),
                )
                continue
            line = item_line(nodes, i, nodes_line(nodes))
            if _int(ordinal):
                ordinals[ordinal] = Where(line, join(path, i))
            child = build(node, line, join(path, i), parents)
            if child is not None:
                result.append(child)
        return sorted(result, key=lambda c: c.ordinal)

    def claim_slug(self, model: str, slug: str, node: Any, path: str, line: int) -> None:
        seen = self.slugs[model]
        where_line = key_line(node, "slug") if isinstance(node, dict) and "slug" in node else line
        if slug in seen:
            first = seen[slug]
            self.add(
                where_line,
                f"{path}.slug" if isinstance(node, dict) and "slug" in node else path,
                lazy_text(DUPLICATE_SLUG[model], slug=repr(slug), path=first.path, line=first.line),
            )
        else:
            seen[slug] = Where(where_line, path)

    def section(self, node: Any, line: int, path: str, parents: tuple) -> SectionSpec | None:
        values = self.fields(node, line, path, SECTION_KEYS, _("a section"))
        if values is None:
            # still look inside, so one bad key does not hide the problems below it
            if isinstance(node, dict) and isinstance(node.get("units"), list) and _int(node.get("ordinal")):
                self.siblings(node["units"], f"{path}.units", self.unit, (node["ordinal"],))
            return None
        s = values["ordinal"]
        slug = values["slug"] or section_slug(self.course_slug, s)
        self.claim_slug("section", slug, node, path, node_line(node, line))
        units = self.siblings(values["units"], f"{path}.units", self.unit, (s,))
        checkpoint = self.checkpoint(node, path, (s,), (s, MAX_SMALLINT + 1))
        translations = self.translations(node, path, "section", Section)
        return SectionSpec(
            s,
            slug,
            values["title"],
            values["cefr"],
            values["description"],
            values["published"],
            units,
            Where(node_line(node, line), path),
            checkpoint,
            translations,
        )

    def unit(self, node: Any, line: int, path: str, parents: tuple) -> UnitSpec | None:
        values = self.fields(node, line, path, UNIT_KEYS, _("a unit"))
        if values is None:
            if isinstance(node, dict) and isinstance(node.get("lessons"), list) and _int(node.get("ordinal")):
                self.siblings(node["lessons"], f"{path}.lessons", self.lesson, (*parents, node["ordinal"]))
            return None
        u = values["ordinal"]
        slug = values["slug"] or unit_slug(self.course_slug, *parents, u)
        self.claim_slug("unit", slug, node, path, node_line(node, line))
        lessons = self.siblings(values["lessons"], f"{path}.lessons", self.lesson, (*parents, u))
        checkpoint = self.checkpoint(node, path, (*parents, u), (*parents, u))
        translations = self.translations(node, path, "unit", Unit)
        return UnitSpec(
            u,
            slug,
            values["title"],
            values["icon"],
            values["color"],
            values["description"],
            values["published"],
            lessons,
            Where(node_line(node, line), path),
            checkpoint,
            translations,
        )

    def checkpoint(self, parent: Any, path: str, ordinals: tuple, position: tuple) -> CheckpointSpec | None:
        """The ``checkpoint:`` of a unit or a section (absent: None). Its lessons and exercises are
        checked against the whole file in ``cross_checks``."""
        node = parent.get("checkpoint")
        if node is None:
            return None
        path = f"{path}.checkpoint"
        line = key_line(parent, "checkpoint")
        values = self.fields(node, line, path, CHECKPOINT_KEYS, _("a checkpoint"))
        if values is None:
            return None
        if values["pass_percent"] > 100:
            self.add(key_line(node, "pass_percent"), f"{path}.pass_percent", _("must be at most 100"))
            return None
        slug = values["slug"] or checkpoint_slug(self.course_slug, *ordinals)
        where = Where(line, path)  # the line of ``checkpoint:``
        self.claim_slug("checkpoint", slug, node, path, where.line)
        self.checkpoint_node[slug] = node
        lists = {
            name: Where(key_line(node, name), f"{path}.{name}") if name in node else None
            for name in ("lessons", "exercises")
        }
        return CheckpointSpec(
            translations=self.translations(node, path, "checkpoint", Checkpoint),
            slug=slug,
            title=values["title"],
            pass_percent=values["pass_percent"],
            time_limit_sec=values["time_limit_sec"],
            draw=values["draw"],
            lessons=list(values["lessons"]),
            exercises=list(values["exercises"]),
            published=values["published"],
            where=where,
            position=position,
            lessons_where=lists["lessons"],
            exercises_where=lists["exercises"],
        )

    def lesson(self, node: Any, line: int, path: str, parents: tuple) -> LessonSpec | None:
        values = self.fields(node, line, path, LESSON_KEYS, _("a lesson"))
        ordinal = values["ordinal"] if values else (node.get("ordinal") if isinstance(node, dict) else None)
        exercises: list[ExerciseUse] = []
        nodes = node.get("exercises") if isinstance(node, dict) else None
        if isinstance(nodes, list) and _int(ordinal):
            seen: dict[str, Where] = {}
            for i, ex in enumerate(nodes):
                ex_path = f"{path}.exercises[{i}]"
                ex_line = item_line(nodes, i, line)
                default = exercise_slug(self.course_slug, *parents, ordinal, i + 1)
                use = self.exercise_use(ex, ex_line, ex_path, default)
                if use is None:
                    continue
                if use.slug in seen:
                    first = seen[use.slug]
                    self.add(
                        ex_line,
                        ex_path,
                        lazy_text(
                            _(
                                "exercise %(slug)s is already in this lesson (%(path)s, line %(line)s); "
                                "a lesson lists an exercise once"
                            ),
                            slug=repr(use.slug),
                            path=first.path,
                            line=first.line,
                        ),
                    )
                    continue
                seen[use.slug] = use.where
                exercises.append(use)
        if values is None:
            return None
        slug = values["slug"] or lesson_slug(self.course_slug, *parents, ordinal)
        self.claim_slug("lesson", slug, node, path, node_line(node, line))
        prereq_where = None
        if "prerequisites" in node:
            prereq_where = Where(key_line(node, "prerequisites"), f"{path}.prerequisites")
        return LessonSpec(
            translations=self.translations(node, path, "lesson", Lesson),
            ordinal=ordinal,
            slug=slug,
            title=values["title"],
            kind=values["kind"],
            difficulty=values["difficulty"],
            minutes=values["minutes"],
            notes=values["notes"],
            prerequisites=list(values["prerequisites"]),
            published=values["published"],
            exercises=exercises,
            where=Where(node_line(node, line), path),
            prerequisites_where=prereq_where,
            adaptive_order=values["adaptive_order"],
            time_limit_sec=values["time_limit_sec"],
        )

    def exercise_use(self, node: Any, line: int, path: str, default_slug: str) -> ExerciseUse | None:
        if isinstance(node, dict) and "ref" in node:
            values = self.fields(node, line, path, REF_KEYS, _("an exercise reference"))
            if values is None:
                return None
            use = ExerciseUse(values["ref"], True, Where(key_line(node, "ref"), f"{path}.ref"))
            self.refs.append(use)
            return use
        spec = self.exercise(node, line, path, default_slug=default_slug)
        if spec is None:
            return None
        return ExerciseUse(spec.slug, False, spec.where)

    def exercise(self, node: Any, line: int, path: str, *, default_slug: str | None) -> ExerciseSpec | None:
        keys = EXERCISE_KEYS
        if default_slug is None:  # top-level library exercises have no position to derive a slug from
            keys = tuple(Key(k.name, k.kind, True, max_length=k.max_length) if k.name == "slug" else k for k in keys)
        values = self.fields(node, line, path, keys, _("an exercise"))
        if values is None:
            return None
        slug = values["slug"] or default_slug
        where = Where(node_line(node, line), path)
        self.claim_slug("exercise", slug, node, path, where.line)
        payload = values["payload"]
        type_name = values["type"]
        try:
            ex_type = exercise_types.get_type(type_name)
        except KeyError:
            message = _("unknown exercise type %(type)s; known types: %(known)s")
            known = ", ".join(sorted(exercise_types.REGISTRY))
            self.add(key_line(node, "type"), f"{path}.type", lazy_text(message, type=repr(type_name), known=known))
            ex_type = None
        if ex_type is not None:
            payload = self.payload(ex_type, payload, node, path)
        spec = ExerciseSpec(
            translations=self.translations(node, path, "exercise", Exercise),
            slug=slug,
            type=type_name,
            prompt=values["prompt"],
            tokens=list(values["tokens"]),
            hint=values["hint"],
            explanation=values["explanation"],
            published=values["published"],
            payload=payload,
            where=where,
        )
        if slug not in self.exercises:
            self.exercises[slug] = spec
            self.exercise_node[slug] = node
        return spec

    def payload(self, ex_type, payload: LineDict, node: LineDict, path: str) -> Any:
        """Run the type's validation; map each error key (``choices.2``) to the line of that field."""
        try:
            cleaned = ex_type.validate_payload(plain(payload))
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
            for key, msgs in messages.items():
                parts = [] if key in (NON_FIELD_ERRORS, "payload", "") else str(key).split(".")
                line = locate(payload, parts, key_line(node, "payload"))
                field_path = f"{path}.payload" + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts)
                for msg in msgs:
                    self.add(line, field_path, msg)
            return plain(payload)
        except TooManyProblems:
            raise
        except Exception as exc:  # a type's own bug must still point at the exercise, not crash the import
            message = lazy_text(_("could not be validated (%(error)s)"), error=repr(exc))
            self.add(key_line(node, "payload"), f"{path}.payload", message)
            return plain(payload)
        return cleaned if isinstance(cleaned, dict) else plain(payload)

    # ----------------------------------------------------------------- across the tree

    def cross_checks(self, result: CourseFile) -> None:
        lexicon = {t.text for t in result.tokens}
        for slug, spec in self.exercises.items():
            node = self.exercise_node[slug]
            tokens_node = node.get("tokens")
            for i, text in enumerate(spec.tokens):
                if text not in lexicon:
                    self.add(
                        item_line(tokens_node, i, key_line(node, "tokens")),
                        f"{spec.where.path}.tokens[{i}]",
                        lazy_text(_("unknown token %(text)s: add it to the top-level tokens list"), text=repr(text)),
                    )
            if len(set(spec.tokens)) != len(spec.tokens):
                self.add(key_line(node, "tokens"), f"{spec.where.path}.tokens", _("lists the same token twice"))
        for use in self.refs:
            if use.slug not in self.exercises:
                self.add(
                    use.where.line,
                    use.where.path,
                    lazy_text(
                        _(
                            "no exercise with slug %(slug)s is defined in this file (write it out once, in a "
                            "lesson or in the top-level exercises, and use ref: elsewhere)"
                        ),
                        slug=repr(use.slug),
                    ),
                )
        lessons = {lesson.slug: lesson for lesson in result.lessons()}
        for lesson in lessons.values():
            where = lesson.prerequisites_where
            for i, slug in enumerate(lesson.prerequisites):
                if slug == lesson.slug:
                    self.add(where.line, f"{where.path}[{i}]", _("a lesson cannot be its own prerequisite"))
                elif slug not in lessons:
                    self.add(where.line, f"{where.path}[{i}]", no_lesson(slug))
            if len(set(lesson.prerequisites)) != len(lesson.prerequisites):
                self.add(where.line, where.path, _("lists the same lesson twice"))
        self.cycles(lessons)
        self.checkpoint_checks(result, lessons)

    def checkpoint_checks(self, result: CourseFile, lessons: dict[str, LessonSpec]) -> None:
        """A checkpoint tests lessons of this file that come before it (its own unit or section by default):
        a fixed list of their exercises, or ``draw`` of them at random — one of the two."""
        position = {
            lesson.slug: (section.ordinal, unit.ordinal)
            for section in result.sections
            for unit in section.units
            for lesson in unit.lessons
        }
        for section, unit, spec in result.checkpoints():
            node = self.checkpoint_node.get(spec.slug)
            scope = unit.lessons if unit is not None else [le for u in section.units for le in u.lessons]
            covered = [lessons[slug] for slug in spec.lessons if slug in lessons] if spec.lessons else scope
            where = spec.lessons_where
            items = node.get("lessons") if isinstance(node, dict) else None
            for i, slug in enumerate(spec.lessons):
                item = Where(item_line(items, i, where.line), f"{where.path}[{i}]")
                if slug not in lessons:
                    self.add(item.line, item.path, no_lesson(slug))
                elif position[slug] > spec.position:
                    self.add(
                        item.line,
                        item.path,
                        lazy_text(
                            _("lesson %(slug)s comes after the checkpoint; it tests what comes before it"),
                            slug=repr(slug),
                        ),
                    )
            if len(set(spec.lessons)) != len(spec.lessons):
                self.add(where.line, where.path, _("lists the same lesson twice"))
            if spec.draw is None and not spec.exercises:
                self.add(
                    spec.where.line,
                    spec.where.path,
                    _(
                        "give the items: a fixed list of exercises (exercises: [...]) "
                        "or a number drawn at random (draw: N)"
                    ),
                )
            elif spec.draw is not None and spec.exercises:
                self.add(
                    key_line(node, "draw"),
                    f"{spec.where.path}.draw",
                    _("either a fixed list of exercises or a number drawn at random, not both"),
                )
            allowed = {use.slug for lesson in covered for use in lesson.exercises}
            where = spec.exercises_where
            items = node.get("exercises") if isinstance(node, dict) else None
            for i, slug in enumerate(spec.exercises):
                item = Where(item_line(items, i, where.line), f"{where.path}[{i}]")
                if slug not in self.exercises:
                    message = _("no exercise with slug %(slug)s is defined in this file")
                    self.add(item.line, item.path, lazy_text(message, slug=repr(slug)))
                elif slug not in allowed:
                    message = _("exercise %(slug)s is in none of the lessons the checkpoint covers")
                    self.add(item.line, item.path, lazy_text(message, slug=repr(slug)))
            if spec.exercises and len(set(spec.exercises)) != len(spec.exercises):
                self.add(where.line, where.path, _("lists the same exercise twice"))

    def cycles(self, lessons: dict[str, LessonSpec]) -> None:
        """Report each prerequisite cycle once, at the first lesson of the cycle in file order. Unknown
        lessons and a lesson needing itself are reported on their own (above)."""
        needs = {
            slug: [p for p in lesson.prerequisites if p in lessons and p != slug] for slug, lesson in lessons.items()
        }
        reported: set[frozenset] = set()
        for closed in prerequisite_cycles(needs, lessons):
            cycle = closed[:-1]
            if frozenset(cycle) in reported:
                continue
            reported.add(frozenset(cycle))
            first = min((lessons[s] for s in cycle), key=lambda x: x.where.line)
            start = cycle.index(first.slug)
            loop = cycle[start:] + cycle[:start] + [first.slug]
            self.add(
                first.prerequisites_where.line,
                first.prerequisites_where.path,
                lazy_text(_("prerequisite cycle: %(cycle)s (each needs the next first)"), cycle=" → ".join(loop)),
            )


def unknown_key(key: Any, allowed: list[str], what: str) -> str:
    """An unknown key in ``what`` (a mapping's kind), with the closest allowed key or the list of them."""
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        message = _("unknown key %(key)s in %(what)s; did you mean %(close)s?")
        return lazy_text(message, key=repr(key), what=what, close=repr(close[0]))
    message = _("unknown key %(key)s in %(what)s (allowed: %(allowed)s)")
    return lazy_text(message, key=repr(key), what=what, allowed=", ".join(allowed))


def at_most(limit: int, value: Any) -> str:
    return lazy_text(_("must be at most %(limit)s, got %(value)s"), limit=limit, value=value)


def no_lesson(slug: str) -> str:
    return lazy_text(_("no lesson with slug %(slug)s in this file"), slug=repr(slug))


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def node_line(node: Any, fallback: int) -> int:
    return getattr(node, "line", fallback)


def nodes_line(nodes: Any) -> int:
    return getattr(nodes, "line", 1)


def key_line(node: Any, key: str) -> int:
    if isinstance(node, LineDict):
        return node.key_lines.get(key, node.line)
    return 1


def item_line(nodes: Any, i: int, fallback: int) -> int:
    if isinstance(nodes, LineList) and i < len(nodes.item_lines):
        return nodes.item_lines[i]
    return fallback


def locate(node: Any, parts: list[str], fallback: int) -> int:
    """The line of ``node[parts[0]][parts[1]]…``, or of the deepest part that exists."""
    line = fallback
    for part in parts:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and part.isdigit() and int(part) < len(node):
            line = node.item_lines[int(part)]
            node = node[int(part)]
        else:
            break
    return line


def validate(data: Any, *, filename: str, problems: Problems) -> CourseFile | None:
    """Validate parsed YAML; problems go to ``problems``. Returns None when nothing usable was found."""
    validator = Validator(problems)
    try:
        return validator.document(data, filename)
    except TooManyProblems:
        return None
