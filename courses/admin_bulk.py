"""Bulk actions on the lesson and unit lists (docs/authoring.md, "Bulk actions"): move to another
unit or section through an intermediate page that asks for the target, and duplicate lessons.
Thin: each calls one service of ``courses.bulk`` and reports what it did."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import bulk
from .models import Section, Unit


class _TargetField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.slug} · {obj.title}"


class _TargetForm(forms.Form):
    target = _TargetField(queryset=Unit.objects.none(), empty_label=None)


def _target_page(modeladmin, request, queryset, *, action: str, what: str, choices, label: str):
    """The intermediate page (GET of the action) or the applied move (its POST with ``apply``)."""
    form = _TargetForm(request.POST if "apply" in request.POST else None)
    field = form.fields["target"]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = choices
    field.label = label
    if form.is_bound and form.is_valid():
        return form.cleaned_data["target"]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Move %(count)s %(what)s to another %(target)s")
        % {"count": len(queryset), "what": what, "target": label.lower()},
        "opts": modeladmin.model._meta,
        "objects": queryset,
        "form": form,
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/courses/move.html", context)


def _one_course(modeladmin, request, course_ids) -> int | None:
    ids = set(course_ids)
    if len(ids) != 1:
        modeladmin.message_user(
            request, _("Select items of one course: they move within their course."), messages.ERROR
        )
        return None
    return ids.pop()


@admin.action(description=gettext_lazy("Move selected lessons to another unit…"), permissions=["change"])
def move_lessons_to_unit(modeladmin, request, queryset):
    course_id = _one_course(modeladmin, request, queryset.values_list("unit__section__course_id", flat=True))
    if course_id is None:
        return None
    units = (
        Unit.objects.filter(section__course_id=course_id)
        .select_related("section")
        .order_by("section__ordinal", "ordinal")
    )
    target = _target_page(
        modeladmin, request, queryset, action="move_lessons_to_unit", what=_("lessons"), choices=units, label=_("Unit")
    )
    if not isinstance(target, Unit):
        return target
    try:
        moved = bulk.move_lessons(lessons=list(queryset), unit=target)
    except ValidationError as error:
        modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
        return None
    names = ", ".join(
        _("%(slug)s (now lesson %(ordinal)s)") % {"slug": lesson.slug, "ordinal": lesson.ordinal} for lesson in moved
    ) or _("nothing to move")
    modeladmin.message_user(
        request, _("Moved to unit %(slug)s: %(names)s.") % {"slug": target.slug, "names": names}, messages.SUCCESS
    )
    return None


@admin.action(description=gettext_lazy("Move selected units to another section…"), permissions=["change"])
def move_units_to_section(modeladmin, request, queryset):
    course_id = _one_course(modeladmin, request, queryset.values_list("section__course_id", flat=True))
    if course_id is None:
        return None
    sections = Section.objects.filter(course_id=course_id).order_by("ordinal")
    target = _target_page(
        modeladmin,
        request,
        queryset,
        action="move_units_to_section",
        what=_("units"),
        choices=sections,
        label=_("Section"),
    )
    if not isinstance(target, Section):
        return target
    try:
        moved = bulk.move_units(units=list(queryset), section=target)
    except ValidationError as error:
        modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
        return None
    names = ", ".join(
        _("%(slug)s (now unit %(ordinal)s)") % {"slug": unit.slug, "ordinal": unit.ordinal} for unit in moved
    ) or _("nothing to move")
    modeladmin.message_user(
        request, _("Moved to section %(slug)s: %(names)s.") % {"slug": target.slug, "names": names}, messages.SUCCESS
    )
    return None


@admin.action(
    description=gettext_lazy("Duplicate selected lessons (with their exercises, as drafts)"), permissions=["add"]
)
def duplicate_lessons(modeladmin, request, queryset):
    copies = [bulk.duplicate_lesson(lesson=lesson) for lesson in queryset.order_by("pk")]
    names = ", ".join(
        _("%(slug)s (%(count)s exercises)") % {"slug": copy.slug, "count": copy.lesson_exercises.count()}
        for copy in copies
    )
    modeladmin.message_user(
        request, _("Duplicated as unpublished drafts: %(names)s.") % {"names": names}, messages.SUCCESS
    )


__all__ = ["duplicate_lessons", "move_lessons_to_unit", "move_units_to_section"]
