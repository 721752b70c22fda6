"""Malformed course files: each is refused with the right line and field path, and writes nothing."""

import io

import pytest

from courses.course_files import CourseFileError, import_course, parse_course_file
from courses.course_files.errors import MAX_PROBLEMS
from courses.course_files.loader import load

from .course_files.helpers import BAD, fixture, row_counts

LESSON0 = "sections[0].units[0].lessons[0]"
LESSON1 = "sections[0].units[0].lessons[1]"

# (fixture, line, path, words the message must contain) — the first problem reported
MALFORMED = [
    ("bad_yaml_syntax", 22, "(yaml)", "started at line 21"),
    ("unknown_type", 23, f"{LESSON0}.exercises[0].type", "unknown exercise type 'translation'"),
    ("missing_field", 28, LESSON1, "missing required key 'title'"),
    ("duplicate_ordinal", 28, f"{LESSON1}.ordinal", "duplicate ordinal 1"),
    ("dangling_prerequisite", 30, f"{LESSON1}.prerequisites[0]", "no lesson with slug 'mini-l-01-01-09'"),
    ("bad_payload", 27, f"{LESSON0}.exercises[0].payload.solutions", "at least 1"),
    ("unknown_key", 28, LESSON1, "missing required key 'title'"),
    ("wrong_type", 28, f"{LESSON1}.ordinal", "expected a whole number, got a string"),
    ("dangling_ref", 38, f"{LESSON1}.exercises[1].ref", "no exercise with slug 'mini-e-01-01-01-07'"),
    ("unknown_token", 33, f"{LESSON1}.exercises[0].tokens[1]", "unknown token 'chau'"),
    (
        "prerequisite_cycle",
        22,
        f"{LESSON0}.prerequisites",
        "cycle: mini-l-01-01-01 → mini-l-01-01-02 → mini-l-01-01-01",
    ),
    ("bad_enum", 30, f"{LESSON1}.kind", "'lecture' is not one of: core, speaking, audio"),
    ("bad_cefr", 15, "sections[0].cefr", "'A7' is not one of"),
    ("duplicate_slug", 29, LESSON1, "duplicate lesson slug 'mini-l-01-01-02'"),
    ("unsupported_format", 1, "format", "unsupported format version 2"),
    ("duplicate_token", 10, "tokens[1].text", "duplicate token 'hola'"),
    ("duplicate_key", 22, f"{LESSON0}.title", "duplicate key"),
    ("not_a_mapping", 1, "(file)", "expected a mapping, got a list"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "line", "path", "words"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_file_is_refused_with_line_and_path_and_writes_nothing(name, line, path, words):
    import_course(source=fixture("minimal.yaml"))  # something already there, which must stay as it is
    before = row_counts()
    source = BAD / f"{name}.yaml"

    with pytest.raises(CourseFileError) as caught:
        import_course(source=source)

    first = caught.value.problems[0]
    assert (first.line, first.path) == (line, path), str(caught.value)
    assert words in first.message
    assert str(first) == f"{source}:{line}: {path}: {first.message}"
    assert row_counts() == before


def test_unknown_key_is_named_with_a_suggestion():
    with pytest.raises(CourseFileError) as caught:
        parse_course_file(BAD / "unknown_key.yaml")
    lines = [str(p) for p in caught.value.problems]
    assert (
        f"{BAD / 'unknown_key.yaml'}:29: {LESSON1}.titel: unknown key 'titel' in a lesson; did you mean 'title'?"
        in lines
    )


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    text = fixture("minimal.yaml").read_text()
    text = text.replace("    cefr: A1", "    cefr: Z9").replace("kind: core", "").replace("answer: 1", "answer: 7")
    text = text.replace("            title: Goodbye", "            title: Goodbye\n            minutes: many")
    path = tmp_path / "many.yaml"
    path.write_text(text)
    with pytest.raises(CourseFileError) as caught:
        parse_course_file(path)
    found = {(p.line, p.path) for p in caught.value.problems}
    assert (15, "sections[0].cefr") in found
    assert (30, f"{LESSON1}.minutes") in found
    assert (38, f"{LESSON1}.exercises[0].payload.answer") in found
    assert [p.line for p in caught.value.problems] == sorted(p.line for p in caught.value.problems)


def test_problems_are_capped(tmp_path):
    tokens = "".join(f"  - text: t{i}\n    translaton: x\n" for i in range(MAX_PROBLEMS + 50))
    path = tmp_path / "typos.yaml"
    path.write_text(fixture("minimal.yaml").read_text().replace("tokens:\n", "tokens:\n" + tokens, 1))
    with pytest.raises(CourseFileError) as caught:
        parse_course_file(path)
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert "stopped after 100" in problems[-1].message
    assert problems[0].line == 9 and problems[0].path == "tokens[0].translaton"


def test_payload_errors_point_at_the_nested_field(tmp_path):
    text = (
        fixture("minimal.yaml")
        .read_text()
        .replace(
            "                  choices: [hola, adiós]\n",
            "                  choices:\n                    - hola\n                    - 5\n",
        )
    )
    path = tmp_path / "nested.yaml"
    path.write_text(text)
    with pytest.raises(CourseFileError) as caught:
        parse_course_file(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.path) == (38, f"{LESSON1}.exercises[0].payload.choices[1]")
    assert "string" in problem.message


def test_library_exercises_need_a_slug_and_type_checks(tmp_path):
    path = tmp_path / "library.yaml"
    path.write_text(
        fixture("minimal.yaml").read_text()
        + "exercises:\n  - type: listen\n    payload: {text: Hola}\n  - slug: x\n    type: listen\n    payload: []\n"
    )
    with pytest.raises(CourseFileError) as caught:
        parse_course_file(path)
    assert [(p.line, p.path) for p in caught.value.problems] == [(40, "exercises[0]"), (44, "exercises[1].payload")]
    assert "missing required key 'slug'" in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("a: no", "no"),
        ("a: sí", "sí"),
        ("a: yes", "yes"),
        ("a: 0123", "0123"),
        ("a: 1:30", "1:30"),
        ("a: 2024-05-01", "2024-05-01"),
        ("a: true", True),
        ("a: 12", 12),
        ("a: ~", None),
    ],
)
def test_scalars_follow_yaml_1_2_so_spanish_words_stay_words(yaml_text, expected):
    assert load(yaml_text)["a"] == expected


@pytest.mark.django_db
def test_file_objects_and_encodings():
    with pytest.raises(CourseFileError) as caught:
        import_course(source=io.BytesIO(b"format: 1\ncourse: \xff\xfe\n"), name="upload.yaml")
    assert str(caught.value.problems[0]) == "upload.yaml:2: (file): the file is not valid UTF-8"
    with pytest.raises(CourseFileError) as caught:
        import_course(source=io.BytesIO(b""), name="empty.yaml")
    assert str(caught.value.problems[0]) == "empty.yaml:1: (file): expected a mapping, got an empty file"
    report = import_course(source=io.BytesIO(fixture("minimal.yaml").read_bytes()), name="mini.yaml")
    assert report.filename == "mini.yaml" and report.counts["lessons"].created == 2


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    with pytest.raises(CourseFileError) as caught:
        parse_course_file(tmp_path / "nope.yaml")
    assert "cannot read the file" in caught.value.problems[0].message


def test_problems_below_a_broken_course_mapping_are_reported_too(tmp_path):
    text = fixture("minimal.yaml").read_text().replace("  title: Mini course\n", "").replace("cefr: A1", "cefr: A9")
    path = tmp_path / "both.yaml"
    path.write_text(text)
    with pytest.raises(CourseFileError) as caught:
        parse_course_file(path)
    assert [(p.line, p.path) for p in caught.value.problems] == [(3, "course"), (14, "sections[0].cefr")]


def mutations():
    """Every line of the minimal file deleted, doubled, or with its value made a list or a mapping."""
    lines = fixture("minimal.yaml").read_text().splitlines()
    for i, line in enumerate(lines):
        yield f"delete-{i + 1}", lines[:i] + lines[i + 1 :]
        yield f"double-{i + 1}", [*lines[: i + 1], line, *lines[i + 1 :]]
        if ": " in line:
            head = line.split(": ", 1)[0]
            yield f"list-{i + 1}", [*lines[:i], f"{head}: [1, [2]]", *lines[i + 1 :]]
            yield f"map-{i + 1}", [*lines[:i], f"{head}: {{x: 1}}", *lines[i + 1 :]]


@pytest.mark.slow
@pytest.mark.django_db
def test_no_mutation_of_a_valid_file_crashes_the_importer(tmp_path):
    """Each mutant either imports (dry run) or is refused with problems that carry a line: never a crash."""
    refused = 0
    for name, lines in mutations():
        path = tmp_path / f"{name}.yaml"
        path.write_text("\n".join(lines) + "\n")
        try:
            import_course(source=path, dry_run=True)
        except CourseFileError as exc:
            refused += 1
            assert exc.problems and all(1 <= p.line <= len(lines) + 1 for p in exc.problems), name
    assert refused > 100
