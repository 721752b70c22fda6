"""Hostile course files: refused with a line, quickly, having written nothing — never a traceback or a 500."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.course_files import CourseFileError, import_course
from courses.course_files.loader import MAX_DEPTH

from .course_files.helpers import fixture, row_counts
from .test_course_files_admin import IMPORT_URL, IMPORTER, staff

pytestmark = pytest.mark.django_db

MINIMAL = fixture("minimal.yaml").read_text()


def refused(text: str) -> list:
    before = row_counts()
    with pytest.raises(CourseFileError) as caught:
        import_course(source=io.StringIO(text), name="hostile.yaml")
    assert row_counts() == before
    return caught.value.problems


def billion_laughs(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [7, 10])  # 10^7 and 10^10 strings once expanded
def test_yaml_alias_bomb_is_refused_before_anything_is_built(levels):
    problems = refused(billion_laughs(levels))
    assert [(p.line, p.path) for p in problems] == [(1, "(yaml)")]
    assert "anchors (&name) are not allowed" in problems[0].message


def test_an_alias_is_refused_at_its_line():
    text = MINIMAL.replace("title: Goodbye", "title: *greeting").replace("title: Hello", "title: &greeting Hello")
    problems = refused(text)
    assert problems[0].line == 21 and "anchors" in problems[0].message


@pytest.mark.parametrize(
    "text",
    [
        "format: 1\ncourse: " + "[" * 20_000 + "]" * 20_000 + "\n",  # flow style, on one line
        "format: 1\ncourse:\n" + "".join("  " * (i + 1) + "k:\n" for i in range(300)),  # block style
    ],
    ids=["flow-20000", "block-300"],
)
def test_yaml_deep_nesting_is_a_problem_with_a_line_not_a_traceback(text):
    problems = refused(text)
    assert len(problems) == 1 and problems[0].path == "(yaml)"
    assert f"nested more than {MAX_DEPTH} levels deep" in problems[0].message


def test_admin_import_of_deep_nesting_is_a_form_error_not_a_500(client):
    staff(client, *IMPORTER, "view_course")
    content = ("format: 1\ncourse: " + "[" * 20_000 + "]" * 20_000 + "\n").encode()
    response = client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile("deep.yaml", content)})
    assert response.status_code == 400
    assert "nested more than" in response.text


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("title: Goodbye", r'title: "Good\0bye"', 29),  # a NUL escape
        ("title: Goodbye", r'title: "Good\x00bye"', 29),
        ("text: Hola", r'text: "Hol\ud800a"', 26),  # a lone surrogate escape
        ("translation: goodbye", r'translation: "\udfff"', 11),
        ("- text: hola", r'- text: "ho\0la"', 8),
    ],
)
def test_yaml_nul_or_surrogate_in_a_string_is_reported_at_the_fields_line(old, new, line):
    problems = refused(MINIMAL.replace(old, new, 1))
    assert [p.line for p in problems] == [line]
    assert "NUL character or a lone surrogate" in problems[0].message


def test_yaml_raw_nul_character_is_reported_at_its_line():
    problems = refused(MINIMAL.replace("title: Goodbye", "title: Good\x00bye"))
    assert [p.line for p in problems] == [29]


def test_admin_import_refuses_a_file_over_the_size_limit(client, settings):
    settings.MALLARD_COURSE_FILE_MAX_BYTES = 1000
    staff(client, *IMPORTER, "view_course")
    before = row_counts()
    content = MINIMAL.encode() + b"# padding\n" * 200
    response = client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile("big.yaml", content)})
    assert response.status_code == 200  # the form shown again with its error
    assert "a course file may be at most 1,000 bytes" in response.text
    assert row_counts() == before
