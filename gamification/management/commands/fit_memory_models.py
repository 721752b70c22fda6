from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from gamification.management.jobcommand import JobCommand


class Command(JobCommand):
    help = (
        "Fit learners' FSRS parameters from their review logs; adopt them only when they predict the "
        "learner's most recent reviews better (docs/learning.md). --batch-size: learners per run."
    )
    job = "fit_memory_models"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--user", metavar="ID-OR-EMAIL", help="only this learner (if eligible)")

    def job_kwargs(self, options) -> dict:
        if not options["user"]:
            return {}
        value = options["user"]
        users = get_user_model().objects
        user = users.filter(pk=int(value)).first() if value.isdigit() else users.filter(email__iexact=value).first()
        if user is None:
            raise CommandError(f"--user: no user {value!r}")
        return {"user_ids": [user.pk]}
