"""Playable preview: an author plays a lesson — a draft too — in the real player, marked as a preview,
judged as a learner's run is, and nothing is written to any learner's progress, the ledger or any
other table of progress, gamification or analytics. Only staff with the permission to view lessons
may; others get 404 (not staff) or 403."""

import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

FRAGMENT = {"HTTP_X_MALLARD_FRAGMENT": "1"}
RIGHTS = {"uno": "one", "dos": "two", "tres": "three"}


@pytest.fixture
def lesson():
    """A draft lesson (nothing published) of four exercises."""
    course = CourseFactory(slug="es")
    unit = UnitFactory(section=SectionFactory(course=course, ordinal=1, is_published=False), ordinal=1)
    lesson = LessonFactory(unit=unit, ordinal=1, is_published=False)
    exercises = [
        ExerciseFactory(
            course=course,
            type="translate",
            payload={"text": "Hola", "solutions": ["[Hello/Hi]"], "direction": "to_source"},
        ),
        ExerciseFactory(
            course=course,
            type="multiple_choice",
            payload={"question": "Dog?", "choices": ["gato", "perro", "pez"], "answer": 1},
        ),
        ExerciseFactory(course=course, type="fill_blank", payload={"text": "Yo ___ aquí", "solutions": ["estoy"]}),
        ExerciseFactory(
            course=course, type="match_pairs", payload={"pairs": [["uno", "one"], ["dos", "two"], ["tres", "three"]]}
        ),
    ]
    for n, exercise in enumerate(exercises, start=1):
        exercise.is_published = False
        exercise.save(update_fields=["is_published"])
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=n)
    return lesson


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


def row_counts() -> dict[str, int]:
    """Every table of progress, gamification and analytics, the learners' activity log, the audit trail."""
    models = [m for label in ("progress", "gamification", "analytics") for m in apps.get_app_config(label).get_models()]
    models += [apps.get_model("accounts", "ActivityEvent"), apps.get_model("auditlog", "LogEntry")]
    return {m._meta.label: m.objects.count() for m in models}


def right_answer(context) -> dict:
    """The POST that answers the current exercise right, read from what the player shows."""
    exercise, public = context["exercise"], context["public"]
    if exercise.type == "translate":
        return {"answer": "Hello"}
    if exercise.type == "multiple_choice":
        return {"answer": str(public["choices"].index("perro"))}
    if exercise.type == "fill_blank":
        return {"answer": "estoy"}
    raise AssertionError(exercise.type)


def match_pairs(client, lesson, context, *, wrong_first: bool) -> None:
    """Find every pair through the pair check (one wrong pair first, if asked), as the player does."""
    public = context["public"]
    url = reverse("preview_pairs", args=[lesson.pk])
    rights = RIGHTS
    lefts = list(public["left"])
    right_list = list(public["right"])
    exercise = context["exercise"].pk
    if wrong_first:
        wrong = right_list.index(next(r for r in right_list if r != rights[lefts[0]]))
        result = client.post(
            url, json.dumps({"exercise": exercise, "left": 0, "right": wrong}), content_type="application/json"
        ).json()
        assert (result["correct"], result["complete"]) == (False, False)
    for index, left in enumerate(lefts):
        body = {"exercise": exercise, "left": index, "right": right_list.index(rights[left])}
        result = client.post(url, json.dumps(body), content_type="application/json").json()
        assert result["correct"]
    assert result["complete"]


def play_whole_lesson(client, lesson) -> list[dict]:
    """Answer wrongly once (the first exercise and a match pair), then rightly to the end."""
    assert client.post(reverse("preview_start", args=[lesson.pk])).status_code == 302
    outcomes, wrong_done, matched_once = [], False, False
    for _ in range(20):
        page = client.get(reverse("preview_play", args=[lesson.pk]))
        if page.status_code == 302:
            assert page["Location"] == reverse("preview_done", args=[lesson.pk])
            return outcomes
        html = page.content.decode()
        assert 'class="preview-banner"' in html and "nothing is saved" in html
        context = page.context
        exercise = context["exercise"]
        if exercise.type == "match_pairs":
            match_pairs(client, lesson, context, wrong_first=not matched_once)
            matched_once = True
            public = context["public"]
            post = {
                "answer": [f"{i}-{public['right'].index(RIGHTS[left])}" for i, left in enumerate(public["left"])],
                "answer_is_list": "1",
            }
        elif not wrong_done:
            post, wrong_done = {"answer": "Goodbye" if exercise.type == "translate" else "0"}, True
            assert "Hello" not in html  # the unanswered solution is not on the page
        else:
            post = right_answer(context)
        response = client.post(
            reverse("preview_answer", args=[lesson.pk]), {"exercise": exercise.pk, **post}, **FRAGMENT
        )
        assert response.status_code == 200, response.content
        outcomes.append({"type": exercise.type, **response.context["outcome"]})
    raise AssertionError("the preview never ended")


def test_a_whole_draft_lesson_plays_in_preview_and_writes_nothing(client, editor, lesson):
    before = row_counts()
    assert {"progress.LessonRun", "progress.ExerciseAttempt", "gamification.LedgerEntry", "gamification.Wallet"} <= set(
        before
    )
    outcomes = play_whole_lesson(client, lesson)
    assert row_counts() == before  # every progress, gamification and analytics table

    assert [(o["type"], o["correct"]) for o in outcomes] == [
        ("translate", False),  # wrong: comes back two exercises later, as in a run
        ("multiple_choice", True),
        ("fill_blank", True),
        ("translate", True),
        ("match_pairs", False),  # a wrong pair on the way: counts wrong, comes back
        ("match_pairs", True),
    ]
    assert outcomes[0]["hearts"] == 4 and outcomes[0]["solution"] and outcomes[0]["your_answer"] == "Goodbye"
    assert "Wrong pair" in outcomes[4]["note"]
    assert outcomes[-1]["run_status"] == "passed" and outcomes[-1]["hearts"] == 3
    end = client.get(reverse("preview_done", args=[lesson.pk]))
    text = end.content.decode()
    assert "Lesson complete!" in text and "2 of 4 exercises right at the first try" in text
    assert row_counts() == before


def test_the_no_js_answer_shows_the_feedback_page(client, editor, lesson):
    client.post(reverse("preview_start", args=[lesson.pk]))
    page = client.get(reverse("preview_play", args=[lesson.pk]))
    response = client.post(
        reverse("preview_answer", args=[lesson.pk]), {"exercise": page.context["exercise"].pk, "answer": "Hi"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Correct!" in html and 'class="preview-banner"' in html
    assert f'href="{reverse("preview_play", args=[lesson.pk])}"' in html  # Continue
    bad = client.post(reverse("preview_answer", args=[lesson.pk]), {"exercise": "999", "answer": "x"})
    assert bad.status_code == 400 and "Back to the exercise" in bad.content.decode()


def test_running_out_of_hearts_ends_the_preview(client, editor, lesson):
    client.post(reverse("preview_start", args=[lesson.pk]))
    for _ in range(5):
        page = client.get(reverse("preview_play", args=[lesson.pk]))
        exercise = page.context["exercise"]
        post = (
            {"answer": ["0-1", "1-2", "2-0"], "answer_is_list": "1"}
            if exercise.type == "match_pairs"
            else {
                "answer": "zzz"
                if exercise.type != "multiple_choice"
                else str(page.context["public"]["choices"].index("gato"))
            }
        )
        last = client.post(reverse("preview_answer", args=[lesson.pk]), {"exercise": exercise.pk, **post}, **FRAGMENT)
    assert last.context["outcome"]["run_status"] == "failed"
    assert "Out of hearts" in client.get(reverse("preview_done", args=[lesson.pk])).content.decode()


def test_only_staff_with_the_view_lesson_permission_may_preview(client, lesson):
    urls = [
        ("post", reverse("preview_start", args=[lesson.pk])),
        ("get", reverse("preview_play", args=[lesson.pk])),
        ("post", reverse("preview_answer", args=[lesson.pk])),
        ("post", reverse("preview_pairs", args=[lesson.pk])),
        ("get", reverse("preview_done", args=[lesson.pk])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 302  # anonymous: to log-in
    client.force_login(UserFactory())
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url  # a learner: no such page
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, url
    staff.user_permissions.add(Permission.objects.get(codename="view_lesson"))
    client.force_login(staff)
    assert client.post(urls[0][1]).status_code == 302
    assert client.get(urls[1][1]).status_code == 200
    assert client.post(reverse("preview_start", args=[999_999])).status_code == 404


def test_the_lesson_admin_page_offers_the_preview(client, editor, lesson):
    page = client.get(reverse("admin:courses_lesson_change", args=[lesson.pk])).content.decode()
    assert f'action="{reverse("preview_start", args=[lesson.pk])}"' in page
