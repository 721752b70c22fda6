"""What the code below ``config`` needs to know of the Redis cache (``config.cache`` is the backend)."""

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

#: Errors meaning "Redis is unreachable or not answering" (not programming errors).
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def redis_client(cache, key: str):
    """The ``redis.Redis`` client a Redis cache writes ``key`` with (for a command Django's cache API
    has no word for), or None for another cache (files, local memory)."""
    if not isinstance(cache, RedisCache):
        return None
    return cache._cache.get_client(key, write=True)
