"""submit_answer: idempotency by client_id, bad input changes nothing, and a fixed number of queries."""

import uuid
from datetime import timedelta

import pytest

from accounts.tests.factories import UserFactory
from core.errors import NotFound
from courses.exercise_types import get_type, served_payload
from courses.tests.factories import ExerciseFactory
from courses.tests.sample_courses import add_exercises, make_course
from gamification import services
from gamification.errors import ClientIdConflict, ExerciseNotInRun, InvalidAnswer, RunFinished
from gamification.models import DailyActivity, HeartsLog, LedgerEntry, Streak, Wallet
from progress.models import ExerciseAttempt, LessonProgress, LessonRun, TokenMastery

from .helpers import RIGHT, T0, WRONG, answer, pass_lesson

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "attempts": ExerciseAttempt.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "hearts_log": HeartsLog.objects.count(),
        "mastery": TokenMastery.objects.count(),
        "daily": list(DailyActivity.objects.values_list("xp", "seconds_spent", "activities")),
        "wallets": list(Wallet.objects.values_list("xp_total", "gems", "hearts", "hearts_anchor_at")),
        "runs": list(LessonRun.objects.values_list("status", "queue", "xp_earned", "mistakes", "answers_count")),
        "streaks": list(Streak.objects.values_list("current", "last_day")),
    }


def test_repeat_client_id_returns_the_first_outcome_and_changes_nothing(user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    client_id = uuid.uuid4()
    exercise_id = run.queue[0]
    first_outcome = answer(user, run, correct=False, client_id=client_id, exercise_id=exercise_id)
    before = _counts()
    # Same id again, even with a different (right) answer and an hour later: the first result.
    again = answer(user, run, text=RIGHT, client_id=client_id, exercise_id=exercise_id, now=T0 + timedelta(hours=1))
    assert again.repeated and not first_outcome.repeated
    assert again.attempt_id == first_outcome.attempt_id
    assert {**again.as_dict(), "repeated": False} == first_outcome.as_dict()
    assert _counts() == before


def test_same_client_id_for_another_exercise_is_a_conflict(user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    client_id = uuid.uuid4()
    answer(user, run, client_id=client_id)
    before = _counts()
    run.refresh_from_db()
    with pytest.raises(ClientIdConflict) as info:
        answer(user, run, client_id=client_id, exercise_id=run.queue[0])
    assert info.value.status == 409 and info.value.field == "client_id"
    assert _counts() == before


def test_client_ids_are_per_learner(user, other_user):
    _, (first, _) = make_course()
    client_id = uuid.uuid4()
    run_a = services.start_lesson_run(user=user, lesson=first, now=T0)
    run_b = services.start_lesson_run(user=other_user, lesson=first, now=T0)
    assert not answer(user, run_a, client_id=client_id).repeated
    assert not answer(other_user, run_b, client_id=client_id).repeated
    assert ExerciseAttempt.objects.filter(client_id=client_id).count() == 2


def test_exercise_not_in_the_run(user):
    course, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    stranger = ExerciseFactory(course=course)
    before = _counts()
    with pytest.raises(ExerciseNotInRun) as info:
        answer(user, run, exercise_id=stranger.pk)
    assert (info.value.status, info.value.field) == (400, "exercise")
    with pytest.raises(ExerciseNotInRun):
        answer(user, run, exercise_id="not-a-number")
    assert _counts() == before


def test_exercise_already_answered_correctly_is_not_waiting(user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    done = run.queue[0]
    answer(user, run)
    before = _counts()
    with pytest.raises(ExerciseNotInRun, match="already been answered"):
        answer(user, run, exercise_id=done)
    assert _counts() == before


def test_finished_run(user):
    _, (first, _) = make_course()
    run, _ = pass_lesson(user, first)
    before = _counts()
    with pytest.raises(RunFinished) as info:
        answer(user, run, exercise_id=run.exercise_ids[0])
    assert info.value.status == 409
    assert _counts() == before


def test_someone_elses_run_is_not_found(user, other_user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    services.ensure_learner(user=other_user, now=T0)
    before = _counts()
    with pytest.raises(NotFound) as info:
        answer(other_user, run)
    assert info.value.status == 404
    with pytest.raises(NotFound):
        answer(user, run, exercise_id=run.queue[0]) if False else services.submit_answer(
            user=user, run_id=987654, exercise_id=1, answer=RIGHT, client_id=uuid.uuid4(), now=T0
        )
    assert _counts() == before


@pytest.mark.parametrize("bad", [None, 42, ["a", "b"], {"text": "x"}, "", "   "])
def test_malformed_answer_is_rejected_and_changes_nothing(user, bad):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    before = _counts()
    with pytest.raises(InvalidAnswer) as info:
        answer(user, run, text=bad)
    assert (info.value.status, info.value.field) == (400, "answer")
    assert info.value.message
    assert _counts() == before


def test_structured_answers_of_other_types(user):
    course, (lesson, _) = make_course(exercises=0, tokens=0)
    choice = ExerciseFactory(
        course=course, type="multiple_choice", payload={"question": "Hola?", "choices": ["Bye", "Hello"], "answer": 1}
    )
    lesson.lesson_exercises.create(exercise=choice, ordinal=1)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    before = _counts()
    with pytest.raises(InvalidAnswer):
        answer(user, run, text="the second one")
    assert _counts() == before
    # Choices are served in the run's own order: find "Hello" where this run shows it.
    served = served_payload(get_type("multiple_choice"), choice.payload, run_id=run.pk, exercise_id=choice.pk)
    hello = served["choices"].index("Hello")
    wrong = answer(user, run, text=1 - hello)
    assert (wrong.correct, wrong.solution, wrong.hearts) == (False, "Hello", 4)
    right = answer(user, run, text=hello)
    assert (right.correct, right.run_status, right.xp_awarded) == (True, "passed", 10)


def test_malformed_client_id(user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    before = _counts()
    with pytest.raises(InvalidAnswer) as info:
        answer(user, run, client_id="not-a-uuid")
    assert info.value.field == "client_id"
    assert _counts() == before


def test_attempt_stores_answer_time_and_result(user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    outcome = answer(user, run, time_spent_ms=4_600)
    attempt = ExerciseAttempt.objects.get(pk=outcome.attempt_id)
    assert (attempt.answer, attempt.correct, attempt.xp_awarded, attempt.time_spent_ms) == (RIGHT, True, 10, 4600)
    assert attempt.result["xp_awarded"] == 10 and "attempt_id" not in attempt.result
    assert DailyActivity.objects.get(user=user).seconds_spent == 5
    ledger = LedgerEntry.objects.get(user=user, reason="exercise")
    assert ledger.key == f"run:{run.pk}:ex:{attempt.exercise_id}:xp"
    assert (ledger.source_type, ledger.source_id) == ("progress.exerciseattempt", attempt.pk)


# --- Query counts --------------------------------------------------------------------------------


def _long_history(user, course, lesson):
    """Hundreds of rows of history written directly (not through services)."""
    run = LessonRun.objects.create(
        user=user,
        course=course,
        lesson=lesson,
        status="passed",
        started_at=T0 - timedelta(days=300),
        finished_at=T0 - timedelta(days=300),
    )
    exercise_id = lesson.lesson_exercises.first().exercise_id
    ExerciseAttempt.objects.bulk_create(
        ExerciseAttempt(
            run=run,
            user=user,
            exercise_id=exercise_id,
            answer="x",
            correct=bool(i % 2),
            created_at=T0 - timedelta(days=300 - i % 200),
        )
        for i in range(400)
    )
    DailyActivity.objects.bulk_create(
        DailyActivity(user=user, day=(T0 - timedelta(days=i + 2)).date(), xp=i + 1) for i in range(250)
    )
    HeartsLog.objects.bulk_create(
        HeartsLog(user=user, hearts_before=5, hearts_after=4, reason="wrong_answer", created_at=T0 - timedelta(days=i))
        for i in range(3, 200)
    )


def _submit(user, run, text):
    run.refresh_from_db()
    head = run.queue[0]
    return lambda: services.submit_answer(
        user=user, run_id=run.pk, exercise_id=head, answer=text, client_id=uuid.uuid4(), now=T0
    )


def _queries_for_run(django_assert_num_queries, user, lesson, *, expected: dict):
    """Play a run (wrong, right, … last right) and assert each answer's query count, on a server that
    has served these exercises before (cached: ``courses.structure.exercise_for_answer``)."""
    from courses.structure import exercise_for_answer

    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    for exercise_id in run.exercise_ids:
        exercise_for_answer(exercise_id)
    send = _submit(user, run, WRONG)
    with django_assert_num_queries(expected["wrong"]):
        send()
    send = _submit(user, run, RIGHT)
    with django_assert_num_queries(expected["right"]):
        send()
    while len(run.queue) > 1:
        answer(user, run)
        run.refresh_from_db()
    send = _submit(user, run, RIGHT)
    with django_assert_num_queries(expected["last"]):
        outcome = send()
    assert outcome.run_status == "passed"


@pytest.mark.slow
@pytest.mark.postgresql_only  # (SQLite writes the answer's new rows one model at a time: core.inserts)
def test_submit_answer_query_count_is_fixed(django_assert_num_queries):
    """Same count for a 3- and a 15-exercise lesson and for a learner with a long history.

    The learners already hold every achievement, so ``evaluate`` costs its one look-up query."""
    from gamification.models import Achievement, UserAchievement

    course, (small,) = make_course(lessons_per_unit=1, exercises=3, tokens=2)
    big = small.unit.lessons.create(title="Big", ordinal=9, slug=f"{course.slug}-big", is_published=True)
    add_exercises(big, 15, tokens_per_exercise=2)
    users = [UserFactory(), UserFactory(), UserFactory()]
    _long_history(users[2], course, small)
    for u in users:
        services.ensure_learner(user=u, now=T0)
        UserAchievement.objects.bulk_create(
            UserAchievement(user=u, achievement=a, earned_at=T0) for a in Achievement.objects.all()
        )
        # Open the big lesson by passing the small one first (outside the counted blocks).
        pass_lesson(u, small, now=T0 - timedelta(hours=1))
    # wrong: savepoint, wallet lock, run lock (with the client_id look-up, the learner's memory
    #   parameters and their rows of the exercise's words in the same statement), day upsert, then one
    #   statement: the run's update, the wallet's update, the words' upsert and the answer's new rows
    #   (attempt, review log, hearts log, activity log: core.inserts), release = 6
    #   (the exercise comes from the course's cached content: courses.structure.exercise_for_answer)
    # right: … no hearts log, the ledger entry in the new rows; the day's upsert, the streak's update,
    #   the league week's XP and the achievements' look-up in one statement = 6 (the learner already
    #   has this league week's row: the first XP of a week costs a few more)
    # last right: + lesson progress read/update, run tiers update, and the achievements' look-up on its
    #   own (a pass can earn other levels too) = 10 (the answer and the lesson's end are two
    #   activity-log rows of the same statement)
    expected = {"wrong": 6, "right": 6, "last": 10}
    _queries_for_run(django_assert_num_queries, users[0], small, expected=expected)
    _queries_for_run(django_assert_num_queries, users[1], big, expected=expected)
    _queries_for_run(django_assert_num_queries, users[2], big, expected=expected)


def test_replay_is_cheap(django_assert_num_queries, user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    client_id = uuid.uuid4()
    exercise_id = run.queue[0]
    answer(user, run, client_id=client_id, exercise_id=exercise_id)
    with django_assert_num_queries(5):  # savepoint, wallet lock, run lock (finds the client_id), attempt, release
        outcome = services.submit_answer(
            user=user, run_id=run.pk, exercise_id=exercise_id, answer=RIGHT, client_id=client_id, now=T0
        )
    assert outcome.repeated
    assert LessonProgress.objects.get(user=user, lesson=first).runs_started == 1
