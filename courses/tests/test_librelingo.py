"""``import_librelingo``: a LibreLingo course directory becomes an ordinary Mallard course.

The fixture course (courses/tests/librelingo/tiny-spanish) was written for these tests in
LibreLingo's layout, with every optional key; each broken variant is made from a copy of it.
"""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import answers, exercise_types
from courses.course_files import CourseFileError, export_course, import_course
from courses.course_files.librelingo import import_librelingo
from courses.course_files.librelingo.generate import fold
from courses.course_files.librelingo.synthetic import write_course
from courses.models import Course, Exercise, Lesson, Token
from media_assets.models import Asset

from .course_files.helpers import row_counts, snapshot
from .factories import CourseFactory, LanguageFactory

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "librelingo" / "tiny-spanish"


@pytest.fixture
def course_dir(tmp_path) -> Path:
    target = tmp_path / "tiny-spanish"
    shutil.copytree(FIXTURE, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def images(db) -> dict[str, int]:
    """Image assets named like three of the fixture's LibreLingo images (``cat1`` has none)."""
    return {name: Asset.objects.create(kind=Asset.Kind.IMAGE, title=name).pk for name in ("dog1", "cat2", "bird1")}


def exercises_of(lesson: Lesson) -> list[Exercise]:
    return [link.exercise for link in lesson.lesson_exercises.select_related("exercise").order_by("ordinal")]


def types_of(lesson: Lesson) -> list[str]:
    return [e.type for e in exercises_of(lesson)]


# ---------------------------------------------------------------------- the mapping


def test_the_course_maps_onto_one_section_of_units_and_lessons(course_dir, images):
    report = import_librelingo(directory=course_dir)

    assert report.course_slug == "es"
    course = Course.objects.select_related("from_language", "to_language").get(slug="es")
    assert course.title == "Spanish for English speakers"
    assert (course.from_language.code, course.to_language.code) == ("en", "es")
    assert (course.license_short_name, course.license_name, course.license_url) == (
        "CC BY-SA 4.0",
        "Attribution-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/legalcode",
    )
    assert course.source_repository == "https://example.org/mallard-tests/tiny-spanish"
    assert course.special_characters == ["ñ", "á", "é", "ó", "¿", "¡"]
    assert not course.is_published  # a draft unless --publish

    [section] = course.sections.all()
    units = list(section.units.order_by("ordinal"))
    assert [u.title for u in units] == ["First steps", "Around town"]
    assert [[le.title for le in u.lessons.order_by("ordinal")] for u in units] == [["Greetings", "Pets"], ["Places"]]

    pets = Lesson.objects.get(title="Pets")
    assert pets.notes.startswith(
        "Nouns have a gender\n\nEvery noun is masculine or feminine, and the article shows it:"
    )
    assert "• el before a masculine noun: el perro" in pets.notes
    assert "the grammar notes (https://example.org/grammar)" in pets.notes
    assert "**" not in pets.notes and "`" not in pets.notes
    assert Lesson.objects.get(title="Greetings").notes == ""

    lexicon = dict(Token.objects.filter(language__code="es").values_list("text", "translation"))
    assert lexicon == {
        "hola": "hello",
        "adiós": "goodbye",
        "gracias": "thank you",
        "el perro": "the dog",
        "el gato": "the cat",
        "el pájaro": "the bird",
        "el pez": "the fish",
        "la calle": "the street",
        "la plaza": "the square",
        "el mercado": "the market",
        "la oficina de correos": "the post office",
    }


def test_exercises_are_generated_the_way_librelingo_builds_its_challenges(course_dir, images):
    import_librelingo(directory=course_dir)
    greetings, pets, places = (Lesson.objects.get(title=t) for t in ("Greetings", "Pets", "Places"))

    # 3 words, 3 phrases: cards, options, typed both ways, listening, chips, pairs
    assert types_of(greetings) == (
        ["multiple_choice"] * 6
        + ["translate", "translate", "listen"] * 3
        + ["translate", "listen"] * 3
        + ["word_bank"] * 3
        + ["match_pairs"]
    )
    # pictures only for the words whose images exist in the media library (el pez has no image)
    pictures = [e for e in exercises_of(pets) if e.type == "picture"]
    assert [e.payload["question"] for e in pictures] == ["the dog", "the cat", "the bird"]
    assert {c["image"] for e in pictures for c in e.payload["choices"]} == {
        images["dog1"],
        images["cat2"],
        images["bird1"],
    }
    assert exercises_of(pets)[3].payload["question"] == "Choose the Spanish for “the fish”"
    assert len(types_of(places)) == 4 + 3 + 4 * 3 + 3 * 2 + 3 + 1

    by_text = {(e.type, e.payload.get("text"), e.payload.get("direction")): e for e in exercises_of(greetings)}
    word = by_text[("translate", "goodbye", "to_target")]
    assert word.payload["solutions"] == ["adiós", "chao"]  # Synonyms accepted
    assert word.hint == ""  # a word's gloss would be its answer
    back = by_text[("translate", "adiós", "to_source")]
    assert back.payload["solutions"] == ["goodbye", "bye"]  # Also accepted
    phrase = by_text[("translate", "Buenos días, señor", "to_source")]
    assert phrase.payload["solutions"] == ["Good morning, sir"]
    assert phrase.hint == "Buenos: good · días: days, morning · señor: sir"  # the mini-dictionary
    bank = by_text[("word_bank", "Good morning, sir", None)]
    assert bank.payload["solutions"] == ["Buenos días, señor"]  # "Buen día" has no tiles: not offered
    assert {"Buenos", "días", "señor"} < set(bank.payload["tiles"])
    thanks = by_text[("translate", "Muchas gracias", "to_source")]
    assert thanks.payload["solutions"] == ["Thank you very much", "Thanks a lot"]  # braces removed
    assert [t.text for t in thanks.tokens.all()] == ["gracias"]

    pets_bank = next(
        e for e in exercises_of(pets) if e.type == "word_bank" and e.payload["text"] == "A fish and a bird"
    )
    assert pets_bank.payload["solutions"] == ["Un pez y un pájaro", "Un pájaro y un pez"]  # Alternative versions
    post = next(e for e in exercises_of(places) if e.payload.get("text") == "Where is the post office?")
    assert "post office: oficina de correos" in post.hint  # a {multi-word} term of the mini-dictionary


def _language(exercise: Exercise) -> str:
    """The language the answer loop checks this exercise's answer in."""
    return exercise_types.answer_language_code(
        exercise_types.get_type(exercise.type), exercise.payload, exercise.course
    )


def _bank_indices(tiles: list[str], sentence: str) -> list[int]:
    free = list(range(len(tiles)))
    out = []
    for word in sentence.split():
        bare = fold(word.strip("¿?¡!.,"))
        index = next(i for i in free if fold(tiles[i]) == bare)
        free.remove(index)
        out.append(index)
    return out


def test_every_generated_exercise_accepts_its_own_solution_and_refuses_a_distractor(course_dir, images):
    import_librelingo(directory=course_dir)
    checked = set()
    for lesson in Lesson.objects.all():
        exercises = exercises_of(lesson)
        for exercise in exercises:
            kind = exercise_types.get_type(exercise.type)
            payload, language = exercise.payload, _language(exercise)

            def verdict(answer, kind=kind, payload=payload, language=language):
                return kind.check(payload, kind.parse_answer(answer), language=language).correct

            if exercise.type in ("multiple_choice", "picture"):
                assert verdict(payload["answer"])
                for wrong in set(range(len(payload["choices"]))) - {payload["answer"]}:
                    assert not verdict(wrong), (exercise.slug, wrong)
            elif exercise.type in ("translate", "listen"):
                accepted = payload.get("solutions") or [payload["text"]]
                for solution in accepted:
                    for sentence in answers.expand_alternates(solution):
                        assert verdict(sentence), (exercise.slug, sentence)
                # another exercise of the lesson, of the same type and direction, is a wrong answer here
                others = [
                    o
                    for o in exercises
                    if o.type == exercise.type and o.payload.get("direction") == payload.get("direction")
                ]
                wrong = next(
                    (o.payload.get("solutions") or [o.payload["text"]])[0]
                    for o in others
                    if fold((o.payload.get("solutions") or [o.payload["text"]])[0]) not in {fold(s) for s in accepted}
                )
                assert not verdict(wrong), (exercise.slug, wrong)
            elif exercise.type == "word_bank":
                indices = _bank_indices(payload["tiles"], payload["solutions"][0])
                assert verdict(indices)
                distractor = next(i for i in range(len(payload["tiles"])) if i not in indices)
                assert not verdict([*indices[:-1], distractor]), exercise.slug
            elif exercise.type == "match_pairs":
                pairs = [list(p) for p in payload["pairs"]]
                assert verdict(pairs)
                swapped = [[pairs[0][0], pairs[1][1]], [pairs[1][0], pairs[0][1]], *pairs[2:]]
                assert not verdict(swapped)
            else:  # pragma: no cover - the generator makes no other type
                raise AssertionError(exercise.type)
            checked.add(exercise.type)
    assert checked == {"multiple_choice", "picture", "translate", "listen", "word_bank", "match_pairs"}


def test_no_audio_setting_means_no_listening_exercises(course_dir):
    edit(course_dir / "course.yaml", "Enabled: True", "Enabled: False")
    import_librelingo(directory=course_dir)
    assert Exercise.objects.filter(type="listen").count() == 0
    assert Exercise.objects.filter(type="picture").count() == 0  # and no images in the library: no pictures


# ---------------------------------------------------------------------- idempotence and round trip


def test_importing_the_same_directory_again_changes_nothing(course_dir, images):
    import_librelingo(directory=course_dir)
    first = snapshot("es")
    counts = row_counts()

    report = import_librelingo(directory=course_dir)

    assert not report.changed
    assert snapshot("es") == first and row_counts() == counts


def test_an_edit_of_the_directory_updates_the_course_in_place(course_dir):
    import_librelingo(directory=course_dir)
    edit(course_dir / "around-town" / "skills" / "places.yaml", "Name: Places", "Name: In town")
    report = import_librelingo(directory=course_dir)
    assert report.counts["lessons"].updated == 1 and report.counts["exercises"].created == 0
    assert Lesson.objects.filter(title="In town").exists()


def test_the_result_round_trips_through_mallards_own_course_file(course_dir, images, tmp_path):
    import_librelingo(directory=course_dir)
    exported = export_course(course=Course.objects.get(slug="es"))
    first = snapshot("es")
    path = tmp_path / "es.yaml"
    path.write_text(exported, encoding="utf-8")

    assert not import_course(source=path).changed  # the export says exactly what the database holds

    Course.objects.filter(slug="es").delete()
    import_course(source=path)
    assert snapshot("es") == first
    assert export_course(course=Course.objects.get(slug="es")) == exported


# ---------------------------------------------------------------------- errors: file, line, field; nothing written


BROKEN = [
    (
        "course.yaml",
        "  - around-town/\n",
        "  - around-town/\n  - nowhere/\n",
        "course.yaml",
        37,
        "Modules[2]",
        "no module file: ",
    ),
    (
        "first-steps/module.yaml",
        "  - pets.yaml\n",
        "  - pets.yaml\n  - ghosts.yaml\n",
        "first-steps/module.yaml",
        7,
        "Skills[2]",
        "no skill file: ",
    ),
    (
        "first-steps/skills/pets.yaml",
        "Translation: the fish",
        "Translation: [the fish",
        "first-steps/skills/pets.yaml",
        36,  # the parser's position: where the unclosed [ shows
        "(yaml)",
        "invalid YAML",
    ),
    (
        "first-steps/skills/greetings.yaml",
        "    Also accepted:\n      - hi",
        "    Also acepted:\n      - hi",
        "first-steps/skills/greetings.yaml",
        12,
        "New words[0].Also acepted",
        "unknown key 'Also acepted' in a new word; did you mean 'Also accepted'?",
    ),
    (
        "around-town/skills/places.yaml",
        "    Translation: the square\n",
        "",
        "around-town/skills/places.yaml",
        9,
        "New words[1]",
        "missing required key 'Translation' in a new word",
    ),
    (
        "around-town/skills/places.yaml",
        "  English:",
        "  Englsh:",
        "around-town/skills/places.yaml",
        36,
        "Mini-dictionary.Englsh",
        "did you mean 'English'?",
    ),
    (
        "course.yaml",
        "Enabled: True",
        "Enabled: sometimes",
        "course.yaml",
        25,
        "Settings.Audio.Enabled",
        "expected True or False",
    ),
    (
        "course.yaml",
        "    Link: https://creativecommons.org/licenses/by-sa/4.0/legalcode\n",
        "",
        "course.yaml",
        11,
        "Course.License",
        "missing required key 'Link' in a licence",
    ),
    (
        "first-steps/skills/pets.yaml",
        "  Name: Pets\n",
        "",
        "first-steps/skills/pets.yaml",
        2,
        "Skill",
        "missing required key 'Name' in the skill",
    ),
    (  # found once the Mallard document is generated, still pointed at the LibreLingo word
        "around-town/skills/places.yaml",
        "  - Word: la calle\n",
        "  - Word: " + "la calle muy larga " * 7 + "\n",
        "around-town/skills/places.yaml",
        6,
        "New words[0]",
        "the limit is 120",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "where", "line", "path", "message"), BROKEN)
def test_a_malformed_directory_is_refused_with_file_line_and_field(
    course_dir, file, old, new, where, line, path, message
):
    edit(course_dir / file, old, new)
    before = row_counts()
    with pytest.raises(CourseFileError) as caught:
        import_librelingo(directory=course_dir)
    found = [(p.filename, p.line, p.path) for p in caught.value.problems]
    assert (str(course_dir / where), line, path) in found, found
    assert any(message in p.message for p in caught.value.problems), caught.value.problems
    assert row_counts() == before


def test_a_directory_without_course_yaml_is_refused(tmp_path):
    with pytest.raises(CourseFileError) as caught:
        import_librelingo(directory=tmp_path)
    [problem] = caught.value.problems
    assert problem.filename == str(tmp_path / "course.yaml") and "does not exist" in problem.message


# ---------------------------------------------------------------------- licences and existing courses


def test_publishing_needs_the_attribution_the_licence_requires(course_dir):
    edit(course_dir / "course.yaml", "  Repository: https://example.org/mallard-tests/tiny-spanish\n", "")
    with pytest.raises(CourseFileError) as caught:
        import_librelingo(directory=course_dir, publish=True)
    [problem] = caught.value.problems
    assert (problem.filename, problem.line, problem.path) == (str(course_dir / "course.yaml"), 10, "Course.License")
    assert "CC BY-SA 4.0 requires attribution" in problem.message
    assert not Course.objects.exists()

    import_librelingo(directory=course_dir)  # a draft is fine
    assert not Course.objects.get(slug="es").is_published


def test_a_published_import_shows_its_attribution_and_stays_published(course_dir, client):
    import_librelingo(directory=course_dir, publish=True)
    page = client.get("/").content.decode()
    assert ">CC BY-SA 4.0</a>" in page and "https://example.org/mallard-tests/tiny-spanish" in page

    assert not import_librelingo(directory=course_dir).changed  # without --publish: still published
    assert Course.objects.get(slug="es").is_published


def test_an_existing_course_of_other_content_is_not_overwritten_without_replace(course_dir):
    spanish = LanguageFactory(code="es", name="Spanish")
    CourseFactory(slug="es", to_language=spanish)
    with pytest.raises(CourseFileError) as caught:
        import_librelingo(directory=course_dir)
    assert "pass --replace" in caught.value.problems[0].message
    import_librelingo(directory=course_dir, replace=True)
    assert Course.objects.get(slug="es").source_repository == "https://example.org/mallard-tests/tiny-spanish"


def test_one_course_per_language_pair_is_explained(course_dir):
    CourseFactory(slug="demo", to_language=LanguageFactory(code="es", name="Spanish"))
    with pytest.raises(CourseFileError) as caught:
        import_librelingo(directory=course_dir)
    [problem] = caught.value.problems
    assert problem.filename == str(course_dir / "course.yaml") and problem.line == 6
    assert "'demo'" in problem.message and "--slug demo --replace" in problem.message


# ---------------------------------------------------------------------- the command


def test_the_command_prints_the_report_or_every_problem(course_dir):
    out = StringIO()
    call_command("import_librelingo", str(course_dir), "--slug", "tiny", stdout=out)
    assert "Imported: course 'tiny'" in out.getvalue()

    edit(course_dir / "first-steps" / "module.yaml", "Name: First steps", "Nmae: First steps")
    err = StringIO()
    with pytest.raises(CommandError, match=r"problem\(s\); nothing was written"):
        call_command("import_librelingo", str(course_dir), "--slug", "tiny", stderr=err)
    assert f"{course_dir / 'first-steps' / 'module.yaml'}:2: Module.Nmae: unknown key 'Nmae'" in err.getvalue()


# ---------------------------------------------------------------------- speed: queries do not grow per exercise


def test_queries_per_import_do_not_grow_with_exercises_and_stay_fixed_per_skill(tmp_path):
    counts = {}
    for skills in (5, 15):
        directory = write_course(tmp_path / f"c{skills}", skills=skills)
        with CaptureQueriesContext(connection) as queries:
            import_librelingo(directory=directory, slug=f"big{skills}")
        counts[skills] = len(queries)
        Course.objects.filter(slug=f"big{skills}").delete()
    # only lesson creation could grow per skill; everything else is a fixed number of bulk statements
    assert counts[15] - counts[5] <= 0, counts
    assert Exercise.objects.count() == 0
