"""``nav_stats`` for the site header: streak (and streak freezes held), gems, hearts and XP of the
logged-in learner, the league badge, the one-time "your streak freeze saved your streak" notice and
the one-time league result ("You finished 3rd and moved up to Sapphire").

Lazy: a page that does not show the header (or an anonymous visitor) runs no query. When shown it
costs one query (wallet, streak and the league badge read together); hearts are regenerated lazily in
Python with the same pure functions the services and selectors use (``hearts.current``,
``streak_alive``), no write — except once after the close job spent a freeze: one more UPDATE clears
the notice this page shows (``services.notices.take_freeze_notice``), and once after a league week
closed: one UPDATE marks its result shown (``services.leagues.take_result_notice``).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, F, OuterRef, Subquery, When
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from core.reads import CompiledRead

from .models import MAX_HEARTS, LeagueMembership
from .services.activity import streak_alive
from .services.hearts import current as current_hearts
from .services.leagues import BRONZE, division_name, take_result_notice
from .services.notices import take_freeze_notice


@dataclass(frozen=True)
class NavStats:
    streak: int
    gems: int
    hearts: int
    xp: int
    freezes: int = 0
    next_heart_at: datetime | None = None
    freeze_notice: str | None = None
    league: str = ""  # the league badge: this week's division, else the latest result's
    league_notice: str | None = None  # a closed week's result, shown once


def _league_division():
    """The badge's division: the latest row's (this week's) division, or a closed week's result."""
    mine = LeagueMembership.objects.filter(user=OuterRef("pk"), division__isnull=False).order_by("-week_start")
    shown = Case(When(closed_at__isnull=True, then=F("division")), default=F("division_after"))
    return Subquery(mine.annotate(shown=shown).values("shown")[:1])


def _league_unseen():
    """The latest closed week, if ranked and its result not shown yet (the notice); older ones never show."""
    latest = LeagueMembership.objects.filter(user=OuterRef("pk"), closed_at__isnull=False).order_by("-week_start")
    unseen = Case(When(result_seen_at__isnull=True, rank__isnull=False, then=F("pk")), default=None)
    return Subquery(latest.annotate(unseen=unseen).values("unseen")[:1])


def _header_read(user_id: int):
    return (
        User.objects.filter(pk=user_id)
        .annotate(league_division=_league_division(), league_unseen=_league_unseen())
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
            "league_division",
            "league_unseen",
        )[:1]
    )


#: The header's one statement, built by the ORM once per process (core.reads): building it (two
#: correlated subqueries) cost more Python than the rest of the header's work.
HEADER_READ = CompiledRead(_header_read, user_id=-2_000_000_001)


def _nav_stats(user) -> NavStats:
    now = timezone.now()
    rows = HEADER_READ.rows(user_id=user.pk)
    row = rows[0] if rows else None
    if row is None:
        return NavStats(streak=0, gems=0, hearts=MAX_HEARTS, xp=0, league=division_name(BRONZE))
    (
        xp,
        gems,
        hearts,
        anchor,
        streak,
        last_day,
        last_activity_at,
        alive_until,
        freezes,
        notice,
        spent,
        division,
        unseen,
    ) = row
    # The streak as the learner sees it now (0 once a whole day passed without XP, even before the
    # nightly job has written that down): the same test as the profile selector.
    alive = streak_alive(user, last_day=last_day, last_activity_at=last_activity_at, alive_until=alive_until, now=now)
    hearts_now, next_heart_at = (MAX_HEARTS, None) if hearts is None else current_hearts(hearts, anchor, now)
    return NavStats(
        streak=(streak or 0) if alive else 0,
        gems=gems or 0,
        hearts=hearts_now,
        next_heart_at=next_heart_at,
        xp=xp or 0,
        freezes=freezes or 0,
        freeze_notice=take_freeze_notice(user=user, streak=notice, freezes=spent or 0),
        league=division_name(division),
        league_notice=take_result_notice(user_id=user.pk, membership_id=unseen, now=now) if unseen else None,
    )


def nav_stats_of(request) -> NavStats:
    """The signed-in learner's header figures, read once per request (the header and a view that shows
    the same hearts, the lesson player, share the one query and its one-time notices)."""
    stats = getattr(request, "_mallard_nav_stats", None)
    if stats is None:
        stats = request._mallard_nav_stats = _nav_stats(request.user)
    return stats


def nav_stats(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_stats": SimpleLazyObject(lambda: nav_stats_of(request))}
