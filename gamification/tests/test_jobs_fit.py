"""``fit_memory_models``: who is fitted, what is adopted, failures, idempotence, the command."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from courses.models import Token
from courses.tests.factories import LanguageFactory
from gamification.jobs import run_job
from gamification.models import JobRun
from progress.memory import fitting
from progress.memory.learners import REFIT_NEW_REVIEWS, learners_due_for_fit
from progress.models import MemoryParameters, ReviewLog, TokenMastery
from progress.services import record_token_answers
from progress.services.scheduling import DEFAULT_PARAMETERS, GOOD
from progress.tests.memory_sim import simulate

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens():
    language = LanguageFactory()
    return Token.objects.bulk_create(Token(language=language, text=f"w{i}", translation=f"t{i}") for i in range(240))


def give_log(user, tokens, reviews):
    ReviewLog.objects.bulk_create(
        ReviewLog(user=user, token=tokens[int(r.card)], reviewed_at=r.at, rating=r.rating) for r in reviews
    )
    return reviews[-1].at


def test_a_forgetful_learner_gets_fitted_parameters_the_scheduler_then_uses(tokens):
    forgetful = UserFactory()
    end = give_log(forgetful, tokens, simulate(cards=150))
    few = UserFactory()
    give_log(few, tokens, simulate(cards=20, reviews_per_card=3))  # 80 reviews: not eligible
    now = end + timedelta(hours=1)
    run, result = run_job("fit_memory_models", now=now)
    assert run.outcome == JobRun.Outcome.OK
    assert result.rows_changed == 1 and "1 adopted" in result.detail
    stored = MemoryParameters.objects.get(user=forgetful)
    assert stored.parameters and stored.parameters != list(DEFAULT_PARAMETERS)
    assert stored.fitted_at == now and stored.reviews_used > 0
    assert stored.loss_fitted < stored.loss_previous
    assert stored.log_size_at_attempt == ReviewLog.objects.filter(user=forgetful).count()
    assert stored.last_outcome.startswith("adopted")
    assert not MemoryParameters.objects.filter(user=few).exists()

    # The answer path now schedules this learner's new words with their parameters: a first Good
    # answer gives the fitted initial stability w2.
    fresh = Token.objects.create(language=tokens[0].language, text="nuevo", translation="new")
    record_token_answers(
        user=forgetful, token_ids=[fresh.pk], correct=True, note=None, retry=False, now=now, exercise_type="picture"
    )
    assert TokenMastery.objects.get(user=forgetful, token=fresh).stability == pytest.approx(stored.parameters[GOOD - 1])

    # Idempotent: nobody is due again until REFIT_NEW_REVIEWS more reviews arrive.
    _, again = run_job("fit_memory_models", now=now)
    assert again.rows_changed == 0 and "fitted 0 learners" in again.detail
    assert learners_due_for_fit() == []
    give_log(forgetful, tokens, simulate(cards=REFIT_NEW_REVIEWS // 2, reviews_per_card=1, seed=3))
    assert [u for u, _ in learners_due_for_fit()] == [forgetful.pk]


def test_a_fit_that_fails_keeps_the_previous_parameters_and_the_run_says_why(tokens, monkeypatch):
    learner = UserFactory()
    now = give_log(learner, tokens, simulate(cards=150)) + timedelta(hours=1)
    MemoryParameters.objects.create(user=learner, parameters=[*DEFAULT_PARAMETERS[:20], 0.2])

    def refuse(reviews):
        raise ValueError("the optimizer refused the data")

    monkeypatch.setattr(fitting, "fit_parameters", refuse)
    with pytest.raises(CommandError, match="found 1 problems"):
        call_command("fit_memory_models", "--now", now.isoformat())
    run = JobRun.objects.get(job="fit_memory_models")
    assert run.outcome == JobRun.Outcome.PROBLEMS
    assert f"learner {learner.pk}: ValueError: the optimizer refused the data" in run.detail
    stored = MemoryParameters.objects.get(user=learner)
    assert stored.parameters == [*DEFAULT_PARAMETERS[:20], 0.2]
    assert stored.last_outcome.startswith("failed: ValueError")


def test_dry_run_batch_size_and_user_filter(tokens, capsys):
    first, second = UserFactory(), UserFactory()
    give_log(first, tokens, simulate(cards=60))
    now = give_log(second, tokens, simulate(cards=60, seed=5)) + timedelta(hours=1)
    call_command("fit_memory_models", "--dry-run", "--now", now.isoformat())
    assert "would fit 2 learners" in capsys.readouterr().out
    call_command("fit_memory_models", "--dry-run", "--batch-size", "1", "--now", now.isoformat())
    assert "would fit 1 learners" in capsys.readouterr().out
    call_command("fit_memory_models", "--dry-run", "--user", second.email, "--now", now.isoformat())
    assert "would fit 1 learners" in capsys.readouterr().out
    assert not MemoryParameters.objects.exists()
    call_command("fit_memory_models", "--user", str(second.pk), "--now", now.isoformat())
    assert list(MemoryParameters.objects.values_list("user_id", flat=True)) == [second.pk]
    with pytest.raises(CommandError, match="no user"):
        call_command("fit_memory_models", "--user", "nobody@example.com")
