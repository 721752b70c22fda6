"""League races with real threads on PostgreSQL: joins never put 31 in a cohort or a learner in two
cohorts; answers racing in the last second of the week count exactly once, in the week of their ``now``;
an answer racing the close is counted once (in the closed week, or — if the close got there first —
in the next)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count, Sum

from accounts.tests.factories import UserFactory
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.jobs import run_close_league_week
from gamification.models import LeagueCohort, LeagueMembership, LedgerEntry
from gamification.services.ledger import check_ledger
from gamification.tests.helpers import RIGHT
from gamification.tests.test_races import run_threads

from .league_helpers import CLOSE, MIDWEEK, NEXT_MONDAY, WEEK, earn, learners

race = pytest.mark.django_db(transaction=True, serialized_rollback=True)
pytestmark = pytest.mark.postgresql_only


@race
def test_forty_learners_joining_at_once_fill_one_cohort_of_thirty_and_one_of_ten():
    users = learners(40)
    results = run_threads(lambda u: earn(u, 10, now=MIDWEEK), [(u,) for u in users])
    assert not [r for r in results if isinstance(r, Exception)], results
    sizes = sorted(LeagueCohort.objects.annotate(n=Count("members")).values_list("n", flat=True))
    assert sizes == [10, 30]
    seats = list(LeagueMembership.objects.values_list("cohort_id", "seat"))
    assert len(set(seats)) == 40  # no seat twice
    assert LeagueMembership.objects.values("user").distinct().count() == 40


@race
def test_one_learner_in_many_tabs_gets_one_row_and_one_seat():
    user = UserFactory()
    results = run_threads(lambda i: earn(user, 10, now=MIDWEEK + timedelta(seconds=i)), [(i,) for i in range(8)])
    assert not [r for r in results if isinstance(r, Exception)], results
    membership = LeagueMembership.objects.get(user=user)
    assert membership.xp == 80 and membership.seat == 1
    assert LeagueCohort.objects.count() == 1


def _answer_at(user, run_id, exercise_id, now):
    import uuid

    return services.submit_answer(
        user=user, run_id=run_id, exercise_id=exercise_id, answer=RIGHT, client_id=uuid.uuid4(), now=now
    )


@race
def test_two_answers_racing_in_the_last_second_of_the_week_count_once_each_in_their_week():
    _, (lesson, _) = make_course(exercises=4)
    user = UserFactory()
    before, after = NEXT_MONDAY - timedelta(milliseconds=300), NEXT_MONDAY + timedelta(milliseconds=300)
    run = services.start_lesson_run(user=user, lesson=lesson, now=before - timedelta(minutes=1))
    first, second = run.queue[0], run.queue[1]
    results = run_threads(_answer_at, [(user, run.pk, first, before), (user, run.pk, second, after)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [r.xp_awarded for r in results] == [10, 10]
    rows = dict(LeagueMembership.objects.values_list("week_start", "xp"))
    assert rows == {WEEK: 10, WEEK + timedelta(days=7): 10}
    ledger = LedgerEntry.objects.filter(user=user, currency="xp").aggregate(total=Sum("amount"))["total"]
    assert ledger == sum(rows.values()) == 20
    assert check_ledger() == []


@race
def test_many_learners_answering_across_the_boundary_while_the_week_closes():
    """Sixteen learners each earn XP a moment before the week ends, while the close runs: every XP is
    counted exactly once — in the closed week if it got there first, else in the next week."""
    users = learners(16)
    for user in users:
        earn(user, 5, now=MIDWEEK)  # everyone is in the week's cohort
    late = NEXT_MONDAY - timedelta(milliseconds=500)
    jobs = [(lambda u=u: earn(u, 10, now=late)) for u in users] + [lambda: run_close_league_week(now=CLOSE)]
    results = run_threads(lambda job: job(), [(job,) for job in jobs])
    assert not [r for r in results if isinstance(r, Exception)], results
    for user in users:
        mine = dict(LeagueMembership.objects.filter(user=user).values_list("week_start", "xp"))
        assert sum(mine.values()) == 15, mine  # 5 + 10, never lost, never twice
        assert mine[WEEK] in (5, 15)
    closed = LeagueMembership.objects.get(user=users[0], week_start=WEEK)
    assert closed.closed_at is not None and closed.rank is not None
    ranks = Counter(LeagueMembership.objects.filter(week_start=WEEK).values_list("rank", flat=True))
    assert sorted(ranks) == list(range(1, 17)) and set(ranks.values()) == {1}
    assert check_ledger() == []
