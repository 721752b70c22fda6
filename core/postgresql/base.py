"""Django's PostgreSQL backend (``ENGINE = "core.postgresql"``, set by ``config.settings`` for a
``postgres://`` DATABASE_URL), with one change: the health check of a kept connection.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` on a kept connection before the first statement of
every request, to find one the server has closed (PostgreSQL or PgBouncer restarted, an idle timeout).
That is a round trip on every request. A connection the server closed has something to read: the
server's last message ("terminating connection …") and the end of the stream. So the check first asks
the operating system, without waiting, whether the connection's socket has anything to read: nothing
means the server has said nothing since the last statement, and the connection is kept with no round
trip; anything (or a socket that cannot be asked) means Django's ``SELECT 1`` decides, as before.
"""

import select

import psycopg
from django.db.backends.postgresql import base


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
