import pytest

from courses.tests import factories
from courses.tests.factories import lesson_with_exercises


@pytest.mark.django_db
def test_lesson_with_exercises_builds_a_consistent_tree():
    lesson = lesson_with_exercises(count=3)
    course = lesson.unit.section.course
    assert (
        lesson.slug
        == f"{course.slug}-l-{lesson.unit.section.ordinal:02d}-{lesson.unit.ordinal:02d}-{lesson.ordinal:02d}"
    )
    assert list(lesson.lesson_exercises.values_list("ordinal", flat=True)) == [1, 2, 3]
    assert {e.course_id for e in lesson.exercises.all()} == {course.id}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory",
    [
        factories.LanguageFactory,
        factories.CourseFactory,
        factories.SectionFactory,
        factories.UnitFactory,
        factories.LessonFactory,
        factories.TokenFactory,
        factories.ExerciseFactory,
        factories.LessonExerciseFactory,
        factories.LessonPrerequisiteFactory,
    ],
    ids=lambda f: f.__name__,
)
def test_factory_builds_a_valid_saved_row(factory, assert_valid_saved_row):
    row = factory()
    assert_valid_saved_row(row)
