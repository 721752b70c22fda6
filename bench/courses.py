"""Course files the benchmark imports beside the demo course (``manage.py bench_learners``), made from
the demo course file itself so every exercise type and word list is there (docs/course-format.md):

- ``long_course``: a course of ``lessons`` lessons (default 200) — the demo's units again and again,
  numbered on, in sections of ten units (no checkpoints), for the path page of a large course;
- ``demo_copy``: the demo course under another slug and title, for "cost flat in the number of
  courses" (the demo's path page with one course loaded and with several).

Both are written with ``write`` and imported by the measured tree's own ``import_course``.
"""

import copy
from pathlib import Path

import yaml

DEMO = Path(__file__).resolve().parents[1] / "demo" / "spanish.yaml"
UNITS_PER_SECTION = 10
#: A course per language pair: generated course ``n`` teaches Spanish to speakers of the n-th of these.
LEARNER_LANGUAGES = [
    ("fr", "French", "Français"),
    ("de", "German", "Deutsch"),
    ("it", "Italian", "Italiano"),
    ("pt", "Portuguese", "Português"),
    ("nl", "Dutch", "Nederlands"),
    ("pl", "Polish", "Polski"),
    ("sv", "Swedish", "Svenska"),
    ("da", "Danish", "Dansk"),
    ("fi", "Finnish", "Suomi"),
    ("cs", "Czech", "Čeština"),
    ("ro", "Romanian", "Română"),
    ("hu", "Hungarian", "Magyar"),
    ("tr", "Turkish", "Türkçe"),
    ("el", "Greek", "Ελληνικά"),
    ("uk", "Ukrainian", "Українська"),
    ("ru", "Russian", "Русский"),
    ("ja", "Japanese", "日本語"),
    ("ko", "Korean", "한국어"),
    ("zh", "Chinese", "中文"),
    ("ar", "Arabic", "العربية"),
]


def _demo(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _renamed(course: dict, slug: str, title: str, number: int) -> dict:
    """The course under another slug (the prefix of every slug in it: references follow), for the
    ``number``-th learners' language (one course per language pair)."""
    if number > len(LEARNER_LANGUAGES):
        raise ValueError(f"at most {len(LEARNER_LANGUAGES)} generated courses")
    old = course["course"]["slug"]
    course = copy.deepcopy(course)
    course["course"]["slug"] = slug
    course["course"]["title"] = title
    code, name, native = LEARNER_LANGUAGES[number - 1]
    course["course"]["from_language"] = {"code": code, "name": name, "native_name": native}
    course["course"].pop("translations", None)
    for lesson in _lessons(course):
        for exercise in lesson["exercises"]:
            if "ref" in exercise:
                exercise["ref"] = slug + exercise["ref"].removeprefix(old)
    return course


def _lessons(course: dict) -> list[dict]:
    return [lesson for section in course["sections"] for unit in section["units"] for lesson in unit["lessons"]]


def _inline_references(course: dict) -> None:
    """Each ``ref:`` replaced by a copy of the exercise it names (a slug made from its position,
    ``<course>-e-<section>-<unit>-<lesson>-<exercise>``), so units can be moved and repeated."""
    slug = course["course"]["slug"]
    written = {}
    for section in course["sections"]:
        for unit in section["units"]:
            for lesson in unit["lessons"]:
                for n, exercise in enumerate(lesson["exercises"], start=1):
                    if "ref" not in exercise:
                        key = f"{slug}-e-{section['ordinal']:02d}-{unit['ordinal']:02d}-{lesson['ordinal']:02d}-{n:02d}"
                        written[exercise.get("slug", key)] = exercise
    for lesson in _lessons(course):
        lesson["exercises"] = [
            copy.deepcopy(written[exercise["ref"]]) if "ref" in exercise else exercise
            for exercise in lesson["exercises"]
        ]


def demo_copy(slug: str, number: int, demo: Path = DEMO) -> dict:
    """The demo course (the file ``demo``) as course ``slug``."""
    return _renamed(_demo(demo), slug, f"Spanish, copy {number} (benchmark)", number + 1)


def long_course(slug: str, lessons: int = 200, demo: Path = DEMO) -> dict:
    """A course of exactly ``lessons`` lessons, from the units of the demo course (the file ``demo``)
    in turn."""
    source = _demo(demo)
    _inline_references(source)
    units = [unit for section in source["sections"] for unit in section["units"]]
    course = _renamed(source, slug, f"Spanish, {lessons} lessons (benchmark)", 1)
    made: list[dict] = []
    left = lessons
    while left > 0:
        unit = copy.deepcopy(units[len(made) % len(units)])
        unit.pop("checkpoint", None)
        unit["lessons"] = unit["lessons"][:left]
        for ordinal, lesson in enumerate(unit["lessons"], start=1):
            lesson["ordinal"] = ordinal
        left -= len(unit["lessons"])
        unit["title"] = f"{unit['title']} {len(made) // len(units) + 1}"
        made.append(unit)
    sections: list[dict] = []
    for start in range(0, len(made), UNITS_PER_SECTION):
        template = copy.deepcopy(source["sections"][len(sections) % len(source["sections"])])
        template.pop("checkpoint", None)
        template["ordinal"] = len(sections) + 1
        template["title"] = f"Part {len(sections) + 1}"
        template["units"] = made[start : start + UNITS_PER_SECTION]
        for ordinal, unit in enumerate(template["units"], start=1):
            unit["ordinal"] = ordinal
        sections.append(template)
    course["sections"] = sections
    return course


def write(course: dict, folder: Path) -> Path:
    path = folder / f"{course['course']['slug']}.yaml"
    path.write_text(yaml.safe_dump(course, allow_unicode=True, sort_keys=False))
    return path
