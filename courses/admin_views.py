"""The read-only preview of a lesson, as a learner sees it, for authors (linked from the Lesson page).

Each exercise is rendered with its learner fragment (``templates/exercises/<type>.html``) from the
*public* payload — exactly what a learner gets — and, because the reader is an author, the solution
is shown under it. Unpublished exercises are shown too, marked as such.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from media_assets.models import AssetVariant

from .exercise_types import REGISTRY
from .models import Exercise, Lesson, LessonExercise
from .selectors import attach_image_urls


def preview_items(lesson: Lesson) -> list[dict]:
    """The lesson's exercises in order, each with what its template needs plus the solution."""
    links = (
        LessonExercise.objects.filter(lesson=lesson)
        .select_related("exercise")
        .prefetch_related(
            Prefetch("exercise__audio__variants", queryset=AssetVariant.objects.order_by("pk")),
        )
        .order_by("ordinal")
    )
    items = []
    for link in links:
        exercise: Exercise = link.exercise
        kind = REGISTRY.get(exercise.type)
        item = {"link": link, "exercise": exercise, "form_id": f"preview-{link.ordinal}"}
        if kind is None:
            item["error"] = _("Unknown exercise type %(type)r.") % {"type": exercise.type}
        else:
            try:
                public = kind.public_payload(exercise.payload)
                item["solution"] = kind.solution_display(exercise.payload)
            except (KeyError, IndexError, TypeError, ValueError) as e:
                item["error"] = _("The payload is invalid (%(problem)r); open the exercise to fix it.") % {"problem": e}
            else:
                attach_image_urls([public])
                item.update(template=kind.template, public=public, kind=kind)
        items.append(item)
    return items


def lesson_preview(request, *, model_admin, object_id: str):
    lesson = Lesson.objects.select_related("unit__section__course").filter(pk=unquote(object_id)).first()
    if lesson is None:
        raise Http404(_("No such lesson."))
    if not model_admin.has_view_permission(request, lesson):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Lesson._meta,
        "title": _("Preview: %(title)s") % {"title": lesson.title},
        "lesson": lesson,
        "items": preview_items(lesson),
        "prerequisites": list(lesson.prerequisites.order_by("slug")),
    }
    return TemplateResponse(request, "admin/courses/lesson/preview.html", context)
