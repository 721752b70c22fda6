"""manage.py export_user EMAIL [-o FILE]: everything Mallard holds about one user, as JSON."""

import json

from django.core.management.base import CommandError

from accounts import audit, selectors, services


class Command(audit.AuditedCommand):
    help = "Export one user's data (profile and every row that belongs to them) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("-o", "--output", help="write to this file instead of standard output")

    def handle(self, *args, email, output=None, **options):
        user = selectors.user_by_email(email=email)
        if user is None:
            raise CommandError(f"No user with the e-mail address {email!r}.")
        text = json.dumps(services.export_user_data(user=user), indent=2, ensure_ascii=False, sort_keys=False)
        audit.log_event(
            obj=user,
            action=audit.Action.ACCESS,
            object_repr=f"user #{user.pk}",
            data={"export_user": output or "stdout", **audit.subject_data(user.pk)},
        )
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stderr.write(f"Wrote the data of {user.email} to {output}.")
        else:
            self.stdout.write(text)
