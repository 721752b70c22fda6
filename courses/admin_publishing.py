"""Publishing from admin, through the one publishing check (``courses.publishing``).

- **Saves**: after a course, section, unit or lesson change page is saved (with its inline rows), each
  of the saved rows that is published but fails the check is kept as an unpublished draft, and the
  page says what is missing. The author's other edits are saved.
- **Actions** on the lists of courses, sections, units, lessons and exercises: *Publish selected* and
  *Unpublish selected*, reporting per item what was refused and why.

The exercise form itself refuses to publish a listen or speak exercise without audio (``forms``).
"""

from django.contrib import admin, messages
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import publishing


def _name(obj: publishing.Content) -> str:
    """``Lesson es-l-01-01-01``: the model's name in the interface language, then the slug."""
    return f"{capfirst(obj._meta.verbose_name)} {obj.slug}"


class PublishingCheckMixin:
    """For a ModelAdmin of the content tree: the publishing check after every save, and the publish
    and unpublish actions."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        saved: list[Model | None] = [form.instance]
        for formset in formsets:
            saved += list(getattr(formset, "new_objects", []))
            saved += [obj for obj, _ in getattr(formset, "changed_objects", [])]
        for obj, problems in publishing.keep_publishable(objects=saved):
            messages.error(
                request,
                _("Not published: %(problems)s. %(name)s was saved as a draft.")
                % {"problems": "; ".join(str(p) for p in problems), "name": _name(obj)},
            )

    @admin.action(description=gettext_lazy("Publish selected (refuses what is incomplete)"), permissions=["change"])
    def publish_selected(self, request, queryset):
        result = publishing.set_published(objects=list(queryset), published=True)
        if result.changed:
            messages.success(
                request,
                _("Published %(count)s: %(slugs)s.")
                % {"count": len(result.changed), "slugs": ", ".join(o.slug for o in result.changed)},
            )
        for _obj, problems in result.refused:
            messages.error(
                request, _("Not published: %(problems)s.") % {"problems": "; ".join(str(p) for p in problems)}
            )
        if result.unchanged:
            messages.info(
                request, _("Already published: %(slugs)s.") % {"slugs": ", ".join(o.slug for o in result.unchanged)}
            )

    @admin.action(description=gettext_lazy("Unpublish selected"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        result = publishing.set_published(objects=list(queryset), published=False)
        if result.changed:
            messages.success(
                request,
                _("Unpublished %(count)s: %(slugs)s.")
                % {"count": len(result.changed), "slugs": ", ".join(o.slug for o in result.changed)},
            )
        if result.unchanged:
            messages.info(
                request, _("Already unpublished: %(slugs)s.") % {"slugs": ", ".join(o.slug for o in result.unchanged)}
            )
