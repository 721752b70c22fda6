"""Synthetic data for ``manage.py bench_jobs``: learners, wallets, streaks and lesson progress,
generated inside PostgreSQL with ``INSERT … SELECT … FROM generate_series(…)`` (nothing per row in
Python), with a fixed random seed so a run is reproducible.

Distributions (relative to ``now``):

- time zones: 30 zones from UTC-11 to UTC+14 (incl. half-hour zones), spread evenly;
- streaks: 30 % earned XP today, 25 % yesterday, 45 % between 2 and 60 days ago; 15 % have no
  current streak; current 1-60 days; 20 % hold one streak freeze, 5 % two;
- lesson progress: rows per learner = progress_rows / learners, over that many lessons; tiers
  5 % none, 35 % bronze, 30 % silver, 20 % gold, 10 % legendary; tier anchors uniform over the past
  60 days (so about three quarters of the silver and gold rows are due to decay at ``now``).
"""

import math
from datetime import datetime

from auditlog.context import disable_auditlog
from django.db import connections

from accounts.models import User
from courses.models import Course, Language, Lesson, Section, Unit
from courses.slugs import lesson_slug, section_slug, unit_slug
from progress.models import LessonProgress

from ..models import Streak, Wallet
from .sqlgen import insert_select

ZONES = [
    "Pacific/Pago_Pago", "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
    "America/Chicago", "America/Mexico_City", "America/New_York", "America/Bogota", "America/Halifax",
    "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "Atlantic/Azores", "UTC", "Europe/London",
    "Europe/Berlin", "Europe/Madrid", "Africa/Lagos", "Europe/Athens", "Africa/Cairo", "Europe/Moscow",
    "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Bangkok", "Asia/Shanghai",
    "Asia/Tokyo", "Australia/Sydney", "Pacific/Kiritimati",
]  # fmt: skip


def fill(
    *, using: str, learners: int, progress_rows: int, now: datetime, seed: float = 0.42, analyze: bool = True
) -> dict[str, int]:
    """Insert the synthetic data into the (empty, migrated) database ``using``; returns row counts.
    ``analyze=False`` skips VACUUM ANALYZE (which cannot run inside a transaction, e.g. in a test)."""
    lessons_needed = max(1, math.ceil(progress_rows / learners))
    with disable_auditlog():  # synthetic content, in another database than the audit trail's
        lesson_ids = _content(using=using, lessons=lessons_needed)
    qn = connections[using].ops.quote_name
    t = {
        "user": qn(User._meta.db_table),
        "wallet": qn(Wallet._meta.db_table),
        "streak": qn(Streak._meta.db_table),
        "lp": qn(LessonProgress._meta.db_table),
    }
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        # Rows are generated consistently, so the deferred FK checks (one queued trigger event per
        # row) are skipped for the fill; the constraints stay in place for the jobs.
        cursor.execute("SET session_replication_role = replica")
        params = {"now": now, "zones": ZONES, "nzones": len(ZONES), "learners": learners}
        insert_select(
            cursor,
            User,
            {
                "password": "'!'",
                "date_joined": "%(now)s",
                "last_login": "NULL",
                "email": "'bench' || g || '@example.com'",
                "display_name": "'Learner ' || g",
                "avatar": "''",
                "time_zone": "(%(zones)s::text[])[1 + g %% %(nzones)s]",
            },
            "FROM generate_series(1, %(learners)s) AS g",
            params,
        )
        insert_select(
            cursor,
            Wallet,
            {
                "user_id": "id",
                "hearts": "5",
                "hearts_anchor_at": "%(now)s",
                "streak_freezes": "CASE WHEN r < 0.05 THEN 2 WHEN r < 0.25 THEN 1 ELSE 0 END",
                "updated_at": "%(now)s",
            },
            f"FROM (SELECT id, random() AS r FROM {t['user']}) AS u",  # noqa: S608 — table name only
            {"now": now},
        )
        insert_select(
            cursor,
            Streak,
            {
                "user_id": "id",
                "current": "cur",
                "longest": "cur + floor(random() * 30)::int",
                "last_day": "(%(now)s::timestamptz - ago)::date",
                "last_activity_at": "%(now)s - ago",
            },
            f"""FROM (
                SELECT id,
                       CASE WHEN random() < 0.15 THEN 0 ELSE 1 + floor(random() * 60)::int END AS cur,
                       CASE WHEN r < 0.30 THEN interval '1 hour'
                            WHEN r < 0.55 THEN interval '1 day'
                            ELSE (2 + floor(random() * 59)::int) * interval '1 day' END AS ago
                FROM (SELECT id, random() AS r FROM {t["user"]}) AS u
            ) AS s""",  # noqa: S608 — table name only
            {"now": now},
        )
        cursor.execute(f"SELECT min(id) FROM {t['user']}")  # noqa: S608
        first_user = cursor.fetchone()[0]
        cursor.execute(
            f"""
            INSERT INTO {t["lp"]} (user_id, lesson_id, runs_started, passes, perfect_passes, tier, xp_earned,
                first_passed_at, last_passed_at, last_decayed_at, tier_anchor_at)
            SELECT %(first_user)s + g %% %(learners)s, (%(lessons)s::bigint[])[1 + g / %(learners)s],
                   p.passes + 1, p.passes, p.perfect, p.tier, p.passes * 20,
                   CASE WHEN p.passes > 0 THEN p.anchor - interval '30 days' END,
                   CASE WHEN p.passes > 0 THEN p.anchor END, NULL,
                   CASE WHEN p.passes > 0 THEN p.anchor END
            FROM (
                SELECT g,
                       CASE WHEN r < 0.05 THEN 0 WHEN r < 0.40 THEN 1 WHEN r < 0.70 THEN 2 WHEN r < 0.90 THEN 3
                            ELSE 4 END AS tier,
                       CASE WHEN r < 0.05 THEN 0 WHEN r < 0.40 THEN 1 WHEN r < 0.70 THEN 3 WHEN r < 0.90 THEN 6
                            ELSE 7 END AS passes,
                       CASE WHEN r < 0.90 THEN 0 ELSE 5 END AS perfect,
                       %(now)s::timestamptz - random() * interval '60 days' AS anchor
                FROM (SELECT g, random() AS r FROM generate_series(0, %(rows)s - 1) AS g) AS raw
            ) AS p
            """,  # noqa: S608
            {"first_user": first_user, "learners": learners, "lessons": lesson_ids, "rows": progress_rows, "now": now},
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        if analyze:
            for name in t.values():
                cursor.execute(f"VACUUM ANALYZE {name}")
    return {
        "learners": learners,
        "lessons": len(lesson_ids),
        "progress_rows": progress_rows,
    }


def _content(*, using: str, lessons: int) -> list[int]:
    en = Language.objects.using(using).create(code="en", name="English")
    es = Language.objects.using(using).create(code="es", name="Spanish")
    course = Course.objects.using(using).create(
        from_language=en, to_language=es, title="Bench", slug="es", is_published=True
    )
    section = Section.objects.using(using).create(
        course=course, ordinal=1, title="S1", slug=section_slug("es", 1), is_published=True
    )
    unit = Unit.objects.using(using).create(
        section=section, ordinal=1, title="U1", slug=unit_slug("es", 1, 1), is_published=True
    )
    created = Lesson.objects.using(using).bulk_create(
        Lesson(unit=unit, ordinal=i, title=f"Lesson {i}", slug=lesson_slug("es", 1, 1, i), is_published=True)
        for i in range(1, lessons + 1)
    )
    return [lesson.pk for lesson in created]
