"""Shared pieces of the nightly jobs: the result type, the database, primary-key batching."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import DEFAULT_DB_ALIAS, connections


@dataclass(frozen=True)
class JobResult:
    """What a job did: rows it changed (or would change, in a dry run), a human-readable detail,
    and how many problems it found (only ``check_ledger`` finds problems)."""

    rows_changed: int
    detail: str = ""
    problems: int = 0


class JobError(Exception):
    """A job cannot run with the given input (bad --day, unsupported database …)."""


def job_connection(using: str = DEFAULT_DB_ALIAS):
    """The connection a job runs on: PostgreSQL (production) or SQLite (the laptop default). Where the
    two need different SQL, a job has one statement for each (``connection.vendor``)."""
    connection = connections[using]
    if connection.vendor not in {"postgresql", "sqlite"}:
        raise JobError(f"The nightly jobs run on PostgreSQL or SQLite; this database is {connection.vendor}.")
    return connection


def db_datetime(connection, moment: datetime):
    """``moment`` as a raw-SQL parameter: as is on PostgreSQL; on SQLite the naive UTC text Django stores,
    so that comparisons with stored values are exact."""
    return connection.ops.adapt_datetimefield_value(moment)


def changed_rows(connection, cursor) -> int:
    """Rows changed by the statement just executed (sqlite3 reports -1 for a statement starting WITH)."""
    if connection.vendor == "sqlite":
        cursor.execute("SELECT changes()")
        return cursor.fetchone()[0]
    return cursor.rowcount


def table(model) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(model._meta.db_table)


def id_ranges(lo: int | None, hi: int | None, batch_size: int) -> Iterator[tuple[int, int]]:
    """Half-open-below ranges ``(a, b]`` covering ``[lo, hi]`` in steps of ``batch_size`` ids.

    Walking the primary key in fixed ranges keeps every statement bounded (at most
    ``batch_size`` rows locked and written) and the whole job linear in the table size.
    """
    if lo is None or hi is None:
        return
    if batch_size < 1:
        raise JobError("batch_size must be at least 1")
    start = lo - 1
    while start < hi:
        yield start, min(start + batch_size, hi)
        start += batch_size


def parse_now(value: str) -> datetime:
    """A job's ``now`` written as ISO 8601 (the commands' ``--now``, the tasks' ``now``); without an
    offset it is taken as UTC (``2026-11-02T05:00``, ``2026-11-02T05:00:00+01:00``, ``2026-11-02`` =
    midnight UTC). JobError when it is not a date-time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise JobError(f"{value!r} is not an ISO date-time (e.g. 2026-11-02T05:00:00Z)") from exc
    return aware(moment)


def aware(now: datetime) -> datetime:
    """The moment a job acts as, aware and in UTC (naive values are taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC)
