"""Lesson runs: starting, the queue in practice, pass/perfect/fail, tiers, unlocking, review sessions."""

from datetime import timedelta

import pytest

from core.errors import NotFound
from courses.models import LessonPrerequisite
from courses.tests.factories import LessonFactory
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.errors import OutOfHearts
from gamification.models import HeartsLog, LedgerEntry, Wallet
from progress.errors import EmptyLesson, LessonLocked, NothingToReview
from progress.models import Enrollment, LessonProgress, LessonRun

from .helpers import T0, answer, pass_lesson

pytestmark = pytest.mark.django_db


def test_start_enrols_and_opens_the_first_lesson(user):
    course, lessons = make_course()
    run = services.start_lesson_run(user=user, lesson=lessons[0], now=T0)
    assert run.status == "active" and run.kind == "lesson"
    assert run.queue == run.exercise_ids and len(run.exercise_ids) == 3
    assert Enrollment.objects.get(user=user, course=course).is_current
    assert Wallet.objects.get(user=user).hearts == 5
    assert LessonProgress.objects.get(user=user, lesson=lessons[0]).runs_started == 1


def test_second_lesson_is_locked_until_the_first_is_passed(user):
    _, (first, second) = make_course()
    with pytest.raises(LessonLocked):
        services.start_lesson_run(user=user, lesson=second, now=T0)
    pass_lesson(user, first)
    assert services.start_lesson_run(user=user, lesson=second, now=T0).lesson_id == second.pk


def test_explicit_prerequisite_unlocks_out_of_order(user):
    _, lessons = make_course(units=2, lessons_per_unit=1)
    third = LessonFactory(unit=lessons[1].unit, ordinal=2)
    from courses.tests.sample_courses import add_exercises

    add_exercises(third, 2)
    LessonPrerequisite.objects.create(lesson=third, prerequisite=lessons[0])
    pass_lesson(user, lessons[0])
    # third needs only lessons[0]; lessons[1] is open by course order.
    assert services.start_lesson_run(user=user, lesson=third, now=T0).lesson_id == third.pk


def test_unpublished_lessons_are_not_found_and_skipped_in_course_order(user):
    _, (first, second) = make_course()
    first.is_published = False
    first.save()
    with pytest.raises(NotFound):
        services.start_lesson_run(user=user, lesson=first, now=T0)
    # With the first unpublished, the second is the course's first lesson: open.
    assert services.start_lesson_run(user=user, lesson=second, now=T0).lesson_id == second.pk


def test_unpublished_course_is_not_found(user):
    course, (first, _) = make_course()
    course.is_published = False
    course.save()
    with pytest.raises(NotFound):
        services.start_lesson_run(user=user, lesson=first, now=T0)
    assert not LessonRun.objects.exists()


def test_empty_lesson_cannot_be_started(user):
    _, (first, _) = make_course(exercises=0)
    with pytest.raises(EmptyLesson):
        services.start_lesson_run(user=user, lesson=first, now=T0)


def test_two_tabs_starting_the_same_lesson_share_one_run(user):
    _, (first, _) = make_course()
    a = services.start_lesson_run(user=user, lesson=first, now=T0)
    b = services.start_lesson_run(user=user, lesson=first, now=T0 + timedelta(minutes=1))
    assert a.pk == b.pk
    assert LessonRun.objects.count() == 1
    assert LessonProgress.objects.get(user=user, lesson=first).runs_started == 1


def test_perfect_pass_awards_xp_gems_tier(user):
    _, (first, _) = make_course(difficulty="medium")
    run, outcome = pass_lesson(user, first)
    assert outcome.run_status == "passed" and outcome.remaining == 0
    assert run.status == "passed" and run.is_perfect and run.finished_at == T0
    assert run.xp_earned == 3 * 20 and run.gems_earned == 6
    progress = LessonProgress.objects.get(user=user, lesson=first)
    assert (progress.passes, progress.perfect_passes, progress.tier) == (1, 1, 1)
    assert progress.tier_anchor_at == progress.last_passed_at == progress.first_passed_at == T0
    assert (run.tier_before, run.tier_after) == (0, 1)
    gems = LedgerEntry.objects.get(user=user, currency="gems")
    assert (gems.amount, gems.key) == (6, f"run:{run.pk}:gems")


def test_wrong_answer_is_served_again_and_run_is_not_perfect(user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    a, b, c = run.exercise_ids
    wrong = answer(user, run, correct=False)
    assert (wrong.correct, wrong.xp_awarded, wrong.hearts, wrong.remaining) == (False, 0, 4, 3)
    run.refresh_from_db()
    assert run.queue == [b, c, a] and run.missed_ids == [a]
    for _ in range(3):
        last = answer(user, run)
    assert last.run_status == "passed"
    run.refresh_from_db()
    assert run.mistakes == 1 and not run.is_perfect and run.xp_earned == 30
    progress = LessonProgress.objects.get(user=user, lesson=first)
    assert (progress.passes, progress.perfect_passes) == (1, 0)


def test_xp_only_for_first_correct_answer_of_each_exercise(user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    answer(user, run, correct=False)
    outcomes = [answer(user, run) for _ in range(3)]
    assert [o.xp_awarded for o in outcomes] == [10, 10, 10]
    assert LedgerEntry.objects.filter(user=user, reason="exercise").count() == 3


def test_run_fails_when_hearts_reach_zero_and_xp_stays(user):
    _, (first, _) = make_course(exercises=8)
    services.ensure_learner(user=user, now=T0)
    Wallet.objects.filter(user=user).update(hearts=2, hearts_anchor_at=T0)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    assert answer(user, run).xp_awarded == 10
    assert answer(user, run, correct=False).run_status == "active"
    last = answer(user, run, correct=False)
    assert (last.run_status, last.hearts) == ("failed", 0)
    run.refresh_from_db()
    assert run.status == "failed" and run.gems_earned == 0 and run.xp_earned == 10
    assert Wallet.objects.get(user=user).xp_total == 10
    assert LessonProgress.objects.get(user=user, lesson=first).passes == 0
    assert not LedgerEntry.objects.filter(currency="gems").exists()
    with pytest.raises(OutOfHearts):
        services.start_lesson_run(user=user, lesson=first, now=T0)


def test_out_of_hearts_start_is_refused_until_a_heart_regenerates(user):
    _, (first, _) = make_course()
    services.ensure_learner(user=user, now=T0)
    Wallet.objects.filter(user=user).update(hearts=0, hearts_anchor_at=T0)
    with pytest.raises(OutOfHearts):
        services.start_lesson_run(user=user, lesson=first, now=T0 + timedelta(hours=3, minutes=59))
    run = services.start_lesson_run(user=user, lesson=first, now=T0 + timedelta(hours=4))
    assert run.status == "active"


@pytest.mark.slow
def test_tiers_climb_with_passes_and_legendary_needs_five_perfect(user):
    _, (first, _) = make_course()
    tiers = []
    for i in range(5):
        run, _ = pass_lesson(user, first, now=T0 + timedelta(days=i), mistakes=1 if i == 0 else 0)
        tiers.append((run.tier_before, run.tier_after))
    assert tiers == [(0, 1), (1, 1), (1, 2), (2, 2), (2, 3)]
    run, _ = pass_lesson(user, first, now=T0 + timedelta(days=6))
    assert (run.tier_before, run.tier_after) == (3, 4)  # 6 passes, 5 of them perfect
    progress = LessonProgress.objects.get(user=user, lesson=first)
    assert (progress.passes, progress.perfect_passes, progress.tier) == (6, 5, 4)
    assert progress.tier_anchor_at == progress.last_passed_at == T0 + timedelta(days=6)
    assert progress.first_passed_at == T0


@pytest.mark.slow
def test_pass_restores_the_tier_counts_earn_after_decay(user):
    _, (first, _) = make_course()
    for i in range(3):
        pass_lesson(user, first, now=T0 + timedelta(days=i))
    # The nightly job decays silver to bronze …
    LessonProgress.objects.filter(user=user, lesson=first).update(tier=1, last_decayed_at=T0 + timedelta(days=20))
    run, _ = pass_lesson(user, first, now=T0 + timedelta(days=30))
    assert (run.tier_before, run.tier_after) == (1, 2)  # 4 passes earn silver again


def test_abandon_keeps_xp_and_gives_no_pass(user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    answer(user, run)
    abandoned = services.abandon_run(user=user, run_id=run.pk, now=T0)
    assert abandoned.status == "abandoned" and abandoned.finished_at == T0
    assert Wallet.objects.get(user=user).xp_total == 10
    assert LessonProgress.objects.get(user=user, lesson=first).passes == 0
    # A new run of the lesson can start.
    assert services.start_lesson_run(user=user, lesson=first, now=T0).pk != run.pk


def test_abandon_someone_elses_run_is_not_found(user, other_user):
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    with pytest.raises(NotFound):
        services.abandon_run(user=other_user, run_id=run.pk, now=T0)
    run.refresh_from_db()
    assert run.status == "active"


# --- Review sessions ---------------------------------------------------------------------------


def test_nothing_to_review_for_a_new_learner(user):
    course, _ = make_course()
    with pytest.raises(NothingToReview):
        services.start_review_session(user=user, course=course, now=T0)


def test_review_uses_recent_mistakes_and_due_words(user):
    course, (first, second) = make_course(exercises=4)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    mistaken = run.queue[0]
    answer(user, run, correct=False)
    while run.status == "active":
        answer(user, run)
        run.refresh_from_db()
    # Right after the lesson: the mistake is reviewable, the words are not due yet.
    review = services.start_review_session(user=user, course=course, now=T0 + timedelta(minutes=5))
    assert review.kind == "review" and review.lesson_id is None
    assert review.exercise_ids == [mistaken]
    services.abandon_run(user=user, run_id=review.pk, now=T0 + timedelta(minutes=6))
    # Two days later every word of the lesson is due (interval 1 day): all four exercises come back,
    # and after 14 days the mistake alone would no longer count.
    review = services.start_review_session(user=user, course=course, now=T0 + timedelta(days=2))
    assert set(review.exercise_ids) == set(run.exercise_ids)
    assert review.exercise_ids[0] == mistaken
    # Exercises of the unplayed lesson are not included.
    assert not set(review.exercise_ids) & set(second.lesson_exercises.values_list("exercise_id", flat=True))


def test_review_costs_no_hearts_earns_core_xp_and_returns_a_heart(user):
    course, (first, _) = make_course(kind="audio", difficulty="hard")
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    answer(user, run, correct=False)
    answer(user, run, correct=False)
    assert Wallet.objects.get(user=user).hearts == 3
    services.abandon_run(user=user, run_id=run.pk, now=T0)
    now = T0 + timedelta(minutes=10)
    review = services.start_review_session(user=user, course=course, now=now)
    wrong = answer(user, review, correct=False, now=now)
    assert (wrong.hearts, wrong.run_status) == (3, "active")
    while True:
        review.refresh_from_db()
        if review.status != "active":
            break
        last = answer(user, review, now=now)
    assert last.run_status == "passed" and last.hearts == 4
    review.refresh_from_db()
    assert review.xp_earned == 10 * len(review.exercise_ids)
    assert HeartsLog.objects.filter(user=user, reason="review_passed", hearts_before=3, hearts_after=4).count() == 1
    wallet = Wallet.objects.get(user=user)
    assert wallet.hearts == 4
    # A review never touches lesson tiers.
    assert LessonProgress.objects.get(user=user, lesson=first).passes == 0


def test_review_can_start_at_zero_hearts(user):
    course, (first, _) = make_course(exercises=5)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    for _ in range(5):
        answer(user, run, correct=False)
    run.refresh_from_db()
    assert run.status == "failed"
    review = services.start_review_session(user=user, course=course, now=T0)
    assert review.status == "active"
    assert services.start_review_session(user=user, course=course, now=T0).pk == review.pk
