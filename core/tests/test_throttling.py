"""The API's throttle (core/api/throttling.py) against a real Redis: DRF's rule — at most N requests in
any window, a refused one not counted, DRF's ``Retry-After`` — in one round trip, and atomically:
requests racing from threads are each counted. On another cache, DRF's own code."""

import os
import threading
import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIRequestFactory

from core.api.throttling import ScopedRateThrottle
from core.cache import reset_warnings

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


class View:
    throttle_scope = "test-scope"


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}"})
    yield cache
    cache.clear()


def throttle(cache, rate: str, at: list[float]) -> ScopedRateThrottle:
    """A throttle of ``rate`` on ``cache`` whose clock reads ``at[0]``."""
    ScopedRateThrottle.THROTTLE_RATES["test-scope"] = rate
    made = ScopedRateThrottle()
    made.cache = cache
    made.timer = lambda: at[0]
    return made


def ask(cache, rate: str, at: list[float], address: str = "203.0.113.7") -> tuple[bool, float | None]:
    """One request (DRF makes a throttle per request): whether it is let through, and its wait."""
    request = APIRequestFactory().post("/api/v1/x/", REMOTE_ADDR=address)
    request.user = None
    one = throttle(cache, rate, at)
    allowed = one.allow_request(request, View())
    return allowed, (None if allowed else one.wait())


@pytest.fixture(autouse=True)
def _rates():
    yield
    ScopedRateThrottle.THROTTLE_RATES.pop("test-scope", None)


def test_n_requests_in_any_window_a_refused_one_not_counted(redis_cache):
    at = [1000.0]
    assert [ask(redis_cache, "3/min", at)[0] for _ in range(3)] == [True, True, True]
    assert ask(redis_cache, "3/min", at) == (False, 60.0)  # DRF's wait: the oldest one's time left
    at[0] = 1030.0
    assert ask(redis_cache, "3/min", at) == (False, 30.0)  # refused again, and not counted either
    assert ask(redis_cache, "3/min", at, address="198.51.100.1")[0] is True  # another client's own window
    at[0] = 1060.5  # the first three are out of the window; the refused ones never counted
    assert [ask(redis_cache, "3/min", at)[0] for _ in range(4)] == [True, True, True, False]
    key = redis_cache.make_and_validate_key("throttle-window_test-scope_203.0.113.7")
    client = redis_cache._cache.get_client(key, write=True)
    assert client.type(key) == b"zset" and client.zcard(key) == 3 and 0 < client.ttl(key) <= 61


def test_requests_racing_from_threads_are_each_counted(redis_cache):
    at = [2000.0]
    results: list[bool] = []
    start = threading.Barrier(16)

    def one() -> None:
        start.wait()
        results.append(ask(redis_cache, "5/min", at)[0])

    threads = [threading.Thread(target=one) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 11 + [True] * 5


def test_redis_down_lets_the_request_through(caplog):
    reset_warnings()
    down = RedisCache("redis://127.0.0.1:1/0", {})
    assert ask(down, "1/min", [10.0]) == (True, None)
    assert ask(down, "1/min", [10.0]) == (True, None)
    assert "throttle skipped (failing open)" in caplog.text


def test_another_cache_runs_drfs_own_code():
    cache = LocMemCache(f"throttle-{uuid.uuid4().hex}", {})
    at = [10.0]
    assert [ask(cache, "2/min", at)[0] for _ in range(3)] == [True, True, False]
    assert cache.get("throttle-window_test-scope_203.0.113.7") == [10.0, 10.0]  # DRF's history list
