"""Django's PostgreSQL backend (``ENGINE = "core.postgresql"``, set by ``config.settings`` for a
``postgres://`` DATABASE_URL), with one change: the health check of a kept connection.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` on a kept connection before the first statement of
every request, to find one the server has closed (PostgreSQL or PgBouncer restarted, an idle timeout).
That is a round trip on every request. A connection the server closed has something to read: the
server's last message ("terminating connection …") and the end of the stream. So the check first asks
the operating system, without waiting, whether the connection's socket has anything to read: nothing
means the server has said nothing since the last statement, and the connection is kept with no round
trip; anything (or a socket that cannot be asked) means Django's ``SELECT 1`` decides, as before.

And one addition: long statements' placeholders are converted once per process. With server-side
binding, psycopg turns each statement's ``%s`` placeholders into PostgreSQL's ``$1, $2 …`` by parsing
its text, and keeps the result for statements of at most 4 KB and 50 parameters only (so that
``INSERT … VALUES (…), (…)`` of varying lengths does not fill its cache). An answer's last statement
(``core.inserts``: its new rows, the run's update and the words' upsert) is longer and has more
parameters, takes a few shapes only, and parsing it was a tenth of the answer's Python. Statements
up to ``LONG_STATEMENT_LENGTH`` characters are converted through a second cache of their own, of
``LONG_STATEMENTS`` entries (least recently used out), whatever their number of parameters.
"""

import select
from functools import lru_cache

import psycopg
from django.db.backends.postgresql import base
from psycopg import _queries

LONG_STATEMENT_LENGTH = 64 * 1024
LONG_STATEMENTS = 64

# psycopg's own conversion, cached by (statement, encoding). psycopg 3.3's private names, pinned in
# requirements.txt; core/tests/test_postgresql_backend.py fails if they change.
_long_query2pg = lru_cache(maxsize=LONG_STATEMENTS)(_queries._query2pg_nocache)


class LongStatementQuery(_queries.PostgresQuery):
    """psycopg's ``PostgresQuery`` (server-side binding), with the conversion of statements longer
    than psycopg caches, or with more parameters, cached too (up to ``LONG_STATEMENT_LENGTH``)."""

    def convert(self, query, vars) -> None:
        if (
            vars is not None
            and isinstance(query, str)
            and len(query) <= LONG_STATEMENT_LENGTH
            and (len(query) > _queries.MAX_CACHED_STATEMENT_LENGTH or len(vars) > _queries.MAX_CACHED_STATEMENT_PARAMS)
        ):
            converted = _long_query2pg(self._ensure_bytes(query), self._tx.encoding)
            self.query, self._want_formats, self._order, self._parts = converted
            self.dump(vars)
            return
        super().convert(query, vars)


class ServerBindingCursor(base.ServerBindingCursor):
    _query_cls = LongStatementQuery


def has_input(connection) -> bool:
    """Whether ``connection``'s socket has something to read (or cannot be asked), without waiting. An
    idle connection has nothing to read unless the server sent something: its closing message."""
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    except (OSError, ValueError, psycopg.Error):
        return True


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = ServerBindingCursor
        return params

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and getattr(self, "health_check_enabled", False)
            and not getattr(self, "health_check_done", True)
            and not self.pool
            and not has_input(self.connection)
        ):
            self.health_check_done = True  # the server has said nothing: no SELECT 1
            return
        super().close_if_health_check_failed()
