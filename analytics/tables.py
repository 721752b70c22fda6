"""The tables of the analytics pages: their columns, sorting by a query parameter, and their CSV.

A CSV cell that a spreadsheet would read as a formula (text starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return — wrong answers are typed by learners) is written with a leading ``'``,
so it stays text."""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse, QueryDict
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .rules import Median
from .selectors import Row


def percent(share: float, decimals: int = 0) -> str:
    """A share (0.0 to 1.0) as a percentage written as the active language writes it: "45.5%" in
    English, "45,5 %" in Spanish (its decimal comma, a no-break space before the sign)."""
    return gettext("%(percent)s%%") % {"percent": number_format(round(share * 100, decimals), decimals)}


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    value: Callable[[Row], Any]
    kind: str = "int"  # "int", "pct", "time" or "text"
    help: str | Promise = ""

    def display(self, row: Row) -> str:
        value = self.value(row)
        if value is None:
            return "—"
        if self.kind == "pct":
            return percent(value, 1)
        return str(value)

    def csv_value(self, row: Row) -> Any:
        value = self.value(row)
        if value is None:
            return ""
        if self.kind == "pct":
            return round(value * 100, 1)
        if isinstance(value, Median):
            return f">={value.ms // 1000}" if value.at_least else round(value.ms / 1000, 1)
        return safe_cell(str(value)) if self.kind == "text" else value

    def sort_key(self, row: Row) -> Any:
        value = self.value(row)
        if isinstance(value, Median):
            return value.ms
        return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _f(name: str) -> Callable[[Row], Any]:
    return lambda row: getattr(row.figures, name)


RUN_COLUMNS = [
    Column("started", _("Started"), _f("started"), help=_("lesson runs started")),
    Column("passed", _("Passed"), _f("passed"), help=_("runs finished as passed")),
    Column("failed", _("Failed"), _f("failed"), help=_("runs ended out of hearts")),
    Column("quit", _("Quit"), _f("quit"), help=_("runs the learner quit")),
    Column("completion", _("Completion"), _f("completion_rate"), "pct", help=_("passed ÷ (passed + failed + quit)")),
    Column("time", _("Median time"), _f("median_run_time"), "time", help=_("of a passed run, answering")),
]
ANSWER_COLUMNS = [
    Column("answers", _("Answers"), _f("attempts")),
    Column("first_try", _("First-try accuracy"), _f("first_try_accuracy"), "pct", help=_("right at the first answer")),
    Column("error_rate", _("Error rate"), _f("error_rate"), "pct", help=_("wrong answers ÷ answers")),
]
EXERCISE_EXTRA = [
    Column("answer_time", _("Median answer time"), _f("median_answer_time"), "time"),
    Column(
        "wrong",
        _("Most common wrong answers"),
        lambda row: "; ".join(f"{answer} ({n})" for answer, n in row.wrong_answers),
        "text",
    ),
]


@dataclass
class Table:
    name: str
    caption: str
    columns: list[Column]
    rows: list[Row]
    first_label: str = "Name"
    context_label: str = ""
    sort: str = ""  # the active sort: a column key, "-key" for descending
    notes: list[str] = field(default_factory=list)
    headers: list[tuple[Column, str, str]] = field(default_factory=list)  # column, sort link, aria-sort
    csv_href: str = ""

    def sorted_by(self, param: str | None) -> "Table":
        """Sort by ``param`` (``error_rate`` or ``-error_rate``); an unknown column is ignored. Rows
        without a value go last either way."""
        if not param:
            return self
        key = param.removeprefix("-")
        column = next((c for c in self.columns if c.key == key and c.kind != "text"), None)
        if column is None:
            return self
        descending = param.startswith("-")
        present = [r for r in self.rows if column.sort_key(r) is not None]
        missing = [r for r in self.rows if column.sort_key(r) is None]
        present.sort(key=column.sort_key, reverse=descending)
        self.rows = present + missing
        self.sort = param
        return self

    def links(self, params: QueryDict) -> None:
        """The page's links for this table: each column's sort (a second click reverses it) and the CSV."""
        self.headers = []
        for column in self.columns:
            state = "none"
            target = "-" + column.key if column.kind in ("pct", "time", "int") else column.key
            if self.sort == column.key:
                state, target = "ascending", "-" + column.key
            elif self.sort == "-" + column.key:
                state, target = "descending", column.key
            query = params.copy()
            query[f"o_{self.name}"] = target
            query.pop("csv", None)
            href = "?" + query.urlencode() if column.kind != "text" else ""
            self.headers.append((column, href, state))
        query = params.copy()
        query["csv"] = self.name
        self.csv_href = "?" + query.urlencode()

    def csv_response(self, filename: str) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv.writer(response)
        header = ["id", self.first_label] + ([self.context_label] if self.context_label else [])
        writer.writerow(header + [c.label for c in self.columns])
        for row in self.rows:
            start = [row.key, safe_cell(row.label)] + ([safe_cell(row.context)] if self.context_label else [])
            writer.writerow(start + [c.csv_value(row) for c in self.columns])
        return response
