"""SMTP down: sign-up and password reset answer normally and say the e-mail could not be sent.

Each test starts its own local "mail server": a socket that accepts and hangs up at once, or a port
nobody listens on (connection refused). Nothing is mocked: Django's SMTP backend really connects.
"""

import logging
import socket
import threading

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

from .test_auth_flow import PASSWORD, sign_up

pytestmark = pytest.mark.django_db


class HangUpServer:
    """Accepts connections on 127.0.0.1 and closes each at once, without a greeting."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=5)


def refused_port() -> int:
    """A port that was free a moment ago and has no listener: connecting is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture(params=["hangs-up", "refuses"])
def smtp_down(request, settings):
    server = HangUpServer() if request.param == "hangs-up" else None
    port = server.port if server else refused_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    yield server
    if server:
        server.close()


def test_smtp_down_sign_up_saves_the_learner_and_says_the_mail_was_not_sent(client, smtp_down, caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.adapters"):
        response = sign_up(client)

    assert response.status_code == 302  # not a 500
    user = User.objects.get(email="ana@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    if smtp_down is not None:
        assert smtp_down.connections >= 1  # the backend really tried
    page = client.get(response["Location"], follow=True)
    assert "We could not send the e-mail to ana@example.com just now" in page.text
    assert "could not send account/email/email_confirmation_signup" in caplog.text

    # A second try with the same address is an ordinary "already registered", not a second row.
    client.post(reverse("account_logout"))
    again = sign_up(client)
    assert again.status_code in (200, 302)
    assert User.objects.filter(email="ana@example.com").count() == 1


def test_smtp_down_password_reset_says_the_mail_was_not_sent(client, smtp_down):
    UserFactory(email="bo@example.com", password=PASSWORD)
    response = client.post(reverse("account_reset_password"), {"email": "bo@example.com"}, follow=True)
    assert response.status_code == 200
    assert "We could not send the e-mail to bo@example.com just now" in response.text
