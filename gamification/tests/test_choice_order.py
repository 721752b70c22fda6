"""Choice order gives nothing away: choices, pictures, word-bank tiles (and fill-in choices) are
served in an order shuffled per run on the server — the same on every reload of that run — and an
answer is checked against the item it names, not against an authored position."""

from collections import Counter

import pytest
from django.urls import reverse

from core.tests.api import API, client_for
from courses.exercise_types import get_type, served_payload
from courses.tests.factories import ExerciseFactory
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.tests.helpers import T0, answer
from progress.models import LessonRun

pytestmark = pytest.mark.django_db

CHOICES = ["uno", "dos", "tres", "cuatro", "cinco", "seis"]
PAYLOADS = {
    "multiple_choice": {"question": "¿Cuál es 'two'?", "choices": CHOICES, "answer": 1},
    "picture": {
        "question": "el gato",
        "choices": [{"label": w, "image": e} for w, e in zip(CHOICES[:4], "🐶🐱🐭🐹", strict=True)],
        "answer": 1,
    },
    "word_bank": {
        "text": "I eat bread",
        "tiles": ["Yo", "como", "pan", "agua", "bebo", "leche", "y"],
        "solutions": ["Yo como pan"],
    },
    "fill_blank": {"text": "Yo ___ pan.", "solutions": ["como"], "choices": ["como", "bebo", "vivo", "soy"]},
}
SERVED_LIST = {"multiple_choice": "choices", "picture": "choices", "word_bank": "tiles", "fill_blank": "choices"}


def one_exercise_lesson(exercise_type: str):
    course, (lesson,) = make_course(lessons_per_unit=1, exercises=0, tokens=0)
    payload = get_type(exercise_type).validate_payload(PAYLOADS[exercise_type])
    exercise = ExerciseFactory(course=course, type=exercise_type, payload=payload)
    lesson.lesson_exercises.create(exercise=exercise, ordinal=1)
    return lesson, exercise


def served_list(api, run_id: int, exercise_type: str) -> list:
    body = api.get(f"{API}runs/{run_id}/").json()
    return body["current_exercise"]["public"][SERVED_LIST[exercise_type]]


@pytest.mark.parametrize("exercise_type", sorted(PAYLOADS))
def test_choice_order_is_shuffled_per_run_and_stable_within_the_run(user, exercise_type):
    lesson, _exercise = one_exercise_lesson(exercise_type)
    api = client_for(user)
    orders = []
    for _ in range(6):
        run = api.post(f"{API}lessons/{lesson.slug}/runs/").json()
        first = served_list(api, run["id"], exercise_type)
        assert served_list(api, run["id"], exercise_type) == first  # a reload shows the same order
        assert first == run["current_exercise"]["public"][SERVED_LIST[exercise_type]]
        orders.append(str(first))
        api.post(f"{API}runs/{run['id']}/abandon/")
    assert len(set(orders)) > 1, "six runs, always the same order"
    authored = get_type(exercise_type).public_payload(PAYLOADS[exercise_type])[SERVED_LIST[exercise_type]]
    assert any(order != str(authored) for order in orders)


@pytest.mark.parametrize("exercise_type", sorted(PAYLOADS))
def test_choice_order_player_page_shows_the_runs_order(client, user, exercise_type):
    lesson, exercise = one_exercise_lesson(exercise_type)
    client.force_login(user)
    client.post(reverse("start_lesson", args=[lesson.slug]))
    run = LessonRun.objects.get(user=user, lesson=lesson)
    page = client.get(reverse("run", args=[run.pk]))
    kind = get_type(exercise_type)
    expected = kind.public_payload(served_payload(kind, exercise.payload, run_id=run.pk, exercise_id=exercise.pk))
    assert page.context["public"] == expected
    assert served_list(client_for(user), run.pk, exercise_type) == expected[SERVED_LIST[exercise_type]]


@pytest.mark.parametrize("exercise_type", ["multiple_choice", "picture"])
def test_choice_answer_is_checked_by_identity_not_position(user, exercise_type):
    lesson, exercise = one_exercise_lesson(exercise_type)
    tried = Counter()
    for _ in range(8):  # until a run serves the right choice somewhere else than its authored place
        run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
        served = served_payload(get_type(exercise_type), exercise.payload, run_id=run.pk, exercise_id=exercise.pk)
        if served["answer"] != PAYLOADS[exercise_type]["answer"]:
            break
        services.abandon_run(user=user, run_id=run.pk, now=T0)
        tried["same place"] += 1
    else:
        pytest.fail(f"the right choice stayed in place in every run: {tried}")
    authored_place = answer(user, run, text=PAYLOADS[exercise_type]["answer"])
    assert authored_place.correct is False
    right = answer(user, run, text=served["answer"])
    assert right.correct is True and right.run_status == "passed"


def test_word_bank_tiles_are_checked_as_the_words_they_spell(user):
    lesson, exercise = one_exercise_lesson("word_bank")
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    tiles = served_payload(get_type("word_bank"), exercise.payload, run_id=run.pk, exercise_id=exercise.pk)["tiles"]
    authored = [0, 1, 2]  # "Yo como pan" in the authored tiles
    if [tiles[i] for i in authored] != ["Yo", "como", "pan"]:
        assert answer(user, run, text=authored).correct is False
    outcome = answer(user, run, text=[tiles.index(w) for w in ("Yo", "como", "pan")])
    assert outcome.correct is True


def test_choice_order_puts_the_right_choice_in_every_position(user):
    """Across many runs, the right choice of one exercise lands in every position."""
    _lesson, exercise = one_exercise_lesson("multiple_choice")
    kind = get_type("multiple_choice")
    places = Counter(
        served_payload(kind, exercise.payload, run_id=run_id, exercise_id=exercise.pk)["answer"]
        for run_id in range(1, 601)
    )
    assert set(places) == set(range(len(CHOICES)))
    assert max(places.values()) < 200  # 100 expected per place
