"""Hearts: at most 5, -1 per wrong answer in a lesson run, one back every 4 hours, computed lazily.

The stored pair is ``(Wallet.hearts, Wallet.hearts_anchor_at)``. At ``now`` the learner has
``min(5, hearts + floor((now - anchor) / 4h))``. When that is *materialised* (written back) the
anchor moves forward by whole 4-hour steps only — exactly the steps granted — so no fraction of time
is lost or granted twice. While hearts are full the anchor means nothing; when they drop below 5
from full the anchor becomes that moment (the clock starts on the first lost heart). A gain that
does not fill the hearts (a passed review) leaves the anchor alone, so the next heart still comes
on time. See docs/game-rules.md.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from gamification.models import MAX_HEARTS

REGEN_INTERVAL = timedelta(hours=4)


@dataclass(frozen=True)
class HeartClock:
    hearts: int
    anchor: datetime
    gained: int = 0  # hearts granted by regeneration in this step


def regenerate(hearts: int, anchor: datetime, now: datetime) -> HeartClock:
    """The clock after lazy regeneration at ``now`` (pure)."""
    if hearts >= MAX_HEARTS or now <= anchor:
        return HeartClock(min(hearts, MAX_HEARTS), anchor)
    steps = (now - anchor) // REGEN_INTERVAL
    gained = min(steps, MAX_HEARTS - hearts)
    if gained <= 0:
        return HeartClock(hearts, anchor)
    return HeartClock(hearts + gained, anchor + gained * REGEN_INTERVAL, gained)


def lose(clock: HeartClock, now: datetime) -> HeartClock:
    """One heart lost (never below 0). From full, the clock starts now."""
    if clock.hearts <= 0:
        return HeartClock(0, clock.anchor)
    anchor = now if clock.hearts >= MAX_HEARTS else clock.anchor
    return HeartClock(clock.hearts - 1, anchor)


def gain(clock: HeartClock) -> HeartClock:
    """One heart given back (a passed review). The anchor stays: the next regenerated heart is on time."""
    return HeartClock(min(MAX_HEARTS, clock.hearts + 1), clock.anchor)


def next_heart_at(hearts: int, anchor: datetime) -> datetime | None:
    """When the next heart arrives, for an already-regenerated clock; None when full."""
    return None if hearts >= MAX_HEARTS else anchor + REGEN_INTERVAL


def current(hearts: int, anchor: datetime, now: datetime) -> tuple[int, datetime | None]:
    """(hearts now, next heart at) without writing anything."""
    clock = regenerate(hearts, anchor, now)
    return clock.hearts, next_heart_at(clock.hearts, clock.anchor)
