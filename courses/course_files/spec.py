"""The validated content of a course file: plain dataclasses the importer writes to the database.

Every object keeps the line and field path it came from, so that a problem found later (for
instance a slug already used by another course) can still be reported against the file.
"""

from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = 1


@dataclass
class Where:
    line: int
    path: str


@dataclass
class LanguageSpec:
    code: str
    name: str
    native_name: str
    where: Where


@dataclass
class LicenseSpec:
    name: str = ""
    short_name: str = ""
    url: str = ""


@dataclass
class CourseSpec:
    slug: str
    title: str
    description: str
    from_language: LanguageSpec
    to_language: LanguageSpec
    published: bool
    where: Where
    license: LicenseSpec = field(default_factory=LicenseSpec)
    source: str = ""
    special_characters: list[str] = field(default_factory=list)
    #: texts in other interface languages: {language: {field: text}} (docs/i18n.md)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class TokenSpec:
    text: str
    translation: str
    ipa: str
    pos: str
    where: Where


@dataclass
class ExerciseSpec:
    slug: str
    type: str
    prompt: str
    tokens: list[str]
    hint: str
    explanation: str
    published: bool
    payload: Any
    where: Where
    #: texts in other interface languages: {language: {field: text}} (docs/i18n.md)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class ExerciseUse:
    """One position in a lesson's exercise list: a definition or a ``ref:`` to one."""

    slug: str
    is_ref: bool
    where: Where


@dataclass
class LessonSpec:
    ordinal: int
    slug: str
    title: str
    kind: str
    difficulty: str
    minutes: int
    notes: str
    prerequisites: list[str]
    published: bool
    exercises: list[ExerciseUse]
    where: Where
    prerequisites_where: Where | None = None
    adaptive_order: bool = True
    time_limit_sec: int | None = None
    #: texts in other interface languages: {language: {field: text}} (docs/i18n.md)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class CheckpointSpec:
    """The test at the end of a unit or a section (docs/course-format.md, "checkpoint")."""

    slug: str
    title: str
    pass_percent: int
    time_limit_sec: int | None
    draw: int | None
    lessons: list[str]
    exercises: list[str]
    published: bool
    where: Where
    #: the (section ordinal, unit ordinal) it ends; a section's checkpoint ends after every unit
    position: tuple[int, int]
    lessons_where: Where | None = None
    exercises_where: Where | None = None
    #: texts in other interface languages: {language: {field: text}} (docs/i18n.md)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class UnitSpec:
    ordinal: int
    slug: str
    title: str
    icon: str
    color: str
    description: str
    published: bool
    lessons: list[LessonSpec]
    where: Where
    checkpoint: CheckpointSpec | None = None
    #: texts in other interface languages: {language: {field: text}} (docs/i18n.md)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class SectionSpec:
    ordinal: int
    slug: str
    title: str
    cefr: str
    description: str
    published: bool
    units: list[UnitSpec]
    where: Where
    checkpoint: CheckpointSpec | None = None
    #: texts in other interface languages: {language: {field: text}} (docs/i18n.md)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class CourseFile:
    filename: str
    #: None only while validating a file whose ``course`` mapping has problems
    course: CourseSpec | None
    tokens: list[TokenSpec] = field(default_factory=list)
    sections: list[SectionSpec] = field(default_factory=list)
    #: every exercise defined in the file (in lessons or in the top-level ``exercises`` list), by slug
    exercises: dict[str, ExerciseSpec] = field(default_factory=dict)

    def units(self) -> list[UnitSpec]:
        return [unit for section in self.sections for unit in section.units]

    def lessons(self) -> list[LessonSpec]:
        return [lesson for unit in self.units() for lesson in unit.lessons]

    def checkpoints(self) -> list[tuple[SectionSpec, UnitSpec | None, CheckpointSpec]]:
        """Every checkpoint with the section (and unit) it ends, in course order."""
        out: list[tuple[SectionSpec, UnitSpec | None, CheckpointSpec]] = []
        for section in self.sections:
            out += [(section, unit, unit.checkpoint) for unit in section.units if unit.checkpoint]
            if section.checkpoint:
                out.append((section, None, section.checkpoint))
        return out
