"""Google and TikTok sign-up. TikTok shares no e-mail address: allauth's social sign-up form asks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.internal.flows.signup import process_auto_signup
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.sites.models import Site
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def providers(db):
    site = Site.objects.get_current()
    for provider, name in (("tiktok", "TikTok"), ("google", "Google")):
        app = SocialApp.objects.create(provider=provider, name=name, client_id=f"{provider}-id", secret="s3cret")
        app.sites.add(site)


def social_login(provider_id: str, response: dict):
    from allauth.socialaccount.adapter import get_adapter

    request = RequestFactory().get("/")
    provider = get_adapter().get_provider(request, provider_id)
    return request, provider.sociallogin_from_response(request, response)


def start_pending_signup(client, sociallogin):
    session = client.session
    session["socialaccount_sociallogin"] = sociallogin.serialize()
    session.save()


def test_tiktok_login_has_no_email_so_auto_signup_stops(providers):
    request, sociallogin = social_login("tiktok", {"open_id": "tt-123", "display_name": "Pato Lucas"})
    assert sociallogin.user.email == ""
    assert sociallogin.user.display_name == "Pato Lucas"  # our adapter's populate_user
    auto_signup, response = process_auto_signup(request, sociallogin)
    assert auto_signup is False
    assert response is None  # → allauth redirects to the social sign-up form


def test_google_login_with_verified_email_signs_up_automatically(providers):
    request, sociallogin = social_login(
        "google",
        {"sub": "g-1", "email": "ana@gmail.com", "email_verified": True, "given_name": "Ana", "family_name": "Ruiz"},
    )
    assert sociallogin.user.email == "ana@gmail.com"
    assert sociallogin.user.display_name == "Ana Ruiz"
    auto_signup, _ = process_auto_signup(request, sociallogin)
    assert auto_signup is True


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_tiktok_learner_is_asked_for_an_email_and_verifies_it(client, providers):
    _, sociallogin = social_login("tiktok", {"open_id": "tt-123", "display_name": "Pato Lucas"})
    start_pending_signup(client, sociallogin)

    page = client.get(reverse("socialaccount_signup"))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.fields["email"].required
    assert form.initial["display_name"] == "Pato Lucas"
    html = page.content.decode()
    assert "TikTok does not share an e-mail address" in html
    assert '<label for="id_email"' in html

    missing = client.post(reverse("socialaccount_signup"), {"email": "", "display_name": "Pato", "time_zone": "UTC"})
    assert missing.status_code == 200
    assert "email" in missing.context["form"].errors
    assert not User.objects.exists()

    response = client.post(
        reverse("socialaccount_signup"),
        {"email": "pato@example.com", "display_name": "Pato Lucas", "time_zone": "America/Mexico_City"},
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.display_name, user.time_zone) == ("pato@example.com", "Pato Lucas", "America/Mexico_City")
    assert not user.has_usable_password()
    assert SocialAccount.objects.get(user=user).uid == "tt-123"
    assert EmailAddress.objects.get(user=user).verified is False
    assert mail.outbox and mail.outbox[0].to == ["pato@example.com"]
    assert response["Location"] == reverse("account_email_verification_sent")


def test_social_signup_form_validates_time_zone(client, providers):
    _, sociallogin = social_login("tiktok", {"open_id": "tt-9", "display_name": "X"})
    start_pending_signup(client, sociallogin)
    response = client.post(
        reverse("socialaccount_signup"), {"email": "x@example.com", "display_name": "X", "time_zone": "Nowhere/City"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors


@pytest.mark.slow
def test_providers_come_from_environment_variables():
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "GOOGLE_CLIENT_ID": "google-id",
        "GOOGLE_CLIENT_SECRET": "google-secret",
        "TIKTOK_CLIENT_KEY": "tiktok-key",
        "TIKTOK_CLIENT_SECRET": "tiktok-secret",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; p = s.SOCIALACCOUNT_PROVIDERS; "
        "print(p['google']['APPS'][0]['client_id'], p['google']['APPS'][0]['secret'], "
        "p['tiktok']['APPS'][0]['client_id'], p['tiktok']['APPS'][0]['secret'])"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["google-id", "google-secret", "tiktok-key", "tiktok-secret"]
