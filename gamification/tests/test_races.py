"""Races with real threads on PostgreSQL: double submits, two tabs finishing a run, concurrent losses.

Each thread uses its own database connection and closes it at the end. ``serialized_rollback``
restores the seeded achievements for the tests that follow.
"""

import threading
import uuid

import pytest
from django.db import connection

from core.errors import ServiceError
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.models import HeartsLog, LedgerEntry, Wallet
from gamification.services.ledger import check_ledger
from gamification.tests.helpers import RIGHT, T0, WRONG, answer
from progress.models import ExerciseAttempt, LessonProgress, LessonRun

race = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_threads(target, args_list):
    """Start one thread per args tuple at the same moment; return results (value or exception)."""
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


def submit(user, run_id, exercise_id, text, client_id):
    return services.submit_answer(
        user=user, run_id=run_id, exercise_id=exercise_id, answer=text, client_id=client_id, now=T0
    )


@race
def test_eight_threads_same_client_id_one_attempt_one_award(user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    client_id, exercise_id = uuid.uuid4(), run.queue[0]
    results = run_threads(submit, [(user, run.pk, exercise_id, RIGHT, client_id)] * 8)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert ExerciseAttempt.objects.filter(user=user, client_id=client_id).count() == 1
    assert LedgerEntry.objects.filter(user=user, key=f"run:{run.pk}:ex:{exercise_id}:xp").count() == 1
    assert len({r.attempt_id for r in results}) == 1
    assert sorted(r.repeated for r in results) == [False] + [True] * 7
    assert all(r.xp_awarded == 10 for r in results)
    assert Wallet.objects.get(user=user).xp_total == 10
    assert LessonRun.objects.get(pk=run.pk).answers_count == 1
    assert check_ledger() == []


@race
def test_two_tabs_finishing_the_same_run_count_one_pass(user):
    _, (first, _) = make_course(exercises=3)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    answer(user, run)
    answer(user, run)
    run.refresh_from_db()
    last = run.queue[0]
    results = run_threads(submit, [(user, run.pk, last, RIGHT, uuid.uuid4()) for _ in range(2)])
    outcomes = [r for r in results if not isinstance(r, Exception)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(outcomes) == 1 and outcomes[0].run_status == "passed"
    assert len(errors) == 1 and isinstance(errors[0], ServiceError)
    assert errors[0].code in {"run_finished", "exercise_not_in_run"}
    assert LessonProgress.objects.get(user=user, lesson=first).passes == 1
    assert LedgerEntry.objects.filter(user=user, currency="gems", reason="run_passed").count() == 1
    assert ExerciseAttempt.objects.filter(run=run).count() == 3
    assert check_ledger() == []


@race
def test_concurrent_wrong_answers_never_drive_hearts_below_zero(user):
    _, (first, _) = make_course(exercises=8)
    services.ensure_learner(user=user, now=T0)
    Wallet.objects.filter(user=user).update(hearts=2, hearts_anchor_at=T0)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    results = run_threads(submit, [(user, run.pk, pk, WRONG, uuid.uuid4()) for pk in run.exercise_ids[:6]])
    outcomes = [r for r in results if not isinstance(r, Exception)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, ServiceError) for e in errors), errors
    assert len(outcomes) == 2
    assert sorted(o.hearts for o in outcomes) == [0, 1]
    wallet = Wallet.objects.get(user=user)
    assert wallet.hearts == 0
    assert LessonRun.objects.get(pk=run.pk).status == "failed"
    losses = HeartsLog.objects.filter(user=user, reason="wrong_answer")
    assert losses.count() == 2 and all(log.hearts_after >= 0 for log in losses)


def enrol_and_start(user, lesson):
    return services.start_lesson_run(user=user, lesson=lesson, now=T0)


def enrol_only(user, course):
    from progress import services as progress_services

    return progress_services.enroll(user=user, course=course, now=T0)


@race
def test_concurrent_enrolment_in_two_courses_is_serialised_on_the_learner(user):
    from progress.models import Enrollment

    courses = [make_course(lessons_per_unit=1) for _ in range(4)]
    for _ in range(3):  # a few rounds: the race needs the threads to interleave
        starts = run_threads(enrol_and_start, [(user, lessons[0]) for _course, lessons in courses])
        assert not [r for r in starts if isinstance(r, Exception)], starts
        enrols = run_threads(enrol_only, [(user, course) for course, _lessons in courses] * 2)
        assert not [r for r in enrols if isinstance(r, Exception)], enrols
        assert Enrollment.objects.filter(user=user, is_current=True).count() == 1
    assert Enrollment.objects.filter(user=user).count() == 4
