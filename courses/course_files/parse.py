"""Read a course file from a path or a file object and validate it into a ``CourseFile``."""

from pathlib import Path
from typing import IO

from .errors import CourseFileError, Problem, Problems, TooManyProblems
from .loader import YamlSyntaxError, load
from .spec import CourseFile
from .validate import validate

Source = str | Path | IO


def read_source(source: Source, *, name: str | None = None) -> tuple[str, str]:
    """Return (text, filename). ``str``/``Path`` are file paths; anything with ``read()`` is a file object."""
    if isinstance(source, str | Path):
        filename = name or str(source)
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise CourseFileError([Problem(filename, 1, "(file)", f"cannot read the file: {exc.strerror}")]) from None
    else:
        filename = name or str(getattr(source, "name", None) or "<upload>")
        raw = source.read()
    if isinstance(raw, str):
        return raw, filename
    try:
        return raw.decode("utf-8-sig"), filename
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CourseFileError([Problem(filename, line, "(file)", "the file is not valid UTF-8")]) from None


def parse_text(text: str, *, filename: str) -> CourseFile:
    """Parse and validate; raise ``CourseFileError`` listing every problem found."""
    problems = Problems(filename)
    try:
        data = load(text)
    except YamlSyntaxError as exc:
        raise CourseFileError(
            [Problem(filename, exc.line, "(yaml)", f"invalid YAML at column {exc.column}: {exc.message}")]
        ) from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__.replace('Line', '').lower()}"
        raise CourseFileError([Problem(filename, getattr(data, "line", 1), "(file)", f"expected a mapping, got {got}")])
    try:
        result = validate(data, filename=filename, problems=problems)
    except TooManyProblems:
        result = None
    problems.raise_if_any()
    if result is None:  # pragma: no cover - validate returns None only after recording a problem
        raise problems.error()
    return result


def parse_course_file(source: Source, *, name: str | None = None) -> CourseFile:
    text, filename = read_source(source, name=name)
    return parse_text(text, filename=filename)
