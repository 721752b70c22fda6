"""Races with real threads on PostgreSQL: a double submit, two tabs, two chats at once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from tutor import services
from tutor.errors import TutorBusy, TutorRateLimited
from tutor.models import TutorMessage, TutorSession

race = pytest.mark.django_db(transaction=True, serialized_rollback=True)
pytestmark = pytest.mark.postgresql_only


def run_threads(target, args_list):
    barrier = threading.Barrier(len(args_list))
    results: list = [None] * len(args_list)

    def work(i, args):
        try:
            barrier.wait()
            results[i] = target(*args)
        except Exception as error:  # collected and asserted by the test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _send(user, session_id, text):
    return services.send_message(user=user, session_id=session_id, content=text, now=timezone.now())


@race
def test_six_sends_at_once_store_one_message_and_one_pending_reply(user, lesson3, tutor_on):
    session = services.start_session(user=user, lesson_slug=lesson3.lesson.slug, now=timezone.now())

    results = run_threads(_send, [(user, session.pk, f"Message {i}") for i in range(6)])

    sent = [r for r in results if isinstance(r, services.Exchange)]
    assert len(sent) == 1 and all(isinstance(r, TutorBusy) for r in results if r not in sent), results
    ordinals = list(TutorMessage.objects.filter(session=session).order_by("ordinal").values_list("ordinal", "sender"))
    assert ordinals == [(1, "system"), (2, "learner"), (3, "tutor")]


@race
def test_two_tabs_opening_the_same_chat_make_one(user, lesson3, tutor_on):
    def open_chat():
        return services.start_session(user=user, lesson_slug=lesson3.lesson.slug, now=timezone.now()).pk

    results = run_threads(open_chat, [()] * 4)
    assert len(set(results)) == 1, results
    assert TutorSession.objects.count() == 1 and TutorMessage.objects.count() == 1


@race
def test_the_rate_limit_holds_when_messages_are_sent_at_once(user, lesson3, tutor_on, settings):
    settings.MALLARD_TUTOR_MESSAGES_PER_HOUR = 3
    settings.MALLARD_TUTOR_REPLY_STALE_SECONDS = 0  # an earlier pending reply never makes this one "busy"
    session = services.start_session(user=user, lesson_slug=lesson3.lesson.slug, now=timezone.now())

    now = timezone.now()  # one instant for all: every earlier pending reply is already "stale"

    def send(i):
        return services.send_message(user=user, session_id=session.pk, content=f"Message {i}", now=now)

    results = run_threads(send, [(i,) for i in range(8)])

    assert sum(isinstance(r, services.Exchange) for r in results) == 3, results
    assert sum(isinstance(r, TutorRateLimited) for r in results) == 5, results
    rows = list(TutorMessage.objects.filter(session=session).order_by("ordinal").values_list("ordinal", "sender"))
    assert rows == [(n, "system" if n == 1 else "learner" if n % 2 == 0 else "tutor") for n in range(1, 8)]
