"""The Redis cache, failing open: when Redis is down, the site keeps working without it.

The cache holds only what can be lost: the API's throttle histories (``core.api.throttling``, which
fails open the same way), allauth's rate-limit histories, the cached course content
(sessions live in the database, lockouts in axes' tables). So when Redis cannot be reached, each
operation logs a warning (at most one every ``core.cache.WARN_EVERY`` seconds per process) and answers as an
empty cache that stores nothing: ``get`` returns the default, ``add`` and ``set`` report success.
Throttles and rate limits therefore let requests through ("fail open") instead of turning log-in,
the token endpoint and answers into 500s. ``/healthz`` still reports the outage: it calls
``check()``, which raises.
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from core.cache import UNAVAILABLE, warn_unavailable


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client makes a new ``redis.Redis`` object for every operation (about 170
    response callbacks registered each time: 0.1 ms, five or six times per answer). A ``redis.Redis``
    is safe to share between threads (each command takes a connection from the pool, and the pool
    starts afresh in a forked process), so one is made per connection pool and kept."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # (pools are kept for the life of the client)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _unavailable(self, operation: str, exc: Exception) -> None:
        warn_unavailable(operation, exc)

    def check(self) -> None:
        """Write and read a value through Redis itself; raise if it is unreachable (for /healthz)."""
        super().set("healthz", "ok", 5)
        if super().get("healthz") != "ok":
            raise RuntimeError("cache did not return the value just written")

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as exc:
            self._unavailable("get", exc)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as exc:
            self._unavailable("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as exc:
            self._unavailable("has_key", exc)
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as exc:
            self._unavailable("add", exc)
            return True  # as if the key was free: a lock taken, a first hit counted

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except UNAVAILABLE as exc:
            self._unavailable("set", exc)
            return None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as exc:
            self._unavailable("set_many", exc)
            return []

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as exc:
            self._unavailable("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as exc:
            self._unavailable("delete", exc)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except UNAVAILABLE as exc:
            self._unavailable("delete_many", exc)
            return None

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            self._unavailable("incr", exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc

    def clear(self):
        try:
            return super().clear()
        except UNAVAILABLE as exc:
            self._unavailable("clear", exc)
            return False
