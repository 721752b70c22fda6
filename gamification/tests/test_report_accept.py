"""The whole loop of a problem report, through the pages: a learner's wrong answer → "My answer should
be accepted" from its feedback (no JS and the player's fragment) → a Content editor accepts it in the
report queue → a fresh answer typed that way is judged right, and the course file exports it."""

import io
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses.models import Exercise
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.tests.helpers import T0
from progress.models import ExerciseAttempt, LessonRun, ProblemReport

pytestmark = pytest.mark.django_db

FRAGMENT = {"HTTP_X_MALLARD_FRAGMENT": "1"}
TYPED = "Hello there, friend"


def post_answer(client, run, text, **extra):
    run.refresh_from_db()
    data = {"exercise": run.queue[0], "answer": text, "client_id": str(uuid.uuid4())}
    return client.post(reverse("answer", args=[run.pk]), data, **extra)


def test_report_accept_then_a_fresh_answer_is_judged_right_and_exported(client, learner):
    course, (lesson, _) = make_course(exercises=2)
    client.post(reverse("start_lesson", args=[lesson.slug]))
    run = LessonRun.objects.get(user=learner, lesson=lesson)
    exercise_id = run.queue[0]

    # A wrong answer, without JS: the feedback page offers the report form for this attempt.
    response = post_answer(client, run, TYPED)
    attempt = ExerciseAttempt.objects.get(user=learner, exercise_id=exercise_id)
    assert not attempt.correct
    feedback = client.get(response.url).content.decode()
    report_url = reverse("report_problem", args=[attempt.pk])
    assert f'action="{report_url}"' in feedback
    assert "My answer should be accepted" in feedback and 'name="message"' in feedback

    # The learner reports it (never types the answer again), and the feedback says so.
    response = client.post(report_url, {"kind": "answer", "answer": "something else entirely"})
    assert response.url == reverse("answer_feedback", kwargs={"run_id": run.pk, "attempt_id": attempt.pk})
    page = client.get(response.url).content.decode()
    assert "Thank you: your report was sent" in page and "You reported a problem with this answer" in page
    report = ProblemReport.objects.get()
    assert (report.answer_text, report.normalized_answer) == (TYPED, "hello there friend")

    # A Content editor accepts it in one click from the queue.
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    staff = Client()
    staff.force_login(editor)
    queue = staff.get(reverse("admin:progress_problemreport_changelist")).content.decode()
    assert "1 learner typed “Hello there, friend”" in queue
    staff.post(reverse("admin:progress_problemreport_accept", args=[report.pk]))
    report.refresh_from_db()
    assert (report.status, report.resolved_by_id) == ("accepted", editor.pk)

    # A fresh attempt typed that way (any case or punctuation) is now right.
    fresh = services.start_lesson_run(user=UserFactory(), lesson=lesson, now=T0)
    outcome = services.submit_answer(
        user=fresh.user,
        run_id=fresh.pk,
        exercise_id=exercise_id,
        answer="hello there friend!",
        client_id=uuid.uuid4(),
        now=T0,
    )
    assert outcome.correct
    exported = io.StringIO()
    call_command("export_course", course.slug, stdout=exported)
    assert TYPED in exported.getvalue()
    assert TYPED in Exercise.objects.get(pk=exercise_id).payload["solutions"]


def test_the_players_feedback_fragment_has_the_report_form(client, learner):
    _, (lesson, _) = make_course(exercises=2)
    client.post(reverse("start_lesson", args=[lesson.slug]))
    run = LessonRun.objects.get(user=learner, lesson=lesson)
    wrong = post_answer(client, run, "Nope", **FRAGMENT).content.decode()
    attempt = ExerciseAttempt.objects.filter(user=learner).latest("id")
    assert f'action="{reverse("report_problem", args=[attempt.pk])}"' in wrong
    assert "My answer should be accepted" in wrong
    right = post_answer(client, run, "Hello", **FRAGMENT).content.decode()
    assert "Report a problem" in right and "My answer should be accepted" not in right  # a right answer


def test_reporting_someone_elses_answer_is_a_404(client, learner):
    _, (lesson, _) = make_course()
    other = UserFactory()
    run = services.start_lesson_run(user=other, lesson=lesson, now=T0)
    outcome = services.submit_answer(
        user=other, run_id=run.pk, exercise_id=run.queue[0], answer="Nope", client_id=uuid.uuid4(), now=T0
    )
    assert client.post(reverse("report_problem", args=[outcome.attempt_id]), {"kind": "answer"}).status_code == 404
    assert not ProblemReport.objects.exists()
