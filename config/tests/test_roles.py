"""The three kinds of people and their roles (docs/accounts.md, "Roles"), each tested for what it can
and cannot do: a learner (no admin at all), a Content editor (authoring, the report queue), a
moderator (the report queue and learner support, read-only), and an account admin (users, wallets).
A role without "Staff status" grants nothing."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from courses.tests.factories import ExerciseFactory, LessonExerciseFactory, LessonFactory
from gamification.tests.factories import WalletFactory
from progress import services as progress_services
from progress.models import ProblemReport
from progress.tests.factories import ExerciseAttemptFactory, LessonRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    learner = UserFactory()
    lesson = LessonFactory()
    course = lesson.unit.section.course
    exercise = ExerciseFactory(
        course=course, payload={"text": "Hola", "solutions": ["Hello"], "direction": "to_source"}
    )
    LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=1)
    run = LessonRunFactory(user=learner, lesson=lesson, course=course, passed=True)
    attempt = ExerciseAttemptFactory(run=run, user=learner, exercise=exercise, answer="Hi there", correct=False)
    report, _ = progress_services.report_problem(
        user=learner, attempt_id=attempt.pk, kind="answer", message="", now=timezone.now()
    )
    return {
        "learner": learner,
        "lesson": lesson,
        "course": course,
        "report": report,
        "wallet": WalletFactory(user=UserFactory()),
    }


def pages(world) -> dict[str, str]:
    return {
        "admin home": reverse("admin:index"),
        "courses": reverse("admin:courses_course_changelist"),
        "exercise add": reverse("admin:courses_exercise_add"),
        "report queue": reverse("admin:progress_problemreport_changelist"),
        "users": reverse("admin:accounts_user_changelist"),
        "a learner": reverse("admin:accounts_user_change", args=[world["learner"].pk]),
        "activity log": reverse("admin:accounts_activityevent_changelist"),
        "wallets": reverse("admin:gamification_wallet_changelist"),
        "wallet adjust": reverse("admin:gamification_wallet_adjust", args=[world["wallet"].pk]),
        "groups": reverse("admin:auth_group_changelist"),
        "lesson preview": reverse("preview_play", args=[world["lesson"].pk]),
    }


def statuses(client, world) -> dict[str, int]:
    client.post(reverse("preview_start", args=[world["lesson"].pk]))  # a preview to look at, if allowed
    return {name: client.get(url).status_code for name, url in pages(world).items()}


def editor():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    return user


def test_a_learner_has_no_admin_at_all(client, world):
    client.force_login(world["learner"])
    found = statuses(client, world)
    assert found.pop("lesson preview") == 404
    assert set(found.values()) == {302}  # every admin page: to the admin log-in
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("role", [User.Role.MODERATOR, User.Role.ADMIN])
def test_a_role_without_staff_status_grants_nothing(client, world, role):
    client.force_login(UserFactory(role=role))
    found = statuses(client, world)
    assert found.pop("lesson preview") == 404
    assert set(found.values()) == {302}


def test_a_content_editor_authors_and_works_the_queue_but_manages_no_one(client, world):
    client.force_login(editor())
    assert statuses(client, world) == {
        "admin home": 200,
        "courses": 200,
        "exercise add": 200,
        "report queue": 200,
        "users": 403,
        "a learner": 403,
        "activity log": 403,
        "wallets": 403,
        "wallet adjust": 403,
        "groups": 403,
        "lesson preview": 200,
    }


def test_a_moderator_works_the_queue_and_supports_learners_read_only(client, world):
    moderator = UserFactory(is_staff=True, role=User.Role.MODERATOR)
    client.force_login(moderator)
    assert statuses(client, world) == {
        "admin home": 200,
        "courses": 403,
        "exercise add": 403,
        "report queue": 200,
        "users": 200,
        "a learner": 200,  # read-only
        "activity log": 200,
        "wallets": 200,
        "wallet adjust": 403,
        "groups": 403,
        "lesson preview": 403,
    }
    learner_page = client.get(pages(world)["a learner"]).content.decode()
    assert '<input type="email" name="email"' not in learner_page and 'name="_save"' not in learner_page
    assert "Adjust balance" not in client.get(pages(world)["wallets"]).content.decode()
    before = User.objects.values_list("email", "role", "is_staff").get(pk=world["learner"].pk)
    client.post(pages(world)["a learner"], {"email": "x@example.com", "role": "admin", "is_staff": "on"})
    assert User.objects.values_list("email", "role", "is_staff").get(pk=world["learner"].pk) == before

    report = world["report"]
    accept = client.post(reverse("admin:progress_problemreport_accept", args=[report.pk]))
    assert accept.status_code == 403  # accepting an answer changes content: editors only
    reject = client.post(reverse("admin:progress_problemreport_reject", args=[report.pk]))
    assert reject.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.resolved_by) == (ProblemReport.Status.REJECTED, moderator)


def test_an_account_admin_manages_users_and_wallets(client, world):
    client.force_login(UserFactory(is_staff=True, role=User.Role.ADMIN))
    found = statuses(client, world)
    assert {
        k: found[k] for k in ("users", "a learner", "activity log", "wallets", "wallet adjust", "report queue")
    } == {
        "users": 200,
        "a learner": 200,
        "activity log": 200,
        "wallets": 200,
        "wallet adjust": 200,
        "report queue": 200,
    }
    editable = client.get(pages(world)["a learner"]).content.decode()
    assert '<input type="email" name="email"' in editable and 'name="_save"' in editable
    assert found["courses"] == 403  # authoring is the Content editor group's, not a role's
