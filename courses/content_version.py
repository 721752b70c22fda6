"""The content version: a token in the cache that every cached course structure's key holds
(courses/structure.py explains the scheme). Apart from ``structure`` so that the modules that write
content in bulk (publishing, import, bulk actions) can call ``content_changed`` without importing it.
"""

import uuid

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
