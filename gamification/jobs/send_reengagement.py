"""``send_reengagement`` (daily): one "we miss you" e-mail per lapse to learners away for 14 days.

A learner gets the e-mail when their last XP (``Streak.last_activity_at``) is more than 14 days before
``now``, they have not had one for this lapse (``reengagement_sent_at`` is null or before
``last_activity_at``), their account is active and they have not turned the e-mail off
(``User.notify_reengagement``). Coming back and lapsing again makes them eligible once more.

Batches of ``batch_size`` learners, keyset on ``Streak.id``. Each batch is *claimed* first — in one
short transaction the rows are locked (``FOR UPDATE SKIP LOCKED``, so two runs never pick the same
learner) and ``reengagement_sent_at`` is set to ``now`` — and then the e-mails are sent. A learner is
therefore never e-mailed twice for one lapse, even if the job is interrupted (at most once); a
message whose sending fails has its claim undone so the next run tries again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy

from ..models import Streak
from .base import JobResult, aware

LAPSE = timedelta(days=14)
SUBJECT = gettext_lazy("We miss you at Mallard")


@dataclass(frozen=True)
class _Learner:
    streak_id: int
    email: str
    name: str
    longest: int
    last_activity_at: datetime
    previous_sent_at: datetime | None
    locale: str = "en"


def eligible(*, now: datetime, using: str = DEFAULT_DB_ALIAS):
    return Streak.objects.using(using).filter(
        Q(reengagement_sent_at__isnull=True) | Q(reengagement_sent_at__lt=F("last_activity_at")),
        last_activity_at__lt=now - LAPSE,
        user__is_active=True,
        user__notify_reengagement=True,
    )


def build_message(learner: _Learner, *, now: datetime) -> EmailMultiAlternatives:
    context = {
        "name": learner.name,
        "longest": learner.longest,
        "days_away": (now - learner.last_activity_at).days,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    # In the learner's interface language (docs/i18n.md).
    with translation.override(learner.locale):
        text = render_to_string("gamification/email/reengagement.txt", context)
        html = render_to_string("gamification/email/reengagement.html", context)
        subject = str(SUBJECT)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [learner.email])
    message.attach_alternative(html, "text/html")
    return message


def run_send_reengagement(
    *,
    now: datetime,
    dry_run: bool = False,
    batch_size: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> JobResult:
    now = aware(now)
    batch_size = batch_size or settings.MALLARD_JOB_BATCH_SIZE
    if dry_run:
        count = eligible(now=now, using=using).count()
        return JobResult(rows_changed=count, detail=f"would e-mail {count} learners inactive for 14 days")

    sent = failed = 0
    after = 0
    while True:
        batch = _claim(now=now, after=after, batch_size=batch_size, using=using)
        if not batch:
            break
        after = batch[-1].streak_id
        for learner in batch:
            try:
                build_message(learner, now=now).send()
            except Exception:  # one bad address must not stop the batch
                failed += 1
                Streak.objects.using(using).filter(id=learner.streak_id, reengagement_sent_at=now).update(
                    reengagement_sent_at=learner.previous_sent_at
                )
            else:
                sent += 1
    detail = f"e-mailed {sent} learners inactive for 14 days"
    if failed:
        detail += f"; {failed} e-mails failed and will be retried on the next run"
    return JobResult(rows_changed=sent, detail=detail, problems=failed)


def _claim(*, now: datetime, after: int, batch_size: int, using: str) -> list[_Learner]:
    """Lock and mark the next batch of eligible learners (one short transaction)."""
    with transaction.atomic(using=using):
        rows = list(
            eligible(now=now, using=using)
            .filter(id__gt=after)
            .order_by("id")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list(
                "id",
                "user__email",
                "user__display_name",
                "longest",
                "last_activity_at",
                "reengagement_sent_at",
                "user__locale",
            )[:batch_size]
        )
        learners = [
            _Learner(sid, email, name or email.split("@")[0], longest, last, prev, locale)
            for sid, email, name, longest, last, prev, locale in rows
        ]
        if learners:
            Streak.objects.using(using).filter(id__in=[x.streak_id for x in learners]).update(reengagement_sent_at=now)
    return learners
