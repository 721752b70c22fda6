"""Small published courses for page and API tests, and a right answer for each type's example."""

import itertools

from courses.exercise_types import REGISTRY, get_type
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LanguageFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    TokenFactory,
    UnitFactory,
)
from media_assets.tests.factories import AssetFactory

_languages = itertools.count(1)
_codes = itertools.count(1)

#: A right answer over the API for each type's ``example`` payload (choice and tile types: see right_answer).
RIGHT_ANSWERS = {
    "fill_blank": "soy",
    "listen": "Buenos días",
    "match_pairs": [["el perro", "the dog"], ["el gato", "the cat"], ["el pájaro", "the bird"]],
    "speak": {"self_assessed": True},
    "translate": "Hello",
}


def right_answer(exercise: dict):
    """The right answer to a served exercise (``{"type", "public"}`` of a run) with the type's
    ``example`` payload. Choices, pictures and tiles are served in the run's own order, so their
    answer is found by identity in the served lists."""
    kind, public = exercise["type"], exercise["public"]
    example = get_type(kind).example
    if kind == "multiple_choice":
        return public["choices"].index(example["choices"][example["answer"]])
    if kind == "picture":
        right = example["choices"][example["answer"]]["image"]
        return next(i for i, c in enumerate(public["choices"]) if c.get("emoji") == right)
    if kind == "word_bank":
        return [public["tiles"].index(word) for word in ("Yo", "como", "pan")]
    return RIGHT_ANSWERS[kind]


def new_course(*, lessons: int = 2, exercises: int = 3, published: bool = True):
    """A course (one section, one unit) with ``lessons`` lessons of translate exercises ("Hola" → "Hello")."""
    code = f"a{next(_codes)}"
    course = CourseFactory(
        to_language=LanguageFactory(code=code, name=f"Language {code}", native_name=code), is_published=published
    )
    unit = UnitFactory(section=SectionFactory(course=course, ordinal=1), ordinal=1)
    made = []
    for n in range(1, lessons + 1):
        lesson = LessonFactory(unit=unit, ordinal=n)
        for i in range(1, exercises + 1):
            LessonExerciseFactory(lesson=lesson, exercise=ExerciseFactory(course=course), ordinal=i)
        made.append(lesson)
    return course, made


def every_type_course():
    """A course whose first lesson has one exercise of every registered type (their example payloads)."""
    course, (lesson,) = new_course(lessons=1, exercises=0)
    for i, name in enumerate(sorted(REGISTRY), start=1):
        # A listen exercise is served only with its audio (courses.publishing.servable_q).
        audio = AssetFactory() if name == "listen" else None
        exercise = ExerciseFactory(
            course=course, type=name, payload=dict(get_type(name).example), prompt=name, audio=audio
        )
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=i)
    return course, lesson


def add_exercises(lesson, count: int, *, tokens_per_exercise: int = 0, start: int = 1):
    course = lesson.unit.section.course
    exercises = []
    for i in range(start, start + count):
        exercise = ExerciseFactory(course=course)
        if tokens_per_exercise:
            exercise.tokens.set(
                [
                    TokenFactory(language=course.to_language, text=f"{exercise.slug}-w{j}")
                    for j in range(tokens_per_exercise)
                ]
            )
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=i)
        exercises.append(exercise)
    return exercises


def make_course(*, units: int = 1, lessons_per_unit: int = 2, exercises: int = 3, tokens: int = 1, **lesson_kwargs):
    """A published course: one section, ``units`` units of ``lessons_per_unit`` lessons each."""
    code = f"x{next(_languages)}"
    course = CourseFactory(to_language=LanguageFactory(code=code, name=f"Language {code}", native_name=code))
    section = SectionFactory(course=course, ordinal=1)
    lessons = []
    for u in range(1, units + 1):
        unit = UnitFactory(section=section, ordinal=u)
        for n in range(1, lessons_per_unit + 1):
            lesson = LessonFactory(unit=unit, ordinal=n, **lesson_kwargs)
            add_exercises(lesson, exercises, tokens_per_exercise=tokens)
            lessons.append(lesson)
    return course, lessons
