"""New rows of several models written together, in one statement on PostgreSQL.

An action that ends by inserting rows into several tables — an answer writes its attempt, the words'
review-log rows pointing at it, ledger entries, hearts-log rows and activity-log rows — collects them in
an ``InsertBatch`` (each app builds its own rows and adds them) and writes them with ``write()``, in
the caller's transaction:

- **PostgreSQL**: one statement. Each group of rows is an ``INSERT … RETURNING id`` in a
  data-modifying ``WITH``, and the statement returns every group's new ids, which are set on the
  instances as ``bulk_create`` sets them.
- **Elsewhere** (SQLite, the embedded default): one ``bulk_create`` per group, in order.

A value may be ``IdOf(row)``: the id of ``row``, a row added earlier to the same batch, once it is
inserted ("this column is the id that insert returned"). It may be a field's value (a foreign key's
``…_id`` or a plain integer column) or a value at the top level of a JSON field's dict (the activity
log's ``{"attempt": IdOf(attempt)}``). After ``write()`` every ``IdOf`` in the instances is replaced by
the id.

Rows are grouped in the order they were added: consecutive rows of one model form one INSERT, and a
row another row refers to is inserted on its own (so its INSERT returns exactly one id). Rows are
written as ``bulk_create`` writes them: no ``save()``, no signals; ``pre_save`` fills ``auto_now`` fields.

An ``UPDATE`` nothing reads before the batch is written may join it too (``update``): on PostgreSQL
it is one more part of the same ``WITH`` (an answer's run row: its queue and counters), saving its
round trip; elsewhere it runs at once, as ``QuerySet.update`` does. Two parts of one statement must
not change the same row (PostgreSQL would apply only one of them): ``update`` refuses a second
update of a model's row already updated in the batch. Likewise an upsert (``upsert``: ``bulk_create``
with ``update_conflicts``) of rows nothing reads before the batch is written — one per model.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignKey, JSONField, Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery, UpdateQuery


@dataclass(frozen=True, eq=False)
class IdOf:
    """The id ``row`` gets when its ``InsertBatch`` writes it (``row`` was added to the batch first)."""

    row: Model


@dataclass
class _Group:
    model: type[Model]
    rows: list[Model]
    referenced: bool


class InsertBatch:
    """New rows (unsaved model instances, of any models) to insert together with ``write()``."""

    def __init__(self) -> None:
        self._rows: list[Model] = []
        self._updates: list[tuple[str, str, list[Any]]] = []  # (database, SQL, parameters)
        self._updated: set[tuple[type[Model], Any]] = set()

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, *rows: Model) -> None:
        """Add new rows (no primary key yet), to be inserted after the rows added before them."""
        for row in rows:
            if row.pk is not None:
                raise ValueError(f"InsertBatch inserts new rows; this {type(row).__name__} has a primary key.")
        self._rows.extend(rows)

    def update(self, model: type[Model], pk: Any, *, using: str | None = None, **changes: Any) -> None:
        """``model.objects.filter(pk=pk).update(**changes)``: with the batch's statement on PostgreSQL
        (the caller must not read the row again before ``write()``), at once elsewhere."""
        alias = using or router.db_for_write(model)
        queryset = model._base_manager.using(alias).filter(pk=pk)
        if connections[alias].vendor != "postgresql":
            queryset.update(**changes)
            return
        query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))
        query.add_update_values(changes)
        sql, params = query.get_compiler(alias).as_sql()
        self.update_sql(model, pk, sql, list(params), using=alias)

    def updates(self, model: type[Model], pk: Any) -> bool:
        """Whether the batch already holds an update of ``model``'s row ``pk``."""
        return (model, pk) in self._updated

    def update_sql(self, model: type[Model], pk: Any, sql: str, params: list[Any], *, using: str) -> None:
        """``update`` with the ``UPDATE`` of ``model``'s row ``pk`` built by the caller (e.g. a
        ``core.reads.CompiledUpdate``'s ``statement``). PostgreSQL only."""
        if connections[using].vendor != "postgresql":
            raise ValueError("InsertBatch.update_sql: only PostgreSQL sends updates with the batch.")
        if (model, pk) in self._updated:
            raise ValueError(f"InsertBatch: this {model.__name__} row is already updated in the batch.")
        self._updated.add((model, pk))
        self._updates.append((using, sql, params))

    def upsert(
        self,
        rows: Sequence[Model],
        *,
        unique_fields: Sequence[str],
        update_fields: Sequence[str],
        using: str | None = None,
    ) -> None:
        """``bulk_create(rows, update_conflicts=True, unique_fields=…, update_fields=…)``: with the
        batch's statement on PostgreSQL (the caller must not read those rows before ``write()``, and no
        id is set on them), at once elsewhere. One upsert per model in a batch."""
        if not rows:
            return
        model = type(rows[0])
        alias = using or router.db_for_write(model)
        if connections[alias].vendor != "postgresql":
            model._base_manager.using(alias).bulk_create(
                rows, update_conflicts=True, unique_fields=unique_fields, update_fields=update_fields
            )
            return
        if (model, InsertQuery) in self._updated:
            raise ValueError(f"InsertBatch: {model.__name__} rows are already upserted in the batch.")
        sql, params = _upsert_statement(rows, tuple(unique_fields), tuple(update_fields), alias)
        self._updated.add((model, InsertQuery))
        self._updates.append((alias, sql, params))

    def write(self, *, using: str | None = None) -> None:
        """Insert every row added (and empty the batch): one statement on PostgreSQL, one
        ``bulk_create`` per group elsewhere. No query when the batch is empty."""
        rows, self._rows = self._rows, []
        updates, self._updates, self._updated = self._updates, [], set()
        alias = using or (router.db_for_write(type(rows[0])) if rows else updates[0][0] if updates else "default")
        if any(database != alias for database, _, _ in updates):
            raise ValueError("InsertBatch: an update of another database than the rows'.")
        if not rows:
            for _, sql, params in updates:  # (kept only on PostgreSQL: one statement each, no rows to add)
                with connections[alias].cursor() as cursor:
                    cursor.execute(sql, params)
            return
        connection = connections[alias]
        groups = _groups(rows)
        if connection.vendor == "postgresql":
            _insert_in_one_statement(groups, connection, [(sql, params) for _, sql, params in updates])
        else:
            for group in groups:
                for row in group.rows:
                    _resolve_ids(row)
                type(group.rows[0])._base_manager.using(alias).bulk_create(group.rows)
                if group.referenced and group.rows[0].pk is None:
                    raise RuntimeError(f"{connection.vendor} returned no id for the {group.model.__name__} inserted.")
        for row in rows:
            _resolve_ids(row)
            row._state.adding = False
            row._state.db = alias


# The SQL of an upsert, by (database, model, conflict and update fields, one row or more): the ORM
# compiles it once per process. On PostgreSQL its text does not depend on the number of rows beyond
# one (each column's values go as one array: ``UNNEST``), nor on the values.
_UPSERT_SQL: dict[tuple[Any, ...], str] = {}


def _upsert_statement(
    rows: Sequence[Model], unique_fields: tuple[str, ...], update_fields: tuple[str, ...], alias: str
) -> tuple[str, list[Any]]:
    """The ``INSERT … ON CONFLICT … DO UPDATE`` of ``rows`` as ``bulk_create(update_conflicts=True)``
    sends it: its SQL compiled once per shape, its parameters each value prepared as the ORM prepares
    it (one per column of each row for one row, one array per column for several: the statement the
    ORM builds). The first statement of a shape is the ORM's own, and it is kept only if the
    parameters built here are the ORM's too; otherwise (a Django that builds it differently) every
    statement of that shape is the ORM's."""
    model = type(rows[0])
    fields = _fields(model)
    connection = connections[alias]
    values = []
    for row in rows:
        row_values = [field.pre_save(row, add=True) for field in fields]
        if any(hasattr(value, "resolve_expression") for value in row_values):
            raise TypeError("InsertBatch.upsert writes plain values, not expressions.")
        values.append([f.get_db_prep_save(value, connection) for f, value in zip(fields, row_values, strict=True)])
    params = values[0] if len(values) == 1 else [list(column) for column in zip(*values, strict=True)]
    key = (alias, model, unique_fields, update_fields, len(rows) == 1)
    if (sql := _UPSERT_SQL.get(key)) is not None:
        return sql, params
    meta = model._meta
    query = InsertQuery(
        model,
        on_conflict=OnConflict.UPDATE,
        update_fields=[meta.get_field(name) for name in update_fields],
        unique_fields=[meta.get_field(name) for name in unique_fields],
    )
    query.insert_values(fields, list(rows))
    [(sql, orm_params)] = query.get_compiler(alias).as_sql()
    if list(orm_params) == params:
        _UPSERT_SQL[key] = sql
    return sql, list(orm_params)


def _fields(model: type[Model]) -> list[Field]:
    """The columns an INSERT of new rows of ``model`` names (all but the generated id)."""
    return [f for f in model._meta.concrete_fields if f is not model._meta.auto_field and not f.generated]


def _references(row: Model) -> Iterable[IdOf]:
    for field in _fields(type(row)):
        value = getattr(row, field.attname)
        if isinstance(value, IdOf):
            yield value
        elif isinstance(field, JSONField) and isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, IdOf))


def _groups(rows: list[Model]) -> list[_Group]:
    """Consecutive rows of one model in one group; a row referred to by an ``IdOf`` alone in its own."""
    position = {id(row): i for i, row in enumerate(rows)}
    referenced: set[int] = set()
    for i, row in enumerate(rows):
        for ref in _references(row):
            if position.get(id(ref.row), i) >= i:
                raise ValueError(f"IdOf refers to a row not added to the batch before this {type(row).__name__}.")
            referenced.add(id(ref.row))
    groups: list[_Group] = []
    for row in rows:
        alone = id(row) in referenced
        last = groups[-1] if groups else None
        if last is None or alone or last.referenced or last.model is not type(row):
            groups.append(_Group(model=type(row), rows=[row], referenced=alone))
        else:
            last.rows.append(row)
    return groups


def _resolve_ids(row: Model) -> None:
    """Replace every ``IdOf`` in ``row`` by the id of the row it names (inserted by then)."""
    for field in _fields(type(row)):
        value = getattr(row, field.attname)
        if isinstance(value, IdOf):
            setattr(row, field.attname, value.row.pk)
        elif _json_with_ids(field, value):
            setattr(row, field.attname, {k: v.row.pk if isinstance(v, IdOf) else v for k, v in value.items()})


def _json_with_ids(field: Field, value: Any) -> bool:
    """A JSON field's dict holding an ``IdOf`` at its top level."""
    return isinstance(field, JSONField) and isinstance(value, dict) and any(isinstance(v, IdOf) for v in value.values())


def _insert_in_one_statement(
    groups: list[_Group], connection: BaseDatabaseWrapper, updates: Sequence[tuple[str, list[Any]]] = ()
) -> None:
    """``WITH w0 AS (INSERT … RETURNING id), w1 AS (INSERT … VALUES (…, (SELECT id FROM w0))) …
    SELECT ARRAY(SELECT id FROM w0), ARRAY(SELECT id FROM w1), …``: the new ids, group by group, in
    the order of the rows (as ``bulk_create`` reads them back). Table and column names come from the
    models' ``_meta``, every value is a parameter."""
    quote = connection.ops.quote_name
    name_of = {id(group.rows[0]): f"w{i}" for i, group in enumerate(groups) if group.referenced}

    def id_of(ref: IdOf) -> str:
        return f"(SELECT {quote(_pk_column(type(ref.row)))} FROM {name_of[id(ref.row)]})"  # noqa: S608 — names only

    ctes: list[str] = []
    params: list[Any] = []
    for i, (sql, update_params) in enumerate(updates):
        ctes.append(f"u{i} AS ({sql})")
        params.extend(update_params)
    for i, group in enumerate(groups):
        fields = _fields(group.model)
        values = []
        for row in group.rows:
            _check_related_rows_saved(row)
            placeholders = []
            for field in fields:
                sql, field_params = _value_sql(field, field.pre_save(row, add=True), connection, id_of)
                placeholders.append(sql)
                params.extend(field_params)
            values.append(f"({', '.join(placeholders)})")
        table, pk = quote(group.model._meta.db_table), quote(_pk_column(group.model))
        columns = ", ".join(quote(_column(f)) for f in fields)
        ctes.append(f"w{i} AS (INSERT INTO {table} ({columns}) VALUES {', '.join(values)} RETURNING {pk})")  # noqa: S608 — names only
    ids = ", ".join(f"ARRAY(SELECT {quote(_pk_column(g.model))} FROM w{i})" for i, g in enumerate(groups))  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT {ids}", params)
        returned = cursor.fetchone()
    for group, new_ids in zip(groups, returned, strict=True):
        for row, pk in zip(group.rows, new_ids, strict=True):
            row.pk = pk


def _column(field: Field) -> str:
    return cast(str, field.column)


def _pk_column(model: type[Model]) -> str:
    return _column(cast(Field, model._meta.pk))


def _check_related_rows_saved(row: Model) -> None:
    """The check ``bulk_create`` makes: a related object given as an instance has been saved (and its
    id is the one the row holds)."""
    for field in _fields(type(row)):
        if isinstance(field, ForeignKey) and field.is_cached(row):
            related = getattr(row, field.name)
            if related is not None and related.pk is None:
                raise ValueError(f"InsertBatch: {type(row).__name__}.{field.name} is an unsaved row.")
            if related is not None and getattr(row, field.attname) is None:
                setattr(row, field.attname, related.pk)


def _value_sql(
    field: Field, value: Any, connection: BaseDatabaseWrapper, id_of: Callable[[IdOf], str]
) -> tuple[str, list[Any]]:
    """The SQL of one value in a VALUES list, and its parameters: ``%s``, the id an earlier INSERT of
    the statement returned, or a JSON dict with such ids added at its top level."""
    if isinstance(value, IdOf):
        return id_of(value), []
    if hasattr(value, "resolve_expression"):
        raise TypeError(f"InsertBatch writes plain values; {field.name} is an expression.")
    if _json_with_ids(field, value):
        ids = {k: v for k, v in value.items() if isinstance(v, IdOf)}
        plain = {k: v for k, v in value.items() if not isinstance(v, IdOf)}
        pairs = ", ".join(f"%s::text, {id_of(ref)}" for ref in ids.values())
        return f"(CAST(%s AS jsonb) || jsonb_build_object({pairs}))", [field.get_db_prep_save(plain, connection), *ids]
    return "%s", [field.get_db_prep_save(value, connection)]
