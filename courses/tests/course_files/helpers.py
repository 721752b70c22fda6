"""Helpers for the course-file tests: fixture paths, row counts and a pk-free snapshot of a course."""

from pathlib import Path

from django.db.models import Q

from courses.content_languages import source_language, translation_values
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

HERE = Path(__file__).parent
BAD = HERE / "bad"
REPO = HERE.parents[2]
DEMO = REPO / "demo" / "spanish.yaml"
#: The demo courses shipped in ``demo/``, by course slug.
DEMOS = {"es": DEMO, "en": REPO / "demo" / "english.yaml"}

CONTENT_MODELS = (
    Language,
    Course,
    Token,
    Section,
    Unit,
    Lesson,
    LessonPrerequisite,
    Exercise,
    Exercise.tokens.through,
    LessonExercise,
    Checkpoint,
    Checkpoint.lessons.through,
    Checkpoint.exercises.through,
)


def fixture(name: str) -> Path:
    return HERE / name


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in CONTENT_MODELS}


def snapshot(slug: str) -> dict:
    """Everything an import writes for one course, keyed by slugs rather than primary keys."""
    course = Course.objects.select_related("from_language", "to_language").get(slug=slug)

    def lang(language):
        return (language.code, language.name, language.native_name)

    return {
        "course": (
            course.slug,
            course.title,
            course.description,
            course.is_published,
            (course.license_name, course.license_short_name, course.license_url, course.source_repository),
            course.special_characters,
        ),
        "languages": (lang(course.from_language), lang(course.to_language)),
        "tokens": sorted(
            Token.objects.filter(language=course.to_language).values_list(
                "text", "translation", "ipa", "part_of_speech"
            )
        ),
        "sections": sorted(
            course.sections.values_list("slug", "ordinal", "title", "cefr_level", "description", "is_published")
        ),
        "units": sorted(
            Unit.objects.filter(section__course=course).values_list(
                "slug", "section__slug", "ordinal", "title", "icon", "color", "description", "is_published"
            )
        ),
        "lessons": sorted(
            Lesson.objects.filter(unit__section__course=course).values_list(
                "slug",
                "unit__slug",
                "ordinal",
                "title",
                "kind",
                "difficulty",
                "estimated_minutes",
                "time_limit_sec",
                "notes",
                "is_published",
            )
        ),
        "prerequisites": list(
            LessonPrerequisite.objects.filter(lesson__unit__section__course=course)
            .order_by("lesson__slug", "id")
            .values_list("lesson__slug", "prerequisite__slug")
        ),
        "exercises": sorted(
            (e.slug, e.type, e.prompt, e.hint, e.explanation, e.is_published, repr(sorted(e.payload.items())))
            for e in course.exercises.all()
        ),
        "exercise_tokens": list(
            Exercise.tokens.through.objects.filter(exercise__course=course)
            .order_by("exercise__slug", "id")
            .values_list("exercise__slug", "token__text")
        ),
        "checkpoints": sorted(
            (
                c.slug,
                c.unit.slug if c.unit_id else None,
                c.section.slug if c.section_id else None,
                c.title,
                c.pass_percent,
                c.time_limit_sec,
                c.draw,
                c.is_published,
                tuple(_links(Checkpoint.lessons.through, c, "lesson__slug")),
                tuple(_links(Checkpoint.exercises.through, c, "exercise__slug")),
            )
            for c in Checkpoint.objects.filter(Q(unit__section__course=course) | Q(section__course=course))
        ),
        "lesson_exercises": sorted(
            LessonExercise.objects.filter(lesson__unit__section__course=course).values_list(
                "lesson__slug", "ordinal", "exercise__slug"
            )
        ),
        "translations": _translations(course),
    }


def _translations(course) -> list[tuple[str, str, str]]:
    """Every translated text of the course (the other interface languages' columns), by kind and slug."""
    source = source_language(course.from_language.code)
    levels = {
        "course": [course],
        "section": course.sections.all(),
        "unit": Unit.objects.filter(section__course=course),
        "lesson": Lesson.objects.filter(unit__section__course=course),
        "checkpoint": Checkpoint.objects.filter(Q(unit__section__course=course) | Q(section__course=course)),
        "exercise": course.exercises.all(),
    }
    return sorted(
        (kind, obj.slug, repr(translation_values(obj, kind, source))) for kind, objs in levels.items() for obj in objs
    )


def _links(through, checkpoint, slug_field):
    return through.objects.filter(checkpoint=checkpoint).order_by("id").values_list(slug_field, flat=True)
