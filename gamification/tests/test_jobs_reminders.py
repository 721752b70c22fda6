"""send_streak_reminders: one e-mail per learner-day at their local hour, across zones; not to those who
practised, opted out or lapsed; SMTP failures retried next hour; two runs at once send once; the
unsubscribe link works without logging in."""

import logging
import threading
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from accounts.tests.test_smtp_down import refused_port
from gamification.jobs import run_send_streak_reminders
from gamification.models import DailyActivity, JobRun, StreakReminder

from .jobs_factories import learner

pytestmark = pytest.mark.django_db

# Friday 20 March 2026: New York is on EDT (UTC-4) since 8 March.


def at(hour: int, day: int = 20) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


def active(tz: str = "UTC", *, hour: int = 19, current: int = 5, **fields):
    return learner(
        tz=tz,
        current=current,
        last_day=date(2026, 3, 19),
        last_activity_at=at(12, 19),
        streak_reminder_hour=hour,
        **fields,
    )


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_each_zone_gets_its_reminder_at_its_own_local_hour_once_a_day():
    tokyo, utc, new_york = active("Asia/Tokyo"), active("UTC"), active("America/New_York")

    assert run_send_streak_reminders(now=at(9, 20) + timedelta(minutes=59)).rows_changed == 0  # Tokyo 18:59
    assert run_send_streak_reminders(now=at(10)).rows_changed == 1  # Tokyo 19:00
    assert recipients() == [tokyo.email]
    assert run_send_streak_reminders(now=at(11)).rows_changed == 0  # Tokyo 20:00: already reminded today
    assert run_send_streak_reminders(now=at(19)).rows_changed == 1  # UTC 19:00 (Tokyo is on 21 March, 04:00)
    assert run_send_streak_reminders(now=at(23)).rows_changed == 1  # New York 19:00 EDT
    assert sorted(recipients()) == sorted([tokyo.email, utc.email, new_york.email])
    assert run_send_streak_reminders(now=at(23) + timedelta(minutes=30)).rows_changed == 0
    # The next local day in Tokyo: a new reminder.
    assert run_send_streak_reminders(now=at(10, 21)).rows_changed == 1
    assert recipients().count(tokyo.email) == 2
    days = StreakReminder.objects.filter(user=tokyo).order_by("day").values_list("day", "sent_at")
    assert list(days) == [(date(2026, 3, 20), at(10)), (date(2026, 3, 21), at(10, 21))]


def test_a_learner_who_practised_opted_out_lapsed_or_is_inactive_gets_none():
    practised = active()
    DailyActivity.objects.create(user=practised, day=date(2026, 3, 20), xp=10)
    opted_out = active(notify_streak_reminders=False)
    inactive = active(is_active=False)
    lapsed = learner(current=0, last_activity_at=at(12, 1))  # last XP 19 days ago: the we-miss-you e-mail's
    later = active(hour=21)
    due = active()
    assert run_send_streak_reminders(now=at(20)).rows_changed == 1
    assert recipients() == [due.email]
    assert run_send_streak_reminders(now=at(21)).rows_changed == 1
    assert recipients() == sorted([due.email, later.email])
    for user in (practised, opted_out, inactive, lapsed):
        assert not StreakReminder.objects.filter(user=user).exists()


def test_the_message_has_the_streak_and_an_unsubscribe_link_that_works_without_log_in(client):
    user = active(current=12)
    run_send_streak_reminders(now=at(19))
    (message,) = mail.outbox
    assert message.subject == "Keep your 12-day streak going"
    assert "12-day streak" in message.body
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body and link in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.removeprefix("http://127.0.0.1:8000")

    page = client.get(path)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and "streak reminder e-mails" in page.content.decode()
    user.refresh_from_db()
    assert user.notify_streak_reminders is True
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert client.post(tampered).status_code == 400
    user.refresh_from_db()
    assert user.notify_streak_reminders is True

    done = client.post(path, {"List-Unsubscribe": "One-Click"})  # no session, no CSRF token
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    user.refresh_from_db()
    assert user.notify_streak_reminders is False and user.notify_reengagement is True
    assert client.post(path).status_code == 200  # twice is harmless
    assert run_send_streak_reminders(now=at(19, 21)).rows_changed == 0


def test_smtp_failure_is_logged_and_retried_next_hour_without_a_second_e_mail(settings, caplog):
    user = active()
    locmem = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": refused_port(), "timeout": 5},
        }
    }
    with caplog.at_level(logging.WARNING, logger="gamification.jobs.send_streak_reminders"):
        result = run_send_streak_reminders(now=at(19))
    assert (result.rows_changed, result.problems) == (0, 1)
    assert f"streak reminder to user {user.pk}" in caplog.text
    assert not StreakReminder.objects.filter(user=user).exists()

    settings.MAILERS = locmem  # the mail server is back
    assert run_send_streak_reminders(now=at(20)).rows_changed == 1
    assert run_send_streak_reminders(now=at(21)).rows_changed == 0
    assert recipients() == [user.email]


def test_dry_run_counts_and_sends_nothing_and_the_command_records_a_job_run():
    active()
    active()
    assert run_send_streak_reminders(now=at(19), dry_run=True).rows_changed == 2
    assert mail.outbox == [] and not StreakReminder.objects.exists()
    call_command("send_streak_reminders", "--now", at(19).isoformat(), stdout=(out := StringIO()))
    assert "2 rows changed" in out.getvalue()
    assert JobRun.objects.get(job="send_streak_reminders").outcome == JobRun.Outcome.OK
    assert len(mail.outbox) == 2


def test_small_batches_send_the_same():
    users = [active(tz) for tz in ("UTC", "Europe/London", "Africa/Abidjan") * 3]
    assert run_send_streak_reminders(now=at(19), batch_size=2).rows_changed == len(users)
    assert len(mail.outbox) == len(users)


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_each_reminder_once():
    users = [active(tz) for tz in ("UTC", "Europe/London", "Africa/Abidjan") * 4]
    barrier = threading.Barrier(2)
    results: list = []

    def run():
        try:
            barrier.wait()
            results.append(run_send_streak_reminders(now=at(19), batch_size=3))
        except Exception as error:  # asserted below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.rows_changed for r in results) == len(users)
    assert recipients() == sorted(u.email for u in users)
    assert StreakReminder.objects.filter(sent_at__isnull=False).count() == len(users)
