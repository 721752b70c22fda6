"""Admin forms for authoring: ordinals that can be swapped, prerequisites checked for cycles, and an
exercise form whose payload errors name the payload key at fault."""

import json

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.api.parsers import MAX_DEPTH, nesting_depth
from core.text import storable

from . import publishing, services
from .exercise_types import REGISTRY, type_choices
from .models import Checkpoint, Exercise, Lesson, LessonExercise, LessonPrerequisite


class SiblingOrdinalForm(forms.ModelForm):
    """An inline row of ordered siblings (sections, units, lessons, a lesson's exercises).

    The per-row database check of "ordinal unique among siblings" is skipped: when two rows swap
    ordinals each would collide with the other's *old* value. The formset still refuses two rows with
    the same new ordinal (Django's formset-wide unique check), ``services.save_siblings`` saves in an
    order that never collides, and the database constraint remains the last word. A blank ordinal on
    a new row means "at the end"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "ordinal" in self.fields:
            self.fields["ordinal"].required = False
            self.fields["ordinal"].help_text = "Blank: at the end."

    def validate_constraints(self):
        exclude = self._get_validation_exclusions()
        exclude.add("ordinal")
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as e:
            self._update_errors(e)


def payload_help(type_name: str | None) -> str:
    """The schema and an example payload of every type, as HTML for the payload field: the chosen type's
    is open and the others are hidden (``static/js/admin-exercise-form.js`` shows the one of the type
    chosen, as it changes; without JavaScript the page after a save shows the saved type's)."""
    kinds = sorted(REGISTRY.values(), key=lambda t: t.name)
    chosen = type_name if type_name in REGISTRY else None
    return format_html(
        '<div class="payload-help">{}</div>',
        format_html_join(
            "",
            '<details data-type="{}"{}{}><summary><strong>{}</strong> payload</summary>'
            "<pre>{}</pre><p>Example:</p><pre>{}</pre></details>",
            (
                (
                    kind.name,
                    " open" if kind.name == chosen else "",
                    " hidden" if chosen and kind.name != chosen else "",
                    kind.name,
                    kind.schema,
                    example_json(kind.name),
                )
                for kind in kinds
            ),
        ),
    )


def example_json(type_name: str) -> str:
    """The type's example payload, as the payload field shows JSON."""
    return json.dumps(REGISTRY[type_name].example, ensure_ascii=False, indent=2)


def apply_exercise_errors(form: forms.ModelForm, error: ValidationError) -> None:
    """Put the errors of ``services.validate_exercise`` on the form: ``payload.<key>`` on the payload
    field, prefixed with the payload key (``solutions.2: Must not be empty.``)."""
    for key, messages in error.message_dict.items():
        field, _, payload_key = key.partition(".")
        for message in messages:
            text = f"{payload_key}: {message}" if payload_key else message
            target = field if field in form.fields else None
            form.add_error(target, text)


class PrettyJSONField(forms.JSONField):
    """Shows the payload indented, with non-ASCII text as typed (ñ, not \\u00f1). Refuses JSON nested
    deeper than the API accepts, before decoding it (``json`` recurses once per level)."""

    def to_python(self, value):
        if isinstance(value, str) and nesting_depth(value.encode(), stop_at=MAX_DEPTH) > MAX_DEPTH:
            raise ValidationError(
                _("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}, code="invalid"
            )
        if isinstance(value, str) and value.strip():
            try:
                json.loads(value, cls=self.decoder)
            except json.JSONDecodeError as e:
                raise ValidationError(
                    _("The JSON is not valid at line %(line)s, column %(column)s: %(problem)s."),
                    code="invalid",
                    params={"line": e.lineno, "column": e.colno, "problem": e.msg},
                ) from None
        return super().to_python(value)

    def bound_data(self, data, initial):
        if isinstance(data, str) and nesting_depth(data.encode(), stop_at=MAX_DEPTH) > MAX_DEPTH:
            return forms.fields.InvalidJSONInput(data)  # shown back as typed, never decoded
        return super().bound_data(data, initial)

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        text = json.dumps(value, ensure_ascii=False, indent=2)
        # A lone surrogate (from a "\\ud800" escape the author typed) cannot be sent as UTF-8: escape it.
        return text if storable(text) else json.dumps(value, ensure_ascii=True, indent=2)


class ExerciseAdminForm(forms.ModelForm):
    type = forms.ChoiceField(
        choices=type_choices,
        help_text=gettext_lazy(
            "The payload's shape depends on the type. On a new exercise, changing the type puts its example "
            "in the payload until you edit it."
        ),
    )
    payload = PrettyJSONField(
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "class": "vLargeTextField payload-json"}),
        help_text="JSON. See the schema of the chosen type below.",
    )
    add_to_lesson = forms.ModelChoiceField(
        queryset=Lesson.objects.select_related("unit__section__course"),
        required=False,
        help_text=gettext_lazy(
            "Optional: append the new exercise to this lesson (its course is then the lesson's, and you can "
            "leave Course empty); its slug then follows the lesson (es-e-01-03-05-12) instead of es-e-0007."
        ),
    )

    class Meta:
        model = Exercise
        fields = [
            "course",
            "type",
            "prompt",
            "payload",
            "hint",
            "explanation",
            "tokens",
            "audio",
            "image",
            "is_published",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["add_to_lesson"]
        else:
            field = self.fields["add_to_lesson"]
            field.widget = AutocompleteSelect(LessonExercise._meta.get_field("lesson"), admin.site)
            field.widget.choices = field.choices
            # A new exercise in a lesson takes the lesson's course: Course may be left empty then.
            self.fields["course"].required = False
            self.fields["course"].help_text = _("Leave empty when you choose “Add to lesson”: its course is used.")
            if not self.is_bound and not self.initial.get("payload"):
                chosen = self.initial.get("type") or self.fields["type"].choices[0][0]
                self.initial.setdefault("type", chosen)
                self.initial["payload"] = REGISTRY[chosen].example if chosen in REGISTRY else {}
        self.fields["payload"].widget.attrs["data-examples"] = json.dumps(
            {name: example_json(name) for name in REGISTRY}, ensure_ascii=False
        )
        type_name = self.data.get("type") if self.is_bound else (self.instance.type or self.initial.get("type"))
        self.fields["payload"].help_text = format_html(
            "{}{}",
            _("JSON. Errors name the payload key at fault, or the line and column of a typo."),
            payload_help(type_name),
        )

    def clean(self):
        cleaned = super().clean()
        lesson = cleaned.get("add_to_lesson")
        course = cleaned.get("course")
        if "course" in self.fields and not self.fields["course"].required and course is None:
            if lesson is not None:
                course = cleaned["course"] = lesson.unit.section.course
                self.instance.course = course
            elif not self.has_error("add_to_lesson"):
                self.add_error("course", _("Choose a course, or a lesson to add the exercise to."))
        if lesson and course and lesson.unit.section.course_id != course.pk:
            self.add_error("add_to_lesson", _("This lesson belongs to another course."))
        if "type" in cleaned and "payload" in cleaned and not self.has_error("course"):
            probe = Exercise(
                course=course,
                type=cleaned["type"],
                payload=cleaned["payload"],
                audio=cleaned.get("audio"),
                image=cleaned.get("image"),
            )
            try:
                services.validate_exercise(probe, tokens=cleaned.get("tokens"))
            except ValidationError as e:
                apply_exercise_errors(self, e)
            else:
                cleaned["payload"] = probe.payload
        if cleaned.get("is_published") and "type" in cleaned:
            facts = publishing.ExerciseFacts(
                self.instance.slug or "(new)", cleaned["type"], True, cleaned.get("audio") is not None
            )
            problem = publishing.exercise_problem(facts)
            if problem:
                self.add_error(
                    "is_published",
                    _("Cannot publish: %(problem)s. Attach its audio first, or leave it a draft.")
                    % {"problem": problem},
                )
        return cleaned


class LessonAdminForm(forms.ModelForm):
    prerequisite_lessons = forms.ModelMultipleChoiceField(
        queryset=Lesson.objects.select_related("unit__section"),
        required=False,
        label="Prerequisites",
        help_text="Lessons of this course that must be passed first. None: the lesson before this one in "
        "course order. Cycles are refused.",
    )

    class Meta:
        model = Lesson
        fields = [
            "unit",
            "ordinal",
            "title",
            "kind",
            "difficulty",
            "estimated_minutes",
            "notes",
            "is_published",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["prerequisite_lessons"]
        field.widget = AutocompleteSelectMultiple(Lesson._meta.get_field("prerequisites"), admin.site)
        field.widget.choices = field.choices
        if self.instance.pk:
            self.initial.setdefault("prerequisite_lessons", list(self.instance.prerequisites.all()))

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit")
        prerequisites = cleaned.get("prerequisite_lessons")
        if unit is not None and prerequisites is not None:
            self.instance.unit = unit
            try:
                services.validate_prerequisites(lesson=self.instance, prerequisites=prerequisites)
            except ValidationError as e:
                for message in e.message_dict.get("prerequisites", []):
                    self.add_error("prerequisite_lessons", message)
        return cleaned


class LessonPrerequisiteForm(forms.ModelForm):
    """One prerequisite link edited on its own: the lesson's other prerequisites plus this one must stay
    acyclic and in one course."""

    class Meta:
        model = LessonPrerequisite
        fields = ["lesson", "prerequisite"]

    def clean(self):
        cleaned = super().clean()
        lesson, prerequisite = cleaned.get("lesson"), cleaned.get("prerequisite")
        if lesson and prerequisite:
            others = lesson.prerequisites.exclude(pk=self.instance.prerequisite_id if self.instance.pk else None)
            try:
                services.validate_prerequisites(lesson=lesson, prerequisites=[*others, prerequisite])
            except ValidationError as e:
                for message in e.message_dict.get("prerequisites", []):
                    self.add_error("prerequisite", message)
        return cleaned


class CheckpointAdminForm(forms.ModelForm):
    """A checkpoint ends a unit or a section; its items are a fixed list or ``draw`` at random, from the
    lessons it covers (``courses.services.checkpoint_problems`` holds the rules, shared with imports)."""

    class Meta:
        model = Checkpoint
        fields = [
            "unit",
            "section",
            "title",
            "pass_percent",
            "time_limit_sec",
            "draw",
            "lessons",
            "exercises",
            "is_published",
        ]
        widgets = {
            "lessons": forms.SelectMultiple(attrs={"size": 10}),
            "exercises": forms.SelectMultiple(attrs={"size": 10}),
        }

    def clean(self):
        data = super().clean()
        unit, section = data.get("unit"), data.get("section")
        if (unit is None) == (section is None):
            raise ValidationError(
                gettext_lazy("A checkpoint ends either a unit or a section: choose exactly one of them.")
            )
        problems = services.checkpoint_problems(
            unit=unit,
            section=section,
            draw=data.get("draw"),
            lessons=list(data.get("lessons") or []),
            exercises=list(data.get("exercises") or []),
        )
        for field, message in problems:
            self.add_error(field, message)
        return data
