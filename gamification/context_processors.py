"""``nav_stats`` for the site header: streak (and streak freezes held), gems, hearts and XP of the
logged-in learner, and the one-time "your streak freeze saved your streak" notice.

Lazy: a page that does not show the header (or an anonymous visitor) runs no query. When shown it
costs one query (wallet and streak read together); hearts are regenerated lazily in Python with
the same pure functions the services and selectors use (``hearts.current``, ``streak_alive``), no write
— except once after the close job spent a freeze: one more UPDATE clears the notice this page shows
(``services.notices.take_freeze_notice``).
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.models import User

from .models import MAX_HEARTS
from .services.activity import streak_alive
from .services.hearts import current as current_hearts
from .services.notices import take_freeze_notice


@dataclass(frozen=True)
class NavStats:
    streak: int
    gems: int
    hearts: int
    xp: int
    freezes: int = 0
    freeze_notice: str | None = None


def _nav_stats(user) -> NavStats:
    now = timezone.now()
    row = (
        User.objects.filter(pk=user.pk)
        .values_list(
            "wallet__xp_total",
            "wallet__gems",
            "wallet__hearts",
            "wallet__hearts_anchor_at",
            "streak__current",
            "streak__last_day",
            "streak__last_activity_at",
            "streak__alive_until",
            "wallet__streak_freezes",
            "streak__freeze_notice_streak",
            "streak__freeze_notice_freezes",
        )
        .first()
    )
    if row is None:
        return NavStats(streak=0, gems=0, hearts=MAX_HEARTS, xp=0)
    xp, gems, hearts, anchor, streak, last_day, last_activity_at, alive_until, freezes, notice, spent = row
    # The streak as the learner sees it now (0 once a whole day passed without XP, even before the
    # nightly job has written that down): the same test as the profile selector.
    alive = streak_alive(user, last_day=last_day, last_activity_at=last_activity_at, alive_until=alive_until, now=now)
    hearts_now = MAX_HEARTS if hearts is None else current_hearts(hearts, anchor, now)[0]
    return NavStats(
        streak=(streak or 0) if alive else 0,
        gems=gems or 0,
        hearts=hearts_now,
        xp=xp or 0,
        freezes=freezes or 0,
        freeze_notice=take_freeze_notice(user=user, streak=notice, freezes=spent or 0),
    )


def nav_stats(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_stats": SimpleLazyObject(lambda: _nav_stats(user))}
