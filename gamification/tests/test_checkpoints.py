"""Checkpoints (docs/game-rules.md, "Checkpoints"): a test at the end of a unit or section — no hearts
spent, no repeat of wrong items, a score at the end; passing one passes the lessons of its unit it covers
that the learner had not passed (bronze, XP per lesson) and opens what comes after — the jump ahead;
failing shows the score and the items missed and starts a cool-down. Races pay once."""

import uuid
from datetime import timedelta

import pytest
from django.test import override_settings

from core.errors import NotFound, ServiceError
from courses.structure import exercise_for_answer
from courses.tests.factories import CheckpointFactory
from courses.tests.sample_courses import make_course
from gamification import selectors, services
from gamification.errors import ExerciseNotInRun, RunFinished, TimeUp
from gamification.models import HeartsLog, LedgerEntry, Wallet
from gamification.services.ledger import check_ledger
from gamification.tests.helpers import RIGHT, T0, answer, pass_lesson, set_wallet
from gamification.tests.test_races import race, run_threads
from progress import services as progress
from progress.errors import CheckpointCoolingDown, CheckpointLocked, EmptyCheckpoint
from progress.models import LessonProgress, LessonRun
from progress.rules import CHECKPOINT_XP_PER_LESSON

pytestmark = pytest.mark.django_db

#: queries of starting a checkpoint run, and of a wrong, a right and the passing answer in one (this one
#: passes two lessons and completes a unit: an achievement level is awarded, about ten of them)
START_QUERIES, WRONG_QUERIES, RIGHT_QUERIES, PASS_QUERIES = 14, 6, 6, 18


def two_units(**checkpoint):
    """A course of two units of two lessons (three exercises each); unit 1 ends with a checkpoint drawing
    from its lessons (``checkpoint`` overrides, e.g. ``draw=4``)."""
    course, lessons = make_course(units=2, lessons_per_unit=2, exercises=3)
    unit1 = lessons[0].unit
    cp = CheckpointFactory(unit=unit1, **{"draw": 4, **checkpoint})
    return course, lessons, cp


def play(user, run, *, now=T0, wrong: int = 0):
    """Answer every item of the run once, the first ``wrong`` of them wrongly."""
    outcomes = []
    for i in range(len(run.exercise_ids)):
        outcomes.append(answer(user, run, correct=i >= wrong, now=now))
    run.refresh_from_db()
    return outcomes


def states(user, course):
    return progress.course_lesson_states(user=user, course=course)[1]


def test_passing_a_units_checkpoint_passes_its_lessons_pays_once_and_opens_the_next_unit(user):
    course, lessons, cp = two_units(draw=4)
    before = states(user, course)
    assert [before[le.pk] for le in lessons] == ["open", "locked", "locked", "locked"]
    wallet = set_wallet(user, hearts=2, hearts_anchor_at=T0)
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    assert (run.kind, run.lesson_id, run.checkpoint_id, run.deadline_at) == ("checkpoint", None, cp.pk, None)
    unit1_exercises = {e for le in lessons[:2] for e in le.exercises.values_list("pk", flat=True)}
    assert len(run.exercise_ids) == 4 and set(run.exercise_ids) <= unit1_exercises
    outcomes = play(user, run, wrong=0)
    assert [o.xp_awarded for o in outcomes] == [0, 0, 0, 0]  # answers pay nothing; the pass pays
    assert (run.status, run.score_percent) == ("passed", 100)
    assert run.xp_earned == 2 * CHECKPOINT_XP_PER_LESSON and run.gems_earned == 4
    after = states(user, course)
    assert [after[le.pk] for le in lessons] == ["passed", "passed", "open", "locked"]
    rows = LessonProgress.objects.filter(user=user, lesson__in=lessons[:2])
    assert sorted(rows.values_list("passes", "tier")) == [(1, 1), (1, 1)]
    wallet.refresh_from_db()
    assert wallet.hearts == 2  # no heart spent, none given
    assert LedgerEntry.objects.filter(user=user, key=f"run:{run.pk}:checkpoint:xp").get().amount == 40
    assert check_ledger() == []
    # Taken again: the lessons are passed already, so the pass pays nothing more.
    again = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0 + timedelta(minutes=1))
    play(user, again, now=T0 + timedelta(minutes=1))
    assert (again.status, again.xp_earned, again.gems_earned) == ("passed", 0, 0)
    assert sorted(rows.values_list("passes", "tier")) == [(1, 1), (1, 1)]


def test_only_lessons_not_yet_passed_are_counted_and_paid(user):
    _course, lessons, cp = two_units()
    pass_lesson(user, lessons[0], now=T0)
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    play(user, run)
    assert run.xp_earned == CHECKPOINT_XP_PER_LESSON
    first = LessonProgress.objects.get(user=user, lesson=lessons[0])
    assert (first.passes, first.tier) == (1, 1)  # its own pass, not a second one


def test_a_wrong_item_is_not_repeated_costs_no_heart_and_a_low_score_fails_with_the_items_missed(user):
    course, lessons, cp = two_units(draw=4, pass_percent=80)
    set_wallet(user, hearts=1, hearts_anchor_at=T0)
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    missed = run.queue[0]
    first = answer(user, run, correct=False)
    assert first.correct is False and first.hearts == 1 and first.remaining == 3
    run.refresh_from_db()
    assert missed not in run.queue  # never served again
    with pytest.raises(ExerciseNotInRun):
        answer(user, run, exercise_id=missed)
    play_rest = [answer(user, run) for _ in range(3)]
    run.refresh_from_db()
    assert (run.status, run.score_percent, run.xp_earned) == ("failed", 75, 0)  # 3 of 4 < 80 %
    assert play_rest[-1].run_status == "failed"
    assert not HeartsLog.objects.filter(user=user, run=run).exists()
    assert states(user, course)[lessons[1].pk] == "locked"
    summary = selectors.run_summary(user=user, run_id=run.pk)
    assert (summary.score_percent, summary.pass_percent, summary.first_try_correct) == (75, 80, 3)
    assert [m.exercise_id for m in summary.mistakes] == [missed]
    assert summary.mistakes[0].solution == RIGHT


@override_settings(MALLARD_CHECKPOINT_COOLDOWN_MINUTES=30)
def test_retry_after_a_failure_waits_for_the_cooldown(user):
    _, _, cp = two_units(draw=2, pass_percent=100)
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    play(user, run, wrong=1)
    assert run.status == "failed"
    with pytest.raises(CheckpointCoolingDown) as refused:
        services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0 + timedelta(minutes=29))
    assert refused.value.retry_at == T0 + timedelta(minutes=30)
    assert "again in 1 minute" in refused.value.message
    retry = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0 + timedelta(minutes=30))
    assert retry.pk != run.pk and retry.status == "active"


def test_abandoning_counts_as_a_failure_for_the_cooldown(user):
    _, _, cp = two_units()
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    services.abandon_run(user=user, run_id=run.pk, now=T0)
    with pytest.raises(CheckpointCoolingDown):
        services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0 + timedelta(minutes=1))


def test_a_checkpoint_is_locked_until_its_unit_is_reached_and_two_tabs_share_one_run(user):
    _course, lessons, _ = two_units()
    later = CheckpointFactory(unit=lessons[2].unit, draw=3)
    with pytest.raises(CheckpointLocked):
        services.start_checkpoint_run(user=user, checkpoint=later.slug, now=T0)
    pass_lesson(user, lessons[0])
    pass_lesson(user, lessons[1])
    run = services.start_checkpoint_run(user=user, checkpoint=later.slug, now=T0)
    assert services.start_checkpoint_run(user=user, checkpoint=later.slug, now=T0).pk == run.pk


def test_a_section_checkpoint_jumps_over_every_unit_of_the_section(user):
    course, lessons = make_course(units=2, lessons_per_unit=2, exercises=2)
    cp = CheckpointFactory(unit=None, section=lessons[0].unit.section, draw=None)
    cp.exercises.set([lessons[0].exercises.first(), lessons[3].exercises.first()])
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    assert sorted(run.exercise_ids) == sorted([lessons[0].exercises.first().pk, lessons[3].exercises.first().pk])
    play(user, run)
    assert set(states(user, course).values()) == {"passed"}
    assert run.xp_earned == 4 * CHECKPOINT_XP_PER_LESSON


def test_unpublished_empty_and_unknown_checkpoints(user):
    _course, _lessons, cp = two_units()
    cp.is_published = False
    cp.save()
    with pytest.raises(NotFound):
        services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    with pytest.raises(NotFound):
        services.start_checkpoint_run(user=user, checkpoint="no-such-checkpoint", now=T0)
    cp.is_published = True
    cp.draw = None  # a fixed list, empty
    cp.save()
    with pytest.raises(EmptyCheckpoint):
        services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    assert not LessonRun.objects.filter(user=user).exists()


def test_a_learner_cannot_answer_in_another_learners_checkpoint_run(user, other_user):
    _, _, cp = two_units()
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    with pytest.raises(NotFound):
        answer(other_user, run)
    with pytest.raises(NotFound):
        selectors.run_state(user=other_user, run_id=run.pk)


def test_the_run_and_its_items_show_no_solution(user):
    _, _, cp = two_units()
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    state = selectors.run_state(user=user, run_id=run.pk, now=T0)
    assert state.is_checkpoint and RIGHT not in repr(state.public)
    assert sorted(run.exercise_ids) == sorted(set(run.exercise_ids))  # each item once


def test_a_timed_checkpoint_refuses_late_answers_and_is_scored_on_what_came_in_time(user):
    _, _lessons, cp = two_units(draw=4, time_limit_sec=60, pass_percent=50)
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    assert run.deadline_at == T0 + timedelta(seconds=60)
    answer(user, run, now=T0 + timedelta(seconds=10))
    answer(user, run, now=T0 + timedelta(seconds=59))
    with pytest.raises(TimeUp):
        answer(user, run, now=T0 + timedelta(seconds=60))
    run.refresh_from_db()
    assert (run.status, run.timed_out, run.score_percent, run.answers_count) == ("passed", True, 50, 2)
    assert run.xp_earned == 2 * CHECKPOINT_XP_PER_LESSON
    with pytest.raises(TimeUp):  # a second late answer (another tab) is refused the same way
        answer(user, run, now=T0 + timedelta(seconds=61))
    assert check_ledger() == []


# --- Races: real threads on PostgreSQL -----------------------------------------------------------


def _submit(user, run_id, exercise_id, client_id, text=RIGHT):
    return services.submit_answer(
        user=user, run_id=run_id, exercise_id=exercise_id, answer=text, client_id=client_id, now=T0
    )


@race
@pytest.mark.postgresql_only
def test_two_tabs_finishing_one_checkpoint_pay_once(user):
    _, _lessons, cp = two_units(draw=2)
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    answer(user, run)
    run.refresh_from_db()
    last = run.queue[0]
    results = run_threads(_submit, [(user, run.pk, last, uuid.uuid4()) for _ in range(4)])
    passed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(passed) == 1 and passed[0].run_status == "passed"
    assert all(isinstance(r, RunFinished | ExerciseNotInRun) for r in refused), refused
    assert LedgerEntry.objects.filter(user=user, key=f"run:{run.pk}:checkpoint:xp").count() == 1
    assert Wallet.objects.get(user=user).xp_total == 2 * CHECKPOINT_XP_PER_LESSON + _achievement_xp(user)
    assert sorted(LessonProgress.objects.filter(user=user).values_list("passes", flat=True)) == [1, 1]
    assert check_ledger() == []


@race
@pytest.mark.postgresql_only
def test_a_double_submitted_last_answer_pays_once(user):
    _, _, cp = two_units(draw=2)
    run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    answer(user, run)
    run.refresh_from_db()
    client_id = uuid.uuid4()
    results = run_threads(_submit, [(user, run.pk, run.queue[0], client_id) for _ in range(4)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.repeated for r in results) == [False, True, True, True]
    assert LedgerEntry.objects.filter(user=user, key=f"run:{run.pk}:checkpoint:xp").count() == 1
    assert check_ledger() == []


@race
@pytest.mark.postgresql_only
def test_two_tabs_starting_a_checkpoint_get_one_run(user):
    _, _, cp = two_units()
    results = run_threads(
        lambda: services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0), [() for _ in range(4)]
    )
    assert not [r for r in results if isinstance(r, ServiceError | Exception)], results
    assert len({r.pk for r in results}) == 1
    assert LessonRun.objects.filter(user=user, kind="checkpoint").count() == 1


def _achievement_xp(user) -> int:
    return sum(
        LedgerEntry.objects.filter(user=user, reason=LedgerEntry.Reason.ACHIEVEMENT).values_list("amount", flat=True)
    )


# --- Fixed query counts ------------------------------------------------------------------------------


@pytest.mark.postgresql_only  # (SQLite reads an exercise's words in one more query)
@pytest.mark.parametrize("per_lesson", [2, 6])
def test_checkpoint_answers_take_a_fixed_number_of_queries(user, django_assert_num_queries, per_lesson):
    _course, lessons = make_course(units=2, lessons_per_unit=3, exercises=per_lesson)
    cp = CheckpointFactory(unit=lessons[0].unit, draw=3, pass_percent=60)
    pass_lesson(user, lessons[0], now=T0)  # some history elsewhere
    with django_assert_num_queries(START_QUERIES):
        run = services.start_checkpoint_run(user=user, checkpoint=cp.slug, now=T0)
    run.refresh_from_db()
    for exercise_id in run.exercise_ids:  # a server that has served them: cached (courses.structure)
        exercise_for_answer(exercise_id)
    with django_assert_num_queries(WRONG_QUERIES):
        _submit(user, run.pk, run.queue[0], uuid.uuid4(), text="nope")
    with django_assert_num_queries(RIGHT_QUERIES):
        _submit(user, run.pk, run.queue[1], uuid.uuid4())
    with django_assert_num_queries(PASS_QUERIES):
        last = _submit(user, run.pk, run.queue[2], uuid.uuid4())
    assert last.run_status == "passed"
