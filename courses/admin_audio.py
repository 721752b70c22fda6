"""Generate audio from admin (docs/authoring.md, "Audio"): an action on the lists of courses,
sections, units, lessons and exercises, and a button on the exercise page, that make the missing
text-to-speech audio of the selection (``courses.audio``) through the Celery task
``courses.synthesize_audio``.

With Redis configured the task is queued and the author is sent to the job's page, which shows its
progress and then its report; without Redis (eager tasks: the SQLite laptop) it runs inline and the
report is shown at once. Thin: the work is ``courses.audio.synthesize_missing_audio``.
"""

import uuid
from typing import cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import tasks

#: Who may make audio: authors who may change content and add media assets.
PERMISSION = "media_assets.add_asset"


def can_synthesize(request) -> bool:
    return request.user.has_perm(PERMISSION)


def start(request, *, model: str, ids: list[int], label: str):
    """Queue (or, with eager tasks, run) the job; report inline, or return the redirect to its page."""
    job_id = uuid.uuid4().hex
    tasks.queue_job(job_id=job_id, model=model, ids=ids, user_id=request.user.pk, label=label)
    if tasks.synthesize_audio.app.conf.task_always_eager:
        state = tasks.synthesize_audio.apply(args=[job_id, model, ids]).get()
        report(request, state)
        return None
    tasks.synthesize_audio.apply_async(args=[job_id, model, ids], task_id=job_id)
    messages.info(request, _("Making the missing audio of %(what)s in the background.") % {"what": label})
    return HttpResponseRedirect(reverse("admin:courses_audio_job", args=[job_id]))


def report(request, state: dict) -> None:
    if state.get("status") == "failed":
        messages.error(request, state["error"])
    else:
        messages.success(request, _("Audio: %(report)s") % {"report": " ".join(s.strip() for s in state["lines"])})


@admin.action(description=gettext_lazy("Generate missing audio (text-to-speech)"), permissions=["synthesize"])
def generate_audio(modeladmin, request, queryset):
    model = modeladmin.model._meta.model_name
    ids = list(queryset.values_list("pk", flat=True))
    what = modeladmin.model._meta.verbose_name if len(ids) == 1 else modeladmin.model._meta.verbose_name_plural
    return start(request, model=model, ids=ids, label=f"{len(ids)} {what}")


class GenerateAudioMixin:
    """For a content ModelAdmin that lists ``generate_audio`` in its actions: who may run it."""

    def has_synthesize_permission(self, request) -> bool:
        return cast(admin.ModelAdmin, self).has_change_permission(request) and can_synthesize(request)


def exercise_urls(model_admin) -> list:
    view = model_admin.admin_site.admin_view(require_POST(exercise_button_view(model_admin)))
    return [path("<int:object_id>/generate-audio/", view, name="courses_exercise_generate_audio")]


def exercise_button_view(model_admin):
    def view(request, object_id: int):
        exercise = model_admin.get_object(request, str(object_id))
        if exercise is None:
            raise Http404(_("No such exercise."))
        if not (model_admin.has_change_permission(request, exercise) and can_synthesize(request)):
            raise PermissionDenied
        response = start(request, model="exercise", ids=[exercise.pk], label=exercise.slug)
        return response or redirect("admin:courses_exercise_change", exercise.pk)

    return view


def job_urls(model_admin) -> list:
    view = model_admin.admin_site.admin_view(job_view(model_admin))
    return [path("audio-jobs/<str:job_id>/", view, name="courses_audio_job")]


def job_view(model_admin):
    def view(request, job_id: str):
        if not can_synthesize(request):
            raise PermissionDenied
        state = tasks.job_state(job_id)
        if state is None or (state.get("user_id") != request.user.pk and not request.user.is_superuser):
            raise Http404(_("No such audio job (it may have expired)."))
        running = state["status"] in ("queued", "running")
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": _("Generating audio: %(what)s") % {"what": state["label"]},
            "state": state,
            "running": running,
        }
        return TemplateResponse(request, "admin/courses/audio_job.html", context)

    return view
