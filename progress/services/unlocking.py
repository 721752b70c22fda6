"""Database side of unlocking: which of a course's lessons a learner may start (rule in progress.rules)."""

from django.db.models import QuerySet

from accounts.models import User
from core.lookups import id_in
from courses.models import Course
from courses.structure import course_structure

from ..models import LessonProgress
from ..rules import lesson_states


def passed_lessons(*, user: User, lesson_ids) -> QuerySet[LessonProgress]:
    """The learner's progress rows of the passed lessons among ``lesson_ids`` (a look-up by the learner's
    own index), not run yet: a caller may send it together with another look-up."""
    return LessonProgress.objects.filter(id_in("lesson_id", list(lesson_ids)), user=user, passes__gte=1)


def passed_lesson_ids(*, user: User, lesson_ids) -> set[int]:
    """Which of ``lesson_ids`` the learner has passed: one query."""
    return set(passed_lessons(user=user, lesson_ids=lesson_ids).values_list("lesson_id", flat=True))


def course_lesson_states(*, user: User, course: Course | int) -> tuple[list[int], dict[int, str]]:
    """Ordered published lesson ids and their states for ``user``. One query: the lessons and their
    prerequisites come from the cached course structure (``courses.structure``)."""
    structure = course_structure(course if isinstance(course, int) else course.pk)
    ordered = structure.ordered_lesson_ids
    passed = passed_lesson_ids(user=user, lesson_ids=ordered)
    return ordered, lesson_states(ordered_lesson_ids=ordered, prerequisites=structure.prerequisites, passed_ids=passed)
