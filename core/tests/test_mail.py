"""The console e-mail backend of development prints links whole (no quoted-printable breaks)."""

import io
import os
import subprocess
import sys

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from core.mail import ConsoleEmailBackend

LINK = "http://localhost:8000/accounts/confirm-email/MTI:1uQ3xY:" + "aBcDeFgHiJ=" * 8 + "/"


def test_a_long_link_prints_on_one_line_without_quoted_printable_escapes():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="[Mallard] Please confirm your e-mail address",
        body=f"Hola, ¿qué tal? To confirm, go to {LINK}\n",
        from_email="Mallard <noreply@mallard.local>",
        to=["learner@example.com"],
    )
    message.attach_alternative(f'<p>Confirm: <a href="{LINK}">{LINK}</a></p>', "text/html")
    assert ConsoleEmailBackend(stream=stream).send_messages([message]) == 1

    printed = stream.getvalue()
    assert f"go to {LINK}\n" in printed  # whole, on one line, in the text part
    assert f'<a href="{LINK}">' in printed  # and in the HTML part
    assert "¿qué tal?" in printed  # non-ASCII decoded too
    assert "=3D" not in printed and "=\n" not in printed
    assert "Subject: [Mallard] Please confirm your e-mail address" in printed
    assert "To: learner@example.com" in printed
    assert "[text/plain]" in printed and "[text/html]" in printed


def test_development_settings_print_mail_with_this_backend():
    env = {k: v for k, v in os.environ.items() if k not in {"EMAIL_URL", "DJANGO_ENV", "DJANGO_SETTINGS_MODULE"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "core.mail.ConsoleEmailBackend"
