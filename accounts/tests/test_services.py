"""accounts.services against the real database."""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import User
from accounts.tests.factories import UserFactory

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
    with django_assert_num_queries(4):  # savepoint, UPDATE, the activity-log INSERT, release
        services.update_settings(user=user, daily_xp_goal="240", theme="dark", time_zone="America/Lima")
    user.refresh_from_db()
    assert (user.daily_xp_goal, user.theme, user.time_zone) == (240, "dark", "America/Lima")


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
    for goal in (80, 160, 240, 400):
        services.update_settings(user=user, daily_xp_goal=goal, display_name="  Pato   Lucas ")
        user.refresh_from_db()
        assert user.daily_xp_goal == goal
    assert user.display_name == "Pato Lucas"


# --- export -----------------------------------------------------------------------------------


# --- erase ------------------------------------------------------------------------------------


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
