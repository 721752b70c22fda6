"""The player's special-character keys under typed answers: which appear, and that they type."""

import pytest
from django.template.loader import render_to_string

from .factories import CourseFactory, ExerciseFactory, LanguageFactory

pytestmark = pytest.mark.django_db

SPANISH_DEFAULTS = ["ñ", "á", "é", "í", "ó", "ú", "ü", "¿", "¡"]


def render(exercise, template: str) -> str:
    from courses.exercise_types import get_type

    public = get_type(exercise.type).public_payload(exercise.payload)
    return render_to_string(f"exercises/{template}.html", {"exercise": exercise, "public": public, "form_id": "f"})


def keys_in(html: str) -> list[str]:
    import re

    return re.findall(r'data-insert="([^"]+)"', html)


def test_a_translation_into_the_target_language_gets_the_languages_default_keys():
    exercise = ExerciseFactory(payload={"text": "Hello", "solutions": ["Hola"], "direction": "to_target"})
    html = render(exercise, "translate")
    assert keys_in(html) == SPANISH_DEFAULTS
    assert 'role="group" aria-label="Special characters" data-special-keys data-for="f-answer"' in html
    assert '<button type="button" class="special-key secondary" data-insert="ñ" aria-label="Insert ñ"' in html
    assert "js/special-keys.js" in html


def test_the_courses_own_keys_replace_the_defaults_and_listen_and_fill_blank_get_them_too():
    course = CourseFactory(special_characters=["ñ", "Ñ", "¿"])
    listen = ExerciseFactory(course=course, type="listen", payload={"text": "Hola"})
    blank = ExerciseFactory(course=course, type="fill_blank", payload={"text": "Yo ___ aquí.", "solutions": ["estoy"]})
    assert keys_in(render(listen, "listen")) == ["ñ", "Ñ", "¿"]
    assert keys_in(render(blank, "fill_blank")) == ["ñ", "Ñ", "¿"]


def test_no_keys_when_the_answer_is_in_the_source_language_or_the_language_has_none():
    assert keys_in(render(ExerciseFactory(), "translate")) == []  # "Hola" → English
    klingon = CourseFactory(to_language=LanguageFactory(code="tlh", name="Klingon"))
    exercise = ExerciseFactory(
        course=klingon, payload={"text": "Hello", "solutions": ["nuqneH"], "direction": "to_target"}
    )
    assert "special-keys" not in render(exercise, "translate")
