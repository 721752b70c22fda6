"""Problems found in a course file, each pinned to a line and a field path.

A problem's ``message`` is a lazy translatable sentence (``core.i18n.interpolate_lazy``): it reads in
the language active where it is shown — the admin's import page in the editor's interface language,
``manage.py import_course`` in ``settings.LANGUAGE_CODE`` — not in the one active while the file was
checked (the importer writes under the course's own language). The file name, line and field path
are never translated.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from core.i18n import interpolate_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: stop collecting after this many problems: past a hundred, the file needs a different kind of fix
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Problem:
    """One problem: ``FILE:LINE: path: message``; ``message`` is translated when shown."""

    filename: str
    line: int
    path: str
    message: "StrOrPromise"

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.path}: {self.message}"


class CourseFileError(Exception):
    """A course file was rejected. ``problems`` lists every problem found (up to ``MAX_PROBLEMS``)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(problems)

    def __str__(self) -> str:
        """One problem a line, in the language active now."""
        return "\n".join(str(p) for p in self.problems)


class TooManyProblems(Exception):
    """Raised inside validation once the cap is reached, to stop early."""


class Problems:
    """Collects problems for one file, in file order, up to ``MAX_PROBLEMS``."""

    def __init__(self, filename: str, *, limit: int = MAX_PROBLEMS) -> None:
        self.filename = filename
        self.limit = limit
        self.items: list[Problem] = []
        self.truncated = False

    def add(self, line: int, path: str, message: "StrOrPromise") -> None:
        if len(self.items) >= self.limit:
            self.truncated = True
            raise TooManyProblems
        self.items.append(Problem(self.filename, line, path or "(file)", message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def error(self) -> CourseFileError:
        items = sorted(self.items, key=lambda p: p.line)
        if self.truncated:
            last = items[-1].line if items else 1
            items.append(Problem(self.filename, last, "(file)", too_many(self.limit)))
        return CourseFileError(items)

    def raise_if_any(self) -> None:
        if self.items:
            raise self.error()


def too_many(limit: int) -> str:
    """The last problem of a capped list."""
    return interpolate_lazy(_("too many problems; stopped after %(limit)s"), limit=limit)
