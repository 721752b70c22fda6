"""Admin forms of course texts in more than one interface language (docs/i18n.md).

A form's ``title`` (``description``, ``notes``, ``prompt``, ``hint``) is the text in the course's
**source language** — the ``title_es`` column of a course taught from Spanish, whatever the editor's
own interface language — and on a change page the other languages' columns sit on the same row. An
empty translation shows, as its placeholder, the source text learners see instead.
"""

from django.conf import settings
from django.contrib.admin.utils import flatten_fieldsets
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .content_languages import LANGUAGE_CODES, TRANSLATED_FIELDS, localized, other_languages, source_language
from .models import Checkpoint, Course, Exercise, Lesson, Section, Unit

KINDS = {
    Course: "course",
    Section: "section",
    Unit: "unit",
    Lesson: "lesson",
    Checkpoint: "checkpoint",
    Exercise: "exercise",
}


def course_of(obj, data: dict | None = None) -> Course | None:
    """The course an object (or a form's cleaned data for a new one) belongs to."""
    data = data or {}

    def pick(name):
        return data.get(name) or getattr(obj, name, None) if obj is not None else data.get(name)

    if isinstance(obj, Course):
        return obj
    for name in ("course", "section", "unit"):
        parent = pick(name)
        if parent is not None:
            return course_of(parent)
    return None


def source_of(obj, data: dict | None = None) -> str:
    course = course_of(obj, data)
    if isinstance(obj, Course) and data and data.get("from_language"):
        return source_language(data["from_language"].code)
    if course is None or course.from_language_id is None:
        return settings.LANGUAGE_CODE
    return source_language(course.from_language.code)


class SourceLanguageFormMixin:
    """Reads and writes the translated texts of the form's model in its course's source language."""

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        self._source = source_of(instance) if instance is not None and instance.pk else settings.LANGUAGE_CODE
        with translation.override(self._source):
            super().__init__(*args, **kwargs)
        kind = KINDS.get(self._meta.model)
        if kind is None or instance is None or not instance.pk:
            return
        for name in TRANSLATED_FIELDS[kind]:
            own = getattr(instance, localized(name, self._source), "") or ""
            for language in other_languages(self._source):
                field = self.fields.get(localized(name, language))
                if field is not None:
                    field.required = False
                    field.widget.attrs["placeholder"] = own
                    field.help_text = _("Empty: learners see the text in the course's language (%(language)s).") % {
                        "language": dict(settings.LANGUAGES)[self._source]
                    }

    def _post_clean(self):
        self._source = source_of(self.instance, getattr(self, "cleaned_data", None))
        with translation.override(self._source):
            super()._post_clean()


def with_source_language(form_class):
    if issubclass(form_class, SourceLanguageFormMixin):
        return form_class
    return type(form_class.__name__, (SourceLanguageFormMixin, form_class), {})


class TranslatedTextsAdminMixin:
    """ModelAdmin: the source-language form, and on a change page each text with its translations on one row."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return with_source_language(super().get_form(request, obj, change=change, **kwargs))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        kind = KINDS.get(self.model)
        if obj is None or kind is None:
            return fieldsets
        others = other_languages(source_of(obj))
        names = TRANSLATED_FIELDS[kind]
        present = set(flatten_fieldsets(fieldsets))
        out = []
        for title, options in fieldsets:
            rows = []
            for row in options.get("fields", ()):
                if isinstance(row, str) and row in names and all(localized(row, o) not in present for o in others):
                    rows.append((row, *(localized(row, o) for o in others)))
                else:
                    rows.append(row)
            out.append((title, {**options, "fields": rows}))
        return out


class TranslatedTextsInlineMixin:
    """Inline rows: the source-language texts (translations are edited on each object's own page)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = with_source_language(formset.form)
        return formset


__all__ = ["LANGUAGE_CODES", "TranslatedTextsAdminMixin", "TranslatedTextsInlineMixin"]
