"""Fair feedback (docs/pages.md, "The lesson player"): the learner's answer beside the right one with
the differing words marked (server-computed, escaped), a choice shown by its text — never its index —
on the no-JS feedback page, the fragment and the API."""

import uuid

import pytest
from django.urls import reverse

from courses.answers import word_diff
from courses.exercise_types import get_type, served_payload
from courses.tests.factories import ExerciseFactory, LessonExerciseFactory, LessonFactory
from gamification import services
from progress.models import ExerciseAttempt

from .helpers import T0, answer

pytestmark = pytest.mark.django_db

FRAGMENT = {"HTTP_X_MALLARD_FRAGMENT": "1"}


def test_word_diff_marks_the_differing_words_on_each_side():
    diff = word_diff("yo Como el pan", "Yo como pan.", "es")
    assert diff["answer"] == [("yo", True), ("Como", True), ("el", False), ("pan", True)]
    assert diff["solution"] == [("Yo", True), ("como", True), ("pan.", True)]
    diff = word_diff("tengo un pero", "Tengo un perro", "es")
    assert [w for w, same in diff["answer"] if not same] == ["pero"]
    assert [w for w, same in diff["solution"] if not same] == ["perro"]
    assert word_diff("", "Hola", "es") == {"answer": [], "solution": [("Hola", False)]}


def _one_exercise_lesson(**exercise):
    lesson = LessonFactory()
    LessonExerciseFactory(lesson=lesson, exercise=ExerciseFactory(course=lesson.unit.section.course, **exercise))
    return lesson


def test_wrong_typed_answer_carries_the_diff_in_service_and_api(user, client):
    lesson = _one_exercise_lesson()
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    outcome = answer(user, run, text="Hello my friend", now=T0)
    assert outcome.correct is False
    assert outcome.your_answer == "Hello my friend"
    assert outcome.diff == {
        "answer": [["Hello", True], ["my", False], ["friend", False]],
        "solution": [["Hello", True]],
    }
    stored = ExerciseAttempt.objects.get()
    assert stored.result["diff"] == outcome.diff  # a replay shows the same comparison
    right = answer(user, run, text="Hi", now=T0)
    assert right.correct and right.diff is None and right.your_answer == "Hi"


def test_the_diff_is_escaped_on_the_page_and_in_the_fragment(client, learner):
    lesson = _one_exercise_lesson()
    client.post(reverse("start_lesson", args=[lesson.slug]))
    from progress.models import LessonRun

    run = LessonRun.objects.get()
    hostile = 'Hello <script>alert("x")</script> <b>bold</b>'
    data = {"exercise": run.queue[0], "answer": hostile, "client_id": str(uuid.uuid4())}
    fragment = client.post(reverse("answer", args=[run.pk]), data, **FRAGMENT).content.decode()
    for html in (
        fragment,
        client.get(reverse("answer_feedback", args=[run.pk, ExerciseAttempt.objects.get().pk])).content.decode(),
    ):
        assert "<script>alert" not in html and "<b>bold" not in html
        assert '<del class="diff-word">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</del>' in html
        assert '<del class="diff-word">&lt;b&gt;bold&lt;/b&gt;</del>' in html


def test_no_js_feedback_names_the_chosen_option_by_its_text(client, learner):
    lesson = _one_exercise_lesson(
        type="multiple_choice",
        payload={"question": "Which one means “thank you”?", "choices": ["gracias", "por favor", "hola"], "answer": 0},
    )
    client.post(reverse("start_lesson", args=[lesson.slug]))
    from progress.models import LessonRun

    run = LessonRun.objects.get()
    exercise = run.queue[0]
    served = served_payload(
        get_type("multiple_choice"), lesson.exercises.get().payload, run_id=run.pk, exercise_id=exercise
    )
    wrong_index = next(i for i, text in enumerate(served["choices"]) if text != "gracias")
    wrong_text = served["choices"][wrong_index]
    client.post(
        reverse("answer", args=[run.pk]),
        {"exercise": run.queue[0], "answer": wrong_index, "client_id": str(uuid.uuid4())},
    )
    attempt = ExerciseAttempt.objects.get()
    html = client.get(reverse("answer_feedback", args=[run.pk, attempt.pk])).content.decode()
    assert f'Your answer: <span class="your-answer wrong">{wrong_text}</span>' in html
    assert f"Your answer: {wrong_index}" not in html
    assert attempt.result["your_answer"] == wrong_text and attempt.result["diff"] is None
