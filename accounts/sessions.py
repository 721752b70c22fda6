"""The session engine (``SESSION_ENGINE``): Django's database sessions, with the session's read built
once per process (``core.reads``) instead of by the ORM on every request (docs/performance.md,
"Per-request Python"). The rows, the table and the behaviour are Django's own: an unknown, expired or
tampered key gives an empty session, exactly as ``django.contrib.sessions.backends.db`` does."""

from datetime import UTC, datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import router
from django.utils import timezone

from core.reads import CompiledRead

_SESSION_READ = CompiledRead(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    key="stand-in: no session has this key",
    now=datetime(1901, 1, 1, tzinfo=UTC),
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        found = _SESSION_READ.objects(router.db_for_read(Session), key=self.session_key, now=timezone.now())
        if not found:
            self._session_key = None
            return None
        return found[0]
