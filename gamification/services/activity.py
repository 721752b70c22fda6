"""The learner's day: the DailyActivity row and the streak.

A learner's *day* is the calendar date in ``user.time_zone`` at the moment of the activity.

Streak extension (the first XP of a local day ``D``), one UPDATE, under the wallet lock:

- ``last_day >= D`` → already counted (this covers flying west into a date already counted):
  ``current`` unchanged, ``last_day`` unchanged;
- previous streak day was *yesterday* → ``current + 1``; "yesterday" holds when either
  ``last_day == D - 1`` (the date recorded, in the zone of that moment) **or** the instant of the last
  XP, ``last_activity_at``, falls on ``D - 1`` in the learner's *current* zone (flying east across
  midnight can skip a date on the calendar; no whole day passed without XP, so the streak holds);
- otherwise → ``current = 1``.

``longest = max(longest, current)``; ``last_day = max(last_day, D)``; ``last_activity_at = now``
(every XP). A day is therefore never counted twice, and a zone change never breaks a streak.
The nightly close job must use the same "yesterday" test (docs/game-rules.md).
"""

from datetime import date, datetime, time, timedelta, tzinfo

from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Greatest

from ..models import DailyActivity, Streak

#: The time an answer reports (``time_spent_ms``) is kept between 0 and one hour on the attempt.
MAX_TIME_SPENT_MS = 3_600_000
#: Time counted for one answer is capped, so a tab left open overnight does not count as study.
MAX_SECONDS_PER_ANSWER = 300


def clamp_time_spent_ms(time_spent_ms: int) -> int:
    """The time an answer took, as stored on the attempt: 0 … ``MAX_TIME_SPENT_MS``."""
    return max(0, min(time_spent_ms, MAX_TIME_SPENT_MS))


def seconds_counted(time_spent_ms: int) -> int:
    """The study time one answer adds to the day (``DailyActivity.seconds_spent``): whole seconds,
    at most ``MAX_SECONDS_PER_ANSWER``."""
    return min(round(clamp_time_spent_ms(time_spent_ms) / 1000), MAX_SECONDS_PER_ANSWER)


def local_day(user, moment: datetime) -> date:
    return moment.astimezone(user.zone).date()


def local_midnight(user, day: date) -> datetime:
    """The instant the local day starts in the learner's zone (DST-safe)."""
    return datetime.combine(day, time(0), tzinfo=user.zone)


def local_yesterday(zone: tzinfo, now: datetime) -> tuple[date, datetime]:
    """In ``zone`` at ``now``: yesterday's date and the instant it began (DST-safe). The streak test
    below and the nightly close job (per zone) both read "yesterday" here."""
    yesterday = now.astimezone(zone).date() - timedelta(days=1)
    return yesterday, datetime.combine(yesterday, time(0), tzinfo=zone)


def streak_alive(user, *, last_day: date | None, last_activity_at: datetime | None, now: datetime) -> bool:
    """Whether a streak is still unbroken at ``now``: its latest day is today or yesterday, by the
    recorded date or by the instant of the last XP in the learner's current zone. The nightly close
    job breaks exactly the streaks for which this is False (it must use the same test)."""
    yesterday, began = local_yesterday(user.zone, now)
    if last_day is not None and last_day >= yesterday:
        return True
    return last_activity_at is not None and last_activity_at >= began


def record_activity(*, user, now: datetime, xp: int = 0, activities: int = 0, seconds: int = 0) -> int:
    """Add to today's DailyActivity row (upsert, one query) and, when ``xp > 0``, extend the streak
    (one UPDATE). Returns the day's XP after the change. Caller holds the wallet lock."""
    day = local_day(user, now)
    day_xp = _upsert_day(user=user, day=day, xp=xp, activities=activities, seconds=seconds)
    if xp > 0:
        _extend_streak(user=user, day=day, now=now)
    return day_xp


def _upsert_day(*, user, day: date, xp: int, activities: int, seconds: int) -> int:
    """INSERT … ON CONFLICT DO UPDATE adding to the counters (works on PostgreSQL and SQLite ≥ 3.35).

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
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, day, xp, activities, seconds, goal, xp >= goal])
        return cursor.fetchone()[0]


def _extend_streak(*, user, day: date, now: datetime) -> None:
    yesterday = day - timedelta(days=1)
    was_yesterday = Q(last_day=yesterday) | Q(
        last_activity_at__gte=local_midnight(user, yesterday), last_activity_at__lt=local_midnight(user, day)
    )
    new_current = Case(
        When(last_day__gte=day, then=F("current")),
        When(was_yesterday, then=F("current") + 1),
        default=Value(1),
    )
    updated = Streak.objects.filter(user=user).update(
        current=new_current,
        longest=Greatest(F("longest"), new_current),
        last_day=Case(When(last_day__gte=day, then=F("last_day")), default=Value(day)),
        last_activity_at=now,
    )
    if not updated:
        Streak.objects.create(user=user, current=1, longest=1, last_day=day, last_activity_at=now)
