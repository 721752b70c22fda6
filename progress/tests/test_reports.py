"""Problem reports: sending one (own attempts only, one per attempt, rate limit, what each kind
attaches), the report queue and its one-click actions in admin (Content editor group), accepting an
answer (payload validated, export contains it, the group resolved, who and when recorded), e-mail to
the reporters (and SMTP down), the page and the API. The full loop — a fresh answer typed that way is
then judged right — is in gamification/tests/test_report_accept.py (it needs the answer service)."""

import io
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.models import ActivityEvent
from accounts.tests.factories import UserFactory
from accounts.tests.test_smtp_down import HangUpServer, refused_port
from core.errors import NotFound
from core.tests.api import assert_error, client_for
from courses.models import Exercise, Lesson
from courses.tests.factories import CourseFactory, ExerciseFactory, LanguageFactory, LessonFactory
from progress import selectors, services
from progress.errors import InvalidReport, TooManyReports
from progress.models import ProblemReport
from progress.tests.factories import ExerciseAttemptFactory, LessonRunFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def exercise():
    course = CourseFactory(
        slug="es",
        title="Spanish",
        from_language=LanguageFactory(code="en", name="English"),
        to_language=LanguageFactory(code="es", name="Spanish"),
    )
    return ExerciseFactory(
        course=course,
        slug="es-e-0001",
        prompt="Translate",
        payload={"text": "Estoy bien, gracias", "solutions": ["I am fine, thanks"], "direction": "to_source"},
    )


def wrong_attempt(user, exercise, text="I'm good thanks", **kwargs):
    lesson = Lesson.objects.filter(unit__section__course=exercise.course).first() or LessonFactory(
        unit__section__course=exercise.course
    )
    run = LessonRunFactory(user=user, lesson=lesson, course=exercise.course, passed=True)
    return ExerciseAttemptFactory(run=run, user=user, exercise=exercise, answer=text, correct=False, **kwargs)


def report(user, attempt, kind="answer", message="", now=T0):
    return services.report_problem(user=user, attempt_id=attempt.pk, kind=kind, message=message, now=now)


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


# --- Sending a report ---------------------------------------------------------------------------------


def test_an_answer_report_attaches_the_attempts_own_answer_normalised(user, exercise):
    attempt = wrong_attempt(user, exercise, text="¡I'm  good, Thanks!")
    created, is_new = report(user, attempt)
    assert is_new
    assert (created.kind, created.answer_text, created.normalized_answer) == (
        "answer",
        "¡I'm  good, Thanks!",
        "i'm good thanks",
    )
    assert (created.exercise_id, created.course_id, created.user_id, created.status) == (
        exercise.pk,
        exercise.course_id,
        user.pk,
        "open",
    )
    event = ActivityEvent.objects.get(user=user, kind="report")
    assert event.payload == {"report": created.pk, "attempt": attempt.pk, "report_kind": "answer"}


def test_a_second_report_of_the_same_attempt_returns_the_first(user, exercise):
    attempt = wrong_attempt(user, exercise)
    first, _ = report(user, attempt)
    again, is_new = report(user, attempt, kind="other", message="Never mind")
    assert (again.pk, is_new, again.kind) == (first.pk, False, "answer")
    assert ProblemReport.objects.count() == 1
    assert ActivityEvent.objects.filter(kind="report").count() == 1


def test_someone_elses_attempt_is_not_found_and_nothing_is_written(user, other_user, exercise):
    attempt = wrong_attempt(other_user, exercise)
    for attempt_id in (attempt.pk, 10**9, "x", None, True):
        with pytest.raises(NotFound):
            services.report_problem(user=user, attempt_id=attempt_id, kind="audio", now=T0)
    assert not ProblemReport.objects.exists()


@pytest.mark.parametrize(
    ("kind", "message", "field"),
    [
        ("typo", "", "kind"),
        ("other", "", "message"),
        ("other", "   ", "message"),
        ("other", "x" * 281, "message"),
        ("other", 12, "message"),
        ("other", "bad \ud800", "message"),
    ],
)
def test_bad_reports_are_refused_with_the_field_at_fault(user, exercise, kind, message, field):
    attempt = wrong_attempt(user, exercise)
    with pytest.raises(InvalidReport) as error:
        report(user, attempt, kind=kind, message=message)
    assert error.value.field == field
    assert not ProblemReport.objects.exists()


def test_something_else_keeps_a_short_text_and_no_answer(user, exercise):
    attempt = wrong_attempt(user, exercise)
    created, _ = report(user, attempt, kind="other", message="  The   picture shows a cat.  ")
    assert (created.message, created.answer_text, created.normalized_answer) == ("The picture shows a cat.", "", "")
    audio, _ = report(user, wrong_attempt(user, exercise), kind="audio")
    assert (audio.kind, audio.answer_text) == ("audio", "")


def test_only_a_wrong_typed_answer_can_be_reported_as_should_be_accepted(user, exercise):
    right = wrong_attempt(user, exercise)
    right.correct = True
    right.save()
    with pytest.raises(InvalidReport, match="accepted already"):
        report(user, right)
    choice = wrong_attempt(user, ExerciseFactory(course=exercise.course, type="multiple_choice"), text=2)
    with pytest.raises(InvalidReport, match="not typed"):
        report(user, choice)
    assert not ProblemReport.objects.exists()


def test_the_rate_limit_counts_the_last_hour(user, exercise, settings):
    settings.MALLARD_REPORTS_PER_HOUR = 3
    for i in range(3):
        report(user, wrong_attempt(user, exercise), kind="audio", now=T0 + timedelta(minutes=i))
    with pytest.raises(TooManyReports, match="3 reports an hour") as error:
        report(user, wrong_attempt(user, exercise), kind="audio", now=T0 + timedelta(minutes=59))
    assert error.value.status == 429
    # A repeat of an attempt already reported is not a new report: never refused.
    first = ProblemReport.objects.order_by("id").first()
    assert report(user, first.attempt, kind="audio", now=T0 + timedelta(minutes=59))[0].pk == first.pk
    # An hour after the first, one more fits.
    report(user, wrong_attempt(user, exercise), kind="audio", now=T0 + timedelta(minutes=60, seconds=1))
    assert ProblemReport.objects.count() == 4


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_threads_reporting_the_same_attempt_make_one_row(exercise):
    user = UserFactory()
    attempt = wrong_attempt(user, exercise)
    barrier = threading.Barrier(4)
    results: list = [None] * 4

    def work(i):
        try:
            barrier.wait()
            results[i] = report(user, attempt, kind=["answer", "audio", "answer", "other"][i], message="x")
        except Exception as error:  # asserted below
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, tuple) for r in results), results
    assert len({r[0].pk for r in results}) == 1
    assert sum(1 for r in results if r[1]) == 1
    assert ProblemReport.objects.count() == 1
    assert ActivityEvent.objects.filter(kind="report").count() == 1


def test_a_purged_attempt_leaves_its_report(user, exercise):
    attempt = wrong_attempt(user, exercise)
    created, _ = report(user, attempt)
    attempt.delete()
    created.refresh_from_db()
    assert created.attempt_id is None and created.answer_text == "I'm good thanks"


# --- Accepting, rejecting, resolving ----------------------------------------------------------------


def test_accept_adds_the_answer_resolves_its_group_and_records_who(user, exercise, settings):
    settings.MALLARD_REPORT_ACCEPTED_EMAIL = False
    editor = UserFactory(is_staff=True)
    learners = [user, UserFactory(), UserFactory()]
    spellings = ["I'm good thanks", "i'm GOOD, thanks!", "I\u2019m good  thanks"]
    reports = [report(u, wrong_attempt(u, exercise, text=t))[0] for u, t in zip(learners, spellings, strict=True)]
    other_answer, _ = report(user, wrong_attempt(user, exercise, text="I am well"))
    audio, _ = report(user, wrong_attempt(user, exercise), kind="audio")

    accepted = services.accept_answer(report_id=reports[-1].pk, by=editor, now=T0 + timedelta(hours=1))
    assert (accepted.added, accepted.resolved, accepted.answer) == (True, 3, "I\u2019m good  thanks")
    exercise.refresh_from_db()
    assert exercise.payload["solutions"] == ["I am fine, thanks", "I\u2019m good thanks"]
    for r in reports:
        r.refresh_from_db()
        assert (r.status, r.resolved_by_id, r.resolved_at) == ("accepted", editor.pk, T0 + timedelta(hours=1))
    for r in (other_answer, audio):
        r.refresh_from_db()
        assert r.status == "open" and r.resolved_by_id is None
    out = io.StringIO()
    call_command("export_course", "es", stdout=out)
    assert "I\u2019m good thanks" in out.getvalue()
    # Accepting again changes nothing and adds nothing twice.
    again = services.accept_answer(report_id=reports[0].pk, by=editor, now=T0 + timedelta(hours=2))
    assert (again.added, again.resolved) == (False, 0)
    exercise.refresh_from_db()
    assert len(exercise.payload["solutions"]) == 2


def test_accept_goes_through_the_payload_validation(user, exercise):
    bank = ExerciseFactory(
        course=exercise.course,
        type="word_bank",
        payload={"text": "I eat bread", "tiles": ["Yo", "como", "pan", "agua"], "solutions": ["Yo como pan"]},
    )
    attempt = wrong_attempt(user, bank, text="Como pan yo casa")
    created, _ = report(user, attempt)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.accept_answer(report_id=created.pk, by=user, now=T0)
    assert "payload.solutions.1" in error.value.message_dict
    bank.refresh_from_db()
    created.refresh_from_db()
    assert bank.payload["solutions"] == ["Yo como pan"] and created.status == "open"


def test_alternates_syntax_in_an_answer_is_not_taken_as_syntax(user, exercise):
    created, _ = report(user, wrong_attempt(user, exercise, text="I [am/'m] ok"))
    services.accept_answer(report_id=created.pk, by=user, now=T0)
    exercise.refresh_from_db()
    assert exercise.payload["solutions"][-1] == "I am/'m ok"


def test_a_listen_exercise_keeps_its_text_as_a_solution(user, exercise):
    listen = ExerciseFactory(course=exercise.course, type="listen", payload={"text": "Buenos días"})
    created, _ = report(user, wrong_attempt(user, listen, text="Buen día"))
    services.accept_answer(report_id=created.pk, by=user, now=T0)
    listen.refresh_from_db()
    assert listen.payload["solutions"] == ["Buenos días", "Buen día"]


def test_only_an_answer_report_can_be_accepted(user, exercise):
    audio, _ = report(user, wrong_attempt(user, exercise), kind="audio")
    with pytest.raises(InvalidReport):
        services.accept_answer(report_id=audio.pk, by=user, now=T0)
    with pytest.raises(NotFound):
        services.accept_answer(report_id=10**9, by=user, now=T0)


def test_reject_and_resolve_settle_the_whole_group(user, other_user, exercise):
    editor = UserFactory(is_staff=True)
    a, _ = report(user, wrong_attempt(user, exercise), kind="audio")
    b, _ = report(other_user, wrong_attempt(other_user, exercise), kind="audio")
    c, _ = report(user, wrong_attempt(user, exercise))
    assert services.settle_reports(report_id=a.pk, status="resolved", by=editor, now=T0) == 2
    assert services.settle_reports(report_id=c.pk, status="rejected", by=editor, now=T0) == 1
    statuses = dict(ProblemReport.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "resolved", b.pk: "resolved", c.pk: "rejected"}
    with pytest.raises(InvalidReport):
        services.settle_reports(report_id=a.pk, status="accepted", by=editor, now=T0)


# --- E-mail to the reporters ---------------------------------------------------------------------------


def test_reporters_get_an_email_when_the_setting_is_on(
    user, other_user, exercise, settings, django_capture_on_commit_callbacks
):
    settings.MALLARD_REPORT_ACCEPTED_EMAIL = True
    first, _ = report(user, wrong_attempt(user, exercise))
    report(other_user, wrong_attempt(other_user, exercise, text="i'm good, thanks"))
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_answer(report_id=first.pk, by=user, now=T0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([user.email, other_user.email])
    assert "I'm good thanks" in mail.outbox[0].body or "i'm good, thanks" in mail.outbox[0].body
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees another learner's address


def test_no_email_when_the_setting_is_off(user, exercise, settings, django_capture_on_commit_callbacks):
    settings.MALLARD_REPORT_ACCEPTED_EMAIL = False
    created, _ = report(user, wrong_attempt(user, exercise))
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_answer(report_id=created.pk, by=user, now=T0)
    assert mail.outbox == []


@pytest.mark.parametrize("server", ["hangs-up", "refuses"])
def test_smtp_down_never_breaks_the_accept(
    user, exercise, settings, server, caplog, django_capture_on_commit_callbacks
):
    fake = HangUpServer() if server == "hangs-up" else None
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": fake.port if fake else refused_port(), "timeout": 5},
        }
    }
    settings.MALLARD_REPORT_ACCEPTED_EMAIL = True
    try:
        created, _ = report(user, wrong_attempt(user, exercise))
        with (
            caplog.at_level(logging.WARNING, logger="progress.services.reports"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            accepted = services.accept_answer(report_id=created.pk, by=user, now=T0)
    finally:
        if fake:
            fake.close()
    assert accepted.added
    created.refresh_from_db()
    assert created.status == "accepted"
    assert "I'm good thanks" in Exercise.objects.get(pk=exercise.pk).payload["solutions"]
    assert "could not tell" in caplog.text


# --- The queue -------------------------------------------------------------------------------------------


def test_the_queue_groups_counts_newest_first_and_filters(user, exercise, django_assert_num_queries):
    learners = [UserFactory() for _ in range(3)]
    for i, learner in enumerate(learners):
        report(learner, wrong_attempt(learner, exercise, text="Estoy bien gracias"), now=T0 + timedelta(minutes=i))
    report(learners[0], wrong_attempt(learners[0], exercise, text="I am good"), now=T0 + timedelta(minutes=10))
    reverse_course = CourseFactory(from_language=exercise.course.to_language, to_language=exercise.course.from_language)
    other_course = ExerciseFactory(course=reverse_course)
    report(user, wrong_attempt(user, other_course), kind="audio", now=T0 + timedelta(minutes=5))
    with django_assert_num_queries(3):
        page = selectors.report_queue()
        groups = [(g.report.kind, g.report.normalized_answer, g.learners, g.reports) for g in page.object_list]
    assert groups == [
        ("answer", "i am good", 1, 1),
        ("audio", "", 1, 1),
        ("answer", "estoy bien gracias", 3, 3),
    ]
    assert [g.report.kind for g in selectors.report_queue(course_id=exercise.course_id).object_list] == [
        "answer",
        "answer",
    ]
    assert [g.report.kind for g in selectors.report_queue(kind="audio").object_list] == ["audio"]
    assert list(selectors.report_queue(status="accepted").object_list) == []


def test_a_content_editor_works_the_queue_in_admin(client, editor, user, exercise):
    for learner in (user, UserFactory()):
        report(learner, wrong_attempt(learner, exercise, text="I'm good, thanks!"))
    audio, _ = report(user, wrong_attempt(user, exercise), kind="audio")
    url = reverse("admin:progress_problemreport_changelist")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 learners typed “I&#x27;m good, thanks!”" in html
    assert "Accept answer" in html
    assert client.get(url, {"status": "all", "course": exercise.course_id, "kind": "audio"}).status_code == 200
    group = ProblemReport.objects.filter(kind="answer").order_by("-id").first()
    response = client.post(reverse("admin:progress_problemreport_accept", args=[group.pk]), {"query": "status=open"})
    assert response.status_code == 302 and response.url.endswith("?status=open")
    assert set(ProblemReport.objects.filter(kind="answer").values_list("status", "resolved_by")) == {
        ("accepted", editor.pk)
    }
    exercise.refresh_from_db()
    assert "I'm good, thanks!" in exercise.payload["solutions"]
    client.post(reverse("admin:progress_problemreport_reject", args=[audio.pk]))
    audio.refresh_from_db()
    assert (audio.status, audio.resolved_by_id) == ("rejected", editor.pk)
    # GET never acts.
    assert client.get(reverse("admin:progress_problemreport_resolve", args=[audio.pk])).status_code == 405


def test_the_accept_shows_a_validation_error_as_a_message(client, editor, user, exercise):
    bank = ExerciseFactory(
        course=exercise.course,
        type="word_bank",
        payload={"text": "I eat bread", "tiles": ["Yo", "como", "pan"], "solutions": ["Yo como pan"]},
    )
    created, _ = report(user, wrong_attempt(user, bank, text="Como agua"))
    response = client.post(reverse("admin:progress_problemreport_accept", args=[created.pk]), follow=True)
    assert "could not be added" in response.content.decode()
    created.refresh_from_db()
    assert created.status == "open"


def test_staff_outside_the_group_cannot_use_the_queue(client, user, exercise):
    created, _ = report(user, wrong_attempt(user, exercise))
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:progress_problemreport_changelist")).status_code == 403
    assert client.post(reverse("admin:progress_problemreport_accept", args=[created.pk])).status_code == 403
    created.refresh_from_db()
    assert created.status == "open"


def test_reports_cannot_be_added_or_deleted_in_admin(client, editor, user, exercise):
    created, _ = report(user, wrong_attempt(user, exercise))
    assert client.get(reverse("admin:progress_problemreport_add")).status_code == 403
    assert (
        client.post(reverse("admin:progress_problemreport_delete", args=[created.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert client.get(reverse("admin:progress_problemreport_change", args=[created.pk])).status_code == 200


# --- The page and the API ---------------------------------------------------------------------------


def test_the_page_sends_a_report_and_goes_back_to_the_feedback(client, learner, exercise):
    attempt = wrong_attempt(learner, exercise)
    url = reverse("report_problem", args=[attempt.pk])
    response = client.post(url, {"kind": "answer"})
    feedback = reverse("answer_feedback", kwargs={"run_id": attempt.run_id, "attempt_id": attempt.pk})
    assert response.status_code == 302 and response.url == feedback
    assert ProblemReport.objects.get().answer_text == "I'm good thanks"
    client.post(url, {"kind": "answer"})
    assert "already reported" in client.get(reverse("settings")).content.decode()
    assert ProblemReport.objects.count() == 1


def test_the_page_shows_errors_on_the_feedback_and_404s_others(client, learner, other_user, exercise):
    attempt = wrong_attempt(learner, exercise)
    response = client.post(reverse("report_problem", args=[attempt.pk]), {"kind": "other", "message": ""})
    assert response.url == reverse("answer_feedback", kwargs={"run_id": attempt.run_id, "attempt_id": attempt.pk})
    assert "Tell us briefly what is wrong." in client.get(reverse("settings")).content.decode()
    theirs = wrong_attempt(other_user, exercise)
    assert client.post(reverse("report_problem", args=[theirs.pk]), {"kind": "audio"}).status_code == 404
    assert client.get(reverse("report_problem", args=[attempt.pk])).status_code == 405
    assert not ProblemReport.objects.exists()


def test_the_api_reports_once_and_answers_in_the_error_shape(exercise, user, other_user, settings):
    api = client_for(user)
    attempt = wrong_attempt(user, exercise)
    url = f"/api/v1/answers/{attempt.pk}/report/"
    created = api.post(url, {"kind": "answer"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["kind"], body["answer"], body["status"], body["attempt_id"]) == (
        "answer",
        "I'm good thanks",
        "open",
        attempt.pk,
    )
    assert api.post(url, {"kind": "answer"}, format="json").status_code == 200
    assert_error(api.post(url, {"kind": "nope"}, format="json"), 400, "invalid", field="kind")
    assert_error(api.post(url, {"kind": "other", "message": 5}, format="json"), 400, "invalid", field="message")
    other = wrong_attempt(user, exercise)
    assert_error(
        api.post(f"/api/v1/answers/{other.pk}/report/", {"kind": "other"}, format="json"),
        400,
        "invalid_report",
        field="message",
    )
    theirs = wrong_attempt(other_user, exercise)
    assert_error(api.post(f"/api/v1/answers/{theirs.pk}/report/", {"kind": "audio"}, format="json"), 404, "not_found")
    assert_error(api.post("/api/v1/answers/abc/report/", {"kind": "audio"}, format="json"), 404, "not_found")
    settings.MALLARD_REPORTS_PER_HOUR = 1
    assert_error(
        api.post(f"/api/v1/answers/{other.pk}/report/", {"kind": "audio"}, format="json"), 429, "too_many_reports"
    )
    assert ProblemReport.objects.count() == 1
