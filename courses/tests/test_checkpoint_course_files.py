"""Checkpoints and time limits in the course file: round trip, re-import, and every malformed case refused at
its line with nothing written."""

import io

import pytest

from courses.course_files import CourseFileError, export_course, import_course
from courses.models import Checkpoint, Course, Lesson

from .course_files.helpers import fixture, row_counts

pytestmark = pytest.mark.django_db

MINIMAL = fixture("minimal.yaml").read_text()
UNIT_2 = """\
      - ordinal: 2
        title: Numbers
        lessons:
          - ordinal: 1
            title: One
            exercises:
              - ref: mini-e-01-01-01-01
"""


def with_checkpoint(snippet: str, *, unit_2: bool = False, lesson_extra: str = "") -> str:
    """The minimal course with ``snippet`` (a unit-level ``checkpoint:`` block, 8 spaces in) ending unit 1."""
    text = MINIMAL.replace("            title: Goodbye\n", "            title: Goodbye\n" + lesson_extra)
    return text + snippet + (UNIT_2 if unit_2 else "")


def line_of(text: str, needle: str) -> int:
    """The last line holding ``needle`` (the snippet comes last)."""
    return max(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def refused(text: str):
    import_course(source=fixture("minimal.yaml"))
    before = row_counts()
    with pytest.raises(CourseFileError) as caught:
        import_course(source=io.StringIO(text), name="cp.yaml")
    assert row_counts() == before, "nothing is written"
    return caught.value.problems[0]


UNIT0 = "sections[0].units[0]"

MALFORMED = [
    # (snippet, needle for the line, path, words, extra)
    ("        checkpoint:\n          pass_percent: 90\n", "checkpoint:", f"{UNIT0}.checkpoint", "give the items", {}),
    (
        "        checkpoint:\n          draw: 2\n          exercises: [mini-e-01-01-01-01]\n",
        "draw: 2",
        f"{UNIT0}.checkpoint.draw",
        "not both",
        {},
    ),
    (
        "        checkpoint:\n          draw: 2\n          pass_percent: 120\n",
        "pass_percent",
        f"{UNIT0}.checkpoint.pass_percent",
        "at most 100",
        {},
    ),
    (
        "        checkpoint:\n          draw: 2\n          time_limit_sec: 5\n",
        "time_limit_sec",
        f"{UNIT0}.checkpoint.time_limit_sec",
        "at least 10",
        {},
    ),
    ("        checkpoint:\n          draw: 0\n", "draw: 0", f"{UNIT0}.checkpoint.draw", "at least 1", {}),
    (
        "        checkpoint:\n          draw: 2\n          pass_percentage: 90\n",
        "pass_percentage",
        f"{UNIT0}.checkpoint.pass_percentage",
        "did you mean 'pass_percent'?",
        {},
    ),
    (
        "        checkpoint:\n          draw: 2\n          lessons: [mini-l-01-01-09]\n",
        "lessons:",
        f"{UNIT0}.checkpoint.lessons[0]",
        "no lesson with slug 'mini-l-01-01-09'",
        {},
    ),
    (
        "        checkpoint:\n          draw: 2\n          lessons:\n"
        "            - mini-l-01-01-01\n            - mini-l-01-02-01\n",
        "- mini-l-01-02-01",
        f"{UNIT0}.checkpoint.lessons[1]",
        "comes after the checkpoint",
        {"unit_2": True},
    ),
    (
        "        checkpoint:\n          lessons: [mini-l-01-01-02]\n"
        "          exercises: [mini-e-01-01-02-01, mini-e-01-01-01-09]\n",
        "exercises:",
        f"{UNIT0}.checkpoint.exercises[1]",
        "no exercise with slug 'mini-e-01-01-01-09'",
        {},
    ),
    (
        "        checkpoint:\n          draw: 1\n          lessons: [mini-l-01-01-01]\n",
        'time_limit_sec: "2 min"',
        f"{UNIT0}.lessons[1].time_limit_sec",
        "expected a whole number",
        {"lesson_extra": '            time_limit_sec: "2 min"\n'},
    ),
    ("        checkpoint: [1, 2]\n", "checkpoint:", f"{UNIT0}.checkpoint", "expected a mapping", {}),
]


@pytest.mark.parametrize(("snippet", "needle", "path", "words", "extra"), MALFORMED)
def test_a_malformed_checkpoint_is_refused_at_its_line_and_nothing_is_written(snippet, needle, path, words, extra):
    text = with_checkpoint(snippet, **extra)
    first = refused(text)
    assert (first.line, first.path) == (line_of(text, needle), path), str(first)
    assert words in first.message


def test_an_exercise_outside_the_lessons_covered_is_refused():
    text = with_checkpoint(
        "        checkpoint:\n          lessons: [mini-l-01-01-01]\n          exercises: [mini-e-01-01-02-01]\n"
    )
    first = refused(text)
    assert (first.line, first.path) == (
        line_of(text, "exercises: [mini-e-01-01-02-01]"),
        f"{UNIT0}.checkpoint.exercises[0]",
    )
    assert "in none of the lessons the checkpoint covers" in first.message


def test_a_checkpoint_slug_twice_is_refused():
    text = with_checkpoint("        checkpoint:\n          draw: 1\n", unit_2=True) + (
        "        checkpoint:\n          slug: mini-cp-01-01\n          draw: 1\n"
    )
    first = refused(text)
    assert "duplicate checkpoint slug 'mini-cp-01-01'" in first.message


def test_checkpoints_and_time_limits_round_trip_byte_for_byte_and_reimport_changes_nothing():
    text = fixture("rich.yaml").read_text()
    import_course(source=fixture("rich.yaml"))
    assert export_course(course=Course.objects.get(slug="xs")) == text
    greetings = Checkpoint.objects.get(slug="xs-greetings-test")
    assert (greetings.unit.slug, greetings.title, greetings.pass_percent, greetings.time_limit_sec, greetings.draw) == (
        "xs-u-01-01",
        "Greetings test",
        75,
        90,
        None,
    )
    assert sorted(greetings.exercises.values_list("slug", flat=True)) == ["xs-e-01-01-01-01", "xs-goodbye-bank"]
    assert Checkpoint.objects.get(slug="xs-cp-01").section.slug == "xs-sec-01"
    assert Lesson.objects.get(slug="xs-l-01-01-02").time_limit_sec == 120
    again = import_course(source=fixture("rich.yaml"))
    assert not again.changed
    assert again.counts["checkpoints"].unchanged == 3


def test_reimport_updates_lists_in_place_and_deletes_a_checkpoint_the_file_drops():
    import_course(source=fixture("rich.yaml"))
    first = Checkpoint.objects.get(slug="xs-greetings-test")
    text = fixture("rich.yaml").read_text()
    edited = text.replace(
        "exercises: [xs-e-01-01-01-01, xs-goodbye-bank]", "exercises: [xs-goodbye-bank, xs-e-01-01-01-02]"
    )
    edited = edited.replace("    checkpoint:\n      draw: 3\n", "")
    report = import_course(source=io.StringIO(edited), name="edited.yaml")
    assert (report.counts["checkpoints"].updated, report.counts["checkpoints"].deleted) == (1, 1)
    assert report.deleted["checkpoints"] == ["xs-cp-01"]
    assert Checkpoint.objects.get(slug="xs-greetings-test").pk == first.pk
    assert export_course(course=Course.objects.get(slug="xs")) == edited


def test_a_checkpoint_slug_of_another_course_is_refused():
    import_course(source=fixture("rich.yaml"))
    text = with_checkpoint("        checkpoint:\n          slug: xs-greetings-test\n          draw: 1\n").replace(
        "{code: es, name: Spanish}", "{code: fr, name: French}"
    )
    with pytest.raises(CourseFileError) as caught:
        import_course(source=io.StringIO(text), name="cp.yaml")
    assert "checkpoint slug 'xs-greetings-test' is already used by course 'xs'" in str(caught.value)
