"""Practice ahead (docs/game-rules.md, "Practice ahead"): offered when nothing is due, it serves the
weakest words even though not due, and pays XP for new evidence only — no gems, no heart, no XP for
an exercise a review already paid for on the learner's day. The memory model records its answers."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from core.errors import ServiceError
from core.tests.api import API, assert_error, client_for
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.models import HeartsLog, LedgerEntry, Wallet
from gamification.services.ledger import check_ledger
from gamification.tests.helpers import RIGHT, T0, WRONG, answer, pass_lesson, set_wallet
from gamification.tests.test_races import race, run_threads
from progress.errors import NothingToPractise, NothingToReview
from progress.models import ExerciseAttempt, LessonRun, ReviewLog, TokenMastery

pytestmark = pytest.mark.django_db

LATER = T0 + timedelta(hours=2)  # the same local day (UTC learner), before any word is due
NEXT_DAY = T0 + timedelta(days=1, hours=1)  # a day later: recall has dropped a little, nothing due yet


def practised(user, *, exercises=3):
    """A course whose first lesson the learner passed perfectly at T0: words practised, none due at
    LATER, no recent mistake."""
    course, (first, _) = make_course(exercises=exercises)
    pass_lesson(user, first, now=T0)
    assert not TokenMastery.objects.filter(user=user, due_at__lte=LATER).exists()
    return course, first


def play(user, run, *, now, correct=True):
    """Answer the run until it is over; return the outcomes."""
    outcomes = []
    while True:
        run.refresh_from_db()
        if run.status != "active":
            return outcomes
        outcomes.append(answer(user, run, now=now, correct=correct))
        if not correct:
            correct = True  # one wrong answer, then right ones


# --- The service ---------------------------------------------------------------------------------


def test_nothing_due_is_refused_and_practice_ahead_starts_a_flagged_review(user):
    course, first = practised(user)
    with pytest.raises(NothingToReview):
        services.start_review_session(user=user, course=course, now=LATER)
    run = services.start_review_session(user=user, course=course, now=LATER, ahead=True)
    assert run.kind == "review" and run.ahead is True and run.lesson is None
    assert sorted(run.exercise_ids) == sorted(first.exercises.values_list("pk", flat=True))
    # Asking again (two tabs) returns the same active review.
    assert services.start_review_session(user=user, course=course, now=LATER, ahead=True).pk == run.pk
    assert services.start_review_session(user=user, course=course, now=LATER).pk == run.pk


def test_practice_ahead_pays_xp_but_no_gems_and_no_heart(user):
    course, _ = practised(user)
    wallet = set_wallet(user, hearts=3, hearts_anchor_at=LATER)
    xp0, gems0 = wallet.xp_total, wallet.gems
    run = services.start_review_session(user=user, course=course, now=LATER, ahead=True)
    outcomes = play(user, run, now=LATER, correct=False)
    run.refresh_from_db()
    assert run.status == "passed"
    assert run.xp_earned == 30 and run.gems_earned == 0
    assert [o.xp_awarded for o in outcomes] == [0, 10, 10, 10]
    assert all(o.hearts == 3 for o in outcomes)  # the wrong answer cost none, the pass gave none
    wallet.refresh_from_db()
    assert (wallet.xp_total - xp0, wallet.gems - gems0, wallet.hearts) == (30, 0, 3)
    assert not LedgerEntry.objects.filter(user=user, key=f"run:{run.pk}:gems").exists()
    assert not HeartsLog.objects.filter(user=user, run=run).exists()
    assert check_ledger() == []


def test_an_ordinary_review_that_pays_still_gives_gems_and_a_heart(user):
    """The contrast with the test above: the flag is what removes gems and the heart."""
    course, (first, _) = make_course(exercises=3)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    answer(user, run, correct=False)
    services.abandon_run(user=user, run_id=run.pk, now=T0)
    set_wallet(user, hearts=3, hearts_anchor_at=LATER)
    review = services.start_review_session(user=user, course=course, now=LATER)
    assert review.ahead is False
    play(user, review, now=LATER)
    review.refresh_from_db()
    assert review.gems_earned == 1 and Wallet.objects.get(user=user).hearts == 4


def test_practice_ahead_pays_an_exercise_once_per_local_day(user):
    course, _ = practised(user)
    first = services.start_review_session(user=user, course=course, now=LATER, ahead=True)
    play(user, first, now=LATER)
    second = services.start_review_session(user=user, course=course, now=LATER + timedelta(minutes=5), ahead=True)
    assert second.pk != first.pk and set(second.exercise_ids) == set(first.exercise_ids)
    outcomes = play(user, second, now=LATER + timedelta(minutes=5))
    second.refresh_from_db()
    assert [o.xp_awarded for o in outcomes] == [0, 0, 0] and second.xp_earned == 0
    # The next local day is new evidence again.
    tomorrow = T0 + timedelta(days=1, hours=1)
    third = services.start_review_session(user=user, course=course, now=tomorrow, ahead=True)
    play(user, third, now=tomorrow)
    third.refresh_from_db()
    assert third.xp_earned > 0 and third.gems_earned == 0


def test_an_exercise_paid_by_a_review_today_pays_nothing_when_practised_ahead(user):
    course, (first, _) = make_course(exercises=3)
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    mistaken = run.queue[0]
    answer(user, run, correct=False)
    pass_lesson(user, first, now=T0)
    review = services.start_review_session(user=user, course=course, now=LATER)
    assert review.exercise_ids == [mistaken]
    play(user, review, now=LATER)
    ahead = services.start_review_session(user=user, course=course, now=LATER, ahead=True)
    outcomes = {o.exercise_id: o.xp_awarded for o in play(user, ahead, now=LATER)}
    assert outcomes[mistaken] == 0
    assert sum(outcomes.values()) == 10 * (len(outcomes) - 1)


def test_practice_ahead_with_no_word_at_all_is_refused(user, other_user):
    course, _ = practised(other_user)
    with pytest.raises(NothingToPractise) as error:
        services.start_review_session(user=user, course=course, now=LATER, ahead=True)
    assert error.value.code == "nothing_to_practise" and error.value.status == 409
    assert not LessonRun.objects.filter(user=user).exists()


def test_practice_ahead_serves_the_weakest_words_first(user):
    course, first = practised(user, exercises=4)
    weakest = list(first.exercises.order_by("pk"))[2]
    # A day later (recall is counted in whole days) nothing is due yet; one word is weaker.
    TokenMastery.objects.filter(user=user, token__in=weakest.tokens.all()).update(stability=1.5)
    run = services.start_review_session(user=user, course=course, now=NEXT_DAY, ahead=True)
    assert run.exercise_ids[0] == weakest.pk


def test_the_memory_model_records_practice_ahead(user):
    course, _ = practised(user)
    with pytest.raises(NothingToReview):
        services.start_review_session(user=user, course=course, now=NEXT_DAY)
    run = services.start_review_session(user=user, course=course, now=NEXT_DAY, ahead=True)
    exercise_id = run.queue[0]
    token = TokenMastery.objects.get(user=user, token__exercises=exercise_id)
    assert token.due_at > NEXT_DAY
    logs = ReviewLog.objects.filter(user=user, token_id=token.token_id).count()
    answer(user, run, now=NEXT_DAY)
    after = TokenMastery.objects.get(pk=token.pk)
    assert ReviewLog.objects.filter(user=user, token_id=token.token_id).count() == logs + 1
    assert after.last_seen_at == NEXT_DAY and after.seen_count == token.seen_count + 1
    # An early review is an ordinary FSRS review at its elapsed time: the stability grows, less
    # than at the due date, and the due date moves.
    assert after.stability > token.stability and after.due_at > token.due_at


def test_the_ahead_flag_is_only_for_reviews(user):
    from django.db import IntegrityError, transaction

    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        LessonRun.objects.filter(pk=run.pk).update(ahead=True)


# --- Pages ---------------------------------------------------------------------------------------


def test_nothing_due_page_offers_practice_ahead_and_starts_it(client, user, time_machine):
    time_machine.move_to(LATER, tick=False)
    course, _ = practised(user)
    client.force_login(user)
    response = client.post(reverse("start_review", args=[course.slug]))
    assert response.status_code == 302 and response.url == reverse("review_nothing_due", args=[course.slug])
    assert not LessonRun.objects.filter(user=user, kind="review").exists()
    page = client.get(response.url).content.decode()
    assert "Nothing is due for review" in page
    assert 'name="ahead" value="1"' in page and "Practise ahead" in page and "no gems" in page
    response = client.post(reverse("start_review", args=[course.slug]), {"ahead": "1"})
    run = LessonRun.objects.get(user=user, kind="review")
    assert run.ahead and response.url == reverse("run", args=[run.pk])
    assert "<title>Practice ahead" in client.get(response.url).content.decode()


def test_words_page_offers_practice_ahead_only_when_nothing_is_due(client, user, time_machine):
    time_machine.move_to(LATER, tick=False)
    course, _ = practised(user)
    client.force_login(user)
    url = reverse("course_words", args=[course.slug])
    assert 'id="practise-ahead"' in client.get(url).content.decode()
    TokenMastery.objects.filter(user=user).update(due_at=T0)  # now words are due: a plain review
    html = client.get(url).content.decode()
    assert 'id="practise-ahead"' not in html and "due word" in html


def test_practice_ahead_page_with_no_word_explains_on_the_path(client, user):
    course, _ = make_course()
    client.force_login(user)
    response = client.post(reverse("start_review", args=[course.slug]), {"ahead": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("course_path", args=[course.slug])
    assert "start a lesson first" in response.content.decode()


def test_end_screen_of_practice_ahead_says_no_gems(client, user):
    course, _ = practised(user)
    run = services.start_review_session(user=user, course=course, now=LATER, ahead=True)
    play(user, run, now=LATER)
    client.force_login(user)
    html = client.get(reverse("run_done", args=[run.pk])).content.decode()
    assert 'id="done-ahead"' in html


# --- API -----------------------------------------------------------------------------------------


def test_api_practice_ahead(user, time_machine):
    time_machine.move_to(LATER, tick=False)
    course, _ = practised(user)
    api = client_for(user)
    url = f"{API}courses/{course.slug}/review/"
    assert_error(api.post(url), 409, "nothing_to_review")
    assert_error(api.post(f"{url}?ahead=yes"), 400, "invalid", field="ahead")
    assert_error(api.post(f"{url}?ahead=true&ahead=false"), 400, field="ahead")
    response = api.post(f"{url}?ahead=true")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "review" and body["ahead"] is True and body["total"] == 3
    assert LessonRun.objects.get(pk=body["id"]).ahead


def test_api_practice_ahead_without_words_is_409(user):
    course, _ = make_course()
    assert_error(client_for(user).post(f"{API}courses/{course.slug}/review/?ahead=true"), 409, "nothing_to_practise")


def test_api_run_of_a_lesson_is_not_ahead(user):
    _, (first, _) = make_course()
    response = client_for(user).post(f"{API}lessons/{first.slug}/runs/")
    assert response.status_code == 201 and response.json()["ahead"] is False


# --- Races ---------------------------------------------------------------------------------------


def _submit(user, run_id, exercise_id, text, client_id):
    return services.submit_answer(
        user=user, run_id=run_id, exercise_id=exercise_id, answer=text, client_id=client_id, now=LATER
    )


@race
def test_two_tabs_answering_the_same_ahead_item_pay_once(user):
    course, _ = practised(user)
    run = services.start_review_session(user=user, course=course, now=LATER, ahead=True)
    item = run.queue[0]
    xp0 = Wallet.objects.get(user=user).xp_total
    results = run_threads(_submit, [(user, run.pk, item, RIGHT, uuid.uuid4()) for _ in range(2)])
    outcomes = [r for r in results if not isinstance(r, Exception)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(outcomes) == 1 and outcomes[0].xp_awarded == 10
    assert len(errors) == 1 and isinstance(errors[0], ServiceError) and errors[0].code == "exercise_not_in_run"
    assert Wallet.objects.get(user=user).xp_total == xp0 + 10
    assert ExerciseAttempt.objects.filter(run=run, exercise_id=item).count() == 1
    assert check_ledger() == []


@race
def test_two_tabs_finishing_the_same_ahead_run_pay_once_and_no_gems(user):
    course, _ = practised(user)
    set_wallet(user, hearts=3, hearts_anchor_at=LATER)
    run = services.start_review_session(user=user, course=course, now=LATER, ahead=True)
    answer(user, run, now=LATER)
    answer(user, run, now=LATER)
    run.refresh_from_db()
    last = run.queue[0]
    wallet0 = Wallet.objects.get(user=user)
    results = run_threads(_submit, [(user, run.pk, last, RIGHT, uuid.uuid4()) for _ in range(2)])
    outcomes = [r for r in results if not isinstance(r, Exception)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(outcomes) == 1 and outcomes[0].run_status == "passed" and outcomes[0].xp_awarded == 10
    assert len(errors) == 1 and errors[0].code in {"run_finished", "exercise_not_in_run"}
    wallet = Wallet.objects.get(user=user)
    assert (wallet.xp_total - wallet0.xp_total, wallet.gems - wallet0.gems, wallet.hearts) == (10, 0, 3)
    assert not LedgerEntry.objects.filter(user=user, currency="gems", source_id=run.pk).exists()
    assert check_ledger() == []


def test_wrong_answer_in_practice_ahead_costs_no_heart(user):
    course, _ = practised(user)
    set_wallet(user, hearts=1, hearts_anchor_at=LATER)
    run = services.start_review_session(user=user, course=course, now=LATER, ahead=True)
    outcome = answer(user, run, now=LATER, text=WRONG)
    assert not outcome.correct and outcome.hearts == 1
    run.refresh_from_db()
    assert run.status == "active"
