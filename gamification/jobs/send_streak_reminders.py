"""``send_streak_reminders`` (hourly): one reminder e-mail per learner-day to learners who opted in and
have not practised by their chosen local hour.

A learner gets the reminder for their local day ``D`` when, at ``now``:

- their account is active and "streak reminder e-mails" is on (``User.notify_streak_reminders``);
- in their zone it is ``D`` and the hour is at least ``User.streak_reminder_hour`` (0 to 23, default 19);
- they have earned no XP on ``D`` (no ``DailyActivity`` row of ``D`` with XP);
- their last XP is less than 14 days old (after that the "we miss you" e-mail takes over, once);
- no reminder is recorded for ``(learner, D)`` (``StreakReminder``, unique on learner and day).

The zones are grouped by their local (date, hour) at ``now`` — a few dozen groups — and each group is
read in keyset batches of learner ids with the ORM (PostgreSQL and SQLite alike). A batch is *claimed*
by inserting its ``StreakReminder`` rows with ``INSERT … ON CONFLICT DO NOTHING RETURNING``: only the
rows this run inserted come back, so two runs at once never both e-mail a learner. Each claimed
learner is e-mailed through Django's e-mail backend; a sent reminder gets ``sent_at``; a reminder
whose sending failed (SMTP down) is logged and its claim deleted, so the next hour tries again — and a
reminder that was sent is never sent again that day. At most once: a run killed between the claim
and the sending loses that day's reminder rather than risk a second one.
"""

import logging
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from accounts.unsubscribe import unsubscribe_url

from ..models import DailyActivity, StreakReminder
from .base import JobResult, aware, db_datetime, job_connection, table

logger = logging.getLogger(__name__)

#: Learners whose last XP is older than this get the "we miss you" e-mail instead (send_reengagement).
ACTIVE_WITHIN = timedelta(days=14)


@dataclass(frozen=True)
class _Learner:
    user: User
    streak: int


def zone_hours(*, now: datetime, zones: list[str]) -> dict[tuple[date, int], list[str]]:
    """The known zones grouped by their local (date, hour) at ``now``."""
    groups: dict[tuple[date, int], list[str]] = defaultdict(list)
    for name in zones:
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        groups[(local.date(), local.hour)].append(name)
    return dict(groups)


def due(*, day: date, hour: int, zones: list[str], now: datetime, using: str = DEFAULT_DB_ALIAS):
    """Learners of ``zones`` (where it is ``day``, hour ``hour``) due a reminder for ``day``."""
    return User.objects.using(using).filter(
        ~Exists(DailyActivity.objects.filter(user=OuterRef("pk"), day=day, xp__gt=0)),
        ~Exists(StreakReminder.objects.filter(user=OuterRef("pk"), day=day)),
        is_active=True,
        notify_streak_reminders=True,
        time_zone__in=zones,
        streak_reminder_hour__lte=hour,
        streak__last_activity_at__gte=now - ACTIVE_WITHIN,
    )


def build_message(learner: _Learner) -> EmailMultiAlternatives:
    user = learner.user
    unsubscribe = unsubscribe_url(user=user, topic="streak_reminders")
    context = {
        "name": user.name,
        "streak": learner.streak,
        "site_url": settings.SITE_URL.rstrip("/"),
        "unsubscribe_url": unsubscribe,
    }
    # In the learner's interface language (docs/i18n.md).
    with translation.override(user.locale):
        if learner.streak > 1:
            subject = gettext("Keep your %(days)s-day streak going") % {"days": learner.streak}
        else:
            subject = gettext("Time for today's lesson")
        text = render_to_string("gamification/email/streak_reminder.txt", context)
        html = render_to_string("gamification/email/streak_reminder.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    return message


def run_send_streak_reminders(
    *,
    now: datetime,
    dry_run: bool = False,
    batch_size: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> JobResult:
    now = aware(now)
    batch_size = batch_size or settings.MALLARD_JOB_BATCH_SIZE
    job_connection(using)
    zones = list(
        User.objects.using(using)
        .filter(is_active=True, notify_streak_reminders=True)
        .order_by()
        .values_list("time_zone", flat=True)
        .distinct()
    )
    groups = zone_hours(now=now, zones=zones)
    if dry_run:
        count = sum(due(day=d, hour=h, zones=z, now=now, using=using).count() for (d, h), z in groups.items())
        return JobResult(rows_changed=count, detail=f"would e-mail {count} streak reminders")

    sent = failed = 0
    for (day, hour), names in sorted(groups.items()):
        after = 0
        while True:
            ids = list(
                due(day=day, hour=hour, zones=names, now=now, using=using)
                .filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            after = ids[-1]
            for learner in _claim(user_ids=ids, day=day, now=now, using=using):
                try:
                    build_message(learner).send()
                except Exception:  # SMTP down or a bad address: log, release the claim, retry next hour
                    logger.warning("streak reminder to user %s for %s not sent", learner.user.pk, day, exc_info=True)
                    StreakReminder.objects.using(using).filter(
                        user_id=learner.user.pk, day=day, sent_at__isnull=True
                    ).delete()
                    failed += 1
                else:
                    StreakReminder.objects.using(using).filter(user_id=learner.user.pk, day=day).update(sent_at=now)
                    sent += 1
    detail = f"e-mailed {sent} streak reminders; {len(groups)} local hours"
    if failed:
        detail += f"; {failed} e-mails failed and will be retried next hour"
    return JobResult(rows_changed=sent, detail=detail, problems=failed)


def _claim(*, user_ids: list[int], day: date, now: datetime, using: str) -> list[_Learner]:
    """Insert the reminder rows of ``user_ids`` for ``day``; the learners whose row this call inserted
    (a concurrent run's rows are skipped by ON CONFLICT), with their names, addresses and streaks."""
    connection = connections[using]
    stamp = db_datetime(connection, now)
    values = ", ".join(["(%s, %s, %s)"] * len(user_ids))
    params = [v for user_id in user_ids for v in (user_id, day, stamp)]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(StreakReminder)} (user_id, day, claimed_at) VALUES {values} "  # noqa: S608
            "ON CONFLICT (user_id, day) DO NOTHING RETURNING user_id",
            params,
        )
        claimed = [row[0] for row in cursor.fetchall()]
    users = User.objects.using(using).filter(pk__in=claimed).select_related("streak").order_by("pk")
    return [_Learner(user=u, streak=u.streak.current) for u in users]
