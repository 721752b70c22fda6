"""A learner's data export and erasure (accounts) take in their rows of every app, here gamification's."""

import datetime as dt
import io
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import User
from accounts.tests.factories import UserFactory
from gamification.models import Streak

pytestmark = pytest.mark.django_db


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


# --- export_user_data and the export_user command -----------------------------------------------


def test_export_collects_profile_and_rows_of_every_app_generically(user):
    other = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    SocialAccount.objects.create(user=user, provider="tiktok", uid="tt-1", extra_data={"display_name": "P"})
    Streak.objects.create(user=user, current=3, longest=7, last_day=dt.date(2026, 1, 2))
    Streak.objects.create(user=other, current=1, longest=1)
    Token.objects.create(user=user)
    now = timezone.now()

    export = services.export_user_data(user=user, now=now)
    json.dumps(export)  # JSON-ready

    assert export["exported_at"] == now.isoformat()
    profile = export["profile"]
    assert profile["email"] == user.email and profile["id"] == user.pk
    assert "password" not in profile
    data = export["data"]
    assert [row["email"] for row in data["account.emailaddress"]] == [user.email]
    assert data["socialaccount.socialaccount"][0]["uid"] == "tt-1"
    (streak,) = data["gamification.streak"]  # only this user's row, not the other learner's
    assert {key: streak[key] for key in ("id", "user", "current", "longest", "last_day")} == {
        "id": user.streak.pk,
        "user": user.pk,
        "current": 3,
        "longest": 7,
        "last_day": "2026-01-02",
    }
    assert "authtoken.token" not in data  # secrets are never exported
    # Every model with a relation to the user is listed, even when empty (e.g. progress runs).
    assert "progress.lessonrun" in data and data["progress.lessonrun"] == []


def test_export_user_to_stdout_and_file(tmp_path, user):
    Streak.objects.create(user=user, current=4, longest=4)
    data = json.loads(run("export_user", user.email.upper()))
    assert data["profile"]["email"] == user.email
    assert data["data"]["gamification.streak"][0]["current"] == 4

    target = tmp_path / "export.json"
    assert run("export_user", user.email, "-o", str(target)) == ""
    assert json.loads(target.read_text())["profile"]["id"] == user.pk


# --- erase_user and the erase_user command ------------------------------------------------------


def test_erase_user_deletes_everything_that_is_theirs_and_nothing_else(user):
    other = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    Streak.objects.create(user=user, current=1, longest=1)
    Streak.objects.create(user=other, current=2, longest=2)
    AccessAttempt.objects.create(username=user.email, ip_address="203.0.113.1", failures_since_start=2)
    AccessAttempt.objects.create(username=other.email, ip_address="203.0.113.1", failures_since_start=1)

    deleted = services.erase_user(user=user)

    assert deleted["accounts.User"] == 1
    assert deleted["account.EmailAddress"] == 1
    assert deleted["gamification.Streak"] == 1
    assert deleted["axes.AccessAttempt"] == 1
    assert not User.objects.filter(email=user.email).exists()
    assert Streak.objects.get().user == other
    assert AccessAttempt.objects.get().username == other.email


def test_erase_user_with_yes_prints_what_was_deleted(user):
    other = UserFactory()
    Streak.objects.create(user=user, current=1, longest=1)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    output = run("erase_user", user.email, "--yes")
    assert "accounts.User: 1" in output
    assert "gamification.Streak: 1" in output
    assert "account.EmailAddress: 1" in output
    assert "total: 3" in output
    assert list(User.objects.all()) == [other]
