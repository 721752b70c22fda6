"""Helpers for the course-file tests: fixture paths, row counts and a pk-free snapshot of a course."""

from pathlib import Path

from courses.models import Course, Exercise, Language, Lesson, LessonExercise, LessonPrerequisite, Section, Token, Unit

HERE = Path(__file__).parent
BAD = HERE / "bad"
REPO = HERE.parents[2]
DEMO = REPO / "demo" / "spanish.yaml"

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
        "lesson_exercises": sorted(
            LessonExercise.objects.filter(lesson__unit__section__course=course).values_list(
                "lesson__slug", "ordinal", "exercise__slug"
            )
        ),
    }
