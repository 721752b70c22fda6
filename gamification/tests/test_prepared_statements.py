"""Prepared statements on PostgreSQL (docs/operations.md, "Database connections"): an answer's
statements are prepared on the connection once they repeat, and a prepared statement still gives each
learner their own rows."""

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.models import Wallet
from gamification.tests.helpers import T0, answer

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql_only]


def _prepared_run_locks() -> list[tuple[int, int]]:
    """(generic plans, custom plans) of the prepared statements that lock a lesson run (FOR NO KEY UPDATE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ['%FROM "progress_lessonrun"%', "%FOR NO KEY UPDATE%"],
        )
        return cursor.fetchall()


def test_an_answers_statements_are_prepared_once_they_repeat_and_serve_each_learner_their_own():
    assert connection.settings_dict["OPTIONS"]["prepare_threshold"] == 5
    _course, (lesson, _) = make_course(exercises=3)
    learners = UserFactory.create_batch(8)
    outcomes = []
    for learner in learners:
        run = services.start_lesson_run(user=learner, lesson=lesson, now=T0)
        outcomes.append(answer(learner, run, correct=learner.pk % 2 == 0))
    plans = _prepared_run_locks()
    assert plans, "the run lock was never prepared"
    # Prepared on its 6th execution (5 runs first): the 6th, 7th and 8th answers used the prepared plan.
    assert sum(generic + custom for generic, custom in plans) == 3
    for learner, outcome in zip(learners, outcomes, strict=True):
        assert outcome.correct == (learner.pk % 2 == 0)
        assert Wallet.objects.get(user=learner).xp_total == outcome.xp_awarded
    assert len({o.attempt_id for o in outcomes}) == len(learners)
