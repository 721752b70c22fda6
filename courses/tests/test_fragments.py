"""The learner fragments in templates/exercises/: one per type, accessible, never showing a solution."""

import re

import pytest
from django.template.loader import render_to_string

from courses.exercise_types import REGISTRY
from courses.models import Exercise

TYPES = sorted(REGISTRY)


def render(type_name: str, payload: dict | None = None) -> str:
    kind = REGISTRY[type_name]
    payload = payload if payload is not None else kind.example
    exercise = Exercise(type=type_name, payload=payload, prompt="Do it")
    return render_to_string(
        kind.template, {"exercise": exercise, "public": kind.public_payload(payload), "form_id": "exercise-form"}
    )


@pytest.mark.parametrize("type_name", TYPES)
def test_fragment_documents_its_context_contract(type_name):
    from django.template.loader import get_template

    source = get_template(REGISTRY[type_name].template).template.source
    assert source.startswith("{% comment %}")
    header = source.split("{% endcomment %}")[0]
    for word in ("Context:", "exercise", "public", "form_id", "answer"):
        assert word in header


@pytest.mark.parametrize("type_name", TYPES)
def test_fragment_is_a_labelled_fieldset_posting_answer(type_name):
    html = render(type_name)
    assert html.count("<fieldset") == 1 and "<legend" in html
    assert 'name="answer"' in html
    # every visible control has a label
    for control_id in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html):
        assert f'for="{control_id}"' in html, control_id
    assert 'form="exercise-form"' in html


@pytest.mark.parametrize("type_name", TYPES)
def test_fragment_never_renders_a_hidden_solution(type_name):
    kind = REGISTRY[type_name]
    html = render(type_name)
    payload = kind.example
    hidden = []
    if type_name in {"translate", "word_bank"}:
        hidden = [kind.solution_display(payload)]
    elif type_name == "listen":
        hidden = [payload["text"], *payload.get("solutions", [])]
    elif type_name == "fill_blank":
        hidden = [kind.solution_display(payload)]  # the completed sentence
    for text in hidden:
        assert text not in html, text
    assert "solution" not in html.lower()


def test_multiple_choice_uses_radio_buttons_without_marking_the_answer():
    html = render("multiple_choice")
    assert html.count('type="radio"') == 3
    values = re.findall(r'type="radio" name="answer" form="exercise-form" value="(\d)"', html)
    assert values == ["0", "1", "2"]
    assert "checked" not in html


def test_word_bank_tiles_and_typed_fallback():
    html = render("word_bank")
    assert html.count('class="wb-tile"') == 5
    assert 'data-index="4"' in html
    assert 'type="text"' in html  # no-JS: type the sentence
    assert "js/exercises.js" in html


def test_match_pairs_has_one_select_per_left_item_with_index_pairs():
    html = render("match_pairs")
    assert html.count("<select") == 3
    assert '<option value="2-0">the bird</option>' in html  # public right list is sorted
    assert html.count('data-side="right"') == 3


def test_picture_hides_labels_when_asked():
    payload = {**REGISTRY["picture"].example, "hide_labels": True}
    html = render("picture", payload)
    assert "the dog" not in html and "the cat" not in html
    assert "🐕" in html and "Picture 1" in html
    shown = render("picture")
    assert "the dog" in shown


def test_fill_blank_typed_and_chosen():
    chosen = render("fill_blank")
    assert chosen.count('type="radio"') == 3
    typed = render("fill_blank", {"text": "Yo ___ estudiante.", "solutions": ["soy"]})
    assert 'type="text"' in typed and "Yo " in typed and " estudiante." in typed
    assert "soy" not in typed


def test_speak_offers_self_assessment_without_javascript():
    html = render("speak")
    assert 'value="self:yes"' in html and 'value="self:no"' in html
    assert "Me llamo Ana" in html  # the phrase to say is shown by design
