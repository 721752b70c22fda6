"""Achievements in admin: authors (the Content editor group) and staff manage the definitions — the
condition, its levels (threshold and XP reward each), icon and whether it is published.

Name and description are written in English (the ``name`` field, whatever the editor's interface
language) with their other interface languages beside them (docs/i18n.md); an empty translation shows
the English text to learners, as its placeholder says."""

import itertools

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.content_languages import localized, other_languages

from .models import Achievement, AchievementLevel

#: Highest XP reward of one level (a level pays about a few lessons' XP at most).
MAX_LEVEL_REWARD = 10_000


class LevelFormSet(forms.BaseInlineFormSet):
    """Levels are numbered 1, 2, … without gaps; thresholds rise strictly with the level; a published
    achievement has at least one level."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        rows = sorted(
            (form.cleaned_data["level"], form.cleaned_data["threshold"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        levels = [level for level, _threshold in rows]
        if levels != list(range(1, len(rows) + 1)):
            raise ValidationError(_("Number the levels 1, 2, 3, … without gaps or repeats."))
        thresholds = [threshold for _level, threshold in rows]
        if any(b <= a for a, b in itertools.pairwise(thresholds)):
            raise ValidationError(_("Each level needs a higher threshold than the level before it."))
        if not rows and self.instance.is_active:
            raise ValidationError(_("A published achievement needs at least one level."))


class LevelForm(forms.ModelForm):
    class Meta:
        model = AchievementLevel
        fields = ["level", "threshold", "xp_reward"]

    def clean_level(self):
        level = self.cleaned_data["level"]
        if level < 1:
            raise ValidationError(_("Levels start at 1."))
        return level

    def clean_threshold(self):
        threshold = self.cleaned_data["threshold"]
        if threshold < 1:
            raise ValidationError(_("A threshold is at least 1."))
        return threshold

    def clean_xp_reward(self):
        xp = self.cleaned_data["xp_reward"]
        if xp > MAX_LEVEL_REWARD:
            raise ValidationError(_("At most %(max)s XP per level.") % {"max": MAX_LEVEL_REWARD})
        return xp


class LevelInline(admin.TabularInline):
    model = AchievementLevel
    form = LevelForm
    formset = LevelFormSet
    extra = 1
    min_num = 0


#: The translated texts of an achievement, each with its other languages' columns (none when
#: modeltranslation's registrations are off, as under mypy).
TRANSLATED = ("name", "description")
_COLUMNS = {f.name for f in Achievement._meta.get_fields()}
OTHER_LANGUAGES = tuple(lang for lang in other_languages(settings.LANGUAGE_CODE) if localized("name", lang) in _COLUMNS)


class AchievementForm(forms.ModelForm):
    class Meta:
        model = Achievement
        fields = [
            "code",
            *(f for name in TRANSLATED for f in (name, *(localized(name, lang) for lang in OTHER_LANGUAGES))),
            "icon",
            "condition_type",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        # ``name`` and ``description`` are the English columns, whatever the editor's language.
        with translation.override(settings.LANGUAGE_CODE):
            super().__init__(*args, **kwargs)
        for name in TRANSLATED:
            for language in OTHER_LANGUAGES:
                field = self.fields.get(localized(name, language))
                if field is not None:
                    field.required = False
                    field.widget.attrs["placeholder"] = self.initial.get(name) or ""
                    field.help_text = gettext_lazy("Empty: learners see the English text.")

    def _post_clean(self):
        with translation.override(settings.LANGUAGE_CODE):
            super()._post_clean()

    def clean_icon(self):
        icon = self.cleaned_data["icon"].strip()
        if any(ch.isspace() or ch in "<>&\"'" for ch in icon):
            raise ValidationError(_("An icon is an emoji or a few characters, without spaces or markup."))
        return icon


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    form = AchievementForm
    inlines = [LevelInline]
    list_display = ["name", "code", "condition_type", "level_thresholds", "is_active", "missing_translations"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    *((name, *(localized(name, lang) for lang in OTHER_LANGUAGES)) for name in TRANSLATED),
                    "icon",
                    "condition_type",
                    "is_active",
                ]
            },
        )
    ]
    list_filter = ["condition_type", "is_active"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("levels")

    @admin.display(description=gettext_lazy("Missing translations"))
    def missing_translations(self, obj: Achievement) -> str:
        """Languages whose name is empty: learners with that interface see the English name."""
        return ", ".join(lang for lang in OTHER_LANGUAGES if not getattr(obj, localized("name", lang), None)) or "—"

    @admin.display(description=_("Levels (threshold: XP)"))
    def level_thresholds(self, obj: Achievement) -> str:
        return ", ".join(f"{lv.threshold}: {lv.xp_reward}" for lv in obj.levels.all())
