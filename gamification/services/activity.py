"""The learner's day: the DailyActivity row and the streak.

A learner's *day* is the calendar date in ``user.time_zone`` at the moment of the activity.

One streak rule, used by the learner's loop, the profile, the header and the nightly close job:

- **alive**: a streak is alive until ``Streak.alive_until``, the instant its latest streak day's
  *next* day ends, in the zone the learner was in when they earned XP: XP on day ``D`` in zone ``Z``
  sets ``alive_until = max(alive_until, start of D + 2 in Z)``. It is an instant, so changing zone
  never shortens (nor lengthens) it: a zone change never breaks a streak. (Rows from before this
  column existed fall back to: latest day is today or yesterday in the current zone, by the recorded
  date or by the instant of the last XP.)
- **extend** (the first XP of local day ``D``, one UPDATE, under the wallet lock):
  - not **alive** → ``current = 1`` and ``last_day = D`` (a new streak starts today);
  - alive and *already counted today* — ``last_day >= D`` (the date was already counted, e.g.
    after flying west) **or** the last XP, ``last_activity_at``, happened on ``D`` in the current
    zone (e.g. after flying east across the date line: no local midnight has passed since) →
    ``current`` unchanged;
  - otherwise (alive, a new day) → ``current + 1``.

A new streak day therefore needs a local midnight between two XPs in the zone of the second, and a
date later than every date counted before: hopping zones never banks more than the one day a
midnight gives (at most two streak days within about 22 hours, as for anyone doing XP just before
and just after midnight). ``longest = max(longest, current)``; ``last_day = max(last_day, D)`` (while alive);
``last_activity_at = now`` (every XP).
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Greatest

from accounts.models import User
from core.reads import CompiledUpdate
from progress import rules

from ..models import DailyActivity, Streak
from . import leagues

#: The time an answer reports (``time_spent_ms``) is kept between 0 and one hour on the attempt.
MAX_TIME_SPENT_MS = 3_600_000
#: Time counted for one answer is capped, so a tab left open overnight does not count as study (the rule
#: is progress's, shared with a course's time spent).
MAX_SECONDS_PER_ANSWER = rules.MAX_SECONDS_PER_ANSWER


def clamp_time_spent_ms(time_spent_ms: int) -> int:
    """The time an answer took, as stored on the attempt: 0 … ``MAX_TIME_SPENT_MS``."""
    return max(0, min(time_spent_ms, MAX_TIME_SPENT_MS))


def seconds_counted(time_spent_ms: int) -> int:
    """The study time one answer adds to the day (``DailyActivity.seconds_spent``): whole seconds,
    at most ``MAX_SECONDS_PER_ANSWER``."""
    return rules.answer_seconds(clamp_time_spent_ms(time_spent_ms))


def local_day(user: User, moment: datetime) -> date:
    return moment.astimezone(user.zone).date()


def local_midnight(user: User, day: date) -> datetime:
    """The instant the local day starts in the learner's zone (DST-safe)."""
    return datetime.combine(day, time(0), tzinfo=user.zone)


def local_yesterday(zone: tzinfo, now: datetime) -> tuple[date, datetime]:
    """In ``zone`` at ``now``: yesterday's date and the instant it began (DST-safe). The streak test
    below and the nightly close job (per zone) both read "yesterday" here."""
    yesterday = now.astimezone(zone).date() - timedelta(days=1)
    return yesterday, datetime.combine(yesterday, time(0), tzinfo=zone)


def streak_deadline(user: User, day: date) -> datetime:
    """``alive_until`` earned by XP on ``day`` in the learner's current zone: the end of the next day."""
    return local_midnight(user, day + timedelta(days=2))


def streak_alive(
    user: User,
    *,
    last_day: date | None,
    last_activity_at: datetime | None,
    alive_until: datetime | None,
    now: datetime,
) -> bool:
    """Whether a streak is still unbroken at ``now`` (docs/game-rules.md "Streaks"): ``now`` is before
    ``alive_until``. Rows without ``alive_until`` (older than the column): the latest day is today or
    yesterday in the learner's current zone. The close job breaks exactly the streaks for which this
    is False, and ``_extend_streak`` restarts exactly those."""
    if alive_until is not None:
        return now < alive_until
    yesterday, began = local_yesterday(user.zone, now)
    if last_day is not None and last_day >= yesterday:
        return True
    return last_activity_at is not None and last_activity_at >= began


def record_activity(*, user: User, now: datetime, xp: int = 0, activities: int = 0, seconds: int = 0) -> int:
    """Add to today's DailyActivity row (upsert, one query) and, when ``xp > 0``, extend the streak
    (one UPDATE). Returns the day's XP after the change. Caller holds the wallet lock."""
    return record_day(user=user, now=now, xp=xp, activities=activities, seconds=seconds)[0]


def record_day(
    *,
    user: User,
    now: datetime,
    xp: int = 0,
    activities: int = 0,
    seconds: int = 0,
    league_xp: int = 0,
    read: tuple[str, list] | None = None,
) -> tuple[int, Any]:
    """``record_activity``, plus ``league_xp``: XP to add to the learner's league week as well, for a
    caller that credited it with ``ledger.credit(league=False)`` (``leagues.record_league_xp``); on
    PostgreSQL, when it earns XP, all in one statement, with ``read`` too: an SQL expression (and
    its parameters) the caller wants evaluated in the same statement, after the streak's update,
    which it may read as ``s`` (``longest``: the streak's new longest). ``(the day's XP, read's
    value)``; the value is None when ``read`` did not run (no XP, SQLite, or a learner's first streak,
    whose row is created after the statement): the caller reads it the usual way then."""
    day = local_day(user, now)
    if xp > 0 and connection.vendor == "postgresql":
        return _upsert_day_and_extend_streak(
            user=user, day=day, now=now, xp=xp, activities=activities, seconds=seconds, league_xp=league_xp, read=read
        )
    day_xp = _upsert_day(user=user, day=day, xp=xp, activities=activities, seconds=seconds)
    if xp > 0:
        _extend_streak(user=user, day=day, now=now)
    if league_xp:
        leagues.record_league_xp(user=user, xp=league_xp, now=now)
    return day_xp, None


def _upsert_day_and_extend_streak(
    *,
    user: User,
    day: date,
    now: datetime,
    xp: int,
    activities: int,
    seconds: int,
    league_xp: int,
    read: tuple[str, list] | None,
) -> tuple[int, Any]:
    """PostgreSQL: the day's upsert, the streak's UPDATE and the league week's UPDATE in one statement
    (a data-modifying ``WITH``: they write different tables, so none needs to see another), and the
    caller's ``read``. The streak row is created on its own when the UPDATE found none (a learner's
    first XP), and the league's rest (``leagues.settle_league_xp``: the week's first XP joins a cohort)
    follows from the row returned."""
    day_sql, day_params = _day_upsert(user=user, day=day, xp=xp, activities=activities, seconds=seconds)
    streak_sql, streak_params = STREAK_UPDATE.statement(connection.alias, **_streak_values(user, day=day, now=now))
    ctes = [f"d AS ({day_sql})", f"s AS ({streak_sql} RETURNING longest)"]
    params = [*day_params, *streak_params]
    league = "NULL, NULL, NULL"
    if league_xp:
        league_sql, league_params = leagues.league_xp_update(user=user, xp=league_xp, now=now)
        ctes.append(f"l AS ({league_sql})")
        params.extend(league_params)
        league = "(SELECT id FROM l), (SELECT cohort_id FROM l), (SELECT division FROM l)"
    extra = "NULL"
    if read is not None:
        extra, read_params = read
        params.extend(read_params)
    sql = f"WITH {', '.join(ctes)} SELECT (SELECT xp FROM d), (SELECT COUNT(*) FROM s), {league}, {extra}"  # noqa: S608 — our own statements
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        day_xp, streaks, *membership, value = cursor.fetchone()
    if not streaks:
        _create_streak(user=user, day=day, now=now)
        value = None  # ``read`` saw no streak row: the caller reads again
    if league_xp:
        row = tuple(membership) if membership[0] is not None else None
        leagues.settle_league_xp(user=user, xp=league_xp, now=now, row=row)
    return day_xp, value


def _upsert_day(*, user: User, day: date, xp: int, activities: int, seconds: int) -> int:
    sql, params = _day_upsert(user=user, day=day, xp=xp, activities=activities, seconds=seconds)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _day_upsert(*, user: User, day: date, xp: int, activities: int, seconds: int) -> tuple[str, list]:
    """INSERT … ON CONFLICT DO UPDATE adding to the counters (works on PostgreSQL and SQLite ≥ 3.35),
    returning the day's XP after it.

    ``goal`` is the learner's goal at the latest activity of the day; ``goal_met`` once true stays true.
    """
    goal = user.daily_xp_goal
    table = connection.ops.quote_name(DailyActivity._meta.db_table)
    sql = (
        f"INSERT INTO {table} (user_id, day, xp, activities, seconds_spent, goal, goal_met) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (user_id, day) DO UPDATE SET "
        f"xp = {table}.xp + EXCLUDED.xp, "
        f"activities = {table}.activities + EXCLUDED.activities, "
        f"seconds_spent = {table}.seconds_spent + EXCLUDED.seconds_spent, "
        "goal = EXCLUDED.goal, "
        f"goal_met = ({table}.goal_met OR {table}.xp + EXCLUDED.xp >= EXCLUDED.goal) "
        "RETURNING xp"
    )
    return sql, [user.pk, day, xp, activities, seconds, goal, xp >= goal]


def _streak_update(*, user_id, day, yesterday, day_began, yesterday_began, now, deadline):
    counted_today = Q(last_day__gte=day) | Q(last_activity_at__gte=day_began)
    # streak_alive() in SQL: the same test, so "alive" and "extend" never disagree.
    alive = Q(alive_until__gt=now) | Q(
        Q(alive_until__isnull=True) & (Q(last_day__gte=yesterday) | Q(last_activity_at__gte=yesterday_began))
    )
    new_current = Case(
        When(alive & counted_today, then=F("current")),
        When(alive, then=F("current") + 1),
        default=Value(1),
    )
    return Streak.objects.filter(user_id=user_id), {
        "current": new_current,
        "longest": Greatest(F("longest"), new_current),
        # A restarted streak starts today, whatever dates an earlier streak reached in other zones.
        "last_day": Case(When(alive & Q(last_day__gte=day), then=F("last_day")), default=Value(day)),
        "last_activity_at": now,
        "alive_until": Case(When(alive_until__gt=deadline, then=F("alive_until")), default=Value(deadline)),
    }


def _stand_in_instant(n: int) -> datetime:
    return datetime(1901, 1, 1, 0, 0, n, tzinfo=UTC)


#: The streak's UPDATE, built once per process (``core.reads``).
STREAK_UPDATE = CompiledUpdate(
    _streak_update,
    user_id=-2_000_000_001,
    day=date(1901, 1, 3),
    yesterday=date(1901, 1, 2),
    day_began=_stand_in_instant(1),
    yesterday_began=_stand_in_instant(2),
    now=_stand_in_instant(3),
    deadline=_stand_in_instant(4),
)


def _streak_values(user: User, *, day: date, now: datetime) -> dict:
    yesterday = day - timedelta(days=1)
    return {
        "user_id": user.pk,
        "day": day,
        "yesterday": yesterday,
        "day_began": local_midnight(user, day),
        "yesterday_began": local_midnight(user, yesterday),
        "now": now,
        "deadline": streak_deadline(user, day),
    }


def _extend_streak(*, user: User, day: date, now: datetime) -> None:
    if not STREAK_UPDATE.execute(connection.alias, **_streak_values(user, day=day, now=now)):
        _create_streak(user=user, day=day, now=now)


def _create_streak(*, user: User, day: date, now: datetime) -> None:
    deadline = streak_deadline(user, day)
    Streak.objects.create(user=user, current=1, longest=1, last_day=day, last_activity_at=now, alive_until=deadline)
