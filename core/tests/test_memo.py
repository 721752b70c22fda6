"""core.memo.ProcessMemo: bounded, expiring, and safe when threads share it."""

import threading

import pytest

from core import memo
from core.memo import ProcessMemo


def test_a_kept_value_is_not_made_again_and_the_oldest_goes_first():
    made: list[str] = []
    kept = ProcessMemo[str](size=2)

    def make(key: str):
        return lambda: made.append(key) or key.upper()

    assert kept.get_or_make("a", make("a")) == "A"
    assert kept.get_or_make("a", make("a")) == "A"
    assert kept.get_or_make("b", make("b")) == "B"
    assert kept.get_or_make("c", make("c")) == "C"  # "a" goes: at most two
    assert len(kept) == 2
    assert kept.get_or_make("b", make("b")) == "B"
    assert kept.get_or_make("a", make("a")) == "A"
    assert made == ["a", "b", "c", "a"]


def test_a_value_expires_after_its_seconds(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    kept = ProcessMemo[int](size=4, seconds=60)
    versions = iter(range(1, 10))
    assert kept.get_or_make("k", lambda: next(versions)) == 1
    clock[0] += 59
    assert kept.get_or_make("k", lambda: next(versions)) == 1
    clock[0] += 2
    assert kept.get_or_make("k", lambda: next(versions)) == 2


def test_threads_filling_it_at_once_keep_it_bounded_and_consistent():
    kept = ProcessMemo[int](size=8)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(offset: int):
        try:
            barrier.wait()
            for i in range(2000):
                key = (i + offset) % 50
                assert kept.get_or_make(key, lambda key=key: key * 2) == key * 2
        except BaseException as error:  # asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n * 7,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(kept) <= 8


def test_size_must_be_positive():
    with pytest.raises(ValueError):
        ProcessMemo(size=0)
