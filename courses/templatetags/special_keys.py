"""``{% special_keys exercise form_id %}``: the special-character keys under a typed answer's text box.

Shown only when the learner types in the course's target language (the keys are that language's
letters); the keys are the course's own or its language's defaults (``courses.special_characters``).
"""

from django import template

from courses import exercise_types
from courses.models import Course, Exercise
from courses.special_characters import keys_for

register = template.Library()


def _course(exercise: Exercise) -> Course | None:
    """The exercise's course with its target language: one query, none when the page selected them
    (or for an exercise not saved in a course, as in a preview being built)."""
    if Exercise.course.is_cached(exercise):
        course = exercise.course
        if course is None or course.special_characters or Course.to_language.is_cached(course):
            return course
    if exercise.course_id is None:
        return None
    exercise.course = Course.objects.select_related("to_language").get(pk=exercise.course_id)
    return exercise.course


@register.inclusion_tag("exercises/_special_keys.html")
def special_keys(exercise: Exercise, form_id: str) -> dict:
    try:
        typed_in_target = exercise_types.get_type(exercise.type).answer_language(exercise.payload) == "target"
    except KeyError:
        typed_in_target = False
    course = _course(exercise) if typed_in_target else None
    keys = keys_for(course) if course is not None else []
    return {"keys": keys, "target_id": f"{form_id}-answer"}
