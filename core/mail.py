"""The development console e-mail backend: messages printed readable, so links copy cleanly.

Django's console backend prints the message as it would go on the wire: a body with a long line (a
sign-up confirmation link with its key) is quoted-printable encoded, broken every 76 characters with
``=`` and with ``=3D`` for each ``=``, so a link copied from the terminal does not work. This backend
prints the headers as sent and each text part decoded, lines whole. Only for the console; the SMTP
backend sends the standard encoding.
"""

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class ConsoleEmailBackend(DjangoConsoleBackend):
    def write_message(self, message):
        msg = message.message()
        lines = [f"{name}: {value}" for name, value in msg.items() if name.lower() != "content-transfer-encoding"]
        for part in msg.walk():
            if part.is_multipart() or part.get_content_maintype() != "text":
                continue
            lines += ["", f"[{part.get_content_type()}]", part.get_content().rstrip("\n")]
        self.stream.write("\n".join(lines) + "\n")
        self.stream.write("-" * 79 + "\n")
