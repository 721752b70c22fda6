"""manage.py erase_user EMAIL [--yes]: hard-delete a user and everything that is theirs (docs/accounts.md)."""

from django.core.management.base import CommandError

from accounts import audit, selectors, services


class Command(audit.AuditedCommand):
    help = "Erase one user for good: the account and every row that cascades from it. Asks first unless --yes."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, email, yes=False, **options):
        user = selectors.user_by_email(email=email)
        if user is None:
            raise CommandError(f"No user with the e-mail address {email!r}.")
        if not yes:
            if not options.get("interactive", True) or not self.stdin_isatty():
                raise CommandError("Refusing to erase without confirmation: pass --yes.")
            answer = input(f"Erase {user.email} and all their data for good? Type the address to confirm: ")
            if answer.strip().lower() != user.email.lower():
                raise CommandError("Not confirmed; nothing was deleted.")
        deleted = services.erase_user(user=user)
        self.stdout.write(f"Erased {email}. Rows deleted:")
        for label, count in deleted.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(f"  total: {sum(deleted.values())}")

    @staticmethod
    def stdin_isatty() -> bool:
        import sys

        return sys.stdin.isatty()
