"""Course files in admin: the "Export selected courses as YAML" action and the "Import course file" view.

Thin wrappers around ``courses.course_files`` (docs/course-format.md). ``CourseAdmin`` (courses/admin.py)
lists the action and adds ``urls(self)`` to its ``get_urls``.
"""

import io
import zipfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .course_files import CourseFileError, export_course, import_course, record_export
from .models import Course

YAML_CONTENT_TYPE = "application/yaml; charset=utf-8"


def export_response(queryset) -> HttpResponse:
    """One course: ``<slug>.yaml``; several: ``courses.zip`` holding one ``<slug>.yaml`` each."""
    courses = list(queryset.select_related("from_language", "to_language").order_by("slug"))
    for course in courses:
        record_export(course=course, to="admin download")
    if len(courses) == 1:
        course = courses[0]
        response = HttpResponse(export_course(course=course), content_type=YAML_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{course.slug}.yaml"'
        return response
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for course in courses:
            archive.writestr(f"{course.slug}.yaml", export_course(course=course))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="courses.zip"'
    return response


class CourseFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Course file"), help_text=gettext_lazy("A YAML course file (docs/course-format.md).")
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run"),
        required=False,
        help_text=gettext_lazy("Check the file and show what would change; write nothing."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.MALLARD_COURSE_FILE_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s bytes; a course file may be at most %(limit)s bytes."),
                code="too_large",
                params={
                    "size": number_format(upload.size, force_grouping=True),
                    "limit": number_format(limit, force_grouping=True),
                },
            )
        return upload


#: An import creates, changes and deletes rows all down the tree, so it needs all three permissions
#: on every content model it writes (the Content editor group has them).
IMPORT_PERMISSIONS = [
    f"courses.{action}_{model}"
    for model in (
        "course",
        "section",
        "unit",
        "lesson",
        "lessonprerequisite",
        "exercise",
        "lessonexercise",
        "token",
        "checkpoint",
    )
    for action in ("add", "change", "delete")
]


def can_import(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.is_staff and request.user.has_perms(IMPORT_PERMISSIONS)


def import_view(model_admin, request: HttpRequest) -> TemplateResponse:
    """Upload a course file; show the import report, or every problem with its line (nothing written)."""
    if not can_import(request):
        raise PermissionDenied
    report = problems = None
    if request.method == "POST":
        form = CourseFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_course(source=upload, name=upload.name, dry_run=form.cleaned_data["dry_run"])
            except CourseFileError as exc:
                problems = exc.problems
                messages.error(
                    request,
                    ngettext(
                        "Nothing was written: %(name)s has %(count)d problem.",
                        "Nothing was written: %(name)s has %(count)d problems.",
                        len(problems),
                    )
                    % {"name": upload.name, "count": len(problems)},
                )
            else:
                if report.dry_run:
                    text = _("Course %(slug)s checked (dry run, nothing written) from %(name)s.")
                else:
                    text = _("Course %(slug)s imported from %(name)s.")
                messages.success(request, text % {"slug": repr(report.course_slug), "name": upload.name})
    else:
        form = CourseFileForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Course._meta,
        "title": _("Import course file"),
        "form": form,
        "report": report,
        "problems": problems,
        "course": Course.objects.filter(slug=report.course_slug).first() if report and not report.dry_run else None,
    }
    status = 400 if problems else 200
    return TemplateResponse(request, "admin/courses/course/import_course_file.html", context, status=status)


def urls(model_admin) -> list:
    view = model_admin.admin_site.admin_view(lambda request: import_view(model_admin, request))
    return [path("import-file/", view, name="courses_course_import_file")]
