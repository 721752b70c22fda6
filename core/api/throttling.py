"""The API's throttle (``throttle_classes`` of the throttled views; rates in
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, docs/api.md).

DRF's ``ScopedRateThrottle`` with the same scopes, rates, keys (per learner, else per client address)
and ``Retry-After``, and the same rule — at most N requests in any window of the rate's length, a
refused request not counted — kept differently on Redis. DRF reads the learner's history (a pickled
list) and writes it back: two round trips per request, and two requests at once can both read the
same history, so one of them is never counted. Here the history is a Redis sorted set of request
times, trimmed, added to and read in one ``MULTI`` transaction: one round trip, and concurrent
requests are each counted (a refused one is taken out again, a second round trip only then). On any
other cache (files on the embedded default, local memory) DRF's own code runs. Redis down: the
request is let through, as ``config.cache.FailOpenRedisCache`` does for every other cache operation.
"""

import uuid

from rest_framework import throttling

from core.cache import UNAVAILABLE, redis_client, warn_unavailable


class _WindowInRedis(throttling.SimpleRateThrottle):
    """``SimpleRateThrottle.allow_request`` in one round trip on Redis (the module says how)."""

    num_requests: int  # (set by DRF from the rate)
    duration: int

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        key = self.cache.make_and_validate_key(self.key)
        client = redis_client(self.cache, key)
        if client is None:
            return super().allow_request(request, view)
        self.now = self.timer()
        this = f"{self.now!r}:{uuid.uuid4().hex}"
        try:
            with client.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(key, "-inf", self.now - self.duration)
                pipe.zadd(key, {this: self.now})
                pipe.zrange(key, 0, -1, withscores=True)
                pipe.expire(key, int(self.duration) + 1)
                _, _, window, _ = pipe.execute()
            # The earlier requests of the window, newest first (``wait()`` reads them as DRF's).
            self.history = sorted((at for member, at in window if _text(member) != this), reverse=True)
            if len(self.history) < self.num_requests:
                return True
            client.zrem(key, this)  # refused: not counted
        except UNAVAILABLE as exc:
            warn_unavailable("throttle", exc)
            return True
        return self.throttle_failure()


class ScopedRateThrottle(throttling.ScopedRateThrottle, _WindowInRedis):
    """DRF's ``ScopedRateThrottle`` (it picks the view's scope and rate, then asks ``_WindowInRedis``)."""

    # Not DRF's key: a sorted set here, where a rolling deploy may have left DRF's pickled list.
    cache_format = "throttle-window_%(scope)s_%(ident)s"


def _text(member) -> str:
    return member.decode() if isinstance(member, bytes) else str(member)
