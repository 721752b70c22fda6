"""Review sessions cannot be farmed: a review pays XP only for exercises no review has paid for yet
that local day, and a review that paid nothing earns no gems and no heart."""

from datetime import timedelta

import pytest

from courses.tests.sample_courses import make_course
from gamification import services
from gamification.models import HeartsLog, LedgerEntry, Wallet
from gamification.tests.helpers import T0, answer

pytestmark = pytest.mark.django_db


def one_review(user, course, now):
    review = services.start_review_session(user=user, course=course, now=now)
    outcome = None
    while True:
        review.refresh_from_db()
        if review.status != "active":
            return review, outcome
        outcome = answer(user, review, now=now)


def test_review_sessions_cannot_be_farmed_from_one_mistake(user):
    course, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    mistaken = run.queue[0]
    answer(user, run, correct=False)  # one exercise answered wrongly (twice): it becomes reviewable
    answer(user, run, correct=False, exercise_id=mistaken)
    services.abandon_run(user=user, run_id=run.pk, now=T0)
    wallet = Wallet.objects.get(user=user)
    start_xp, start_gems, start_hearts = wallet.xp_total, wallet.gems, wallet.hearts
    assert start_hearts == 3

    reviews = [one_review(user, course, T0 + timedelta(minutes=5 + i)) for i in range(6)]

    first_review, *again = reviews
    assert first_review[0].xp_earned == 10 and first_review[0].gems_earned == 1
    for review, outcome in again:
        assert review.status == "passed"
        assert (review.xp_earned, review.gems_earned, outcome.xp_awarded) == (0, 0, 0)
    wallet.refresh_from_db()
    assert wallet.xp_total - start_xp == 10  # not 60
    assert wallet.gems - start_gems == 1  # not 6
    assert wallet.hearts == start_hearts + 1 == 4  # not 5 (+1 per review, capped)
    assert HeartsLog.objects.filter(user=user, reason="review_passed").count() == 1
    assert LedgerEntry.objects.filter(user=user, reason="exercise").count() == 1


def test_review_pays_again_for_the_same_exercise_on_a_new_local_day(user):
    course, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    answer(user, run, correct=False)
    services.abandon_run(user=user, run_id=run.pk, now=T0)
    today, _ = one_review(user, course, T0 + timedelta(minutes=5))
    tomorrow, _ = one_review(user, course, T0 + timedelta(days=1))
    assert today.xp_earned > 0 and tomorrow.xp_earned > 0
