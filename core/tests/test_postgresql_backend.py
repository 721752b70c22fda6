"""The PostgreSQL backend (core/postgresql/base.py). The health check of a kept connection: no
``SELECT 1`` while the server has said nothing, Django's check as soon as it has (a closed connection
is replaced). Long statements' placeholders converted once per process."""

import select

import psycopg
import pytest
from django.db import close_old_connections, connection
from psycopg import _queries

from core.postgresql import base as backend

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kept_connection(monkeypatch):
    """The default connection as production keeps it (CONN_MAX_AGE 60, health checks on), with its
    ``SELECT 1`` checks counted."""
    settings_dict = connection.settings_dict
    saved = settings_dict["CONN_MAX_AGE"], settings_dict["CONN_HEALTH_CHECKS"]
    connection.close()
    settings_dict["CONN_MAX_AGE"], settings_dict["CONN_HEALTH_CHECKS"] = 60, True
    checks: list[bool] = []
    original = connection.is_usable

    def counted() -> bool:
        usable = original()
        checks.append(usable)
        return usable

    monkeypatch.setattr(connection, "is_usable", counted)
    try:
        yield checks
    finally:
        connection.close()
        settings_dict["CONN_MAX_AGE"], settings_dict["CONN_HEALTH_CHECKS"] = saved


def a_request() -> int:
    """What a request does with the connection: the end of the last one (request_started), then a
    statement. The server process id that answered it."""
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_healthy_kept_connection_is_reused_without_a_select_1(kept_connection):
    assert connection.settings_dict["ENGINE"] == "core.postgresql"
    first = a_request()
    assert [a_request() for _ in range(3)] == [first] * 3  # the same connection, kept
    assert kept_connection == []  # and never checked with a round trip


def test_a_connection_the_server_closed_is_checked_and_replaced(kept_connection):
    first = a_request()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("server_side_binding", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [first]).fetchone()[0] is True
    # The server's goodbye reaches the kept connection's socket (waited for, not slept).
    poller = select.poll()
    poller.register(connection.connection.fileno(), select.POLLIN)
    assert poller.poll(10_000)
    second = a_request()  # no error: Django's check found it closed, and a new connection answered
    assert kept_connection == [False] and second != first
    assert a_request() == second and kept_connection == [False]  # kept again, unchecked


def long_statement(values: int, padding: int = 0) -> str:
    """A statement with ``values`` parameters (beyond psycopg's own cache from 51), and a comment
    making it ``padding`` characters longer."""
    return f"SELECT ARRAY[{', '.join(['%s::int'] * values)}] /* {'x' * padding} */"


@pytest.mark.parametrize(
    ("values", "padding"),
    [(_queries.MAX_CACHED_STATEMENT_PARAMS + 30, 0), (3, _queries.MAX_CACHED_STATEMENT_LENGTH)],
    ids=["many parameters", "long text"],
)
def test_a_long_statements_placeholders_are_converted_once(values, padding):
    connection.ensure_connection()
    assert connection.connection.cursor_factory is backend.ServerBindingCursor
    sql = long_statement(values, padding)
    before = backend._long_query2pg.cache_info()
    with connection.cursor() as cursor:
        for first in (1, 100):
            cursor.execute(sql, list(range(first, first + values)))
            assert cursor.fetchone()[0] == list(range(first, first + values))  # each run its own values
    after = backend._long_query2pg.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)


def test_short_and_very_long_statements_are_left_to_psycopg():
    before = backend._long_query2pg.cache_info()
    with connection.cursor() as cursor:
        cursor.execute(long_statement(3), [1, 2, 3])  # psycopg's own cache
        assert cursor.fetchone()[0] == [1, 2, 3]
        cursor.execute(long_statement(3, backend.LONG_STATEMENT_LENGTH), [4, 5, 6])  # no cache at all
        assert cursor.fetchone()[0] == [4, 5, 6]
        cursor.execute("SELECT 100 % 7")  # no parameters: sent as it is
        assert cursor.fetchone()[0] == 2
    after = backend._long_query2pg.cache_info()
    assert (after.misses, after.hits) == (before.misses, before.hits)
