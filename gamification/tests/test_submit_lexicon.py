"""An answer that slips into another real word of the course's lexicon is wrong and names both words."""

import uuid

import pytest

from accounts.tests.factories import UserFactory
from courses.tests.factories import TokenFactory
from courses.tests.sample_courses import make_course
from gamification import services

from .helpers import T0

pytestmark = pytest.mark.django_db  # the cache (and so the lexicon) starts empty: conftest


def test_a_submitted_real_word_slip_is_wrong_and_names_both_words():
    course, (lesson, _) = make_course(exercises=1, tokens=0)
    exercise = lesson.lesson_exercises.get().exercise
    exercise.payload = {"text": "I have a dog", "solutions": ["Tengo un perro"]}
    exercise.save()
    exercise.tokens.set([TokenFactory(language=course.to_language, text="pero", translation="but")])
    user = UserFactory()
    services.ensure_learner(user=user, now=T0)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)

    outcome = services.submit_answer(
        user=user, run_id=run.pk, exercise_id=exercise.pk, answer="Tengo un pero", client_id=uuid.uuid4(), now=T0
    )
    assert (outcome.correct, outcome.note) == (False, '"pero" means "but"; did you mean "perro"?')
    outcome = services.submit_answer(
        user=user, run_id=run.pk, exercise_id=exercise.pk, answer="Tengo un perrro", client_id=uuid.uuid4(), now=T0
    )
    assert (outcome.correct, outcome.note) == (True, 'You have a typo: "perro"')
