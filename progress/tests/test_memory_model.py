"""The memory model's pure parts: ratings, FSRS state against both libraries, recall, mastery,
the review-log replay and its figures, and the per-learner fit (no database)."""

import io
import itertools
import json
import math
from datetime import UTC, datetime, timedelta

import fsrs
import fsrs_rs_python
import pytest
from django.core.management import CommandError, call_command

from progress.memory import fitting
from progress.memory.evaluation import Prediction, auc, log_loss, replay, rmse_bins
from progress.memory.report import compare, median_time
from progress.memory.reviewlog import Review, ReviewLogError, read_review_log
from progress.services.scheduling import (
    AGAIN,
    DEFAULT_PARAMETERS,
    EASY,
    FSRS,
    GOOD,
    HARD,
    CardState,
    clamp_parameters,
    elapsed_days,
    is_mastered,
    predicted_recall,
    rating_for_answer,
    word_strength,
)

from .memory_sim import FORGETFUL, simulate

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


# --- Ratings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("correct", "note", "retry", "exercise_type", "ms", "expected"),
    [
        # wrong is Again, whatever the type, the speed or a retry
        (False, None, False, "translate", 2000, AGAIN),
        (False, None, True, "multiple_choice", 2000, AGAIN),
        # correct after a mistake earlier in the run, or with an accent/typo note: Hard
        (True, None, True, "translate", 2000, HARD),
        (True, "accent", False, "translate", 2000, HARD),
        (True, "typo", False, "listen", 30000, HARD),
        (True, None, True, "picture", 1000, HARD),
        # correct at the first try: Good
        (True, None, False, "translate", 30000, GOOD),
        (True, None, False, "fill_blank", 0, GOOD),  # unknown time is never fast
        # fast and first try on a production exercise: Easy
        (True, None, False, "translate", 8000, EASY),
        (True, None, False, "listen", 3000, EASY),
        (True, None, False, "speak", 1, EASY),
        (True, None, False, "fill_blank", 5000, EASY),
        # recognition (picked among shown options) is weaker evidence: never Easy
        (True, None, False, "multiple_choice", 1000, GOOD),
        (True, None, False, "picture", 1000, GOOD),
        (True, None, False, "match_pairs", 1000, GOOD),
        (True, None, False, "word_bank", 1000, GOOD),
        (True, None, False, "translate", 8001, GOOD),
    ],
)
def test_rating_for_answer_table(correct, note, retry, exercise_type, ms, expected):
    assert (
        rating_for_answer(correct=correct, note=note, retry=retry, exercise_type=exercise_type, time_spent_ms=ms)
        == expected
    )


# --- FSRS state against the libraries --------------------------------------------------------

SEQUENCE = [  # (hours after T0, rating): a lesson, same-day repeats, spaced reviews, a lapse
    (0, GOOD), (0.05, AGAIN), (0.1, HARD), (30, GOOD), (100, EASY), (340, AGAIN), (341, GOOD), (900, GOOD),
]  # fmt: skip


def test_fsrs_state_after_a_known_sequence_equals_py_fsrs():
    ours = FSRS()
    library = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card, theirs = CardState(), fsrs.Card(card_id=1)
    for hours, rating in SEQUENCE:
        now = T0 + timedelta(hours=hours)
        assert ours.recall(card, now=now) == pytest.approx(library.get_card_retrievability(theirs, now), abs=1e-12)
        card = ours.review(card, rating=rating, now=now)
        theirs, _ = library.review_card(theirs, fsrs.Rating(rating), now)
        assert (card.stability, card.difficulty, card.due_at, card.last_review_at) == (
            pytest.approx(theirs.stability, rel=1e-12),
            pytest.approx(theirs.difficulty, rel=1e-12),
            theirs.due,
            theirs.last_review,
        )
    assert card.due_at > card.last_review_at


def test_fsrs_state_equals_the_optimizer_library_memory_state():
    """fsrs-rs (the optimizer's Rust implementation) computes the same memory state from the same
    reviews, with elapsed days counted as whole 24-hour periods."""
    ours, card, reviews, last = FSRS(), CardState(), [], None
    for hours, rating in SEQUENCE:
        now = T0 + timedelta(hours=hours)
        reviews.append(fsrs_rs_python.FSRSReview(rating, elapsed_days(last, now) if last else 0))
        card, last = ours.review(card, rating=rating, now=now), now
    state = fsrs_rs_python.FSRS(list(DEFAULT_PARAMETERS)).memory_state(fsrs_rs_python.FSRSItem(reviews))
    assert state.stability == pytest.approx(card.stability, rel=1e-5)
    assert state.difficulty == pytest.approx(card.difficulty, rel=1e-5)


def test_elapsed_days_are_whole_24_hour_periods():
    assert elapsed_days(T0, T0 + timedelta(hours=23, minutes=59)) == 0
    assert elapsed_days(T0, T0 + timedelta(hours=24)) == 1
    assert elapsed_days(T0, T0 + timedelta(hours=71)) == 2
    assert elapsed_days(T0, T0 - timedelta(hours=5)) == 0


def test_strength_is_predicted_recall_and_mastery_is_21_days_of_stability():
    assert predicted_recall(stability=10, elapsed=10) == pytest.approx(0.9)
    assert word_strength(stability=10, last_review_at=T0, now=T0 + timedelta(hours=12)) == 1.0
    assert word_strength(stability=10, last_review_at=T0, now=T0 + timedelta(days=10)) == pytest.approx(0.9)
    later = word_strength(stability=10, last_review_at=T0, now=T0 + timedelta(days=40))
    assert 0 < later < 0.9
    assert word_strength(stability=None, last_review_at=None, now=T0) == 0.0
    assert is_mastered(stability=21) and not is_mastered(stability=20.5)


def test_parameters_are_clamped_into_the_schedulers_bounds():
    wild = list(DEFAULT_PARAMETERS)
    wild[0], wild[20] = 0.0, 0.9
    clamped = clamp_parameters(wild)
    assert clamped[0] == fsrs.scheduler.LOWER_BOUNDS_PARAMETERS[0]
    assert clamped[20] == fsrs.scheduler.UPPER_BOUNDS_PARAMETERS[20]
    FSRS(clamped)  # py-fsrs accepts it
    with pytest.raises(ValueError):
        clamp_parameters([1.0] * 19)
    with pytest.raises(ValueError):
        clamp_parameters([math.nan] * 21)


# --- The review-log replay, by hand ----------------------------------------------------------

SMALL_LOG = """card_id,review_time,review_rating,review_duration
A,2026-03-02T09:00:00+00:00,3,4000
B,2026-03-02T09:00:00+00:00,1,
C,2026-03-02T09:00:00+00:00,3,
D,2026-03-02T09:00:00+00:00,3,
C,2026-03-02T19:00:00+00:00,3,
A,2026-03-03T09:00:00+00:00,3,
D,2026-03-03T09:00:00+00:00,1,
A,2026-03-03T11:00:00+00:00,1,
B,2026-03-05T09:00:00+00:00,1,
"""
# Scored (≥ 1 day after the card's previous review): A on the 3rd (pass), D on the 3rd (fail),
# B on the 5th (fail). C's and A's same-day repeats are not scored.
#
# FSRS-6 defaults: factor = 0.9^(-1/0.1542) - 1 = 0.98034649; R(t, S) = (1 + factor·t/S)^-0.1542.
# A and D were first rated Good: S = w2 = 2.3065, so R(1 day) = 0.94684750; B was rated Again:
# S = w0 = 0.212, so R(3 days) = 0.65950321.
#   log loss = (-ln 0.94684750 - ln(1 - 0.94684750) - ln(1 - 0.65950321)) / 3 = 1.35551898
#   AUC: the pass (0.9468) ties the failure D (½) and beats B (1): 0.75
#   RMSE bins: bin 18 holds A and D (mean 0.9468, pass rate ½), bin 13 holds B (0.6595, 0):
#   √((2·0.44684750² + 0.65950321²) / 3) = 0.52734867
# SM-2: one interval of 1 day after the first answer; p = 0.9^(t/1): A 0.9, D 0.9, B 0.9³ = 0.729.
#   log loss = (-ln 0.9 - ln 0.1 - ln 0.271) / 3 = 1.23786069; AUC 0.75;
#   RMSE = √((2·0.4² + 0.729²) / 3) = 0.53274165
# Split at 2026-03-04: before it, A passed and D failed, so the constant predicts 0.5:
#   log loss = ln 2 = 0.69314718; AUC 0.5; RMSE = |0.5 - 1/3| = 0.16666667
#   Held out: only B (fail): FSRS -ln(1 - 0.65950321) = 1.07734959.


def test_small_log_figures_computed_by_hand():
    reviews = read_review_log(io.StringIO(SMALL_LOG))
    result = compare(reviews, train_until=datetime(2026, 3, 4, tzinfo=UTC))
    s = result["schedulers"]
    assert (result["reviews"], result["reviews_scored"], result["held_out_reviews_scored"]) == (9, 3, 1)
    assert s["fsrs_default"]["log_loss"] == pytest.approx(1.35551898, abs=1e-7)
    assert s["fsrs_default"]["auc"] == 0.75
    assert s["fsrs_default"]["rmse_bins"] == pytest.approx(0.52734867, abs=1e-7)
    assert s["fsrs_default"]["held_out"]["log_loss"] == pytest.approx(1.07734959, abs=1e-7)
    assert s["sm2"]["log_loss"] == pytest.approx(1.23786069, abs=1e-7)
    assert s["sm2"]["auc"] == 0.75
    assert s["sm2"]["rmse_bins"] == pytest.approx(0.53274165, abs=1e-7)
    assert s["constant"]["log_loss"] == pytest.approx(math.log(2))
    assert (s["constant"]["auc"], s["constant"]["rmse_bins"]) == (0.5, pytest.approx(1 / 6))
    # Too few reviews to fit: Mallard keeps the defaults, scored on the held-out review only.
    assert s["fsrs_adopted"]["adopted_fit"] is False
    assert s["fsrs_adopted"]["reviews_scored"] == 1
    assert s["fsrs_adopted"]["log_loss"] == pytest.approx(1.07734959, abs=1e-7)


def test_evaluate_scheduler_command_prints_json(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(SMALL_LOG)
    out = io.StringIO()
    call_command("evaluate_scheduler", "--review-log", str(log), "--train-until", "2026-03-04", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["reviews_scored"] == 3
    assert set(result["schedulers"]) == {"fsrs_default", "fsrs_fitted", "fsrs_adopted", "sm2", "constant"}
    for figures in result["schedulers"].values():
        assert {"log_loss", "rmse_bins", "auc"} <= set(figures)
    assert result["schedulers"]["sm2"]["log_loss"] == pytest.approx(1.23786069, abs=1e-7)
    text = io.StringIO()
    call_command("evaluate_scheduler", "--review-log", str(log), stdout=text)
    assert "fsrs_adopted" in text.getvalue() and "1.3555" in text.getvalue()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("card_id,review_rating\nA,3\n", "line 1: missing column(s) review_time"),
        ("card_id,review_time,review_rating\nA,yesterday,3\n", "line 2: review_time 'yesterday' is not ISO 8601"),
        ("card_id,review_time,review_rating\nA,2026-03-02T09:00:00,3\n", "line 2: review_time"),
        ("card_id,review_time,review_rating\nA,2026-03-02T09:00:00Z,3\nA,2026-03-03T09:00:00Z,5\n", "line 3"),
        ("card_id,review_time,review_rating\n", "no reviews"),
    ],
)
def test_bad_review_logs_are_refused_with_their_line(tmp_path, body, message):
    with pytest.raises(ReviewLogError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_review_log(io.StringIO(body))
    log = tmp_path / "bad.csv"
    log.write_text(body)
    with pytest.raises(CommandError, match="--review-log"):
        call_command("evaluate_scheduler", "--review-log", str(log))


def test_missing_log_file_and_bad_split_are_command_errors(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("evaluate_scheduler", "--review-log", str(tmp_path / "none.csv"))
    log = tmp_path / "log.csv"
    log.write_text(SMALL_LOG)
    with pytest.raises(CommandError, match="--train-until"):
        call_command("evaluate_scheduler", "--review-log", str(log), "--train-until", "soon")


def test_metrics_edge_cases():
    one = [Prediction(at=T0, card="a", p=0.8, passed=True)]
    assert auc(one) is None
    assert log_loss(one) == pytest.approx(-math.log(0.8))
    assert rmse_bins(one) == pytest.approx(0.2)


# --- Fitting per learner ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def forgetful():
    return simulate()


def test_fitted_set_used_by_the_scheduler_reproduces_the_optimizers_own_evaluation(forgetful):
    """The optimizer (fsrs-rs) and the scheduler (py-fsrs) agree on the parameter set and on how
    elapsed time is counted: the scheduler's predictions, weighted as the optimizer weighs its
    items, give the optimizer's own log loss."""
    parameters = fitting.fit_parameters(forgetful)
    assert parameters != DEFAULT_PARAMETERS
    items = fitting.fsrs_items(forgetful)
    theirs = fsrs_rs_python.FSRS(list(parameters)).evaluate(items)
    predictions = replay(forgetful, FSRS(parameters))
    assert len(predictions) == len(items)
    assert log_loss(predictions, fitting.recency_weights(len(predictions))) == pytest.approx(theirs.log_loss, abs=1e-5)
    # and review by review on one card: the optimizer's memory state before each review gives
    # the scheduler's prediction for it
    card = [r for r in forgetful if r.card == "0"]
    mine = {p.at: p.p for p in predictions if p.card == "0"}
    optimizer, history, history_at = fsrs_rs_python.FSRS(list(parameters)), [], None
    for previous, review in itertools.pairwise(card):
        delta = elapsed_days(history_at, previous.at) if history else 0
        history.append(fsrs_rs_python.FSRSReview(previous.rating, delta))
        history_at = previous.at
        state = optimizer.memory_state(fsrs_rs_python.FSRSItem(history))
        expected = predicted_recall(
            stability=state.stability, elapsed=elapsed_days(previous.at, review.at), decay=parameters[20]
        )
        assert mine[review.at] == pytest.approx(expected, abs=1e-5)


def test_adopted_parameters_beat_the_defaults_for_a_learner_unlike_the_defaults(forgetful):
    split = median_time(forgetful)
    result = compare(forgetful, train_until=split)["schedulers"]
    adopted, default = result["fsrs_adopted"], result["fsrs_default"]["held_out"]
    assert adopted["adopted_fit"] is True
    assert adopted["validation_loss_fitted"] < adopted["validation_loss_default"]
    assert adopted["reviews_scored"] == default["reviews_scored"] > 400
    assert adopted["log_loss"] < default["log_loss"] - 0.02
    # The fit moved towards the truth: lower initial stability after Good, steeper forgetting.
    outcome = fitting.fit_and_validate([r for r in forgetful if r.at < split])
    assert outcome.parameters[2] < DEFAULT_PARAMETERS[2] / 3
    assert outcome.parameters[20] > DEFAULT_PARAMETERS[20]
    assert FORGETFUL[2] < DEFAULT_PARAMETERS[2]


def test_a_learner_like_the_defaults_keeps_them_unless_a_fit_validates_better():
    reviews = simulate(DEFAULT_PARAMETERS, seed=11)
    outcome = fitting.fit_and_validate(reviews)
    assert outcome.fitted is not None
    assert outcome.adopted == (outcome.loss_fitted < outcome.loss_current)
    assert outcome.parameters == (outcome.fitted if outcome.adopted else DEFAULT_PARAMETERS)


def test_too_few_reviews_are_not_fitted():
    reviews = simulate(cards=20, reviews_per_card=3)
    outcome = fitting.fit_and_validate(reviews)
    assert (outcome.adopted, outcome.fitted, outcome.parameters) == (False, None, DEFAULT_PARAMETERS)
    assert "fewer than 400" in outcome.reason


def test_review_ordering_is_by_time():
    later = Review(at=T0 + timedelta(days=1), card="a", rating=3)
    assert sorted([later, Review(at=T0, card="b", rating=1)])[0].card == "b"
