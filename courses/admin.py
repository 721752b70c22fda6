"""Authoring in Django admin: the content tree with inlines down to the exercises, slugs assigned at
creation (read-only afterwards), ordinals that can be swapped in an inline, prerequisites with cycle
checks, an exercise form that validates the payload per type, and a read-only learner preview of a
lesson (``courses.admin_views``). See docs/authoring.md.

Course file import/export lives in its own module and adds its actions and URLs to ``CourseAdmin``
(``actions`` and ``get_urls`` below are the extension points).
"""

from django.contrib import admin
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import admin_audio, admin_bulk, admin_views, services, slugs
from .admin_audio import GenerateAudioMixin
from .admin_publishing import PublishingCheckMixin
from .admin_translations import TranslatedTextsAdminMixin, TranslatedTextsInlineMixin
from .content_version import content_changed
from .forms import CheckpointAdminForm, ExerciseAdminForm, LessonAdminForm, LessonPrerequisiteForm, SiblingOrdinalForm
from .models import (
    Checkpoint,
    Course,
    Exercise,
    Language,
    Lesson,
    LessonExercise,
    LessonPrerequisite,
    Section,
    Token,
    Unit,
)

SIBLING_MODELS = (Section, Unit, Lesson, LessonExercise)


class SlugReadOnlyMixin:
    """The slug is generated at creation and never edited (URLs, imports and exports rely on it)."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "slug" not in fields:
            fields.append("slug")
        return fields


class SiblingInlineSaveMixin:
    """Saves inline rows of ordered siblings through ``services.save_siblings`` so that swapping two
    ordinals in one submit never trips the sibling-ordinal unique constraint."""

    def save_formset(self, request, form, formset, change):
        if formset.model not in SIBLING_MODELS:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        services.save_siblings(objects=instances, deleted=formset.deleted_objects)
        formset.save_m2m()
        return None


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline's rows have column headings but no <label> per control: each control gets an
    ``aria-label`` naming its column and row, so screen readers (and axe) can name it."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = _("new row") if index is None else index + 1
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            label = field.label or name.replace("_", " ").capitalize()
            field.widget.attrs.setdefault("aria-label", f"{label} ({row})")


class ChildInline(TranslatedTextsInlineMixin, admin.TabularInline):
    form = SiblingOrdinalForm
    formset = LabelledInlineFormSet
    extra = 1
    show_change_link = True
    readonly_fields = ["slug"]


# --- Language, Course ------------------------------------------------------------------------


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "native_name"]
    search_fields = ["code", "name", "native_name"]


class SectionInline(ChildInline):
    model = Section
    fields = ["ordinal", "title", "cefr_level", "is_published", "slug"]


@admin.register(Course)
class CourseAdmin(
    TranslatedTextsAdminMixin,
    GenerateAudioMixin,
    PublishingCheckMixin,
    SiblingInlineSaveMixin,
    SlugReadOnlyMixin,
    admin.ModelAdmin,
):
    list_display = ["title", "slug", "from_language", "to_language", "is_published", "updated_at"]
    list_filter = ["is_published", "to_language", "from_language"]
    list_select_related = ["from_language", "to_language"]
    search_fields = ["title", "slug", "description"]
    autocomplete_fields = ["from_language", "to_language"]
    inlines = [SectionInline]
    #: extension point: the course-file admin module appends its import/export actions here
    actions: list = ["export_as_yaml", "publish_selected", "unpublish_selected", admin_audio.generate_audio]

    @admin.action(description=gettext_lazy("Export selected courses as YAML"), permissions=["view"])
    def export_as_yaml(self, request, queryset):
        from . import admin_course_files

        return admin_course_files.export_response(queryset)

    def changelist_view(self, request, extra_context=None):
        from . import admin_course_files

        extra_context = {**(extra_context or {}), "can_import_course": admin_course_files.can_import(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        """Extension point: other admin modules add course-level views by wrapping this."""
        from . import admin_course_files

        return [*admin_course_files.urls(self), *admin_audio.job_urls(self), *super().get_urls()]


# --- Section, Unit ---------------------------------------------------------------------------


class UnitInline(ChildInline):
    model = Unit
    fields = ["ordinal", "title", "icon", "color", "is_published", "slug"]


@admin.register(Section)
class SectionAdmin(
    TranslatedTextsAdminMixin,
    GenerateAudioMixin,
    PublishingCheckMixin,
    SiblingInlineSaveMixin,
    SlugReadOnlyMixin,
    admin.ModelAdmin,
):
    list_display = ["slug", "title", "course", "ordinal", "cefr_level", "is_published"]
    list_display_links = ["slug", "title"]
    list_filter = ["course", "is_published", "cefr_level"]
    list_select_related = ["course"]
    search_fields = ["slug", "title", "description"]
    autocomplete_fields = ["course"]
    fields = ["course", "ordinal", "title", "cefr_level", "description", "is_published", "slug"]
    inlines = [UnitInline]
    actions = ["publish_selected", "unpublish_selected", admin_audio.generate_audio]

    def save_model(self, request, obj, form, change):
        if not change:
            slugs.assign_slug(obj)
        super().save_model(request, obj, form, change)


class LessonInline(ChildInline):
    model = Lesson
    fields = ["ordinal", "title", "kind", "difficulty", "estimated_minutes", "is_published", "slug"]


@admin.register(Unit)
class UnitAdmin(
    TranslatedTextsAdminMixin,
    GenerateAudioMixin,
    PublishingCheckMixin,
    SiblingInlineSaveMixin,
    SlugReadOnlyMixin,
    admin.ModelAdmin,
):
    list_display = ["slug", "title", "section", "ordinal", "icon", "is_published"]
    list_display_links = ["slug", "title"]
    list_filter = [("section__course", admin.RelatedOnlyFieldListFilter), "is_published"]
    list_select_related = ["section__course"]
    search_fields = ["slug", "title", "description"]
    autocomplete_fields = ["section"]
    fields = ["section", "ordinal", "title", "icon", "color", "description", "is_published", "slug"]
    inlines = [LessonInline]
    actions = [
        "publish_selected",
        "unpublish_selected",
        admin_bulk.move_units_to_section,
        admin_audio.generate_audio,
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            slugs.assign_slug(obj)
        super().save_model(request, obj, form, change)


# --- Lesson ----------------------------------------------------------------------------------


class LessonExerciseInline(admin.TabularInline):
    model = LessonExercise
    form = SiblingOrdinalForm
    formset = LabelledInlineFormSet
    fields = ["ordinal", "exercise", "exercise_summary"]
    readonly_fields = ["exercise_summary"]
    autocomplete_fields = ["exercise"]
    extra = 1
    verbose_name = gettext_lazy("exercise")
    verbose_name_plural = gettext_lazy("exercises (in order)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("exercise")

    @admin.display(description=gettext_lazy("Type and prompt"))
    def exercise_summary(self, link: LessonExercise) -> str:
        if not link.pk:
            return "—"
        exercise = link.exercise
        url = reverse("admin:courses_exercise_change", args=[exercise.pk])
        return format_html('<a href="{}">{}</a> · {}', url, exercise.type, exercise.prompt or "(no prompt)")


@admin.register(Lesson)
class LessonAdmin(
    TranslatedTextsAdminMixin,
    GenerateAudioMixin,
    PublishingCheckMixin,
    SiblingInlineSaveMixin,
    SlugReadOnlyMixin,
    admin.ModelAdmin,
):
    form = LessonAdminForm
    list_display = [
        "slug",
        "title",
        "unit",
        "kind",
        "difficulty",
        "estimated_minutes",
        "exercise_count",
        "is_published",
    ]
    list_display_links = ["slug", "title"]
    list_filter = [("unit__section__course", admin.RelatedOnlyFieldListFilter), "is_published", "kind", "difficulty"]
    list_select_related = ["unit__section__course"]
    search_fields = ["slug", "title", "notes"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        (None, {"fields": ["unit", "ordinal", "title", "slug", "is_published"]}),
        (
            "Lesson",
            {
                "fields": [
                    "kind",
                    "difficulty",
                    "estimated_minutes",
                    "time_limit_sec",
                    "notes",
                    "prerequisite_lessons",
                    "adaptive_order",
                ]
            },
        ),
    ]
    inlines = [LessonExerciseInline]
    actions = [
        "publish_selected",
        "unpublish_selected",
        admin_bulk.move_lessons_to_unit,
        admin_bulk.duplicate_lessons,
        admin_audio.generate_audio,
    ]
    change_form_template = "admin/courses/lesson/change_form.html"

    def get_queryset(self, request):
        # An annotated (GROUP BY) query drops Meta.ordering: order by the tree explicitly.
        return (
            super()
            .get_queryset(request)
            .annotate(_exercise_count=Count("lesson_exercises"))
            .order_by("unit__section__course__title", "unit__section__ordinal", "unit__ordinal", "ordinal")
        )

    @admin.display(description=gettext_lazy("Exercises"), ordering="_exercise_count")
    def exercise_count(self, lesson: Lesson) -> int:
        return lesson._exercise_count

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # the slug is generated on save
            return [(name, {"fields": [f for f in opts["fields"] if f != "slug"]}) for name, opts in self.fieldsets]
        return super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            slugs.assign_slug(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.set_prerequisites(lesson=form.instance, prerequisites=form.cleaned_data["prerequisite_lessons"])

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="courses_lesson_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, object_id):
        return admin_views.lesson_preview(request, model_admin=self, object_id=object_id)


# --- Checkpoint ------------------------------------------------------------------------------


@admin.register(Checkpoint)
class CheckpointAdmin(TranslatedTextsAdminMixin, SlugReadOnlyMixin, admin.ModelAdmin):
    """A test at the end of a unit or a section (docs/authoring.md, "Checkpoints")."""

    form = CheckpointAdminForm
    list_display = [
        "slug",
        "display_title",
        "unit",
        "section",
        "pass_percent",
        "draw",
        "time_limit_sec",
        "is_published",
    ]
    list_display_links = ["slug", "display_title"]
    list_filter = ["is_published"]
    list_select_related = ["unit", "section"]
    search_fields = ["slug", "title", "unit__title", "section__title"]
    autocomplete_fields = ["unit", "section", "lessons", "exercises"]
    actions = ["publish_selected", "unpublish_selected"]

    @admin.display(description=gettext_lazy("Title"))
    def display_title(self, checkpoint: Checkpoint) -> str:
        return checkpoint.display_title

    @admin.action(description=gettext_lazy("Publish selected checkpoints"))
    def publish_selected(self, request, queryset):
        count = queryset.update(is_published=True)
        content_changed()  # a bulk UPDATE sends no signal (courses/structure.py)
        self.message_user(
            request,
            ngettext("%(count)d checkpoint published.", "%(count)d checkpoints published.", count) % {"count": count},
        )

    @admin.action(description=gettext_lazy("Unpublish selected checkpoints"))
    def unpublish_selected(self, request, queryset):
        count = queryset.update(is_published=False)
        content_changed()
        self.message_user(
            request,
            ngettext("%(count)d checkpoint unpublished.", "%(count)d checkpoints unpublished.", count)
            % {"count": count},
        )

    def save_model(self, request, obj, form, change):
        if not change:
            slugs.assign_slug(obj)
        super().save_model(request, obj, form, change)


@admin.register(LessonPrerequisite)
class LessonPrerequisiteAdmin(admin.ModelAdmin):
    form = LessonPrerequisiteForm
    list_display = ["lesson", "prerequisite"]
    list_filter = [("lesson__unit__section__course", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["lesson", "prerequisite"]
    search_fields = ["lesson__slug", "lesson__title", "prerequisite__slug", "prerequisite__title"]
    autocomplete_fields = ["lesson", "prerequisite"]


@admin.register(LessonExercise)
class LessonExerciseAdmin(admin.ModelAdmin):
    list_display = ["lesson", "ordinal", "exercise"]
    list_filter = [("lesson__unit__section__course", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["lesson", "exercise"]
    search_fields = ["lesson__slug", "exercise__slug", "exercise__prompt"]
    autocomplete_fields = ["lesson", "exercise"]


# --- Exercise, Token -------------------------------------------------------------------------


class ExerciseTypeFilter(admin.SimpleListFilter):
    title = "type"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        from .exercise_types import type_choices

        return type_choices()

    def queryset(self, request, queryset):
        return queryset.filter(type=self.value()) if self.value() else queryset


@admin.register(Exercise)
class ExerciseAdmin(
    TranslatedTextsAdminMixin, GenerateAudioMixin, PublishingCheckMixin, SlugReadOnlyMixin, admin.ModelAdmin
):
    form = ExerciseAdminForm
    list_display = ["slug", "type", "prompt", "course", "lesson_count", "is_published"]
    list_filter = ["course", ExerciseTypeFilter, "is_published"]
    list_select_related = ["course"]
    search_fields = ["slug", "prompt", "payload", "hint"]
    autocomplete_fields = ["course", "tokens"]
    raw_id_fields = ["audio", "image"]
    actions = ["publish_selected", "unpublish_selected", admin_audio.generate_audio]
    change_form_template = "admin/courses/exercise/change_form.html"

    def get_urls(self):
        return [*admin_audio.exercise_urls(self), *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_generate_audio"] = obj is not None and self.has_synthesize_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_lesson_count=Count("lesson_links")).order_by("slug")

    @admin.display(description=gettext_lazy("Lessons"), ordering="_lesson_count")
    def lesson_count(self, exercise: Exercise) -> int:
        return exercise._lesson_count

    def get_fields(self, request, obj=None):
        fields = list(self.form.base_fields)
        if obj is not None:
            fields.remove("add_to_lesson")
            fields.insert(1, "slug")
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.create_exercise(exercise=obj, lesson=form.cleaned_data.get("add_to_lesson"))


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    list_display = ["text", "language", "translation", "ipa", "part_of_speech"]
    list_filter = ["language", "part_of_speech"]
    list_select_related = ["language"]
    search_fields = ["text", "translation"]
    raw_id_fields = ["audio"]
