"""``{% ask_tutor run_id=… exercise_id=… %}``: the "Ask the tutor" button of a run's feedback and
end screen (docs/pages.md). Renders nothing when no model is configured (and then makes no query).

The player's templates load this library by name: templates are not Python imports, so the
player does not depend on the tutor app; the tutor app owns the button, its URL and the rule
for which lesson a chat is about.
"""

from django import template

from courses.models import Lesson
from progress.models import LessonRun

from ..services import tutor_available

register = template.Library()


def _lesson_of(run: LessonRun, exercise_id: int | None) -> Lesson | None:
    """The run's lesson; for a review session, the visible lesson of the course that teaches the exercise."""
    if run.lesson_id is not None:
        return run.lesson
    if exercise_id is None:
        return None
    return (
        Lesson.objects.visible()
        .filter(lesson_exercises__exercise_id=exercise_id, unit__section__course_id=run.course_id)
        .order_by("unit__section__ordinal", "unit__ordinal", "ordinal")
        .first()
    )


@register.inclusion_tag("tutor/_ask.html", takes_context=True)
def ask_tutor(context, run_id=None, exercise_id=None) -> dict:
    request = context.get("request")
    hidden = {"lesson": None}
    if run_id is None or request is None or not request.user.is_authenticated or not tutor_available():
        return hidden
    run = LessonRun.objects.select_related("lesson").filter(pk=run_id, user=request.user).first()
    if run is None:
        return hidden
    lesson = _lesson_of(run, exercise_id)
    if lesson is None:
        return hidden
    return {
        "lesson": lesson,
        "run_id": run.pk,
        "exercise_id": exercise_id,
        "csrf_token": context.get("csrf_token"),
    }
