"""The allauth flows end to end through the real views: sign-up, verification, log-in, reset."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "quack-quack-1234"


def sign_up(client, **overrides):
    data = {
        "email": "Ana@Example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "display_name": "  Ana   Ruiz ",
        "time_zone": "Europe/Madrid",
        **overrides,
    }
    return client.post(reverse("account_signup"), data)


def link_in(message) -> str:
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_up_verify_log_in_and_home_shows_the_learner(client):
    response = sign_up(client)
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "ana@example.com"
    assert user.display_name == "Ana Ruiz"
    assert user.time_zone == "Europe/Madrid"
    assert user.role == User.Role.LEARNER
    assert user.password.startswith("md5$")  # the test hasher; production is Argon2 (test_production)
    address = EmailAddress.objects.get(user=user)
    assert address.primary and not address.verified

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.com"]
    assert mail.outbox[0].subject == "[Mallard] Confirm your e-mail address"
    assert "Someone (Ana Ruiz, we hope that is you) gave this address for a Mallard account." in mail.outbox[0].body
    confirm_url = link_in(mail.outbox[0])

    client.post(reverse("account_logout"))
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert "ana@example.com" in page.content.decode()
    assert client.post(confirm_url).status_code == 302
    address.refresh_from_db()
    assert address.verified

    response = log_in(client, "ana@example.com")
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.context["user"] == user
    html = home.content.decode()
    assert 'action="/accounts/logout/"' in html
    assert 'href="/accounts/login/"' not in html


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_mandatory_verification_refuses_log_in_until_the_link_is_followed(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not client.get(reverse("home")).context["user"].is_authenticated
    assert len(mail.outbox) == 1
    confirm_url = link_in(mail.outbox[0])

    response = log_in(client, "ana@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not client.get(reverse("home")).context["user"].is_authenticated

    client.post(confirm_url)
    assert EmailAddress.objects.get().verified
    response = log_in(client, "ana@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"].email == "ana@example.com"


def test_sign_up_refuses_an_unknown_time_zone_and_an_empty_display_name(client):
    response = sign_up(client, time_zone="Mars/Olympus_Mons", display_name="   ")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "time_zone" in errors
    assert "display_name" in errors
    assert not User.objects.exists()


def test_sign_up_refuses_a_taken_address_case_insensitively(client):
    UserFactory(email="ana@example.com")
    response = sign_up(client, email="ANA@example.com")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert User.objects.count() == 1


def test_wrong_password_shows_a_form_error(client, user):
    response = log_in(client, user.email, "not-the-password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "not correct" in response.content.decode()


def test_inactive_account_cannot_log_in(client):
    user = UserFactory(is_active=False)
    response = log_in(client, user.email, "correct-horse-battery")
    assert not client.get(reverse("home")).context["user"].is_authenticated
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert response["Location"] == reverse("account_inactive")


def test_password_reset_by_e_mail(client, user):
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    key_url = link_in(mail.outbox[0])
    form_page = client.get(key_url, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else key_url
    response = client.post(action, {"password1": "a-brand-new-pass-99", "password2": "a-brand-new-pass-99"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password("a-brand-new-pass-99")
    assert log_in(client, user.email, "a-brand-new-pass-99").status_code == 302
    assert client.get(reverse("home")).context["user"] == user


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
