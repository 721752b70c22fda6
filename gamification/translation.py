"""Achievement names and descriptions in each interface language (docs/i18n.md); empty ones are
stored as NULL so that the unique name allows many untranslated achievements."""

from modeltranslation.translator import TranslationOptions, register

from .models import Achievement


@register(Achievement)
class AchievementTranslation(TranslationOptions):
    fields = ("name", "description")
    empty_values = None
