"""Every progress factory builds a valid, saved row."""

import pytest

from progress.tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        (factories.EnrollmentFactory, {}),
        (factories.LessonRunFactory, {}),
        (factories.LessonRunFactory, {"passed": True}),
        (factories.LessonRunFactory, {"review": True}),
        (factories.ExerciseAttemptFactory, {}),
        (factories.LessonProgressFactory, {}),
        (factories.TokenMasteryFactory, {}),
    ],
    ids=lambda v: getattr(v, "__name__", None) or ",".join(v) or "default",
)
def test_factory_builds_a_valid_saved_row(factory, kwargs, assert_valid_saved_row):
    row = factory(**kwargs)
    assert_valid_saved_row(row)


def test_a_lesson_run_serves_its_lessons_exercises_in_order():
    from courses.tests.factories import lesson_with_exercises

    lesson = lesson_with_exercises(count=3)
    run = factories.LessonRunFactory(lesson=lesson)
    expected = list(lesson.lesson_exercises.order_by("ordinal").values_list("exercise_id", flat=True))
    assert run.exercise_ids == run.queue == expected
    assert run.course == lesson.unit.section.course
    attempt = factories.ExerciseAttemptFactory(run=run)
    assert attempt.user == run.user and attempt.exercise.course == run.course
