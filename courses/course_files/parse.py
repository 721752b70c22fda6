"""Read a course file from a path or a file object and validate it into a ``CourseFile``."""

from pathlib import Path
from typing import IO

from django.utils.translation import gettext_lazy as _

from core.i18n import interpolate_lazy as lazy_text

from .errors import CourseFileError, Problem, Problems, TooManyProblems
from .loader import YamlSyntaxError, load
from .spec import CourseFile
from .validate import describe, validate

Source = str | Path | IO


def read_source(source: Source, *, name: str | None = None) -> tuple[str, str]:
    """Return (text, filename). ``str``/``Path`` are file paths; anything with ``read()`` is a file object."""
    if isinstance(source, str | Path):
        filename = name or str(source)
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            message = lazy_text(_("cannot read the file: %(error)s"), error=exc.strerror)
            raise CourseFileError([Problem(filename, 1, "(file)", message)]) from None
    else:
        filename = name or str(getattr(source, "name", None) or "<upload>")
        raw = source.read()
    if isinstance(raw, str):
        return raw, filename
    try:
        return raw.decode("utf-8-sig"), filename
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CourseFileError([Problem(filename, line, "(file)", _("the file is not valid UTF-8"))]) from None


def invalid_yaml(exc: YamlSyntaxError) -> str:
    """The YAML parser's own words (English, from PyYAML) in a translated sentence with the column."""
    return lazy_text(_("invalid YAML at column %(column)s: %(error)s"), column=exc.column, error=exc.message)


def parse_text(text: str, *, filename: str) -> CourseFile:
    """Parse and validate; raise ``CourseFileError`` listing every problem found."""
    problems = Problems(filename)
    try:
        data = load(text)
    except YamlSyntaxError as exc:
        raise CourseFileError([Problem(filename, exc.line, "(yaml)", invalid_yaml(exc))]) from None
    if not isinstance(data, dict):
        got = _("an empty file") if data is None else describe(data)
        message = lazy_text(_("expected a mapping, got %(got)s"), got=got)
        raise CourseFileError([Problem(filename, getattr(data, "line", 1), "(file)", message)])
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
