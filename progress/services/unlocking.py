"""Database side of unlocking: which of a course's lessons a learner may start (rule in progress.rules)."""

from accounts.models import User
from courses.models import Course, Lesson, LessonPrerequisite

from ..models import LessonProgress
from ..rules import lesson_states


def published_lessons(course_id: int):
    """The course's published lessons (whole published chain), in course order."""
    return (
        Lesson.objects.visible()
        .filter(unit__section__course_id=course_id)
        .order_by("unit__section__ordinal", "unit__ordinal", "ordinal")
    )


def course_lesson_states(*, user: User, course: Course | int) -> tuple[list[int], dict[int, str]]:
    """Ordered published lesson ids and their states for ``user``. Three queries."""
    course_id = course if isinstance(course, int) else course.pk
    ordered = list(published_lessons(course_id).values_list("pk", flat=True))
    prerequisites: dict[int, list[int]] = {}
    for lesson_id, prerequisite_id in LessonPrerequisite.objects.filter(
        lesson__unit__section__course_id=course_id
    ).values_list("lesson_id", "prerequisite_id"):
        prerequisites.setdefault(lesson_id, []).append(prerequisite_id)
    passed = set(
        LessonProgress.objects.filter(user=user, lesson__unit__section__course_id=course_id, passes__gte=1).values_list(
            "lesson_id", flat=True
        )
    )
    return ordered, lesson_states(ordered_lesson_ids=ordered, prerequisites=prerequisites, passed_ids=passed)


def lesson_state(*, user: User, lesson: Lesson) -> str | None:
    """``"passed" | "open" | "locked"``, or None when the lesson is not published (not visible)."""
    _, states = course_lesson_states(user=user, course=lesson.unit.section.course_id)
    return states.get(lesson.pk)
