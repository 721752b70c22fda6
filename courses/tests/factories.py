"""Content factories. Slugs are built from the ordinals in the pattern the real code uses (courses.slugs)."""

import factory

from courses.models import (
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


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("code",)

    code = "es"
    name = "Spanish"
    native_name = "Español"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    from_language = factory.SubFactory(LanguageFactory, code="en", name="English", native_name="English")
    to_language = factory.SubFactory(LanguageFactory)
    title = factory.LazyAttribute(lambda o: f"{o.to_language.name} for {o.from_language.name} speakers")
    slug = factory.Sequence(lambda n: f"c{n}")
    is_published = True


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    course = factory.SubFactory(CourseFactory)
    ordinal = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Section {n + 1}")
    slug = factory.LazyAttribute(lambda o: f"{o.course.slug}-sec-{o.ordinal:02d}")
    is_published = True  # the model's default is a draft; tests mostly want visible content


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    section = factory.SubFactory(SectionFactory)
    ordinal = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Unit {n + 1}")
    slug = factory.LazyAttribute(lambda o: f"{o.section.course.slug}-u-{o.section.ordinal:02d}-{o.ordinal:02d}")
    is_published = True


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    unit = factory.SubFactory(UnitFactory)
    ordinal = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lesson {n + 1}")
    slug = factory.LazyAttribute(
        lambda o: f"{o.unit.section.course.slug}-l-{o.unit.section.ordinal:02d}-{o.unit.ordinal:02d}-{o.ordinal:02d}"
    )
    is_published = True


class TokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Token
        django_get_or_create = ("language", "text")

    language = factory.SubFactory(LanguageFactory)
    text = factory.Sequence(lambda n: f"palabra{n}")
    translation = factory.Sequence(lambda n: f"word{n}")


class ExerciseFactory(factory.django.DjangoModelFactory):
    """A translate exercise by default: "Hola" → "Hello" (or "Hi")."""

    class Meta:
        model = Exercise

    course = factory.SubFactory(CourseFactory)
    slug = factory.Sequence(lambda n: f"ex-{n}")
    type = "translate"
    prompt = "Translate this sentence"
    payload = factory.LazyFunction(lambda: {"text": "Hola", "solutions": ["[Hello/Hi]"], "direction": "to_source"})
    is_published = True


class LessonExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonExercise

    lesson = factory.SubFactory(LessonFactory)
    exercise = factory.SubFactory(ExerciseFactory, course=factory.SelfAttribute("..lesson.unit.section.course"))
    ordinal = factory.Sequence(lambda n: n + 1)


class LessonPrerequisiteFactory(factory.django.DjangoModelFactory):
    """``prerequisite`` must be passed before ``lesson``: two lessons of one unit by default."""

    class Meta:
        model = LessonPrerequisite

    lesson = factory.SubFactory(LessonFactory)
    prerequisite = factory.SubFactory(LessonFactory, unit=factory.SelfAttribute("..lesson.unit"))


class CheckpointFactory(factory.django.DjangoModelFactory):
    """A unit's checkpoint drawing ``draw`` items from the unit's lessons (pass ``unit=`` or ``section=``)."""

    class Meta:
        model = Checkpoint

    unit = factory.SubFactory(UnitFactory)
    slug = factory.LazyAttribute(
        lambda o: (
            f"{o.unit.section.course.slug}-cp-{o.unit.section.ordinal:02d}-{o.unit.ordinal:02d}"
            if o.unit
            else f"{o.section.course.slug}-cp-{o.section.ordinal:02d}"
        )
    )
    draw = 10
    is_published = True


def lesson_with_exercises(*, count: int = 3, lesson: Lesson | None = None, **lesson_kwargs) -> Lesson:
    """A published lesson with ``count`` translate exercises in order."""
    lesson = lesson or LessonFactory(**lesson_kwargs)
    course = lesson.unit.section.course
    for i in range(1, count + 1):
        LessonExerciseFactory(lesson=lesson, exercise=ExerciseFactory(course=course), ordinal=i)
    return lesson
