import pytest

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
