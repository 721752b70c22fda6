"""manage.py bootstrap_demo: the demo learners and an admin, with passwords printed (used by make run)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    help = (
        "Create (or reset the password of) learner@mallard.local, aprendiz@mallard.local (interface in "
        "Spanish) and the superuser admin@mallard.local, all with verified e-mail addresses, and print their "
        "credentials. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("MALLARD_DEMO_PASSWORD") or None,
            help="password for every account (default: $MALLARD_DEMO_PASSWORD, else a new random one each)",
        )

    def handle(self, *args, password=None, **options):
        accounts = services.bootstrap_demo_accounts(password=password)
        self.stdout.write(self.style.SUCCESS("Demo accounts ready (e-mail verified, lockouts cleared):"))
        for account in accounts:
            kind = "admin (superuser)" if account.is_superuser else f"learner ({account.locale})"
            state = "created" if account.created else "password reset"
            self.stdout.write(f"  {kind:18} {account.email:24} password: {account.password}   [{state}]")
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"Log in at {site}/accounts/login/ (learner) or {site}/admin/ (admin).")
