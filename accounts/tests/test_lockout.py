"""django-axes locks an account after repeated failures, through allauth's form and the service."""

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from accounts import services
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = "correct-horse-battery"  # UserFactory's password


def fail_through_the_form(client, email, times):
    responses = []
    for _ in range(times):
        responses.append(client.post(reverse("account_login"), {"login": email, "password": "wrong-password"}))
    return responses


def test_allauth_form_locks_the_account_and_refuses_the_right_password(client, user):
    limit = settings.AXES_FAILURE_LIMIT
    responses = fail_through_the_form(client, user.email, limit - 1)
    assert [r.status_code for r in responses] == [200] * (limit - 1)  # form errors, not yet locked

    locked = fail_through_the_form(client, user.email, 1)[0]
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    assert "Try again in 30 minutes" in locked.content.decode()

    response = client.post(reverse("account_login"), {"login": user.email, "password": GOOD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_lockout_keys_on_the_address_whatever_its_case(client, user):
    fail_through_the_form(client, user.email.upper(), settings.AXES_FAILURE_LIMIT)
    response = client.post(reverse("account_login"), {"login": user.email, "password": GOOD})
    assert response.status_code == 429


def test_other_accounts_are_not_locked(client, user):
    fail_through_the_form(client, user.email, settings.AXES_FAILURE_LIMIT)
    other = UserFactory()
    response = client.post(reverse("account_login"), {"login": other.email, "password": GOOD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == other


def test_success_before_the_limit_resets_the_count(client, user):
    fail_through_the_form(client, user.email, settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(reverse("account_login"), {"login": user.email, "password": GOOD}).status_code == 302
    client.post(reverse("account_logout"))
    responses = fail_through_the_form(client, user.email, settings.AXES_FAILURE_LIMIT - 1)
    assert all(r.status_code == 200 for r in responses)
    assert client.post(reverse("account_login"), {"login": user.email, "password": GOOD}).status_code == 302


def api_request():
    return RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR="203.0.113.7")


def test_authenticate_with_lockout_returns_the_user(user):
    assert services.authenticate_with_lockout(request=api_request(), email=user.email.upper(), password=GOOD) == user


def test_authenticate_with_lockout_refuses_bad_credentials(user):
    with pytest.raises(services.InvalidCredentials, match="not correct"):
        services.authenticate_with_lockout(request=api_request(), email=user.email, password="nope")
    with pytest.raises(services.InvalidCredentials):
        services.authenticate_with_lockout(request=api_request(), email="ghost@example.com", password=GOOD)


def test_authenticate_with_lockout_locks_after_the_limit(user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(services.InvalidCredentials):
            services.authenticate_with_lockout(request=api_request(), email=user.email, password="nope")
    with pytest.raises(services.AccountLockedOut):
        services.authenticate_with_lockout(request=api_request(), email=user.email, password="nope")
    with pytest.raises(services.AccountLockedOut, match="too many login attempts"):
        services.authenticate_with_lockout(request=api_request(), email=user.email, password=GOOD)


def test_service_and_login_page_share_one_lockout(client, user):
    """Failures on the page count for the API and the other way round (same address + IP)."""
    fail_through_the_form(client, user.email, settings.AXES_FAILURE_LIMIT - 1)
    request = RequestFactory().post("/api/v1/auth/token/")  # REMOTE_ADDR 127.0.0.1, like the test client
    with pytest.raises(services.AccountLockedOut):
        services.authenticate_with_lockout(request=request, email=user.email, password="nope")
    response = client.post(reverse("account_login"), {"login": user.email, "password": GOOD})
    assert response.status_code == 429


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_authenticate_with_lockout_requires_a_verified_address_when_mandatory(user):
    with pytest.raises(services.EmailNotVerified):
        services.authenticate_with_lockout(request=api_request(), email=user.email, password=GOOD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    assert services.authenticate_with_lockout(request=api_request(), email=user.email, password=GOOD) == user


def test_client_ip_uses_remote_addr_unless_proxies_are_trusted(settings):
    from accounts.lockout import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
    settings.MALLARD_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.MALLARD_TRUSTED_PROXY_COUNT = 1  # one proxy appended the real client; 6.6.6.6 is forged
    assert client_ip(request) == "198.51.100.9"
    settings.MALLARD_TRUSTED_PROXY_COUNT = 3  # fewer entries than proxies: fall back
    assert client_ip(request) == "10.0.0.2"


def test_lockout_behind_a_proxy_keys_on_the_forwarded_client(client, user, settings):
    settings.MALLARD_TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("account_login"),
            {"login": user.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR="198.51.100.9",
        )
    locked = client.post(
        reverse("account_login"), {"login": user.email, "password": GOOD}, HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert locked.status_code == 429
    # The same account from another client behind the same proxy is not locked (account + IP).
    other = client.post(
        reverse("account_login"), {"login": user.email, "password": GOOD}, HTTP_X_FORWARDED_FOR="203.0.113.50"
    )
    assert other.status_code == 302


def test_password_reset_lifts_the_lockout(client, user):
    import re

    from django.core import mail

    fail_through_the_form(client, user.email, settings.AXES_FAILURE_LIMIT)
    assert client.post(reverse("account_login"), {"login": user.email, "password": GOOD}).status_code == 429

    client.post(reverse("account_reset_password"), {"email": user.email})
    key_url = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(key_url, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else key_url
    client.post(action, {"password1": "a-brand-new-pass-99", "password2": "a-brand-new-pass-99"})

    response = client.post(reverse("account_login"), {"login": user.email, "password": "a-brand-new-pass-99"})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == user


def test_authenticate_with_lockout_accepts_a_drf_request(user):
    """The API token view will pass DRF's Request; the lockout works the same through it."""
    from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    def drf_request():
        body = {"email": user.email, "password": "whatever"}
        request = Request(
            APIRequestFactory().post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="198.51.100.20"),
            parsers=[JSONParser(), FormParser(), MultiPartParser()],
        )
        assert request.data["email"] == user.email  # the view has parsed the body already
        return request

    assert services.authenticate_with_lockout(request=drf_request(), email=user.email, password=GOOD) == user
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(services.InvalidCredentials):
            services.authenticate_with_lockout(request=drf_request(), email=user.email, password="nope")
    with pytest.raises(services.AccountLockedOut):
        services.authenticate_with_lockout(request=drf_request(), email=user.email, password="nope")
    with pytest.raises(services.AccountLockedOut):
        services.authenticate_with_lockout(request=drf_request(), email=user.email, password=GOOD)
