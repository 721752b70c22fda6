"""Reads for the league page, the league API and the header badge (docs/pages.md, docs/api.md).

``league_table`` reads in two queries whatever the cohort size or the learner's history: the
learner's rows (this week's and the latest closed one, one query) and the cohort's visible members
with their names and avatars (one query). Only display names and avatars are read — never e-mail
addresses — and only the learner's own cohort.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext

from accounts.models import User

from .models import COHORT_SIZE, LeagueMembership
from .services.leagues import (
    BRONZE,
    DEMOTED,
    DIAMOND,
    PROMOTED,
    division_name,
    move_for,
    result_sentence,
    week_bounds,
    week_start,
)

#: The name shown for a learner without a display name (an e-mail address is never shown).
ANONYMOUS_NAME = "Mallard learner"


def public_name(user: User) -> str:
    return user.display_name or ANONYMOUS_NAME


@dataclass(frozen=True)
class LeagueRow:
    rank: int | None  # None: 0 XP this week, not ranked
    name: str
    avatar_url: str | None
    initial: str
    xp: int
    is_me: bool
    zone: str  # "promotion", "demotion" or ""


@dataclass(frozen=True)
class LeagueResult:
    week_start: date
    rank: int | None
    xp: int
    move: int
    division_before: int
    division_after: int
    gems: int

    @property
    def sentence(self) -> str:
        if self.rank is None:
            return gettext("You were not ranked and stayed in %(division)s.") % {
                "division": division_name(self.division_after)
            }
        return result_sentence(rank=self.rank, move=self.move, division_after=self.division_after)


@dataclass(frozen=True)
class LeagueTable:
    week_start: date
    ends_at: datetime
    time_left: timedelta
    #: "member" (in a cohort), "not_joined" (no XP yet this week), "hidden" (hidden from
    #: leaderboards) or "pending" (the previous week's results are being counted).
    status: str
    division: int
    rows: list[LeagueRow]
    promoted: int  # how many ranks move up / down now, with this many ranked learners
    demoted: int
    my_rank: int | None
    my_xp: int
    last_result: LeagueResult | None
    cohort_size: int = COHORT_SIZE

    @property
    def division_name(self) -> str:
        return division_name(self.division)

    @property
    def next_division_name(self) -> str | None:
        return division_name(self.division + 1) if self.division < DIAMOND else None

    @property
    def lower_division_name(self) -> str | None:
        return division_name(self.division - 1) if self.division > BRONZE else None


def league_table(*, user: User, now: datetime) -> LeagueTable:
    """The learner's league this week: their cohort's table (rank, name, avatar, XP, zones), the time
    left, and their last closed week's result. Two queries (one when they are in no cohort)."""
    week = week_start(now)
    _, ends_at = week_bounds(week)
    rows = list(
        LeagueMembership.objects.filter(user=user)
        .filter(Q(week_start=week) | Q(closed_at__isnull=False, week_start__lt=week))
        .order_by("-week_start")
        .only("week_start", "division", "cohort_id", "xp", "closed_at", "rank", "move", "division_after", "gems")[:2]
    )
    current = rows[0] if rows and rows[0].week_start == week else None
    closed = next((r for r in rows if r.week_start < week), None)
    last_result = None
    standing = BRONZE
    if closed is not None:
        standing = closed.division_after if closed.division_after is not None else BRONZE
        last_result = LeagueResult(
            week_start=closed.week_start,
            rank=closed.rank,
            xp=closed.xp,
            move=closed.move or 0,
            division_before=closed.division if closed.division is not None else standing,
            division_after=standing,
            gems=closed.gems,
        )
    division = current.division if current is not None and current.division is not None else standing
    if user.hide_from_leaderboards:
        status = "hidden"
    elif current is None:
        status = "not_joined"
    elif current.division is None:
        status = "pending"
    elif current.cohort_id is None:
        status = "not_joined"  # hid, then showed themselves again: seated on their next XP
    else:
        status = "member"
    table: list[LeagueRow] = []
    my_rank = None
    if status == "member":
        assert current is not None
        members = list(
            LeagueMembership.objects.filter(cohort_id=current.cohort_id, user__hide_from_leaderboards=False)
            .select_related("user")
            .only("xp", "reached_at", "user__id", "user__display_name", "user__avatar")
            .order_by("-xp", "reached_at", "id")
        )
        ranked = sum(1 for m in members if m.xp > 0)
        for position, member in enumerate(members, start=1):
            rank = position if member.xp > 0 else None
            move = move_for(rank=rank, ranked=ranked, division=division)
            name = public_name(member.user)
            table.append(
                LeagueRow(
                    rank=rank,
                    name=name,
                    avatar_url=member.user.avatar.url if member.user.avatar else None,
                    initial=name[:1].upper(),
                    xp=member.xp,
                    is_me=member.user.pk == user.pk,
                    zone="promotion" if move > 0 else "demotion" if move < 0 else "",
                )
            )
            if member.user.pk == user.pk:
                my_rank = rank
        promoted = min(PROMOTED, ranked) if division < DIAMOND else 0
        demoted = max(0, ranked - max(PROMOTED, ranked - DEMOTED)) if division > BRONZE else 0
    else:
        promoted = demoted = 0
    return LeagueTable(
        week_start=week,
        ends_at=ends_at,
        time_left=ends_at - now,
        status=status,
        division=division,
        rows=table,
        promoted=promoted,
        demoted=demoted,
        my_rank=my_rank,
        my_xp=current.xp if current is not None else 0,
        last_result=last_result,
    )
