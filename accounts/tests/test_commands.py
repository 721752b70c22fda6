"""Management commands: bootstrap_demo, export_user, erase_user."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"(\S+@mallard\.local)\s+password: (\S+)", output))


# --- bootstrap_demo ---------------------------------------------------------------------------


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_bootstrap_demo_prints_working_credentials(client):
    output = run("bootstrap_demo")
    passwords = printed_passwords(output)
    assert set(passwords) == {"learner@mallard.local", "aprendiz@mallard.local", "admin@mallard.local"}
    assert len(set(passwords.values())) == 3

    # the second learner's interface is in Spanish, for the English course taught in Spanish
    assert User.objects.get(email="aprendiz@mallard.local").locale == "es"
    assert "learner (es)" in output and "learner (en)" in output

    learner = User.objects.get(email="learner@mallard.local")
    admin = User.objects.get(email="admin@mallard.local")
    assert not learner.is_staff and learner.role == "learner"
    assert admin.is_superuser and admin.is_staff and admin.role == "admin"
    for user in (learner, admin):
        address = EmailAddress.objects.get(user=user)
        assert address.verified and address.primary

    # Verification is mandatory here, and the learner still logs in at once.
    response = client.post(
        reverse("account_login"), {"login": "learner@mallard.local", "password": passwords["learner@mallard.local"]}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    client.logout()
    client.post(
        reverse("account_login"),
        {"login": "aprendiz@mallard.local", "password": passwords["aprendiz@mallard.local"]},
    )
    assert '<html lang="es"' in client.get(reverse("home")).content.decode()
    client.logout()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin@mallard.local", "password": passwords["admin@mallard.local"]}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_bootstrap_demo_is_idempotent_and_resets_passwords():
    run("bootstrap_demo", password="first-pass-123")
    User.objects.filter(email="aprendiz@mallard.local").update(locale="en")  # the learner's own choice
    output = run("bootstrap_demo", password="second-pass-456")
    assert User.objects.get(email="aprendiz@mallard.local").locale == "en"  # kept
    assert "password reset" in output
    assert User.objects.filter(email__endswith="@mallard.local").count() == 3
    assert EmailAddress.objects.filter(email__endswith="@mallard.local").count() == 3
    assert User.objects.get(email="learner@mallard.local").check_password("second-pass-456")
    assert printed_passwords(output) == {
        "learner@mallard.local": "second-pass-456",
        "aprendiz@mallard.local": "second-pass-456",
        "admin@mallard.local": "second-pass-456",
    }


def test_bootstrap_demo_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("MALLARD_DEMO_PASSWORD", "from-the-env-789")
    output = run("bootstrap_demo")
    assert printed_passwords(output)["admin@mallard.local"] == "from-the-env-789"
    assert User.objects.get(email="admin@mallard.local").check_password("from-the-env-789")


# --- export_user ------------------------------------------------------------------------------


def test_export_user_unknown_address():
    with pytest.raises(CommandError, match="No user"):
        run("export_user", "ghost@example.com")


# --- erase_user -------------------------------------------------------------------------------


def test_erase_user_refuses_without_confirmation(user):
    with pytest.raises(CommandError, match="--yes"):
        run("erase_user", user.email)
    assert User.objects.filter(pk=user.pk).exists()


class FakeTty(io.StringIO):
    def isatty(self):
        return True


def test_erase_user_asks_interactively(monkeypatch, user):
    monkeypatch.setattr("sys.stdin", FakeTty("no\n"))
    with pytest.raises(CommandError, match="nothing was deleted"):
        run("erase_user", user.email)
    assert User.objects.filter(pk=user.pk).exists()

    monkeypatch.setattr("sys.stdin", FakeTty(user.email.upper() + "\n"))
    output = run("erase_user", user.email)
    assert "accounts.User: 1" in output
    assert not User.objects.filter(pk=user.pk).exists()
