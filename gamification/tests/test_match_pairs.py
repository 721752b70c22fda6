"""Match pairs checked pair by pair (docs/game-rules.md, "Match pairs"): each pair judged as it is
tapped, a wrong pair costs nothing by itself, the exercise counts wrong — one heart, once — if any pair
needed a second try; idempotent, race-safe, never revealing more than the pair asked about."""

import uuid

import pytest
from django.urls import reverse

from core.errors import NotFound
from core.tests.api import API, assert_error, client_for
from courses.models import Exercise
from courses.tests.factories import ExerciseFactory, LessonExerciseFactory, LessonFactory
from gamification import services
from gamification.errors import ExerciseNotInRun, InvalidAnswer, PairAlreadyMatched, RunFinished
from gamification.models import HeartsLog, Wallet
from progress.models import LessonRun

from .helpers import T0
from .test_races import race, run_threads

pytestmark = pytest.mark.django_db

PAIRS = {"pairs": [["el perro", "the dog"], ["el gato", "the cat"], ["el pájaro", "the bird"]]}
# Public right column: ["the bird", "the cat", "the dog"].
RIGHT_PAIRS = [(0, 2), (1, 1), (2, 0)]
ALL_RIGHT = ["0-2", "1-1", "2-0"]


@pytest.fixture
def match_lesson():
    lesson = LessonFactory()
    course = lesson.unit.section.course
    LessonExerciseFactory(lesson=lesson, exercise=ExerciseFactory(course=course, type="match_pairs", payload=PAIRS))
    LessonExerciseFactory(lesson=lesson, exercise=ExerciseFactory(course=course))  # a translate exercise
    return lesson


def start(user, lesson):
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    match = Exercise.objects.get(pk__in=run.queue, type="match_pairs").pk
    return run, match


def check(user, run, exercise, left, right):
    return services.check_pair(user=user, run_id=run.pk, exercise_id=exercise, left=left, right=right, now=T0)


def submit(user, run, exercise, answer, client_id=None):
    return services.submit_answer(
        user=user, run_id=run.pk, exercise_id=exercise, answer=answer, client_id=client_id or uuid.uuid4(), now=T0
    )


def hearts(user):
    return Wallet.objects.get(user=user).hearts


def test_right_pairs_one_by_one_then_the_answer_is_right(user, match_lesson):
    run, match = start(user, match_lesson)
    results = [check(user, run, match, left, right) for left, right in RIGHT_PAIRS]
    assert [r.correct for r in results] == [True, True, True]
    assert [r.complete for r in results] == [False, False, True]
    assert results[-1].found == [list(p) for p in RIGHT_PAIRS] and results[-1].wrong_tries == 0
    outcome = submit(user, run, match, ALL_RIGHT)
    assert outcome.correct and outcome.xp_awarded == 10 and hearts(user) == 5
    assert LessonRun.objects.get(pk=run.pk).pair_checks == {}  # ended with the answer


def test_a_wrong_pair_costs_nothing_itself_and_makes_the_match_wrong_once(user, match_lesson):
    run, match = start(user, match_lesson)
    wrong = check(user, run, match, 0, 0)  # el perro = the bird
    assert not wrong.correct and wrong.wrong_tries == 1 and wrong.found == []
    assert hearts(user) == 5 and not HeartsLog.objects.exists()  # no heart for the wrong pair itself
    for left, right in RIGHT_PAIRS:
        assert check(user, run, match, left, right).correct
    outcome = submit(user, run, match, ALL_RIGHT)
    assert not outcome.correct
    assert outcome.note == "Wrong pair: el perro = the bird."  # the feedback names the wrong pair
    assert hearts(user) == 4  # one heart, when the match completes
    run.refresh_from_db()
    assert match in run.queue and run.mistakes == 1 and run.pair_checks == {}  # comes back, fresh
    for left, right in RIGHT_PAIRS:
        check(user, run, match, left, right)
    assert submit(user, run, match, ALL_RIGHT).correct
    assert hearts(user) == 4


def test_checking_the_same_pair_again_changes_nothing(user, match_lesson):
    run, match = start(user, match_lesson)
    first, again = check(user, run, match, 0, 0), check(user, run, match, 0, 0)
    assert (first.repeated, again.repeated) == (False, True)
    assert again.wrong_tries == 1 and not again.correct
    check(user, run, match, 0, 2)
    right_again = check(user, run, match, 0, 2)
    assert right_again.repeated and right_again.correct and right_again.found == [[0, 2]]
    assert LessonRun.objects.get(pk=run.pk).pair_checks == {str(match): {"found": [[0, 2]], "wrong": [[0, 0]]}}


def test_refusals_write_nothing(user, other_user, match_lesson):
    run, match = start(user, match_lesson)
    check(user, run, match, 0, 2)
    translate = next(pk for pk in run.queue if pk != match)
    before = LessonRun.objects.get(pk=run.pk).pair_checks
    for error, kwargs in [
        (InvalidAnswer, {"exercise_id": match, "left": 3, "right": 0}),  # no such item
        (InvalidAnswer, {"exercise_id": match, "left": 0, "right": -1}),
        (InvalidAnswer, {"exercise_id": match, "left": "x", "right": 0}),
        (InvalidAnswer, {"exercise_id": translate, "left": 0, "right": 0}),  # not a match exercise
        (ExerciseNotInRun, {"exercise_id": 999999, "left": 0, "right": 0}),
        (PairAlreadyMatched, {"exercise_id": match, "left": 0, "right": 1}),  # el perro is matched
        (PairAlreadyMatched, {"exercise_id": match, "left": 1, "right": 2}),  # the dog is matched
    ]:
        with pytest.raises(error):
            services.check_pair(user=user, run_id=run.pk, now=T0, **kwargs)
    with pytest.raises(NotFound):  # another learner's run
        services.check_pair(user=other_user, run_id=run.pk, exercise_id=match, left=1, right=1, now=T0)
    assert LessonRun.objects.get(pk=run.pk).pair_checks == before
    services.abandon_run(user=user, run_id=run.pk, now=T0)
    with pytest.raises(RunFinished):
        check(user, run, match, 1, 1)


def test_a_pair_check_is_three_statements(user, match_lesson, django_assert_num_queries):
    run, match = start(user, match_lesson)
    # Lock the run, read the exercise, store the check; plus the savepoint and its release that the
    # service's transaction is inside the test's.
    with django_assert_num_queries(5):
        check(user, run, match, 0, 0)
    # A repeat stores nothing, and the exercise now comes from the cache (courses.structure).
    with django_assert_num_queries(3):
        check(user, run, match, 0, 0)


def test_a_check_says_nothing_about_other_pairs(user, match_lesson):
    run, match = start(user, match_lesson)
    result = check(user, run, match, 0, 0)
    # Only this pair's verdict and the learner's own found pairs: no solution, no other pair.
    assert set(vars(result)) == {
        "exercise_id", "left", "right", "correct", "found", "wrong_tries", "complete", "repeated",
    }  # fmt: skip
    assert result.found == []


@race
def test_concurrent_checks_of_different_pairs_are_all_kept(user, match_lesson):
    run, match = start(user, match_lesson)
    # One right pair and two wrong ones sharing no item with it: every order of commits keeps all three.
    pairs = [(0, 2), (1, 0), (2, 1), (0, 2), (1, 0)]
    results = run_threads(check, [(user, run, match, left, right) for left, right in pairs])
    assert not [r for r in results if isinstance(r, Exception)], results
    stored = LessonRun.objects.get(pk=run.pk).pair_checks[str(match)]
    assert stored["found"] == [[0, 2]]  # no lost update, no duplicate
    assert sorted(stored["wrong"]) == [[1, 0], [2, 1]]


@race
def test_a_double_click_on_a_wrong_pair_is_recorded_once(user, match_lesson):
    run, match = start(user, match_lesson)
    results = run_threads(check, [(user, run, match, 0, 0)] * 6)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.repeated for r in results) == [False] + [True] * 5
    assert LessonRun.objects.get(pk=run.pk).pair_checks[str(match)] == {"found": [], "wrong": [[0, 0]]}
    assert hearts(user) == 5


# --- API --------------------------------------------------------------------------------------


def test_api_checks_a_pair_and_refuses_bad_input_in_the_error_shape(user, other_user, match_lesson):
    api = client_for(user)
    run = api.post(f"{API}lessons/{match_lesson.slug}/runs/").json()
    match = next(e["id"] for e in run["exercises"] if e["type"] == "match_pairs")
    other = next(e["id"] for e in run["exercises"] if e["type"] != "match_pairs")
    url = f"{API}runs/{run['id']}/pairs/"
    response = api.post(url, {"exercise": match, "left": 0, "right": 2}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "exercise_id": match, "left": 0, "right": 2, "correct": True, "found": [[0, 2]], "wrong_tries": 0,
        "complete": False, "repeated": False,
    }  # fmt: skip
    assert_error(api.post(url, {"exercise": match, "left": 7, "right": 0}, format="json"), 400, "invalid_answer")
    assert_error(api.post(url, {"exercise": other, "left": 0, "right": 0}, format="json"), 400, "invalid_answer")
    assert_error(api.post(url, {"exercise": match, "left": "0", "right": 0}, format="json"), 400, "invalid")
    assert_error(api.post(url, {"exercise": match}, format="json"), 400, "invalid")
    assert_error(api.post(url, {"exercise": match, "left": 0, "right": 1}, format="json"), 409, "pair_already_matched")
    assert_error(api.post(url, {"exercise": 999999, "left": 0, "right": 0}, format="json"), 400, "exercise_not_in_run")
    other_api = client_for(other_user)
    assert_error(other_api.post(url, {"exercise": match, "left": 1, "right": 1}, format="json"), 404, "not_found")
    assert LessonRun.objects.get(pk=run["id"]).pair_checks == {str(match): {"found": [[0, 2]], "wrong": []}}


def test_the_player_page_can_check_pairs_with_its_session(client, learner, match_lesson):
    """player.js calls the API with the page's session and CSRF token (the no-JS page posts every pair)."""
    client.post(reverse("start_lesson", args=[match_lesson.slug]))
    run = LessonRun.objects.get()
    page = client.get(reverse("run", args=[run.pk])).content.decode()
    assert f'data-pairs-url="{API}runs/{run.pk}/pairs/"' in page
