"""Hot statements whose SQL the ORM builds once per process (docs/performance.md, "Per-request Python").

Building and compiling a queryset is Python work that does not depend on the values it is asked
for: for the site header's read (a learner's wallet, streak and league badge, with two correlated
subqueries) it cost more than the statement itself on the database, and an answer's dozen statements
spent 40 % of the request building filter clauses. A compiled statement takes a function that builds
the queryset from named values, builds it once with stand-in values, keeps the compiled SQL and the
positions of those values among its parameters, and from then on only runs the SQL with the real
values:

- ``CompiledRead(build, …).rows(…)``: the rows of a ``values_list`` queryset, turned into Python
  values with the same converters the ORM uses (dates and times on SQLite, booleans, JSON …);
- ``CompiledRead(build, …).objects(…)``: model instances, with ``select_related`` objects and
  annotations, made by the ORM's own model iterable;
- ``CompiledUpdate(build, …).execute(…)``: an ``UPDATE`` (``build`` returns the queryset and the
  changes as ``QuerySet.update`` takes them: values, ``F()`` and ``Case`` expressions); returns the
  number of rows changed. ``CompiledUpdates`` keeps one per set of values given, for an ``UPDATE``
  whose columns depend on what changed.

The statement is the ORM's own, so it is the same on PostgreSQL and SQLite, shows in the query log
and in ``assertNumQueries``, and follows the models when they change. A statement whose shape
depends on the values (which fields change, which conditions apply) is one compiled statement per
shape: keep them in a dict keyed by the shape.

Stand-in values must not otherwise appear among the query's parameters (each is checked to be found,
and found only where the caller's values go); use values no real row or filter uses. A JSON field's
value may be a slot too: its stand-in a list or dict (the real value is wrapped as the backend wraps
the stand-in: with the field's encoder on PostgreSQL, ``json.dumps`` elsewhere).
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, cast

from django.db import connection, connections
from django.db.models import Field, Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql import UpdateQuery
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from psycopg.types.json import Json, Jsonb


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: dict[int, str]  # parameter position → name of the value that goes there
    wrappers: dict[int, Callable[[Any], Any]]  # parameter position → what the backend makes of that value
    compiler: SQLCompiler
    locks: bool  # SELECT … FOR UPDATE: only inside a transaction
    fetch_mode: Any = None


class _CompiledStatement:
    def __init__(self, build: Callable[..., Any], **stand_ins: Any) -> None:
        self.build = build
        self.stand_ins = stand_ins
        self._compiled: dict[str, _Compiled] = {}  # per database alias (the SQL differs per backend)

    def _compiler(self, using: str) -> tuple[SQLCompiler, Any]:
        raise NotImplementedError

    def _compile(self, using: str) -> _Compiled:
        compiler, fetch_mode = self._compiler(using)
        sql, params = compiler.as_sql()
        slots: dict[int, str] = {}
        wrappers: dict[int, Callable[[Any], Any]] = {}
        for position, param in enumerate(params):
            for name, stand_in in self.stand_ins.items():
                adapted = _adapt(using, stand_in)
                if type(param) is type(adapted) and param == adapted:
                    slots[position] = name
                elif isinstance(param, type(adapted)) and param == adapted:
                    # The backend typed the value (psycopg's Int4 for a Value() on PostgreSQL): so is the real one.
                    slots[position] = name
                    wrappers[position] = type(param)
                elif isinstance(stand_in, list | dict) and (json_wrapper := _json_wrapper(param, stand_in)):
                    slots[position] = name  # a JSON field's value, which the backend wraps or dumps
                    wrappers[position] = json_wrapper
        missing = set(self.stand_ins) - set(slots.values())
        if missing:
            raise ValueError(f"stand-in values not found among the query's parameters: {sorted(missing)}")
        locks = bool(getattr(compiler.query, "select_for_update", False))
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            wrappers=wrappers,
            compiler=compiler,
            locks=locks,
            fetch_mode=fetch_mode,
        )

    def _prepared(self, using: str, values: dict[str, Any]) -> _Compiled:
        if set(values) != set(self.stand_ins):
            raise TypeError(f"give exactly the values {sorted(self.stand_ins)}")
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        return compiled

    def _params(self, using: str, compiled: _Compiled, values: dict[str, Any]) -> list[Any]:
        params = list(compiled.params)
        for i, name in compiled.slots.items():
            value = _adapt(using, values[name])
            wrapper = compiled.wrappers.get(i)
            params[i] = value if wrapper is None or value is None else wrapper(value)
        return params

    def statement(self, using: str = "default", **values: Any) -> tuple[str, list[Any]]:
        """The statement's SQL and parameters with these values, for a caller that sends it inside a
        larger statement (an ``UPDATE`` in a data-modifying ``WITH``, a read as a subquery)."""
        compiled = self._prepared(using, values)
        return compiled.sql, self._params(using, compiled, values)

    def _execute(self, using: str, values: dict[str, Any], fetch: bool) -> tuple[_Compiled, Any]:
        compiled = self._prepared(using, values)
        connection = connections[using]
        if compiled.locks and connection.features.has_select_for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = self._params(using, compiled, values)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return compiled, (cursor.fetchall() if fetch else cursor.rowcount)


class CompiledRead(_CompiledStatement):
    """``CompiledRead(build, user_id=-1, day=date(1, 1, 1))``; ``.rows(user_id=5, day=today)`` runs
    ``build(user_id=5, day=today)``'s statement and returns its rows as the queryset would (tuples of
    a ``values_list``); ``.objects(…)`` returns the model instances of a model queryset."""

    def _compiler(self, using: str) -> tuple[SQLCompiler, Any]:
        queryset: QuerySet = self.build(**self.stand_ins).using(using)
        return queryset.query.get_compiler(using), queryset._fetch_mode  # type: ignore[attr-defined]

    def rows(self, using: str = "default", **values: Any) -> list[tuple[Any, ...]]:
        compiled, fetched = self._execute(using, values, fetch=True)
        return [tuple(row) for row in compiled.compiler.results_iter([fetched])]

    def objects(self, using: str = "default", **values: Any) -> list[Any]:
        compiled, fetched = self._execute(using, values, fetch=True)
        replay = SimpleNamespace(
            select=compiled.compiler.select,
            klass_info=compiled.compiler.klass_info,
            annotation_col_map=compiled.compiler.annotation_col_map,
            results_iter=compiled.compiler.results_iter,
            execute_sql=lambda **kwargs: [fetched],
        )
        queryset = SimpleNamespace(
            db=using,
            query=SimpleNamespace(get_compiler=lambda using: replay),
            _fetch_mode=compiled.fetch_mode,
            _known_related_objects={},
        )
        return list(ModelIterable(cast(QuerySet, queryset)))


class CompiledUpdate(_CompiledStatement):
    """``CompiledUpdate(lambda pk, xp: (Wallet.objects.filter(pk=pk), {"xp_total": F("xp_total") + xp}),
    pk=-1, xp=-7)``; ``.execute(pk=3, xp=10)`` runs that UPDATE and returns the rows changed."""

    def _compiler(self, using: str) -> tuple[SQLCompiler, Any]:
        queryset, changes = self.build(**self.stand_ins)
        query = queryset.using(using).query.chain(UpdateQuery)
        query.add_update_values(changes)
        query.annotations = {}
        return query.get_compiler(using), None

    def execute(self, using: str = "default", **values: Any) -> int:
        return self._execute(using, values, fetch=False)[1]


class CompiledUpdates:
    """``CompiledUpdate``s of one ``build``, one per set of values given (which optional columns the
    ``UPDATE`` sets), each compiled the first time its set comes. ``stand_ins`` names a stand-in for
    every value ``build`` may take; ``build`` gets only those of the set.

    ``CompiledUpdates(build, pk=-1, xp=-2, gems=-3).execute(pk=5, xp=10)`` runs ``build(pk=…, xp=…)``'s
    statement, compiled with ``pk=-1, xp=-2``."""

    def __init__(self, build: Callable[..., Any], **stand_ins: Any) -> None:
        self.build = build
        self.stand_ins = stand_ins
        self._by_shape: dict[frozenset[str], CompiledUpdate] = {}

    def _for(self, values: dict[str, Any]) -> CompiledUpdate:
        shape = frozenset(values)
        update = self._by_shape.get(shape)
        if update is None:
            unknown = shape - set(self.stand_ins)
            if unknown:
                raise TypeError(f"no stand-in for {sorted(unknown)}")
            stand_ins = {name: self.stand_ins[name] for name in shape}
            update = self._by_shape[shape] = CompiledUpdate(self.build, **stand_ins)
        return update

    def statement(self, using: str = "default", **values: Any) -> tuple[str, list[Any]]:
        return self._for(values).statement(using, **values)

    def execute(self, using: str = "default", **values: Any) -> int:
        return self._for(values).execute(using, **values)


def fits_id(model: type[Model], value: int) -> bool:
    """Whether ``value`` fits ``model``'s primary key column. The ORM answers a look-up by an id out
    of the column's range with an empty result; a compiled statement would send it to the database
    and fail, so callers check first (no row has such an id)."""
    low, high = connection.ops.integer_field_range(cast(Field, model._meta.pk).get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)


def _json_wrapper(param: Any, stand_in: list | dict) -> Callable[[Any], Any] | None:
    """How the backend passed a JSON field's value ``stand_in`` as ``param`` (psycopg's ``Jsonb`` on
    PostgreSQL, with the field's encoder; its text elsewhere), as a function of the real value; None
    when ``param`` is not ``stand_in``."""
    if isinstance(param, Json | Jsonb) and param.obj == stand_in:
        return lambda value: type(param)(value, dumps=param.dumps)
    if isinstance(param, str) and param.startswith(("[", "{")):
        try:
            if json.loads(param) == stand_in:
                return json.dumps  # (SQLite: the default encoder, as the fields read here use)
        except ValueError:
            return None
    return None


def _adapt(using: str, value: Any) -> Any:
    """``value`` as the ORM passes it to the database driver (SQLite takes dates and times as text)."""
    ops = connections[using].ops
    if isinstance(value, datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return ops.adapt_datefield_value(value)
    if isinstance(value, uuid.UUID) and not connections[using].features.has_native_uuid_field:
        return value.hex
    return value
