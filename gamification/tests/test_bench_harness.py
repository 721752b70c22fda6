"""Pieces of ``make bench`` (docs/performance.md, "make bench"): the courses it imports beside the
demo (bench/courses.py) are valid course files of the sizes its figures name, one language pair
each; the page answers it posts are what the lesson page's form sends (bench/answers.py)."""

from pathlib import Path

import pytest

from bench import courses
from bench.answers import form_fields
from courses.course_files.parse import parse_course_file


def test_long_course_is_a_valid_course_file_of_200_lessons(tmp_path: Path):
    parsed = parse_course_file(courses.write(courses.long_course("benchlong"), tmp_path))

    lessons = parsed.lessons()
    assert len(lessons) == 200
    assert len({lesson.slug for lesson in lessons}) == 200
    assert all(lesson.exercises for lesson in lessons)
    assert parsed.course is not None and parsed.course.slug == "benchlong"


def test_demo_copies_are_valid_and_each_its_own_language_pair(tmp_path: Path):
    demo = parse_course_file(courses.DEMO)
    copies = [parse_course_file(courses.write(courses.demo_copy(f"benchcopy{n}", n), tmp_path)) for n in (1, 2)]

    assert [len(c.lessons()) for c in copies] == [len(demo.lessons())] * 2
    pairs = {(c.course.from_language.code, c.course.to_language.code) for c in [demo, *copies] if c.course}
    assert len(pairs) == 3


def test_page_answer_form_fields_are_the_forms():
    pairs = {"left": ["el gato", "el perro"], "right": ["the cat", "the dog"]}

    assert form_fields("multiple_choice", 2, {}) == {"answer": "2"}
    assert form_fields("translate", "Hola", {}) == {"answer": "Hola"}
    assert form_fields("word_bank", [3, 0], {}) == {"answer": ["3", "0"], "answer_is_list": "1"}
    assert form_fields("match_pairs", [["el perro", "the dog"], ["el gato", "the cat"]], pairs) == {
        "answer": ["1-1", "0-0"],
        "answer_is_list": "1",
    }
    assert form_fields("speak", {"self_assessed": True}, {}) == {"answer": "self:yes"}


def test_profile_requests_refuses_a_malformed_env_before_making_anything():
    from django.core.management import CommandError, call_command

    for bad in ("DJANGO_DB_PREPARED_STATEMENTS", "=false"):
        with pytest.raises(CommandError, match="NAME=VALUE"):
            call_command("profile_requests", env=[bad], requests="me")


def test_the_cpu_time_of_a_process_and_its_children_is_read_from_proc():
    """What ``bench_learners`` reports as the app servers' CPU per request: user + system time of the
    gunicorn master and its workers (``appserver.Gunicorn.cpu_seconds``)."""
    import os
    import subprocess
    import sys

    from gamification.management.appserver import _children, _cpu_seconds

    before = _cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))  # some CPU work of this process
    assert _cpu_seconds(os.getpid()) > before > 0
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        assert child.pid in _children(os.getpid())
    finally:
        child.communicate(b"")
    # A child that did CPU work, exited and was waited for is in the parent's reaped time.
    reaped = _cpu_seconds(os.getpid(), reaped=True) - _cpu_seconds(os.getpid())
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    assert _cpu_seconds(os.getpid(), reaped=True) - _cpu_seconds(os.getpid()) > reaped
    assert _cpu_seconds(2**22 + 12345) == 0.0 and _children(2**22 + 12345) == []  # no such process
