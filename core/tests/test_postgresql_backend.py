"""The health check of a kept PostgreSQL connection (core/postgresql/base.py): no ``SELECT 1`` while
the server has said nothing, Django's check as soon as it has (a closed connection is replaced)."""

import select

import psycopg
import pytest
from django.db import close_old_connections, connection

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
