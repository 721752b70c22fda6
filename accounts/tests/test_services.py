"""accounts.services against the real database."""

import datetime as dt
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import User
from accounts.tests.factories import UserFactory
from gamification.models import Streak

pytestmark = pytest.mark.django_db


# --- create_learner ---------------------------------------------------------------------------


def test_create_learner_with_a_primary_address():
    user = services.create_learner(
        email=" Ana@Example.COM ", password="quack-quack-1234", display_name=" Ana ", time_zone="Asia/Tokyo"
    )
    assert (user.email, user.display_name, user.time_zone, user.role) == (
        "ana@example.com",
        "Ana",
        "Asia/Tokyo",
        "learner",
    )
    assert user.check_password("quack-quack-1234")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("ana@example.com", True, False)


def test_create_learner_refuses_a_taken_address_weak_password_and_bad_zone():
    UserFactory(email="ana@example.com")
    with pytest.raises(ValidationError) as taken:
        services.create_learner(email="ANA@example.com", password="quack-quack-1234", display_name="Ana")
    assert "email" in taken.value.message_dict
    with pytest.raises(ValidationError) as weak:
        services.create_learner(email="bo@example.com", password="123", display_name="Bo")
    assert "password" in weak.value.message_dict
    with pytest.raises(ValidationError) as zone:
        services.create_learner(email="cy@example.com", password=None, display_name="Cy", time_zone="Europe/Atlantis")
    assert "time_zone" in zone.value.message_dict
    assert User.objects.count() == 1


def test_create_learner_without_password_is_social_only():
    user = services.create_learner(email="s@example.com", password=None, display_name="S", email_verified=True)
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified


# --- update_settings --------------------------------------------------------------------------


def test_update_settings_writes_only_the_given_columns(user, django_assert_num_queries):
    with django_assert_num_queries(3):  # savepoint, UPDATE, release
        services.update_settings(user=user, daily_xp_goal="30", theme="dark", time_zone="America/Lima")
    user.refresh_from_db()
    assert (user.daily_xp_goal, user.theme, user.time_zone) == (30, "dark", "America/Lima")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("daily_xp_goal", 25),
        ("daily_xp_goal", 0),
        ("time_zone", "Mars/Base"),
        ("time_zone", ""),
        ("theme", "neon"),
        ("audio_quality", "ultra"),
        ("display_name", "   "),
        ("display_name", "x" * 81),
        ("display_name", "evil\u200bname"),
    ],
)
def test_update_settings_refuses_bad_values_and_writes_nothing(user, field, value):
    before = User.objects.filter(pk=user.pk).values().get()
    with pytest.raises(ValidationError) as error:
        services.update_settings(user=user, **{field: value})
    assert field in error.value.message_dict
    assert User.objects.filter(pk=user.pk).values().get() == before


def test_update_settings_refuses_fields_that_are_not_settings(user):
    for field, value in (("email", "x@example.com"), ("role", "admin"), ("is_staff", True)):
        with pytest.raises(ValidationError) as error:
            services.update_settings(user=user, **{field: value})
        assert field in error.value.message_dict
    user.refresh_from_db()
    assert user.role == "learner" and not user.is_staff


def test_update_settings_normalises_display_name_and_accepts_every_goal(user):
    for goal in (10, 20, 30, 50):
        services.update_settings(user=user, daily_xp_goal=goal, display_name="  Pato   Lucas ")
        user.refresh_from_db()
        assert user.daily_xp_goal == goal
    assert user.display_name == "Pato Lucas"


# --- export -----------------------------------------------------------------------------------


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


# --- erase ------------------------------------------------------------------------------------


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


def test_clean_display_name():
    assert services.clean_display_name(" Ana\t Ruiz\n") == "Ana Ruiz"
    with pytest.raises(ValidationError):
        services.clean_display_name("\u202eevil")


def test_erase_user_deletes_the_avatar_file_after_commit(user, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    user.avatar.save("pato.png", ContentFile(b"\x89PNG fake"), save=True)
    storage, name = user.avatar.storage, user.avatar.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.erase_user(user=user)
    assert not storage.exists(name)
