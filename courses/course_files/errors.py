"""Problems found in a course file, each pinned to a line and a field path."""

from dataclasses import dataclass

#: stop collecting after this many problems: past a hundred, the file needs a different kind of fix
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Problem:
    filename: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.path}: {self.message}"


class CourseFileError(Exception):
    """A course file was rejected. ``problems`` lists every problem found (up to ``MAX_PROBLEMS``)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TooManyProblems(Exception):
    """Raised inside validation once the cap is reached, to stop early."""


class Problems:
    """Collects problems for one file, in file order, up to ``MAX_PROBLEMS``."""

    def __init__(self, filename: str, *, limit: int = MAX_PROBLEMS) -> None:
        self.filename = filename
        self.limit = limit
        self.items: list[Problem] = []
        self.truncated = False

    def add(self, line: int, path: str, message: str) -> None:
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
            items.append(Problem(self.filename, last, "(file)", f"too many problems; stopped after {self.limit}"))
        return CourseFileError(items)

    def raise_if_any(self) -> None:
        if self.items:
            raise self.error()
