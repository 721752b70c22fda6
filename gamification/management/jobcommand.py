"""Base class of the job commands: ``--dry-run``, ``--now ISO-DATETIME``, ``--batch-size``."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ..jobs import JobError, parse_now, run_job
from ..models import JobRun


def now_option(value: str) -> datetime:
    """``--now``: ``gamification.jobs.parse_now``, its error as the command's."""
    try:
        return parse_now(value)
    except JobError as exc:
        raise CommandError(f"--now: {exc}") from exc


class JobCommand(BaseCommand):
    """Runs the job named ``job`` through ``gamification.jobs.run_job`` and prints its result."""

    job: str = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")
        parser.add_argument(
            "--now",
            type=now_option,
            default=None,
            metavar="ISO-DATETIME",
            help="act as if it were this time (UTC if no offset)",
        )
        parser.add_argument("--batch-size", type=int, default=None, help="rows per statement (MALLARD_JOB_BATCH_SIZE)")

    def job_kwargs(self, options) -> dict:
        """Extra keyword arguments for the job (subclasses add their own flags)."""
        return {}

    def handle(self, *args, **options):
        now = options["now"] or timezone.now()
        kwargs = self.job_kwargs(options)
        if options["batch_size"] is not None:
            if options["batch_size"] < 1:
                raise CommandError("--batch-size must be at least 1")
            kwargs["batch_size"] = options["batch_size"]
        try:
            run, result = run_job(self.job, now=now, dry_run=options["dry_run"], triggered_by="command", **kwargs)
        except JobError as exc:
            raise CommandError(str(exc)) from exc
        prefix = "[dry run] " if options["dry_run"] else ""
        verb = "would change" if options["dry_run"] else "changed"
        self.stdout.write(f"{prefix}{self.job} at {now:%Y-%m-%dT%H:%M:%SZ}: {result.rows_changed} rows {verb}")
        if result.detail:
            self.stdout.write(result.detail)
        if run.outcome == JobRun.Outcome.PROBLEMS:
            raise CommandError(f"{self.job} found {result.problems} problems (JobRun #{run.pk})")
