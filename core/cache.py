"""What the code below ``config`` needs to know of the Redis cache (``config.cache`` is the backend)."""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

#: Errors meaning "Redis is unreachable or not answering" (not programming errors).
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
#: At most one warning about an unreachable Redis every this many seconds per process.
WARN_EVERY = 60.0

logger = logging.getLogger("mallard.cache")


class _Warned:
    last = 0.0  # time.monotonic() of the last warning


def warn_unavailable(operation: str, exc: Exception) -> None:
    """Log that Redis could not be reached and ``operation`` was skipped (failing open), at most once
    every ``WARN_EVERY`` seconds per process: an outage must not flood the log, one line per request."""
    now = time.monotonic()
    if now - _Warned.last >= WARN_EVERY:
        _Warned.last = now
        logger.warning("cache unavailable, %s skipped (failing open): %s: %s", operation, type(exc).__name__, exc)


def reset_warnings() -> None:
    """Forget the last warning (tests that make Redis unreachable and read the log)."""
    _Warned.last = 0.0


def redis_client(cache, key: str):
    """The ``redis.Redis`` client a Redis cache writes ``key`` with (for a command Django's cache API
    has no word for), or None for another cache (files, local memory)."""
    if not isinstance(cache, RedisCache):
        return None
    return cache._cache.get_client(key, write=True)
