"""The lesson-run pages: start, player, answers, feedback, end screen, review, quit (docs/pages.md)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LanguageFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    UnitFactory,
    lesson_with_exercises,
)
from gamification.models import LedgerEntry, Wallet
from media_assets.tests.factories import AssetFactory
from progress.models import ExerciseAttempt, LessonRun

pytestmark = pytest.mark.django_db

FRAGMENT = {"HTTP_X_MALLARD_FRAGMENT": "1"}


@pytest.fixture
def lesson():
    return lesson_with_exercises(count=3)


@pytest.fixture
def course(lesson):
    return lesson.unit.section.course


def start_run(client, lesson) -> LessonRun:
    response = client.post(reverse("start_lesson", args=[lesson.slug]))
    assert response.status_code == 302
    run = LessonRun.objects.get(lesson=lesson)
    assert response.url == reverse("run", args=[run.pk])
    return run


def answer(client, run, exercise_id, text, *, fragment=False, client_id=None):
    data = {"exercise": exercise_id, "answer": text, "client_id": str(client_id or uuid.uuid4())}
    return client.post(reverse("answer", args=[run.pk]), data, **(FRAGMENT if fragment else {}))


# --- Login and ownership ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [("run", [1]), ("run_done", [1]), ("answer_feedback", [1, 1])],
)
def test_pages_require_login(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_start_and_answer_require_login(client, lesson):
    response = client.post(reverse("start_lesson", args=[lesson.slug]))
    assert response.status_code == 302 and "login" in response.url
    assert not LessonRun.objects.exists()


def test_another_learners_run_is_404_everywhere(client, learner, other_user, lesson):
    client.force_login(other_user)
    run = start_run(client, lesson)
    client.force_login(learner)
    assert client.get(reverse("run", args=[run.pk])).status_code == 404
    assert client.get(reverse("run_done", args=[run.pk])).status_code == 404
    assert answer(client, run, run.queue[0], "Hello").status_code == 404
    assert client.post(reverse("abandon_run", args=[run.pk])).status_code == 404
    assert not ExerciseAttempt.objects.exists()


def test_unknown_run_is_404(client, learner):
    assert client.get(reverse("run", args=[999999])).status_code == 404


# --- Starting ----------------------------------------------------------------------------------


def test_locked_lesson_cannot_be_started(client, learner, lesson):
    second = LessonFactory(unit=lesson.unit)
    lesson_with_exercises(count=1, lesson=second)
    response = client.post(reverse("start_lesson", args=[second.slug]), follow=True)
    assert not LessonRun.objects.filter(lesson=second).exists()
    assert "locked" in response.content.decode().lower()


# --- Player -----------------------------------------------------------------------------------


def test_player_shows_one_exercise_progress_hearts_and_a_check_button(client, learner, lesson):
    run = start_run(client, lesson)
    response = client.get(reverse("run", args=[run.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="exercise" value="{run.queue[0]}"' in html
    assert 'name="client_id"' in html
    assert '<progress id="run-progress" max="3" value="0"' in html
    assert 'id="hearts-value">5<' in html
    assert ">Check</button>" in html
    assert 'aria-live="polite"' in html
    assert "Hola" in html  # the sentence to translate


def test_start_twice_resumes_the_same_run(client, learner, lesson):
    first = start_run(client, lesson)
    client.post(reverse("start_lesson", args=[lesson.slug]))
    assert LessonRun.objects.filter(lesson=lesson).count() == 1
    assert LessonRun.objects.get().pk == first.pk


def test_wrong_then_right_no_js_flow(client, learner, lesson):
    run = start_run(client, lesson)
    first = run.queue[0]
    response = answer(client, run, first, "Goodbye")
    attempt = ExerciseAttempt.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("answer_feedback", args=[run.pk, attempt.pk])
    page = client.get(response.url).content.decode()
    assert "Not quite" in page
    assert "Hello" in page  # the accepted solution, now that the learner has answered
    assert "see this one again" in page
    assert f'href="{reverse("run", args=[run.pk])}"' in page  # Continue
    # The wrong exercise comes back later: the next one served is the second exercise.
    run.refresh_from_db()
    assert run.queue[-1] == first and run.queue[0] != first
    assert Wallet.objects.get(user=learner).hearts == 4


def test_finishing_the_lesson_leads_to_the_end_screen(client, learner, lesson):
    run = start_run(client, lesson)
    for _ in range(3):
        run.refresh_from_db()
        response = answer(client, run, run.queue[0], "Hello")
        assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "passed"
    feedback = client.get(response.url).content.decode()
    assert reverse("run_done", args=[run.pk]) in feedback
    # The player of a finished run shows the end screen instead.
    assert client.get(reverse("run", args=[run.pk])).url == reverse("run_done", args=[run.pk])
    done = client.get(reverse("run_done", args=[run.pk]))
    assert done.status_code == 200
    html = done.content.decode()
    assert "Perfect lesson!" in html
    assert 'id="done-xp">+30<' in html
    assert 'id="done-gems">+3<' in html
    assert "Bronze" in html
    assert "Daily goal" in html


def test_end_screen_of_active_run_goes_back_to_player(client, learner, lesson):
    run = start_run(client, lesson)
    response = client.get(reverse("run_done", args=[run.pk]))
    assert response.status_code == 302 and response.url == reverse("run", args=[run.pk])


def test_fragment_answer_returns_feedback_html(client, learner, lesson):
    run = start_run(client, lesson)
    response = answer(client, run, run.queue[0], "hello", fragment=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="feedback correct"' in html
    assert 'data-done="1"' in html and 'data-total="3"' in html
    assert 'id="continue"' in html
    assert "+10 XP" in html
    assert "<html" not in html  # a fragment, not a page


def test_a_fragment_answer_reads_its_exercise_once(client, learner, lesson, monkeypatch):
    """The feedback's explanation comes from the exercise the answer was judged with: one cache read."""
    from courses import structure
    from gamification import views
    from gamification.services import loop

    run = start_run(client, lesson)
    reads = []

    def counted(exercise_id):
        reads.append(exercise_id)
        return structure.exercise_for_answer(exercise_id)

    monkeypatch.setattr(views, "exercise_for_answer", counted)
    monkeypatch.setattr(loop, "exercise_for_answer", counted)
    assert 'class="feedback correct"' in answer(client, run, run.queue[0], "hello", fragment=True).content.decode()
    assert reads == [run.queue[0]]


def test_double_submit_is_counted_once(client, learner, lesson):
    run = start_run(client, lesson)
    client_id = uuid.uuid4()
    first = answer(client, run, run.queue[0], "Hello", fragment=True, client_id=client_id)
    second = answer(client, run, run.queue[0], "Hello", fragment=True, client_id=client_id)
    assert first.status_code == second.status_code == 200
    assert ExerciseAttempt.objects.count() == 1
    assert "nothing was counted twice" in second.content.decode()
    assert sum(e.amount for e in LedgerEntry.objects.filter(user=learner, currency="xp")) == 10


# --- Bad input: a clear error and nothing changed -----------------------------------------------


def _nothing_changed(run):
    run.refresh_from_db()
    assert run.answers_count == 0
    assert not ExerciseAttempt.objects.exists()


def test_exercise_not_in_run(client, learner, lesson):
    run = start_run(client, lesson)
    stranger = ExerciseFactory(course=lesson.unit.section.course)  # in the course, not in this lesson
    response = answer(client, run, stranger.pk, "Hello", fragment=True)
    assert response.status_code == 400
    assert "not waiting for an answer" in response.content.decode()
    _nothing_changed(run)
    # Without JS: a message on the player page.
    response = answer(client, run, stranger.pk, "Hello")
    assert response.status_code == 302 and response.url == reverse("run", args=[run.pk])
    assert "not waiting for an answer" in client.get(response.url).content.decode()
    _nothing_changed(run)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answer": "Hello", "client_id": str(uuid.uuid4())}, "which exercise"),
        ({"exercise": "abc", "answer": "Hello", "client_id": str(uuid.uuid4())}, "which exercise"),
        ({"exercise": "EX", "answer": "Hello"}, "answer id"),
        ({"exercise": "EX", "answer": "Hello", "client_id": "not-a-uuid"}, "answer id"),
    ],
)
def test_malformed_body(client, learner, lesson, data, message):
    run = start_run(client, lesson)
    data = {k: (run.queue[0] if v == "EX" else v) for k, v in data.items()}
    response = client.post(reverse("answer", args=[run.pk]), data, **FRAGMENT)
    assert response.status_code == 400
    assert message in response.content.decode()
    _nothing_changed(run)


def test_empty_answer_is_refused(client, learner, lesson):
    run = start_run(client, lesson)
    response = answer(client, run, run.queue[0], "", fragment=True)
    assert response.status_code == 400
    _nothing_changed(run)


def test_answer_to_finished_run(client, learner, lesson):
    run = start_run(client, lesson)
    client.post(reverse("abandon_run", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "abandoned"
    response = answer(client, run, run.queue[0], "Hello", fragment=True)
    assert response.status_code == 409
    assert "already finished" in response.content.decode()
    assert not ExerciseAttempt.objects.exists()
    response = answer(client, run, run.queue[0], "Hello")
    assert response.status_code == 302 and response.url == reverse("run_done", args=[run.pk])


def test_feedback_of_another_learners_attempt_is_404(client, learner, other_user, lesson):
    run = start_run(client, lesson)
    answer(client, run, run.queue[0], "Hello")
    attempt = ExerciseAttempt.objects.get()
    client.force_login(other_user)
    assert client.get(reverse("answer_feedback", args=[run.pk, attempt.pk])).status_code == 404


def test_get_on_answer_is_refused(client, learner, lesson):
    run = start_run(client, lesson)
    assert client.get(reverse("answer", args=[run.pk])).status_code == 405


# --- Out of hearts ----------------------------------------------------------------------------


def test_out_of_hearts_redirects_to_the_hearts_page(client, learner, lesson):
    run = start_run(client, lesson)
    Wallet.objects.filter(user=learner).update(hearts=1)
    response = answer(client, run, run.queue[0], "wrong")
    run.refresh_from_db()
    assert run.status == "failed"
    feedback = client.get(response.url).content.decode()
    assert "out of hearts" in feedback
    done = client.get(reverse("run_done", args=[run.pk])).content.decode()
    assert "You ran out of hearts" in done
    assert reverse("out_of_hearts") in done
    response = client.post(reverse("start_lesson", args=[lesson.slug]))
    assert response.status_code == 302 and response.url == reverse("out_of_hearts")


# --- Solutions never leak before an answer ------------------------------------------------------

# For each type: a payload, and strings that would give the answer away if they were in the page.
LEAK_CASES = {
    "translate": ({"text": "Gato", "solutions": ["Zebrafish [cat/kitty]"], "direction": "to_source"}, ["Zebrafish"]),
    "listen": ({"text": "Quisquilloso murciélago"}, ["Quisquilloso", "murciélago"]),
    "fill_blank": ({"text": "Yo ___ aquí", "solutions": ["estoyquizas"]}, ["estoyquizas"]),
    "word_bank": (
        {"text": "The cat sleeps", "tiles": ["duerme", "gato", "perro", "El"], "solutions": ["El gato duerme"]},
        ["El gato duerme"],
    ),
    "multiple_choice": ({"question": "¿Qué es 'dog'?", "choices": ["gato", "perro", "pez"], "answer": 1}, []),
    "picture": (
        {
            "question": "Which one is 'el gato'?",
            "choices": [{"label": "el perro", "image": "🐶"}, {"label": "el gato", "image": "🐱"}],
            "answer": 1,
        },
        [],
    ),
    "match_pairs": ({"pairs": [["uno", "one"], ["dos", "two"], ["tres", "three"]]}, []),
    "speak": ({"text": "Buenos días"}, []),
}


@pytest.mark.parametrize("exercise_type", sorted(LEAK_CASES))
def test_player_never_contains_the_solution(client, learner, exercise_type):
    from courses.exercise_types import get_type, served_payload

    payload, secrets = LEAK_CASES[exercise_type]
    kind = get_type(exercise_type)
    payload = kind.validate_payload(payload)
    lesson = LessonFactory()
    # A listen exercise is served only with its audio (courses.publishing.servable_q).
    audio = AssetFactory() if exercise_type == "listen" else None
    exercise = ExerciseFactory(course=lesson.unit.section.course, type=exercise_type, payload=payload, audio=audio)
    LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=1)
    run = start_run(client, lesson)
    response = client.get(reverse("run", args=[run.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # The page was rendered from the public payload only …
    served = served_payload(kind, payload, run_id=run.pk, exercise_id=exercise.pk)
    assert response.context["public"] == kind.public_payload(served)
    # … and nothing in it gives the answer away.
    for secret in secrets:
        assert secret not in html, f"{exercise_type}: {secret!r} leaked"
    assert "solutions" not in html
    assert '"answer":' not in html and "data-correct" not in html and "data-answer" not in html


@pytest.mark.parametrize("exercise_type", ["multiple_choice", "picture"])
def test_player_shows_the_question_of_choice_exercises(client, learner, exercise_type):
    """Their question is the legend: it must not be hidden like a legend that repeats the prompt."""
    payload = LEAK_CASES[exercise_type][0]
    lesson = LessonFactory()
    exercise = ExerciseFactory(
        course=lesson.unit.section.course, type=exercise_type, payload=payload, prompt="Select the correct one"
    )
    LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=1)
    run = start_run(client, lesson)
    html = client.get(reverse("run", args=[run.pk])).content.decode()
    assert "Select the correct one" in html
    question = payload["question"].replace("'", "&#x27;")
    assert f'<legend class="ex-legend ex-question">{question}</legend>' in html


# --- Query counts: fixed whatever the size of the lesson ----------------------------------------


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _small_and_big_runs(client):
    """Runs of a 3-exercise and a 15-exercise lesson, both open (first lessons of their units)."""
    small = lesson_with_exercises(count=3)
    french = CourseFactory(to_language=LanguageFactory(code="fr", name="French"))
    big = lesson_with_exercises(count=15, unit=UnitFactory(section=SectionFactory(course=french)))
    return start_run(client, small), start_run(client, big)


def test_player_page_queries_do_not_grow_with_the_lesson(client, learner, django_assert_num_queries):
    small, big = _small_and_big_runs(client)
    client.get(reverse("run", args=[small.pk]))  # warm caches (templates, content types)
    client.get(reverse("run", args=[big.pk]))  # and each course's glosses (word hints: one query on a miss)
    expected = _count(lambda: client.get(reverse("run", args=[small.pk])))
    with django_assert_num_queries(expected):
        response = client.get(reverse("run", args=[big.pk]))
    assert response.status_code == 200
    assert expected <= 12


def test_player_page_reads_the_wallet_once_and_shows_the_headers_hearts(client, learner, lesson):
    """The player's hearts are the header's (one wallet read for both), regenerated as of now."""
    from datetime import timedelta

    from django.utils import timezone

    run = start_run(client, lesson)
    client.get(reverse("run", args=[run.pk]))  # warm caches
    # 2 hearts 9 hours ago: two have come back since (a heart every 4 hours; docs/game-rules.md).
    Wallet.objects.filter(user=learner).update(hearts=2, hearts_anchor_at=timezone.now() - timedelta(hours=9))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("run", args=[run.pk]))
    html = response.content.decode()
    wallet_reads = [q for q in ctx.captured_queries if '"gamification_wallet"' in q["sql"]]
    assert len(wallet_reads) == 1, [q["sql"] for q in ctx.captured_queries]
    assert '<span id="hearts-value">4</span>' in html and '<span id="nav-hearts">4</span>' in html
    # session, user, the run, its current exercise, the header (wallet, streak, league)
    assert len(ctx.captured_queries) == 5


def test_answer_queries_do_not_grow_with_the_lesson(client, learner, django_assert_num_queries):
    small, big = _small_and_big_runs(client)
    # Warm-up answers so the learner's day row and wallet exist for both measurements.
    answer(client, small, small.queue[0], "Hello")
    answer(client, big, big.queue[0], "Hello")
    small.refresh_from_db()
    big.refresh_from_db()
    expected = _count(lambda: answer(client, small, small.queue[0], "Hello"))
    with django_assert_num_queries(expected):
        response = answer(client, big, big.queue[0], "Hello")
    assert response.status_code == 302
    big.refresh_from_db()
    assert big.answers_count == 2


# --- Review sessions and quitting ----------------------------------------------------------------


def test_review_with_nothing_to_review_explains_why(client, learner, course):
    response = client.post(reverse("start_review", args=[course.slug]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("review_nothing_due", args=[course.slug])
    assert "Nothing is due for review" in response.content.decode()
    assert not LessonRun.objects.exists()


def test_review_session_after_a_mistake_costs_no_hearts(client, learner, lesson, course):
    run = start_run(client, lesson)
    answer(client, run, run.queue[0], "wrong")
    response = client.post(reverse("start_review", args=[course.slug]))
    review = LessonRun.objects.get(kind="review")
    assert response.status_code == 302 and response.url == reverse("run", args=[review.pk])
    html = client.get(response.url).content.decode()
    assert "Review: no hearts needed" in html
    assert 'id="hearts-value"' not in html


def test_quit_returns_to_the_path(client, learner, lesson, course):
    run = start_run(client, lesson)
    response = client.post(reverse("abandon_run", args=[run.pk]))
    assert response.status_code == 302 and response.url == reverse("course_path", args=[course.slug])
    run.refresh_from_db()
    assert run.status == "abandoned"
    done = client.get(reverse("run_done", args=[run.pk])).content.decode()
    assert "Lesson stopped" in done


def test_explanation_and_own_answer_only_after_answering(client, learner, lesson):
    run = start_run(client, lesson)
    from courses.models import Exercise

    Exercise.objects.filter(pk__in=run.queue).update(explanation="Hola is the everyday greeting.")
    assert "everyday greeting" not in client.get(reverse("run", args=[run.pk])).content.decode()
    fragment = answer(client, run, run.queue[0], "Helo", fragment=True).content.decode()
    assert "everyday greeting" in fragment
    run.refresh_from_db()
    answer(client, run, run.queue[0], "Goodbye")
    attempt = ExerciseAttempt.objects.order_by("pk").last()
    page = client.get(reverse("answer_feedback", args=[run.pk, attempt.pk])).content.decode()
    assert "everyday greeting" in page
    assert '<del class="diff-word">Goodbye</del>' in page  # beside the right answer, marked


# --- Word hints --------------------------------------------------------------------------------


def test_prompt_words_carry_hints_but_never_the_answer_in_page_or_api(client, learner):
    from core.tests.api import API
    from courses.tests.factories import TokenFactory

    lesson = LessonFactory()
    course = lesson.unit.section.course
    exercise = ExerciseFactory(
        course=course,
        payload={"text": "Buenos días <amigo>", "solutions": ["Good morning friend"], "direction": "to_source"},
    )
    LessonExerciseFactory(lesson=lesson, exercise=exercise)
    one_word = ExerciseFactory(course=course)  # "Hola" → "Hello"/"Hi"
    LessonExerciseFactory(lesson=lesson, exercise=one_word, ordinal=2)
    tokens = [
        TokenFactory(language=course.to_language, text="buenos", translation="good <b>"),
        TokenFactory(language=course.to_language, text="días", translation="days"),
        TokenFactory(language=course.to_language, text="hola", translation="hello"),
    ]
    exercise.tokens.add(*tokens[:2])
    one_word.tokens.add(tokens[2])
    run = start_run(client, lesson)
    LessonRun.objects.filter(pk=run.pk).update(queue=[exercise.pk, one_word.pk])
    html = client.get(reverse("run", args=[run.pk])).content.decode()
    assert 'class="hint-word" aria-describedby="exercise-form-hint-1">Buenos</button>' in html
    assert 'id="exercise-form-hint-1">good &lt;b&gt;</span>' in html  # escaped
    assert "&lt;amigo&gt;" in html and "<amigo>" not in html
    assert "Good morning" not in html
    body = client.get(f"{API}runs/{run.pk}/").json()
    hints = {e["id"]: e["hints"] for e in body["exercises"]}
    assert hints[exercise.pk][1] == {"text": "días", "translations": ["days"]}
    assert hints[one_word.pk] == [{"text": "Hola", "translations": []}]  # "hello" is its answer
    assert "Hello" not in str(hints) and "hello" not in str(hints)
