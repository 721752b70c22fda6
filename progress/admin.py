"""The report queue in admin (docs/authoring.md, "Problem reports").

The changelist of problem reports is the *queue*: reports grouped by exercise, kind and normalised
answer, with their counts, newest first, filterable by course, status and kind
(``progress.selectors.report_queue``). Each group has one-click buttons — Accept answer, Reject,
Resolve — posting to small admin views that call ``progress.services``. The Content editor group
has the view and change permissions (migration ``0007_content_editors_handle_reports``). Reports are
never added or deleted by hand: learners send them, erasure deletes them with the learner.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.staff import is_moderator
from core.errors import ServiceError
from courses.models import Course

from . import selectors, services
from .models import ProblemReport

REPORT_FIELDS = (
    "kind",
    "status",
    "exercise",
    "course",
    "answer_text",
    "normalized_answer",
    "message",
    "created_at",
    "resolved_at",
    "resolved_by",
    "attempt",
)


def _staff(request: HttpRequest) -> User:
    """The logged-in staff member (admin views require one)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "exercise", "answer_text", "status", "user"]
    list_select_related = ["exercise", "user"]
    fields = REPORT_FIELDS
    readonly_fields = REPORT_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    # Moderators work the queue (reject, resolve); accepting an answer also needs courses.change_exercise.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_moderator(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_moderator(request.user) or super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_moderator(request.user) or super().has_change_permission(request, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:report_id>/accept/", wrap(self.accept_view), name="progress_problemreport_accept"),
            path(
                "<int:report_id>/reject/",
                wrap(self.settle_view),
                {"status": "rejected"},
                name="progress_problemreport_reject",
            ),
            path(
                "<int:report_id>/resolve/",
                wrap(self.settle_view),
                {"status": "resolved"},
                name="progress_problemreport_resolve",
            ),
            *super().get_urls(),
        ]

    # --- The queue ------------------------------------------------------------------------------

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        status = request.GET.get("status", ProblemReport.Status.OPEN)
        if status not in ProblemReport.Status.values and status != "all":
            status = ProblemReport.Status.OPEN
        kind = request.GET.get("kind", "")
        kind = kind if kind in ProblemReport.Kind.values else ""
        course_id = request.GET.get("course", "")
        course_pk = int(course_id) if course_id.isdigit() else None
        page = selectors.report_queue(
            status=None if status == "all" else status,
            course_id=course_pk,
            kind=kind or None,
            page=request.GET.get("page") or 1,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Report queue"),
            "page": page,
            "status": status,
            "kind": kind,
            "course_id": course_pk,
            "statuses": [*ProblemReport.Status.choices, ("all", _("All"))],
            "kinds": ProblemReport.Kind.choices,
            "courses": Course.objects.order_by("title").values_list("pk", "title"),
            "can_act": self.has_change_permission(request),
            "query": request.GET.urlencode(),
        }
        return TemplateResponse(request, "admin/progress/report_queue.html", {**context, **(extra_context or {})})

    # --- One-click actions ------------------------------------------------------------------------

    def _back(self, request: HttpRequest) -> HttpResponseRedirect:
        query = request.POST.get("query", "")
        url = reverse("admin:progress_problemreport_changelist")
        return HttpResponseRedirect(f"{url}?{query}" if query else url)

    @staticmethod
    def _validation_message(error: ValidationError) -> str:
        if hasattr(error, "error_dict"):
            return "; ".join(
                f"{key.removeprefix('payload.')}: {message}"
                for key, messages in error.message_dict.items()
                for message in messages
            )
        return "; ".join(error.messages)

    def accept_view(self, request: HttpRequest, report_id: int):
        """Accept the report's answer (POST). Needs the change permission on reports and on exercises."""
        if not (self.has_change_permission(request) and request.user.has_perm("courses.change_exercise")):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            accepted = services.accept_answer(report_id=report_id, by=_staff(request), now=timezone.now())
        except ValidationError as error:
            messages.error(
                request, _("The answer could not be added: %(error)s") % {"error": self._validation_message(error)}
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            if accepted.added:
                text = ngettext(
                    "“%(answer)s” added to the accepted answers; %(count)d report marked accepted.",
                    "“%(answer)s” added to the accepted answers; %(count)d reports marked accepted.",
                    accepted.resolved,
                )
            else:
                text = ngettext(
                    "“%(answer)s” was already accepted; %(count)d report marked accepted.",
                    "“%(answer)s” was already accepted; %(count)d reports marked accepted.",
                    accepted.resolved,
                )
            messages.success(request, text % {"answer": accepted.answer, "count": accepted.resolved})
        return self._back(request)

    def settle_view(self, request: HttpRequest, report_id: int, status: str):
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            count = services.settle_reports(report_id=report_id, status=status, by=_staff(request), now=timezone.now())
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            text = ngettext("%(count)d report marked %(status)s.", "%(count)d reports marked %(status)s.", count)
            messages.success(
                request, text % {"count": count, "status": str(ProblemReport.Status(status).label).lower()}
            )
        return self._back(request)
