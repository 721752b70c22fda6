"""``ProcessMemo``: values kept in this process's memory by key, for data that a key names for good
(a content version, a cache key that changes with what it holds), so that a request reuses what an
earlier one of the same process built instead of rebuilding or unpickling it.

Bounded: at most ``size`` keys, the least recently made going first, and each value for ``seconds``
at most when given. Thread-safe (gunicorn's threads share it): a lock guards the dict, and a value is
made outside it (two threads may both make one; the last kept wins, and both are equal). Values are
shared between requests, so they must be immutable in practice (strings, tuples, frozen data)."""

import threading
import time
from collections.abc import Callable, Hashable


class ProcessMemo[V]:
    def __init__(self, size: int, seconds: float | None = None) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self.seconds = seconds
        self._kept: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        value = make()
        expires = now + self.seconds if self.seconds is not None else float("inf")
        with self._lock:
            self._kept.pop(key, None)
            while len(self._kept) >= self.size:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = (expires, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
