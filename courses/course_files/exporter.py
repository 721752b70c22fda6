"""Write a course as a course file in the canonical layout (see docs/course-format.md).

Canonical means: keys in the documented order, optional keys that hold their default left out,
``slug:`` written only where it differs from the one the ordinals give, each exercise defined at
its first use in course order and referenced with ``ref:`` after that, one scalar per line (never
folded), lists of plain values in flow style (``[a, b]``), Unicode written as is.
"""

import re
from typing import Any

import yaml
from django.db.models import Prefetch, Q
from django.utils import translation

from accounts.audit import Action, log_event
from courses.content_languages import source_language, translation_values
from courses.models import Checkpoint, Course, Exercise, Lesson, LessonExercise, LessonPrerequisite, Token, Unit
from courses.slugs import checkpoint_slug, exercise_slug, lesson_slug, section_slug, unit_slug

from .spec import FORMAT_VERSION
from .validate import DEFAULT_COLOR

#: payload keys in the order docs/exercise-types.md lists them; other keys follow alphabetically
PAYLOAD_ORDER = {
    "translate": ["text", "solutions", "direction"],
    "multiple_choice": ["question", "choices", "answer"],
    "listen": ["text", "solutions"],
    "word_bank": ["text", "tiles", "solutions"],
    "match_pairs": ["pairs"],
    "picture": ["question", "choices", "answer", "hide_labels"],
    "speak": ["text", "solutions"],
    "fill_blank": ["text", "solutions", "choices"],
}
#: order of keys in mappings nested inside a payload (e.g. picture choices)
NESTED_ORDER = ["label", "image"]


class Flow(list):
    """A list written on one line: ``[a, b, c]``."""


class FlowMap(dict):
    """A mapping written on one line: ``{code: es, name: Spanish}``."""


class Dumper(yaml.SafeDumper):
    """Block style, sequences indented under their key, double quotes when quoting is needed."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style

    def process_scalar(self) -> None:
        """As PyYAML's, but never break a plain or quoted scalar across lines: only ``>`` text folds."""
        if self.analysis is None:
            self.analysis = self.analyze_scalar(self.event.value)
        if self.style is None:
            self.style = self.choose_scalar_style()
        if self.style == '"':
            self.write_double_quoted(self.analysis.scalar, False)
        elif self.style == "'":  # pragma: no cover - choose_scalar_style never picks it
            self.write_single_quoted(self.analysis.scalar, False)
        elif self.style == ">":
            self.write_folded(self.analysis.scalar)
        elif self.style == "|":
            self.write_literal(self.analysis.scalar)
        else:
            self.write_plain(self.analysis.scalar, False)
        self.analysis = None
        self.style = None

    # A flow collection stays on one line: PyYAML would wrap it past the width, but ``flow()`` only
    # picks flow style for short lists, and a list split over lines is harder to read than a long line.
    def _unwrapped(self, method) -> None:
        width, self.best_width = self.best_width, 1 << 30
        try:
            method()
        finally:
            self.best_width = width

    def expect_first_flow_sequence_item(self) -> None:
        self._unwrapped(super().expect_first_flow_sequence_item)

    def expect_flow_sequence_item(self) -> None:
        self._unwrapped(super().expect_flow_sequence_item)

    def expect_first_flow_mapping_key(self) -> None:
        self._unwrapped(super().expect_first_flow_mapping_key)

    def expect_flow_mapping_key(self) -> None:
        self._unwrapped(super().expect_flow_mapping_key)

    def write_folded(self, text: str) -> None:
        """Folded text, filled greedily up to the width (``_represent_str`` only folds single-spaced text)."""
        hints = self.determine_block_hints(text)
        self.write_indicator(">" + hints, True)
        self.write_line_break()
        self.write_indent()
        start_column = self.column
        for word in text.split(" "):
            if self.column > start_column:
                if self.column + 1 + len(word) > self.best_width:
                    self.write_indent()
                else:
                    self._write(" ")
            self._write(word)
        self.write_line_break()

    def _write(self, data: str) -> None:
        self.column += len(data)
        self.stream.write(data.encode(self.encoding) if self.encoding else data)


#: text longer than this is written folded (``>-``), wrapped at ``WIDTH`` columns
FOLD_AFTER = 80
WIDTH = 100


class Prose(str):
    """Free text (descriptions, notes, explanations): folded when long. Payload strings never are."""


def _represent_str(dumper: Dumper, value: str):
    style = None
    if "\n" in value:
        style = "|"
    elif (
        isinstance(value, Prose)
        and len(value) > FOLD_AFTER
        and value == value.strip()
        and not re.search(r"\s\s|[^\S ]", value)
    ):
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


Dumper.add_representer(str, _represent_str)
Dumper.add_representer(Prose, _represent_str)
Dumper.add_representer(Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
Dumper.add_representer(FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=False))
Dumper.add_representer(list, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=False))


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=WIDTH, indent=2)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


#: a list of plain values is written in flow style (``[a, b]``) when its items fit in this many characters
FLOW_MAX = 70


def flow(values: list) -> list:
    """``values`` in flow style if they are plain and short, else in block style (one item a line)."""
    if all(_scalar(v) for v in values) and sum(len(str(v)) + 2 for v in values) <= FLOW_MAX:
        return Flow(values)
    return list(values)


def styled_payload(value: Any, order: list[str] | None = None) -> Any:
    """Payload JSON (whose key order the database does not keep) in canonical order and style."""
    if isinstance(value, dict):
        keys = order or NESTED_ORDER
        ordered = sorted(value, key=lambda k: (keys.index(k) if k in keys else len(keys), str(k)))
        items = {k: styled_payload(value[k]) for k in ordered}
        return items
    if isinstance(value, list):
        styled = flow(value)
        return styled if isinstance(styled, Flow) else [_list_item(v) for v in value]
    return value


def _list_item(value: Any) -> Any:
    if isinstance(value, dict) and all(_scalar(v) for v in value.values()):
        return FlowMap(styled_payload(value))
    return styled_payload(value)


def _put(out: dict, key: str, value: Any, default: Any) -> None:
    if value != default:
        out[key] = value


def export_course(*, course: Course) -> str:
    """The course as a canonical course file (a ``str`` of YAML)."""
    return dump(course_document(course=course))


def record_export(*, course: Course, to: str) -> None:
    """An export leaves an entry in the audit trail (docs/operations.md): who took the course out, where to."""
    log_event(obj=course, action=Action.ACCESS, data={"export": "course file", "to": to})


def _language(lang) -> FlowMap:
    out = FlowMap(code=lang.code, name=lang.name)
    _put(out, "native_name", lang.native_name, "")
    return out


def course_document(*, course: Course) -> dict:
    """The course as plain data in canonical order. A fixed number of queries, whatever the size.

    The texts are written in the course's source language, each object's other interface languages
    under its ``translations:`` (docs/course-format.md)."""
    with translation.override(source_language(course.from_language.code)):
        return _course_document(course=course)


#: translated texts folded like their field when long
PROSE_FIELDS = {"description", "notes", "hint"}


def _translations(obj, kind: str) -> dict:
    """``translations:`` of one object: its texts in the interface languages other than the active one."""
    out: dict[str, Any] = {}
    for language, texts in translation_values(obj, kind, translation.get_language()).items():
        out[language] = {name: Prose(text) if name in PROSE_FIELDS else text for name, text in texts.items()}
    return out


def _course_document(*, course: Course) -> dict:
    doc: dict[str, Any] = {"format": FORMAT_VERSION}
    head: dict[str, Any] = {"slug": course.slug, "title": course.title}
    _put(head, "description", Prose(course.description), "")
    head["from_language"] = _language(course.from_language)
    head["to_language"] = _language(course.to_language)
    license_map: dict[str, Any] = {}
    _put(license_map, "name", course.license_name, "")
    _put(license_map, "short_name", course.license_short_name, "")
    _put(license_map, "url", course.license_url, "")
    if license_map:
        head["license"] = license_map
    _put(head, "source", course.source_repository, "")
    _put(head, "special_characters", flow(list(course.special_characters or [])), [])
    _put(head, "published", course.is_published, False)
    _put(head, "translations", _translations(course, "course"), {})
    doc["course"] = head

    tokens = [_token(t) for t in lexicon(course=course)]
    if tokens:
        doc["tokens"] = tokens

    token_texts: dict[int, list[str]] = {}
    for exercise_id, text in (
        Exercise.tokens.through.objects.filter(exercise__course=course)
        .order_by("id")
        .values_list("exercise_id", "token__text")
    ):
        token_texts.setdefault(exercise_id, []).append(text)
    prerequisites: dict[int, list[str]] = {}
    for lesson_id, slug in (
        LessonPrerequisite.objects.filter(lesson__unit__section__course=course)
        .order_by("id")
        .values_list("lesson_id", "prerequisite__slug")
    ):
        prerequisites.setdefault(lesson_id, []).append(slug)
    links: dict[int, list[LessonExercise]] = {}
    for link in (
        LessonExercise.objects.filter(lesson__unit__section__course=course)
        .select_related("exercise")
        .order_by("lesson_id", "ordinal")
    ):
        links.setdefault(link.lesson_id, []).append(link)

    checkpoints = _checkpoints(course)
    written: set[int] = set()
    sections = []
    # Learners' private lessons (generated bubbles) are theirs, not the course's: never exported.
    sections_qs = (
        course.sections.filter(private=False)
        .order_by("ordinal")
        .prefetch_related(
            Prefetch("units", queryset=Unit.objects.order_by("ordinal")),
            Prefetch("units__lessons", queryset=Lesson.objects.order_by("ordinal")),
        )
    )
    for section in sections_qs:
        s = section.ordinal
        sec: dict[str, Any] = {"ordinal": s}
        _put(sec, "slug", section.slug, section_slug(course.slug, s))
        sec["title"] = section.title
        sec["cefr"] = section.cefr_level
        _put(sec, "description", Prose(section.description), "")
        _put(sec, "published", section.is_published, True)
        _put(sec, "translations", _translations(section, "section"), {})
        units = []
        for unit in section.units.all():
            u = unit.ordinal
            un: dict[str, Any] = {"ordinal": u}
            _put(un, "slug", unit.slug, unit_slug(course.slug, s, u))
            un["title"] = unit.title
            _put(un, "icon", unit.icon, "")
            _put(un, "color", unit.color, DEFAULT_COLOR)
            _put(un, "description", Prose(unit.description), "")
            _put(un, "published", unit.is_published, True)
            _put(un, "translations", _translations(unit, "unit"), {})
            lessons = []
            for lesson in unit.lessons.all():
                le = lesson.ordinal
                ls: dict[str, Any] = {"ordinal": le}
                _put(ls, "slug", lesson.slug, lesson_slug(course.slug, s, u, le))
                ls["title"] = lesson.title
                _put(ls, "kind", lesson.kind, "core")
                _put(ls, "difficulty", lesson.difficulty, "easy")
                _put(ls, "minutes", lesson.estimated_minutes, 5)
                _put(ls, "time_limit_sec", lesson.time_limit_sec, None)
                _put(ls, "notes", Prose(lesson.notes), "")
                _put(ls, "prerequisites", flow(prerequisites.get(lesson.pk, [])), [])
                _put(ls, "published", lesson.is_published, True)
                _put(ls, "adaptive_order", lesson.adaptive_order, True)
                _put(ls, "translations", _translations(lesson, "lesson"), {})
                items = []
                for position, link in enumerate(links.get(lesson.pk, []), start=1):
                    exercise = link.exercise
                    if exercise.pk in written or exercise.course_id != course.pk:
                        items.append({"ref": exercise.slug})
                        continue
                    written.add(exercise.pk)
                    default = exercise_slug(course.slug, s, u, le, position)
                    items.append(_exercise(exercise, token_texts.get(exercise.pk, []), default_slug=default))
                _put(ls, "exercises", items, [])
                lessons.append(ls)
            _put(un, "lessons", lessons, [])
            found = checkpoints.get(("unit", unit.pk))
            _put(un, "checkpoint", _checkpoint(found, default_slug=checkpoint_slug(course.slug, s, u)), None)
            units.append(un)
        _put(sec, "units", units, [])
        found = checkpoints.get(("section", section.pk))
        _put(sec, "checkpoint", _checkpoint(found, default_slug=checkpoint_slug(course.slug, s)), None)
        sections.append(sec)
    if sections:
        doc["sections"] = sections

    library = [
        _exercise(e, token_texts.get(e.pk, []), default_slug=None)
        for e in course.exercises.exclude(pk__in=written).filter(owner__isnull=True).order_by("slug")
    ]
    if library:
        doc["exercises"] = library
    return doc


def _checkpoints(course: Course) -> dict[tuple[str, int], tuple[Checkpoint, list[str], list[str]]]:
    """The course's checkpoints by ``("unit", id)`` or ``("section", id)``, each with the slugs of its
    lessons and exercises in the order written. Three queries."""
    rows = Checkpoint.objects.filter(Q(unit__section__course=course) | Q(section__course=course))
    lists: dict[str, dict[int, list[str]]] = {"lessons": {}, "exercises": {}}
    for name, slug_field in (("lessons", "lesson__slug"), ("exercises", "exercise__slug")):
        through = getattr(Checkpoint, name).through
        for checkpoint_id, slug in (
            through.objects.filter(checkpoint__in=rows).order_by("id").values_list("checkpoint_id", slug_field)
        ):
            lists[name].setdefault(checkpoint_id, []).append(slug)
    return {
        ("unit", c.unit_id) if c.unit_id else ("section", c.section_id): (
            c,
            lists["lessons"].get(c.pk, []),
            lists["exercises"].get(c.pk, []),
        )
        for c in rows
    }


def _checkpoint(found: tuple[Checkpoint, list[str], list[str]] | None, *, default_slug: str) -> dict | None:
    if found is None:
        return None
    checkpoint, lessons, exercises = found
    out: dict[str, Any] = {}
    _put(out, "slug", checkpoint.slug, default_slug)
    _put(out, "title", checkpoint.title, "")
    _put(out, "pass_percent", checkpoint.pass_percent, 80)
    _put(out, "time_limit_sec", checkpoint.time_limit_sec, None)
    _put(out, "draw", checkpoint.draw, None)
    _put(out, "lessons", flow(lessons), [])
    _put(out, "exercises", flow(exercises), [])
    _put(out, "published", checkpoint.is_published, True)
    _put(out, "translations", _translations(checkpoint, "checkpoint"), {})
    return out


def lexicon(*, course: Course):
    """The course's tokens: those of its target language that its exercises teach or that no
    other course's exercise teaches, in creation order (which is file order after an import)."""
    others = Token.objects.filter(exercises__course__in=Course.objects.exclude(pk=course.pk))
    mine = Token.objects.filter(exercises__course=course)
    return (
        Token.objects.filter(language_id=course.to_language_id)
        .exclude(pk__in=others.exclude(pk__in=mine).values("pk"))
        .order_by("id")
    )


def _token(token: Token) -> dict:
    out: dict[str, Any] = {"text": token.text}
    _put(out, "translation", token.translation, "")
    _put(out, "ipa", token.ipa, "")
    _put(out, "pos", token.part_of_speech, "")
    return out


def _exercise(exercise: Exercise, tokens: list[str], *, default_slug: str | None) -> dict:
    out: dict[str, Any] = {}
    if exercise.slug != default_slug:
        out["slug"] = exercise.slug
    out["type"] = exercise.type
    _put(out, "prompt", exercise.prompt, "")
    _put(out, "tokens", flow(tokens), [])
    _put(out, "hint", Prose(exercise.hint), "")
    _put(out, "explanation", Prose(exercise.explanation), "")
    _put(out, "published", exercise.is_published, True)
    _put(out, "translations", _translations(exercise, "exercise"), {})
    out["payload"] = styled_payload(exercise.payload, PAYLOAD_ORDER.get(exercise.type))
    return out
