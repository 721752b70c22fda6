"""Weekly leagues: the week, the divisions, the move rule, and the league XP written beside the ledger.

The rules (docs/game-rules.md, "Weekly leagues"):

- The week runs Monday 00:00 to Sunday 24:00 **UTC** (one global week): XP counts in the week of its
  ledger entry's ``created_at`` (the answer's ``now``).
- Ten divisions, ``DIVISIONS`` (0 = Bronze … 9 = Diamond). A learner's division is the one their last
  closed week moved them to (``LeagueMembership.division_after``), Bronze before their first week.
- The first XP of the week makes a learner's ``LeagueMembership`` row and seats them in a cohort of
  their division: the n-th learner to join a division in a week takes seat ``(n - 1) % 30 + 1`` of
  cohort ``(n - 1) // 30 + 1`` — cohorts fill in join order, 30 each. A learner hidden from
  leaderboards gets the row (their XP is kept) but no seat. A learner whose previous week is not
  closed yet is *pending* (no division, no seat) and is seated by that week's close.
- League XP (``LeagueMembership.xp``) is written by ``record_league_xp``, which the single ledger
  writer ``ledger.credit`` calls in the same transaction, under the learner's wallet lock: a
  leaderboard never sums the ledger.
- Moves (``move_for``): with ``ranked`` learners ranked in a cohort (XP > 0, not hidden), ranks
  1-7 move up (not above Diamond), ranks above ``max(7, ranked - 5)`` move down (not below Bronze):
  promotion comes first, so a cohort of 12 or fewer ranked learners demotes fewer than five (none
  with 7 or fewer). The top three earn ``REWARD_GEMS``.

The week's close is the job ``gamification/jobs/close_league_week.py``; it applies ``move_for`` and
``REWARD_GEMS`` in SQL built from the same constants.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.utils.translation import get_language, gettext

from accounts.models import User

from ..models import (
    COHORT_SIZE,
    DIVISION_LABELS,
    DIVISIONS,
    LeagueCohort,
    LeagueDivisionWeek,
    LeagueMembership,
    LeagueWeek,
)

WEEK = timedelta(days=7)
BRONZE = 0
DIAMOND = len(DIVISIONS) - 1
#: The top this many ranks of a cohort move up a division.
PROMOTED = 7
#: The bottom this many ranks of a cohort move down (fewer in a small cohort: promotion comes first).
DEMOTED = 5
#: Gems for the top three of each cohort, by rank (ledger entries keyed ``league:<week>:user:<id>``).
REWARD_GEMS = {1: 50, 2: 30, 3: 20}
#: A late answer (its week already closed) moves on to the next open week; at most this many steps.
_MAX_LATE_WEEKS = 60


def week_start(moment: datetime) -> date:
    """The Monday (UTC) of the league week ``moment`` falls in."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def week_bounds(start: date) -> tuple[datetime, datetime]:
    """The week's first instant and the instant after its last one (Monday 00:00 and the next Monday 00:00 UTC)."""
    begins = datetime.combine(start, time(0), tzinfo=UTC)
    return begins, begins + WEEK


def division_name(division: int | None) -> str:
    """The division's name in the active interface language ("Sapphire", "Zafiro")."""
    return str(DIVISION_LABELS[division if division is not None else BRONZE])


def move_for(*, rank: int | None, ranked: int, division: int) -> int:
    """+1 (up), 0 (stay) or -1 (down) for a learner ranked ``rank`` of ``ranked`` in ``division``;
    ``rank`` None (0 XP, or hidden) → 0. The close job's SQL is built from the same constants."""
    if rank is None:
        return 0
    if rank <= PROMOTED:
        return 1 if division < DIAMOND else 0
    if rank > max(PROMOTED, ranked - DEMOTED):
        return -1 if division > BRONZE else 0
    return 0


def gems_for_rank(rank: int | None) -> int:
    return REWARD_GEMS.get(rank or 0, 0)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st … in English; 1.º, 2.º … in Spanish."""
    if (get_language() or "en").startswith("es"):
        return f"{n}.º"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def result_sentence(*, rank: int, move: int, division_after: int) -> str:
    """ "You finished 3rd and moved up to Sapphire" (the notice shown once after a week's close), in
    the active interface language."""
    values = {"rank": ordinal(rank), "division": division_name(division_after)}
    if move > 0:
        return gettext("You finished %(rank)s and moved up to %(division)s.") % values
    if move < 0:
        return gettext("You finished %(rank)s and moved down to %(division)s.") % values
    return gettext("You finished %(rank)s and stayed in %(division)s.") % values


# --- League XP, written beside the ledger --------------------------------------------------------


def record_league_xp(*, user: User, xp: int, now: datetime) -> None:
    """Add ``xp`` (the XP of ledger entries just written, may be negative for a correction) to the
    learner's row of the week of ``now``, joining a cohort on the first XP of the week.

    Caller: ``ledger.credit``, in its transaction, with the learner's wallet locked (so one learner's
    writes are serialised). One UPDATE when the learner already has this week's row; the first XP of a
    week also locks the week's gate and the division's seat counter (about six queries, once a week).
    A week whose close has started takes no more XP: the XP counts in the next week instead (it can
    only happen to an answer still in flight when the close starts), so it is counted exactly once."""
    if not xp:
        return
    settle_league_xp(user=user, xp=xp, now=now, row=_add_to_row(user=user, week=week_start(now), xp=xp, now=now))


def league_xp_update(*, user: User, xp: int, now: datetime) -> tuple[str, list]:
    """``record_league_xp``'s first statement (the fast path: this week's row, if it exists and is not
    closed, gets the XP), for a caller that sends it inside a statement of its own (the answer's day
    upsert, ``activity.record_day``) and then calls ``settle_league_xp`` with the row it returned.
    It returns ``(id, cohort_id, division)`` of the row, or nothing. The XP never goes below 0;
    ``reached_at`` moves only when it rises."""
    table = connection.ops.quote_name(LeagueMembership._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    reached = "%s" if xp > 0 else "reached_at"
    params: list = [xp, _dt(now)] if xp > 0 else [xp]
    sql = (
        f"UPDATE {table} SET xp = {greatest}(xp + %s, 0), reached_at = {reached} "  # noqa: S608 — names only
        "WHERE user_id = %s AND week_start = %s AND closed_at IS NULL RETURNING id, cohort_id, division"
    )
    return sql, [*params, user.pk, _d(week_start(now))]


def settle_league_xp(*, user: User, xp: int, now: datetime, row: tuple | None) -> None:
    """The rest of ``record_league_xp`` once the fast path's UPDATE returned ``row`` (None: the learner
    has no open row this week): a seat for a learner who became visible, else the week's first XP
    joins a cohort (or the next week's, when this one has started closing)."""
    week = week_start(now)
    for attempt in range(_MAX_LATE_WEEKS):
        if attempt:
            row = _add_to_row(user=user, week=week, xp=xp, now=now)
        if row is not None:
            row_id, cohort_id, division = row
            if cohort_id is None and division is not None and xp > 0 and not user.hide_from_leaderboards:
                _seat_unhidden(row_id=row_id, week=week, division=division, now=now)
            return
        if xp < 0:
            return  # a correction in a week without XP: there is nothing to take it from
        if not _week_open(week):
            week += timedelta(days=7)
            continue
        _join(user=user, week=week, xp=xp, now=now)
        return


def _add_to_row(*, user: User, week: date, xp: int, now: datetime):
    """``league_xp_update`` for ``week`` (a late answer's XP may go to the next week), run."""
    sql, params = league_xp_update(user=user, xp=xp, now=now)
    params[-1] = _d(week)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _dt(moment: datetime):
    """A datetime as a raw-SQL parameter (SQLite: the naive UTC text Django stores)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _d(day: date):
    return connection.ops.adapt_datefield_value(day)


def _week_open(week: date) -> bool:
    """Whether the week still takes learners: its LeagueWeek row (made here if missing) has not started
    closing. The close takes this row ``FOR UPDATE``; a joiner reads it ``FOR KEY SHARE`` (PostgreSQL),
    so a join and the start of the close never overlap. SQLite has one writer at a time."""
    LeagueWeek.objects.bulk_create([LeagueWeek(week_start=week)], ignore_conflicts=True)
    table = connection.ops.quote_name(LeagueWeek._meta.db_table)
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT closed_at FROM {table} WHERE week_start = %s{lock}", [_d(week)])  # noqa: S608
        return cursor.fetchone()[0] is None


def standing(*, user_id: int, before: date) -> tuple[int | None, bool]:
    """``(division, final)``: the learner's division for a week starting ``before`` — the one their
    latest earlier week moved them to (Bronze before any) — and whether it is final (False while that
    week is not closed yet: the learner is then pending)."""
    row = (
        LeagueMembership.objects.filter(user_id=user_id, week_start__lt=before)
        .order_by("-week_start")
        .values_list("closed_at", "division_after")
        .first()
    )
    if row is None:
        return BRONZE, True
    closed_at, division_after = row
    if closed_at is None:
        return None, False
    return (division_after if division_after is not None else BRONZE), True


def _join(*, user: User, week: date, xp: int, now: datetime) -> None:
    """The learner's first XP of the week: their row, and a seat unless hidden or pending."""
    division, final = standing(user_id=user.pk, before=week)
    cohort_id = seat = None
    if final and not user.hide_from_leaderboards:
        assert division is not None
        cohort_id, seat = take_seat(week=week, division=division, now=now)
    LeagueMembership.objects.create(
        user=user,
        week_start=week,
        division=division,
        cohort_id=cohort_id,
        seat=seat,
        xp=xp,
        reached_at=now,
        joined_at=now,
    )


def _seat_unhidden(*, row_id: int, week: date, division: int, now: datetime) -> None:
    """A learner who showed themselves again mid-week joins a cohort on their next XP (while the week
    is open)."""
    if not _week_open(week):
        return
    cohort_id, seat = take_seat(week=week, division=division, now=now)
    LeagueMembership.objects.filter(pk=row_id, cohort__isnull=True).update(cohort_id=cohort_id, seat=seat)


def take_seat(*, week: date, division: int, now: datetime) -> tuple[int, int]:
    """The next seat of ``division`` in ``week``: ``(cohort id, seat)``. One upsert of the division's
    counter, which holds its row lock until the caller's transaction ends (so joins of a division are
    serialised and a cohort never gets more than 30), then the cohort: created by the first to sit in
    it, looked up by the others."""
    table = connection.ops.quote_name(LeagueDivisionWeek._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (week_start, division, joined) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (week_start, division) DO UPDATE SET joined = {table}.joined + 1 RETURNING joined",
            [_d(week), division],
        )
        joined = cursor.fetchone()[0]
    number, seat = (joined - 1) // COHORT_SIZE + 1, (joined - 1) % COHORT_SIZE + 1
    if seat == 1:
        cohort = LeagueCohort.objects.create(week_start=week, division=division, number=number, created_at=now)
        return cohort.pk, seat
    cohort_id = (
        LeagueCohort.objects.filter(week_start=week, division=division, number=number)
        .values_list("pk", flat=True)
        .get()
    )
    return cohort_id, seat


def take_result_notice(*, user_id: int, membership_id: int, now: datetime) -> str:
    """The sentence of a closed week's result, once: marks it seen in the same UPDATE, so two tabs
    (or two pages) show it once between them. "" when it was already shown."""
    table = connection.ops.quote_name(LeagueMembership._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET result_seen_at = %s "  # noqa: S608
            "WHERE id = %s AND user_id = %s AND result_seen_at IS NULL AND closed_at IS NOT NULL AND rank IS NOT NULL "
            "RETURNING rank, move, division_after",
            [_dt(now), membership_id, user_id],
        )
        row = cursor.fetchone()
    if row is None:
        return ""
    rank, move, division_after = row
    return result_sentence(rank=rank, move=move, division_after=division_after)
