"""Hot reads whose SQL the ORM builds once per process (docs/performance.md, "Per-request Python").

Building and compiling a queryset is Python work that does not depend on the values it is asked
for: for the site header's read (a learner's wallet, streak and league badge, with two correlated
subqueries) it cost more than the statement itself on the database. A ``CompiledRead`` takes a
function that builds the queryset from named values, builds it once with stand-in values, keeps the
compiled SQL and the positions of those values among its parameters, and from then on only runs
the SQL with the real values, turning the rows into Python values with the same converters the ORM
uses (dates and times on SQLite, booleans, JSON …). The statement is the ORM's own, so it is the
same on PostgreSQL and SQLite, shows in the query log and in ``assertNumQueries``, and follows the
models when they change.

Stand-in values must not otherwise appear among the query's parameters (each is checked to be found,
and found only where the caller's values go); use values no real row or filter uses.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: dict[int, str]  # parameter position → name of the value that goes there
    compiler: SQLCompiler


class CompiledRead:
    """``CompiledRead(build, user_id=-1, day=date(1, 1, 1))``; ``.rows(user_id=5, day=today)`` runs
    ``build(user_id=5, day=today)``'s statement and returns its rows as the queryset would (tuples of
    a ``values_list``)."""

    def __init__(self, build: Callable[..., QuerySet], **stand_ins: Any) -> None:
        self.build = build
        self.stand_ins = stand_ins
        self._compiled: dict[str, _Compiled] = {}  # per database alias (the SQL differs per backend)

    def _compile(self, using: str) -> _Compiled:
        queryset = self.build(**self.stand_ins).using(using)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        slots: dict[int, str] = {}
        for position, param in enumerate(params):
            for name, stand_in in self.stand_ins.items():
                adapted = _adapt(using, stand_in)
                if type(param) is type(adapted) and param == adapted:
                    slots[position] = name
        missing = set(self.stand_ins) - set(slots.values())
        if missing:
            raise ValueError(f"stand-in values not found among the query's parameters: {sorted(missing)}")
        return _Compiled(sql=sql, params=tuple(params), slots=slots, compiler=compiler)

    def rows(self, using: str = "default", **values: Any) -> list[tuple[Any, ...]]:
        if set(values) != set(self.stand_ins):
            raise TypeError(f"give exactly the values {sorted(self.stand_ins)}")
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        params = [
            _adapt(using, values[compiled.slots[i]]) if i in compiled.slots else p
            for i, p in enumerate(compiled.params)
        ]
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        return [tuple(row) for row in compiled.compiler.results_iter([fetched])]


def _adapt(using: str, value: Any) -> Any:
    """``value`` as the ORM passes it to the database driver (SQLite takes dates and times as text)."""
    ops = connections[using].ops
    if isinstance(value, datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return ops.adapt_datefield_value(value)
    return value
