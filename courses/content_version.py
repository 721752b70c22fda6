"""The content version: a token in the cache that every cached course structure's key holds
(courses/structure.py explains the scheme). Apart from ``structure`` so that the modules that write
content in bulk (publishing, import, bulk actions) can call ``content_changed`` without importing it.
"""

import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction

#: Bump when the shape of the cached objects changes, so a rolling deploy never reads the old shape.
FORMAT = 3
VERSION_KEY = f"courses:content-version:{FORMAT}"
#: Seconds a cached structure lives at most (content changes replace it at once anyway).
TIMEOUT = 3600


def content_changed(using: str | None = None) -> None:
    """Content changed (in the database ``using``, the default one unless named): every cached course
    structure and exercise is stale from now on (replaced now and again when that database's
    transaction commits: courses/structure.py says why)."""
    _new_version()
    transaction.on_commit(_new_version, using=using)


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        fresh = uuid.uuid4().hex
        # add: two processes starting at once agree on one token. A failing-open cache "adds" and
        # reads nothing back: the fresh token is used once and nothing is ever found under it.
        version = fresh if cache.add(VERSION_KEY, fresh, None) else (cache.get(VERSION_KEY) or fresh)
    return version


def _entry_key(name: str) -> str:
    return f"courses:entry:{FORMAT}:{name}"


def versioned_get(name: str) -> tuple[str, Any]:
    """The content version and the entry ``name`` stored under it (None when it is missing or was
    stored under another version), read together in one round trip to the cache.

    For small entries read on every request (an exercise, a course): each is one key, whatever the
    version, holding ``(version, value)``, so a content change makes every entry stale at once (its
    version is not the current one) and the next reader replaces it (``versioned_set``)."""
    key = _entry_key(name)
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        return current_version(), None
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return version, entry[1]
    return version, None


def versioned_set(name: str, version: str, value: Any) -> None:
    """Store ``value`` as the entry ``name`` read under ``version`` (the version ``versioned_get``
    returned before the rows were read: a reader that rebuilt under an older version stores it as
    that version's, which the next reader sees as stale)."""
    cache.set(_entry_key(name), (version, value), TIMEOUT)
