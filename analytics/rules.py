"""Pure rules of course analytics: the time buckets of the rollup histograms, medians read back from
them, and the rates shown on the pages. The rollup SQL (``analytics.rollup``) is built from the same
constants."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Buckets:
    """Bucket ``b`` holds times in ``[b * width, (b + 1) * width)`` ms; the last one, ``count - 1``,
    holds everything from ``(count - 1) * width`` up (an open bucket)."""

    width_ms: int
    count: int

    @property
    def last(self) -> int:
        return self.count - 1

    def bucket_of(self, ms: int) -> int:
        return min(max(ms, 0) // self.width_ms, self.last)


#: a passed lesson run's time (its answers' time_spent_ms summed): 15-second buckets up to 60 minutes
LESSON_BUCKETS = Buckets(width_ms=15_000, count=241)
#: one answer's time_spent_ms: 1-second buckets up to 5 minutes
EXERCISE_BUCKETS = Buckets(width_ms=1_000, count=301)


@dataclass(frozen=True)
class Median:
    """A median read from a histogram: ``ms`` (linearly interpolated inside its bucket, so off by at
    most one bucket's width), or ``at_least`` when it falls in the open last bucket."""

    ms: int
    at_least: bool = False

    def __str__(self) -> str:
        seconds = self.ms / 1000
        text = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
        return f"≥ {text}" if self.at_least else text


def median(histogram: Iterable[tuple[int, int]], buckets: Buckets) -> Median | None:
    """The median of the times counted in ``histogram`` ((bucket, count) pairs, any order, a bucket
    may repeat); None when it counts nothing."""
    counts: dict[int, int] = {}
    for bucket, count in histogram:
        counts[bucket] = counts.get(bucket, 0) + count
    total = sum(counts.values())
    if total == 0:
        return None
    half = total / 2
    seen = 0
    for bucket in sorted(counts):
        count = counts[bucket]
        if seen + count >= half:
            start = bucket * buckets.width_ms
            if bucket >= buckets.last:
                return Median(ms=start, at_least=True)
            return Median(ms=round(start + buckets.width_ms * (half - seen) / count))
        seen += count
    raise AssertionError("unreachable: the counts add up to total")


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


#: a unit's lessons marked "hardest": at most this many, each with at least this many answers
HARDEST_LESSONS = 3
HARDEST_MIN_ANSWERS = 5
