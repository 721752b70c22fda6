"""The course texts written in more than one interface language (docs/i18n.md, "Content in more than
one language"), with django-modeltranslation: each field below gets a column per language of
settings.LANGUAGES (``title_en``, ``title_es``) in the same table, so pages read them without a join.

Reading ``lesson.title`` gives the text in the active interface language, else the course's source
language (MODELTRANSLATION_FALLBACK_LANGUAGES). Only texts around the exercises are here: what an
answer is checked against (the payload) is never translated, so the interface language never
changes what is accepted.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Checkpoint, Course, Exercise, Lesson, Section, Unit


@register(Course)
class CourseTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Section)
class SectionTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Lesson)
class LessonTranslation(TranslationOptions):
    fields = ("title", "notes")


@register(Checkpoint)
class CheckpointTranslation(TranslationOptions):
    fields = ("title",)


@register(Exercise)
class ExerciseTranslation(TranslationOptions):
    # The instruction above the exercise and its hint; never the payload (text, solutions, choices).
    fields = ("prompt", "hint")
