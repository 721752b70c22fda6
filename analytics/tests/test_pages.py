"""Course analytics in admin: figures against the hand counts (analytics/tests/fixtures.py), who may
read them, fixed query counts, sorting, the hardest lessons, CSV downloads."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import UserFactory
from analytics.rollup import rollup_analytics
from analytics.tables import safe_cell
from progress.models import ExerciseAttempt, LessonRun

from .fixtures import DAY, NOON, build_scene

pytestmark = pytest.mark.django_db

PERIOD = {"start": (DAY - timedelta(days=6)).isoformat(), "end": DAY.isoformat()}


@pytest.fixture
def scene():
    scene = build_scene()
    rollup_analytics(day=DAY - timedelta(days=1))
    rollup_analytics(day=DAY)
    return scene


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return client


def pages(scene) -> dict[str, str]:
    return {
        "index": reverse("admin:analytics_lessonday_changelist"),
        "course": reverse("admin:analytics_course", args=[scene.course.pk]),
        "unit": reverse("admin:analytics_unit", args=[scene.l1.unit_id]),
        "lesson": reverse("admin:analytics_lesson", args=[scene.l1.pk]),
        "exercise": reverse("admin:analytics_exercise", args=[scene.typed.pk]),
    }


def table(response, name):
    return next(t for t in response.context["tables"] if t.name == name)


def test_a_content_editor_sees_every_page_with_the_hand_counted_figures(scene, editor):
    urls = pages(scene)
    for url in urls.values():
        response = editor.get(url, PERIOD)
        assert response.status_code == 200, url
        assert b"Course analytics" in response.content  # the admin's breadcrumbs
        assert b'id="site-name"' in response.content  # and its branding

    lesson = editor.get(urls["lesson"], PERIOD)
    t = lesson.context["report"].total
    # Runs (A-D started on DAY, E the day before; A and E passed, B failed, C quit) and answers of
    # both days (E's first typed answer was on DAY - 1): 10 answers, 5 wrong, 7 first tries, 3 right.
    assert (t.started, t.passed, t.failed, t.quit) == (5, 2, 1, 1)
    assert t.completion_rate == 0.5
    assert (t.attempts, t.errors, t.first_tries, t.first_try_correct) == (10, 5, 7, 3)
    assert str(t.median_run_time) == "15 s"  # 12 s and 40 s: the lower one's bucket, 0-15 s
    typed, choice = table(lesson, "exercises").rows
    assert (typed.figures.attempts, typed.figures.errors, typed.figures.first_tries) == (6, 3, 4)
    assert typed.wrong_answers == [("estoy bien gracias", 2), ("xyz", 1)]
    assert choice.wrong_answers == [("hola", 2)]
    assert "estoy bien gracias (2); xyz (1)" in lesson.content.decode()

    course = editor.get(urls["course"], PERIOD)
    total = course.context["report"].total
    assert (total.started, total.passed, total.attempts, total.errors) == (6, 3, 11, 5)
    trend = {p.day: (p.started, p.passed) for p in course.context["report"].trend}
    assert trend[DAY] == (5, 3) and trend[DAY - timedelta(days=1)] == (1, 0)
    assert b'<title id="trend-title">' in course.content and b'<desc id="trend-desc">' in course.content

    exercise = editor.get(urls["exercise"], PERIOD)
    assert exercise.context["report"].wrong_answers == [("estoy bien gracias", 2), ("xyz", 1)]
    assert [r.label for r in table(exercise, "lessons").rows] == ["Greetings", "Farewells"]


def test_the_hardest_lesson_of_a_unit_stands_out(scene, editor):
    response = editor.get(pages(scene)["unit"], PERIOD)
    rows = {r.label: r for r in table(response, "lessons").rows}
    assert rows["Greetings"].hardest and not rows["Farewells"].hardest  # 5/10 wrong vs 0/1
    assert b"Hardest" in response.content


def test_tables_sort_by_any_figure(scene, editor):
    url = pages(scene)["course"]
    exercises = table(editor.get(url, PERIOD), "exercises")
    assert exercises.sort == "-error_rate"  # the default: highest error rate first
    assert [r.figures.error_rate for r in exercises.rows] == [0.5, 0.5, 0.0]
    by_answers = table(editor.get(url, {**PERIOD, "o_exercises": "answers"}), "exercises")
    assert [r.figures.attempts for r in by_answers.rows] == [1, 4, 6]
    ignored = editor.get(url, {**PERIOD, "o_exercises": "nonsense"})
    assert ignored.status_code == 200


def test_a_bad_period_is_an_error_on_the_page_not_a_500(scene, editor):
    for params in ({"start": "2026-03-09", "end": "2026-03-01"}, {"start": "yesterday", "end": "x"}):
        response = editor.get(pages(scene)["course"], params)
        assert response.status_code == 200
        assert b"errorlist" in response.content or b"errornote" in response.content


@pytest.mark.parametrize("who", ["anonymous", "learner", "staff without permission"])
def test_others_cannot_read_analytics(scene, client, who):
    if who == "learner":
        client.force_login(UserFactory())
    elif who == "staff without permission":
        client.force_login(UserFactory(is_staff=True))
    for url in pages(scene).values():
        response = client.get(url, {**PERIOD, "csv": "exercises"})
        if who == "staff without permission":
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_each_page_reads_in_a_fixed_number_of_queries(scene, editor, django_assert_num_queries):
    urls = pages(scene)
    # 4 for the session, the user and their permissions; the rest is the page's own (selectors docstrings).
    expected = {"index": 8, "course": 13, "unit": 13, "lesson": 13, "exercise": 10}

    def check():
        for name, url in urls.items():
            with django_assert_num_queries(expected[name]):
                assert editor.get(url, PERIOD).status_code == 200

    check()
    # Ten times the answers on another day of the period: the same number of queries.
    run = LessonRun.objects.filter(lesson=scene.l1, status="passed").first()
    for i in range(100):
        ExerciseAttempt.objects.create(
            run=run, user=run.user, exercise=scene.typed, answer=f"wrong {i}", correct=False,
            time_spent_ms=1000 * i, result={}, created_at=NOON - timedelta(days=3),
        )  # fmt: skip
    rollup_analytics(day=DAY - timedelta(days=3))
    check()


def test_csv_downloads_hold_the_table(scene, editor):
    scene.l1.title = '=HYPERLINK("http://evil.example")'
    scene.l1.save(update_fields=["title"])
    response = editor.get(pages(scene)["lesson"], {**PERIOD, "csv": "exercises"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["id", "Exercise", "Position and type", "Answers"]
    typed = rows[1]
    assert typed[1] == scene.typed.slug
    assert typed[3:6] == ["6", "50.0", "50.0"]  # answers, first-try accuracy 2 of 4, error rate 3 of 6
    assert typed[-1] == "estoy bien gracias (2); xyz (1)"

    unit_csv = editor.get(pages(scene)["unit"], {**PERIOD, "csv": "lessons"})
    lessons = list(csv.reader(io.StringIO(unit_csv.content.decode())))
    assert lessons[1][1] == '\'=HYPERLINK("http://evil.example")'  # text, never a formula
    assert editor.get(pages(scene)["unit"], {**PERIOD, "csv": "nope"}).status_code == 404


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_never_start_a_formula(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("estoy bien") == "estoy bien"
