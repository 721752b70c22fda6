"""Weekly leagues: joining, league XP beside the ledger, and the week's close (``close_league_week``).

Also run on SQLite (the SQLite run, config/tests/test_sqlite_run.py), like every ``test_jobs_*`` module.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from gamification.jobs import run_close_league_week
from gamification.models import (
    JobRun,
    LeagueCohort,
    LeagueDivisionWeek,
    LeagueMembership,
    LeagueWeek,
    LedgerEntry,
    Wallet,
)
from gamification.services.leagues import (
    REWARD_GEMS,
    move_for,
    ordinal,
    result_sentence,
    week_bounds,
    week_start,
)
from gamification.services.ledger import check_ledger

from .league_helpers import CLOSE, MIDWEEK, MONDAY, NEXT_MONDAY, WEEK, earn, learners, row

pytestmark = pytest.mark.django_db

NEXT_WEEK = WEEK + timedelta(days=7)


# --- Pure rules ------------------------------------------------------------------------------------


def test_the_week_runs_monday_to_sunday_utc():
    assert week_start(MONDAY) == WEEK
    assert week_start(NEXT_MONDAY - timedelta(microseconds=1)) == WEEK  # Sunday 23:59:59.999999
    assert week_start(NEXT_MONDAY) == NEXT_WEEK
    assert week_bounds(WEEK) == (MONDAY, NEXT_MONDAY)


@pytest.mark.parametrize(
    ("rank", "ranked", "division", "move"),
    [
        (1, 30, 0, 1),
        (7, 30, 3, 1),
        (8, 30, 3, 0),
        (25, 30, 3, 0),
        (26, 30, 3, -1),
        (30, 30, 3, -1),
        (1, 30, 9, 0),  # not above Diamond
        (30, 30, 0, 0),  # not below Bronze
        (7, 10, 2, 1),  # fewer than 12: promotion first …
        (8, 10, 2, -1),  # … then ranks above max(7, 10 - 5) = 7 move down
        (7, 7, 2, 1),  # 7 or fewer: everybody moves up
        (8, 12, 2, -1),  # 12 ranked: ranks above max(7, 12 - 5) = 7 move down: five of them
        (8, 13, 2, 0),  # 13 ranked: ranks above 8 move down
        (9, 13, 2, -1),
        (None, 30, 4, 0),  # not ranked (0 XP, hidden): keeps the division
    ],
)
def test_move_for(rank, ranked, division, move):
    assert move_for(rank=rank, ranked=ranked, division=division) == move


def test_result_sentence():
    assert result_sentence(rank=3, move=1, division_after=3) == "You finished 3rd and moved up to Sapphire."
    assert result_sentence(rank=12, move=0, division_after=2) == "You finished 12th and stayed in Gold."
    assert result_sentence(rank=22, move=-1, division_after=0) == "You finished 22nd and moved down to Bronze."


def test_result_sentence_and_division_names_follow_the_interface_language():
    from django.utils import translation

    from gamification.services.leagues import division_name

    with translation.override("es"):
        assert result_sentence(rank=3, move=1, division_after=3) == "Terminaste en el 3.º puesto y subiste a Zafiro."
        assert result_sentence(rank=22, move=-1, division_after=0) == "Terminaste en el 22.º puesto y bajaste a Bronce."
        assert division_name(9) == "Diamante"
    assert division_name(9) == "Diamond"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "101st", "111th",
    ]  # fmt: skip


# --- Joining and league XP -------------------------------------------------------------------------


def test_first_xp_of_the_week_joins_a_cohort_and_later_xp_adds_to_the_row():
    user = UserFactory()
    earn(user, 10)
    earn(user, 15, now=MIDWEEK + timedelta(hours=1))
    membership = row(user)
    assert (membership.xp, membership.division, membership.seat) == (25, 0, 1)
    assert membership.reached_at == MIDWEEK + timedelta(hours=1) and membership.joined_at == MIDWEEK
    assert membership.cohort.number == 1 and membership.cohort.division == 0
    assert LedgerEntry.objects.filter(user=user).count() == 2 and check_ledger() == []


def test_cohorts_fill_in_join_order_thirty_each():
    users = learners(61)
    for i, user in enumerate(users):
        earn(user, 10, now=MIDWEEK + timedelta(seconds=i))
    rows = list(LeagueMembership.objects.order_by("joined_at").values_list("cohort__number", "seat"))
    assert rows == [(1 + i // 30, 1 + i % 30) for i in range(61)]
    assert LeagueDivisionWeek.objects.get(week_start=WEEK, division=0).joined == 61
    assert LeagueCohort.objects.filter(week_start=WEEK).count() == 3


def test_a_hidden_learner_gets_a_row_but_no_seat():
    hidden = UserFactory(hide_from_leaderboards=True)
    earn(hidden, 20)
    membership = row(hidden)
    assert (membership.xp, membership.cohort_id, membership.seat, membership.division) == (20, None, None, 0)


def test_a_learner_who_shows_themselves_again_is_seated_on_their_next_xp():
    user = UserFactory(hide_from_leaderboards=True)
    earn(user, 20)
    user.hide_from_leaderboards = False
    user.save(update_fields=["hide_from_leaderboards"])
    earn(user, 5, now=MIDWEEK + timedelta(hours=1))
    membership = row(user)
    assert membership.xp == 25 and membership.cohort_id is not None and membership.seat == 1


def test_a_correction_never_takes_league_xp_below_zero_and_starts_no_week():
    user = UserFactory()
    earn(user, 40, now=MIDWEEK - timedelta(days=7))  # last week
    earn(user, 10)
    earn(user, -30, now=MIDWEEK + timedelta(hours=1))  # a correction bigger than this week's XP
    assert row(user).xp == 0 and row(user, WEEK - timedelta(days=7)).xp == 40
    other = UserFactory()
    earn(other, 10, now=MIDWEEK)
    earn(other, -5, now=NEXT_MONDAY + timedelta(hours=1))  # no row in that week: nothing to take from
    assert not LeagueMembership.objects.filter(user=other, week_start=NEXT_WEEK).exists()


# --- The close ---------------------------------------------------------------------------------------


def _cohort(xps, *, division=0, hidden=(), start=MIDWEEK):
    """One cohort: learner i earns xps[i] (reaching it at start + i minutes, so earlier = first)."""
    users = learners(len(xps))
    for i, (user, xp) in enumerate(zip(users, xps, strict=True)):
        if division:
            _place(user, division)
        earn(user, xp if xp else 10, now=start + timedelta(minutes=i))
        if not xp:
            earn(user, -10, now=start + timedelta(minutes=i, seconds=1))  # back to 0 XP this week
    for i in hidden:
        users[i].hide_from_leaderboards = True
        users[i].save(update_fields=["hide_from_leaderboards"])
    return users


def _place(user, division):
    """A closed week two weeks back that left the learner in ``division``."""
    LeagueMembership.objects.create(
        user=user,
        week_start=WEEK - timedelta(days=14),
        division=division,
        xp=1,
        reached_at=MONDAY - timedelta(days=14),
        joined_at=MONDAY - timedelta(days=14),
        closed_at=MONDAY - timedelta(days=7),
        move=0,
        division_after=division,
    )


def _results(users):
    return [
        LeagueMembership.objects.filter(user=u, week_start=WEEK).values_list("rank", "move", "division_after").get()
        for u in users
    ]


def test_a_full_cohort_promotes_seven_demotes_five_and_pays_the_top_three():
    xps = [300 - 10 * i for i in range(30)]
    users = _cohort(xps, division=3)
    result = run_close_league_week(now=CLOSE)
    expected = [
        (i + 1, 1 if i < 7 else -1 if i >= 25 else 0, 3 + (1 if i < 7 else -1 if i >= 25 else 0)) for i in range(30)
    ]
    assert _results(users) == expected
    assert result.rows_changed == 30
    gems = {u.pk: Wallet.objects.get(user=u).gems for u in users}
    assert [gems[u.pk] for u in users[:4]] == [REWARD_GEMS[1], REWARD_GEMS[2], REWARD_GEMS[3], 0]
    assert sorted(LedgerEntry.objects.filter(reason="league_reward").values_list("key", "amount")) == sorted(
        (f"league:{WEEK}:user:{u.pk}", REWARD_GEMS[i + 1]) for i, u in enumerate(users[:3])
    )
    assert check_ledger() == []
    week = LeagueWeek.objects.get(week_start=WEEK)
    assert week.closed_at == CLOSE and week.finished_at == CLOSE


def test_ties_go_to_who_reached_the_xp_first():
    users = learners(3)
    earn(users[0], 50, now=MIDWEEK)  # joins first …
    earn(users[1], 30, now=MIDWEEK + timedelta(minutes=1))
    earn(users[2], 50, now=MIDWEEK + timedelta(minutes=2))
    earn(users[1], 20, now=MIDWEEK + timedelta(minutes=3))  # 50 too, but the last to reach it
    run_close_league_week(now=CLOSE)
    assert [r[0] for r in _results(users)] == [1, 3, 2]


def test_fewer_than_twelve_zero_xp_and_hidden_learners():
    # 10 learners: two with 0 XP (not ranked) and one hidden (not ranked): 7 ranked, all move up.
    xps = [90, 80, 70, 60, 50, 40, 30, 20, 0, 0]
    users = _cohort(xps, division=2, hidden=(7,))
    run_close_league_week(now=CLOSE)
    results = _results(users)
    assert results[:7] == [(i + 1, 1, 3) for i in range(7)]
    assert results[7:] == [(None, 0, 2)] * 3  # hidden and the 0-XP learners keep Gold
    assert Wallet.objects.get(user=users[7]).gems == 0


def test_ten_ranked_learners_three_move_down_and_bronze_and_diamond_hold():
    users = _cohort([100 - i for i in range(10)])  # Bronze
    run_close_league_week(now=CLOSE)
    assert [r[1] for r in _results(users)] == [1] * 7 + [0] * 3  # not below Bronze
    LeagueMembership.objects.all().delete()
    LeagueWeek.objects.all().delete()
    LeagueCohort.objects.all().delete()
    LeagueDivisionWeek.objects.all().delete()
    top = _cohort([100 - i for i in range(10)], division=9)
    run_close_league_week(now=CLOSE)
    assert [r[1] for r in _results(top)] == [0] * 7 + [-1] * 3  # not above Diamond; 8-10 move down


def test_the_sql_agrees_with_move_for_cohort_by_cohort():
    sizes = [1, 5, 11, 12, 13, 30]
    cohorts = []
    for n in sizes:
        cohorts.append(_cohort([10 + i for i in range(n)], division=4))
        LeagueDivisionWeek.objects.filter(week_start=WEEK, division=4).update(joined=30 * len(cohorts))
    run_close_league_week(now=CLOSE, batch_size=60)  # two cohorts per batch
    for users in cohorts:
        ranked = len(users)
        for rank, mv, after in _results(users):
            assert mv == move_for(rank=rank, ranked=ranked, division=4)
            assert after == 4 + mv


def test_closing_twice_changes_nothing_and_pays_once():
    users = _cohort([50, 40, 30, 20])
    first = run_close_league_week(now=CLOSE)
    state = list(LeagueMembership.objects.order_by("id").values())
    wallets = list(Wallet.objects.order_by("id").values_list("gems", flat=True))
    second = run_close_league_week(now=CLOSE)
    third = run_close_league_week(now=CLOSE + timedelta(days=1))
    assert first.rows_changed == 4 and second.rows_changed == 0 and third.rows_changed == 0
    assert list(LeagueMembership.objects.order_by("id").values()) == state
    assert list(Wallet.objects.order_by("id").values_list("gems", flat=True)) == wallets
    assert LedgerEntry.objects.filter(reason="league_reward").count() == 3
    assert check_ledger() == []
    assert users


def test_an_interrupted_close_finishes_the_rest_without_paying_twice():
    _cohort([50, 40, 30])
    LeagueDivisionWeek.objects.update(joined=30)  # the next learner opens a second cohort
    _cohort([60, 10])
    assert LeagueCohort.objects.count() == 2
    run_close_league_week(now=CLOSE, batch_size=30)
    first_cohort = LeagueCohort.objects.order_by("id").first()
    # Undo the second cohort and the week's end, as if the job had died after the first batch.
    LeagueMembership.objects.exclude(cohort=first_cohort).update(closed_at=None, rank=None, move=None, gems=0)
    second = LeagueMembership.objects.exclude(cohort=first_cohort).values_list("user_id", flat=True)
    LedgerEntry.objects.filter(reason="league_reward", user_id__in=list(second)).delete()
    Wallet.objects.filter(user_id__in=list(second)).update(gems=0)
    LeagueWeek.objects.update(finished_at=None)
    result = run_close_league_week(now=CLOSE, batch_size=30)
    assert result.rows_changed == 2
    assert LedgerEntry.objects.filter(reason="league_reward").count() == 5
    assert check_ledger() == []


def test_a_week_that_has_not_ended_is_not_closed():
    _cohort([10])
    assert run_close_league_week(now=NEXT_MONDAY - timedelta(seconds=1)).rows_changed == 0
    assert LeagueMembership.objects.get().closed_at is None


def test_dry_run_counts_and_changes_nothing():
    _cohort([50, 40])
    out = StringIO()
    call_command("close_league_week", "--dry-run", "--now", CLOSE.isoformat(), stdout=out)
    assert "would change" in out.getvalue() and ": 2 rows" in out.getvalue()
    assert not LeagueMembership.objects.filter(closed_at__isnull=False).exists()
    assert LeagueWeek.objects.get().closed_at is None
    assert JobRun.objects.get(job="close_league_week").outcome == JobRun.Outcome.DRY_RUN


def test_the_command_is_recorded_and_refuses_a_far_future_now():
    _cohort([50])
    with pytest.raises(CommandError, match="in the future"):
        call_command("close_league_week", "--now", "2099-01-05T00:10Z", stdout=StringIO())
    assert not JobRun.objects.exists()
    out = StringIO()
    call_command("close_league_week", "--now", CLOSE.isoformat(), stdout=out)
    assert "1 rows changed" in out.getvalue()
    run = JobRun.objects.get(job="close_league_week")
    assert (run.outcome, run.rows_changed, run.as_of) == (JobRun.Outcome.OK, 1, CLOSE)


def test_the_next_weeks_division_follows_the_result():
    users = _cohort([300 - 10 * i for i in range(30)], division=3)
    run_close_league_week(now=CLOSE)
    earn(users[0], 10, now=CLOSE + timedelta(hours=1))
    earn(users[29], 10, now=CLOSE + timedelta(hours=1))
    assert row(users[0], NEXT_WEEK).division == 4 and row(users[29], NEXT_WEEK).division == 2


def test_xp_before_the_close_waits_pending_and_is_seated_by_the_close():
    users = _cohort([300 - 10 * i for i in range(30)], division=3)
    earn(users[0], 10, now=NEXT_MONDAY + timedelta(minutes=1))  # the new week, before the close
    pending = row(users[0], NEXT_WEEK)
    assert (pending.division, pending.cohort_id, pending.xp) == (None, None, 10)
    result = run_close_league_week(now=CLOSE)
    pending.refresh_from_db()
    assert (pending.division, pending.seat, pending.xp) == (4, 1, 10)
    assert "1 pending learners seated" in result.detail


def test_a_late_answer_for_a_closed_week_counts_once_in_the_next_week():
    users = _cohort([50, 40])
    run_close_league_week(now=CLOSE)
    earn(users[1], 10, now=NEXT_MONDAY - timedelta(seconds=1))  # timed in the closed week, arriving late
    assert row(users[1]).xp == 40
    assert row(users[1], NEXT_WEEK).xp == 10
    assert check_ledger() == []
