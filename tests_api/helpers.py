"""Shared helpers of the API tests (``*/tests/test_api*.py`` and ``tests_api/``)."""

import itertools

from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from courses.exercise_types import REGISTRY, get_type
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LanguageFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    UnitFactory,
)
from gamification.models import Wallet
from gamification.services import ensure_learner

API = "/api/v1/"
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


def client_for(user) -> APIClient:
    """An API client authenticated with the user's token, as a non-browser client would be."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    """The response is an error in the API's one shape."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error", "detail", "fields"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["fields"], dict)
    if code is not None:
        assert body["error"] == code, body
    if field is not None:
        assert field in body["fields"], body
    return body


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
        exercise = ExerciseFactory(course=course, type=name, payload=dict(get_type(name).example), prompt=name)
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=i)
    return course, lesson


def set_wallet(user, **fields) -> Wallet:
    ensure_learner(user=user, now=timezone.now())
    Wallet.objects.filter(user=user).update(**fields)
    return Wallet.objects.get(user=user)
