"""What the model is told: the lesson, the learner's mistakes, and never an unanswered solution."""

import pytest

from courses.exercise_types import get_type, served_payload
from gamification import services as game
from progress.tests.factories import T0
from tutor.context import build_context, prompt_messages, withheld_exercises
from tutor.models import TutorMessage
from tutor.tests.factories import TutorMessageFactory, TutorSessionFactory

from .conftest import SECRETS, answer_head, finish_run

pytestmark = pytest.mark.django_db


def _session(user, lesson3, run=None, exercise=None):
    return TutorSessionFactory(user=user, lesson=lesson3.lesson, run=run, exercise=exercise)


def test_a_finished_lesson_gives_every_solution_and_the_mistakes(user, lesson3):
    run = game.start_lesson_run(user=user, lesson=lesson3.lesson, now=T0)
    answer_head(user, run, "The dog sleeps")  # cat: wrong, asked again later
    finish_run(user, run, lesson3)
    run.refresh_from_db()
    assert run.status == "passed"

    context = build_context(session=_session(user, lesson3, run, lesson3.cat))

    prompt = context.system_prompt
    assert context.withheld == set()
    assert "Greetings and cats" in prompt and "Ser vs estar." in prompt
    for solution, explanation in SECRETS.values():
        assert f"Accepted answer: {solution}." in prompt
        assert explanation in prompt
    assert "Accepted answer: gracias." in prompt
    assert [(m.exercise_id, m.answered, m.correct) for m in context.mistakes] == [
        (lesson3.cat.pk, "The dog sleeps", "The cat sleeps")
    ]
    assert "exercise 1: answered “The dog sleeps”; the accepted answer is “The cat sleeps”." in prompt
    assert "opened this chat from the feedback on exercise 1" in prompt


def test_an_open_run_withholds_every_exercise_not_answered_in_it(user, lesson3):
    run = game.start_lesson_run(user=user, lesson=lesson3.lesson, now=T0)
    answer_head(user, run, "The dog sleeps")  # cat: answered (wrongly): its solution was shown

    context = build_context(session=_session(user, lesson3, run, lesson3.cat))

    prompt = context.system_prompt
    assert context.withheld == {lesson3.choice.pk, lesson3.night.pk}
    assert f"Accepted answer: {SECRETS['cat'][0]}." in prompt  # answered in this run: shown in its feedback
    assert SECRETS["night"][0] not in prompt and SECRETS["night"][1] not in prompt
    assert "EXPLAIN-CHOICE" not in prompt and "Accepted answer: gracias" not in prompt
    choice = next(e for e in context.exercises if e.exercise_id == lesson3.choice.pk)
    assert choice.withheld and choice.solution == "" and choice.explanation == ""
    # What the player shows, in the run's own order, and nothing else: no answer index.
    kind = get_type("multiple_choice")
    served = served_payload(kind, lesson3.choice.payload, run_id=run.pk, exercise_id=lesson3.choice.pk)
    assert choice.shown == kind.public_payload(served)
    assert "answer" not in choice.shown
    assert prompt.count("UNANSWERED") >= 3  # the rule and the two exercises


def test_an_old_mistake_on_an_exercise_waiting_in_a_new_run_loses_its_solution(user, lesson3):
    first = game.start_lesson_run(user=user, lesson=lesson3.lesson, now=T0)
    answer_head(user, first, "The dog sleeps")
    finish_run(user, first, lesson3)
    second = game.start_lesson_run(user=user, lesson=lesson3.lesson, now=T0)  # a new run: nothing answered

    context = build_context(session=_session(user, lesson3, first))

    assert context.withheld == {lesson3.cat.pk, lesson3.choice.pk, lesson3.night.pk}
    for solution, explanation in SECRETS.values():
        assert solution not in context.system_prompt
        assert explanation not in context.system_prompt
    assert [(m.answered, m.correct) for m in context.mistakes] == [("The dog sleeps", "")]
    assert "exercise 1 (UNANSWERED now): answered “The dog sleeps” earlier, which was wrong." in context.system_prompt
    # Once answered in the new run, the solution is back.
    answer_head(user, second, "The cat sleeps")
    assert (
        f"Accepted answer: {SECRETS['cat'][0]}." in build_context(session=_session(user, lesson3, first)).system_prompt
    )


def test_a_review_session_withholds_its_waiting_exercises_too(user, lesson3):
    run = game.start_lesson_run(user=user, lesson=lesson3.lesson, now=T0)
    answer_head(user, run, "The dog sleeps")
    finish_run(user, run, lesson3)
    review = game.start_review_session(user=user, course=lesson3.lesson.unit.section.course, now=T0)

    withheld = withheld_exercises(user=user)

    assert lesson3.cat.pk in withheld and withheld[lesson3.cat.pk] == review.pk
    assert SECRETS["cat"][0] not in build_context(session=_session(user, lesson3, run)).system_prompt


def test_another_learners_runs_change_nothing(user, other_user, lesson3):
    game.start_lesson_run(user=other_user, lesson=lesson3.lesson, now=T0)
    assert build_context(session=_session(user, lesson3)).withheld == set()


def test_the_chat_history_goes_after_the_system_prompt_without_failed_replies(user, lesson3):
    session = _session(user, lesson3)
    TutorMessageFactory(session=session, ordinal=1, sender="system", content="Opening note")
    TutorMessageFactory(session=session, ordinal=2, content="First question")
    TutorMessageFactory(session=session, ordinal=3, reply=True, status="failed", error="Timed out", content="Half")
    TutorMessageFactory(session=session, ordinal=4, content="Second question")
    TutorMessageFactory(session=session, ordinal=5, reply=True, content="An answer")
    TutorMessageFactory(session=session, ordinal=6, content="Third question")
    TutorMessageFactory(
        session=session, ordinal=7, reply=True, status=TutorMessage.Status.PENDING, completed_at=None, content=""
    )

    chat = prompt_messages(session=session, context=build_context(session=session), upto_ordinal=6)

    assert chat[0]["role"] == "system"
    assert chat[1:] == [
        {"role": "user", "content": "First question"},
        {"role": "user", "content": "Second question"},
        {"role": "assistant", "content": "An answer"},
        {"role": "user", "content": "Third question"},
    ]


def test_the_context_costs_a_fixed_number_of_queries(user, lesson3, django_assert_num_queries):
    run = game.start_lesson_run(user=user, lesson=lesson3.lesson, now=T0)
    answer_head(user, run, "The dog sleeps")
    session = _session(user, lesson3, run)
    session = type(session).objects.select_related("user").get(pk=session.pk)
    # lesson, active runs, their attempts, the lesson's exercises, the mistakes
    with django_assert_num_queries(5):
        build_context(session=session)
