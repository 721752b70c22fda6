"""The demo courses of ``demo/`` (demo/README.md): what each holds, that the READMEs' figures are the
files' own, that both import side by side published with no publishing problem, and that the typed
answers of the English course accept what Spanish speakers write.

Everything but the import reads the files alone (fast); round trips are in test_course_files_export.py.
"""

import re
from collections.abc import Iterator

import pytest
import yaml
from django.db.models import Q
from django.utils import translation

from courses.answers import check_answer_text
from courses.content_languages import TRANSLATED_FIELDS, source_language
from courses.course_files import import_course
from courses.exercise_types import REGISTRY
from courses.models import Checkpoint, Course, Exercise, Language, Lesson, Section, Unit
from courses.publishing import publishing_problems
from courses.slugs import exercise_slug, lesson_slug

from .course_files.helpers import DEMOS, REPO

DATA = {slug: yaml.safe_load(path.read_text(encoding="utf-8")) for slug, path in DEMOS.items()}


def lessons(data: dict) -> Iterator[dict]:
    for section in data["sections"]:
        for unit in section.get("units", []):
            yield from unit.get("lessons", [])


def definitions(data: dict) -> Iterator[dict]:
    """Every exercise defined in the file (a ``ref`` is not a definition)."""
    for lesson in lessons(data):
        yield from (item for item in lesson.get("exercises", []) if "ref" not in item)
    yield from data.get("exercises", [])


def by_slug(data: dict) -> dict[str, dict]:
    """The exercises defined in lessons, by slug (default slugs as the importer builds them)."""
    found = {}
    for s in data["sections"]:
        for u in s.get("units", []):
            for le in u.get("lessons", []):
                for n, item in enumerate(le.get("exercises", []), start=1):
                    if "ref" not in item:
                        default = exercise_slug(data["course"]["slug"], s["ordinal"], u["ordinal"], le["ordinal"], n)
                        found[item.get("slug", default)] = item
    return found


def lesson_types(data: dict, lesson: dict) -> set[str]:
    """The types a lesson serves, its ``ref`` items resolved."""
    defined = by_slug(data)
    return {defined[item["ref"]]["type"] if "ref" in item else item["type"] for item in lesson["exercises"]}


def figures(data: dict) -> dict[str, int]:
    sections = data["sections"]
    return {
        "sections": len(sections),
        "units": sum(len(s.get("units", [])) for s in sections),
        "lessons": sum(1 for _ in lessons(data)),
        "checkpoints": sum("checkpoint" in s for s in sections)
        + sum("checkpoint" in u for s in sections for u in s.get("units", [])),
        "words": len(data.get("tokens", [])),
    }


def test_the_english_demo_teaches_english_to_spanish_speakers():
    course = DATA["en"]["course"]
    assert (course["from_language"]["code"], course["to_language"]["code"]) == ("es", "en")
    assert course["published"] is True
    counted = figures(DATA["en"])
    assert counted["units"] >= 2 and counted["lessons"] >= 8


@pytest.mark.parametrize("slug", DEMOS)
def test_each_demo_uses_every_exercise_type(slug):
    assert {e["type"] for e in definitions(DATA[slug])} == set(REGISTRY)


@pytest.mark.parametrize("slug", DEMOS)
def test_each_demo_teaches_every_word_of_its_lexicon_and_only_those(slug):
    lexicon = [t["text"] for t in DATA[slug]["tokens"]]
    taught = {text for e in definitions(DATA[slug]) for text in e.get("tokens", [])}
    assert len(set(lexicon)) == len(lexicon)
    assert taught == set(lexicon)
    assert all(t.get("translation") and t.get("ipa") and t.get("pos") for t in DATA[slug]["tokens"])


def test_every_lesson_of_the_english_demo_has_tips_and_mixes_four_types():
    data = DATA["en"]
    for lesson in lessons(data):
        assert lesson.get("notes", "").strip(), f"{lesson['title']} has no tips"
        assert len(lesson_types(data, lesson)) >= 4, lesson["title"]


def test_the_english_demo_listens_and_speaks_in_english_and_asks_in_spanish():
    """Listen and speak texts are English (for the English voice); fill-in-the-blank and word-bank
    answers are English; translate prompts go both ways."""
    exercises = list(definitions(DATA["en"]))
    directions = {e["payload"].get("direction", "to_target") for e in exercises if e["type"] == "translate"}
    assert directions == {"to_target", "to_source"}
    spanish_only = re.compile(r"[ñáéíóú¿¡]", re.IGNORECASE)
    for e in exercises:
        if e["type"] in {"listen", "speak", "fill_blank"}:
            assert not spanish_only.search(e["payload"]["text"]), e["payload"]["text"]
        if e["type"] == "word_bank":
            assert not any(spanish_only.search(tile) for tile in e["payload"]["tiles"])


def test_every_unit_and_section_of_the_english_demo_ends_with_a_checkpoint_titled_in_spanish():
    data = DATA["en"]
    levels = [*data["sections"], *(u for s in data["sections"] for u in s["units"])]
    for level in levels:
        checkpoint = level.get("checkpoint")
        assert checkpoint, f"{level['title']} has no checkpoint"
        assert checkpoint["title"].endswith(level["title"])
        assert ("draw" in checkpoint) != ("exercises" in checkpoint)
    kinds = {"draw" if "draw" in level["checkpoint"] else "exercises" for level in levels}
    assert kinds == {"draw", "exercises"}  # both ways of choosing items are shown
    # a fixed list asks nothing that needs audio, so every item is served before synthesize_audio runs
    audio = {"listen", "speak"}
    fixed = [s["checkpoint"]["exercises"] for s in data["sections"] if "exercises" in s["checkpoint"]]
    types = {slug: item["type"] for slug, item in by_slug(data).items()}
    assert all(types[slug] not in audio for items in fixed for slug in items)


def translatable(data: dict) -> Iterator[tuple[str, dict]]:
    """Each object of a course file that may carry ``translations``, with its kind."""
    yield "course", data["course"]
    for section in data["sections"]:
        yield "section", section
        for unit in section.get("units", []):
            yield "unit", unit
            for lesson in unit.get("lessons", []):
                yield "lesson", lesson
            if "checkpoint" in unit:
                yield "checkpoint", unit["checkpoint"]
        if "checkpoint" in section:
            yield "checkpoint", section["checkpoint"]
    for exercise in definitions(data):
        yield "exercise", exercise


def test_every_text_of_the_english_demo_is_in_spanish_and_in_english():
    """Taught from Spanish, the course writes its texts in Spanish and gives each its English translation
    (docs/course-format.md, "translations"), so a learner with an English interface reads English."""
    data = DATA["en"]
    assert source_language(data["course"]["from_language"]["code"]) == "es"
    checked = 0
    for kind, obj in translatable(data):
        english = obj.get("translations", {}).get("en", {})
        assert set(obj.get("translations", {})) <= {"en"}
        for name in TRANSLATED_FIELDS[kind]:
            if obj.get(name):
                assert english.get(name), f"{kind} {obj.get('title') or obj.get('prompt')!r}: no English {name}"
                assert english[name] != obj[name], (kind, name, obj[name])
                checked += 1
            else:
                assert name not in english, (kind, name)
    assert checked > 0


@pytest.mark.parametrize("slug", DEMOS)
def test_the_readme_names_each_demo_course_with_its_own_figures(slug):
    """``make run`` in README.md names each course with its sections, units, lessons, checkpoints and words."""
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    name = DEMOS[slug].name
    match = re.search(
        rf"`demo/{re.escape(name)}` \([^:]+: (?P<sections>\d+) sections, (?P<units>\d+) units, "
        r"(?P<lessons>\d+) lessons, (?:(?P<checkpoints>\d+) checkpoints, )?(?P<words>\d+) words\)",
        readme,
    )
    assert match, f"README.md does not describe demo/{name}"
    assert {key: int(value or 0) for key, value in match.groupdict().items()} == figures(DATA[slug])


@pytest.mark.parametrize("slug", DEMOS)
def test_the_demo_readme_lists_each_lesson_as_the_file_has_it(slug):
    """demo/README.md's lesson tables: slug, unit and title, kind, difficulty and minutes, in course order."""
    readme = (REPO / "demo" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(rf"^\| ({slug}-l-[\d-]+) \| (.+?) \| (\w+) \| (\w+) \| (\d+) \|$", readme, re.MULTILINE)
    data = DATA[slug]
    expected = [
        (
            le.get("slug", lesson_slug(slug, s["ordinal"], u["ordinal"], le["ordinal"])),
            f"{u['title']}: {le['title']}",
            le.get("kind", "core"),
            le.get("difficulty", "easy"),
            str(le.get("minutes", 5)),
        )
        for s in data["sections"]
        for u in s["units"]
        for le in u["lessons"]
    ]
    assert rows == expected


def by_text(text: str) -> dict:
    return next(e["payload"] for e in definitions(DATA["en"]) if e["payload"].get("text") == text)


@pytest.mark.parametrize(
    ("text", "language", "answers"),
    [
        ("Soy Ana.", "en", ["I am Ana.", "I'm Ana", "im ana", "My name is Ana", "My name's Ana."]),
        ("Tengo diez años.", "en", ["I'm ten.", "I am ten years old", "I am 10 years old.", "I'm 10"]),
        (
            "Estoy bien, ¿y tú?",
            "en",
            ["I'm fine, and you?", "I am good, how about you?", "Im OK and you", "I'm fine, thanks, and you?"],
        ),
        (
            "Él es de España y habla español.",
            "en",
            ["He's from Spain and speaks Spanish.", "He is from Spain and he speaks Spanish"],
        ),
        ("Me levanto a las siete.", "en", ["I get up at seven.", "I wake up at 7 o'clock", "I get up at 7"]),
        ("How are you?", "es", ["¿Cómo estás?", "Como esta usted", "¿Qué tal?"]),
        ("My name is Ana.", "es", ["Me llamo Ana.", "Mi nombre es Ana", "Soy Ana"]),
        ("He doesn't drink coffee.", "es", ["No bebe café.", "Él no toma café"]),
    ],
)
def test_english_demo_typed_answers_accept_what_learners_write(text, language, answers):
    solutions = by_text(text)["solutions"]
    for answer in answers:
        assert check_answer_text(answer, solutions, language).correct, answer


@pytest.mark.slow
@pytest.mark.django_db
def test_both_demo_courses_import_side_by_side_published_with_no_publishing_problem():
    """What ``make run`` does: both files into one database, sharing the two languages."""
    for slug, path in DEMOS.items():
        assert import_course(source=path).course_slug == slug
    assert set(Language.objects.values_list("code", flat=True)) == {"en", "es"}
    for slug, data in DATA.items():
        course = Course.objects.get(slug=slug)
        assert course.is_published
        counted = figures(data)
        assert course.sections.filter(is_published=True).count() == counted["sections"]
        assert Unit.objects.filter(section__course=course, is_published=True).count() == counted["units"]
        lessons_in_db = Lesson.objects.filter(unit__section__course=course, is_published=True)
        assert lessons_in_db.count() == counted["lessons"]
        levels = [course, *Section.objects.filter(course=course), *Unit.objects.filter(section__course=course)]
        for obj in [*levels, *lessons_in_db]:
            assert publishing_problems(obj) == [], obj
        assert set(Exercise.objects.filter(course=course).values_list("type", flat=True)) == set(REGISTRY)
        checkpoints = Checkpoint.objects.filter(Q(unit__section__course=course) | Q(section__course=course))
        assert checkpoints.filter(is_published=True).count() == counted["checkpoints"]
    # the English course reads in the learner's interface language, the Spanish one has English only
    english = DATA["en"]["sections"][0]["units"][0]["lessons"][0]
    for language, title in [("es", english["title"]), ("en", english["translations"]["en"]["title"])]:
        with translation.override(language):
            assert Lesson.objects.get(slug="en-l-01-01-01").title == title
            assert Course.objects.get(slug="es").title == DATA["es"]["course"]["title"]
