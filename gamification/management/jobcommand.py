"""Base class of the job commands: ``--dry-run``, ``--now ISO-DATETIME``, ``--batch-size``,
``--allow-future``."""

from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ..jobs import JobError, parse_now, run_job
from ..models import JobRun

#: A ``--now`` later than this after the real time is refused unless ``--dry-run`` or ``--allow-future``:
#: a typo in the year or month would otherwise close every learner's streak or decay every tier at once.
FUTURE_TOLERANCE = timedelta(minutes=10)


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
        parser.add_argument(
            "--allow-future",
            action="store_true",
            help=f"accept a --now more than {FUTURE_TOLERANCE.seconds // 60} minutes ahead (not needed with --dry-run)",
        )

    def job_kwargs(self, options) -> dict:
        """Extra keyword arguments for the job (subclasses add their own flags)."""
        return {}

    def acting_now(self, options) -> datetime:
        """``--now`` (default: the real time); CommandError when it is too far ahead (FUTURE_TOLERANCE)."""
        real_now = timezone.now()
        now = options["now"] or real_now
        if now > real_now + FUTURE_TOLERANCE and not (options["dry_run"] or options["allow_future"]):
            raise CommandError(
                f"--now {now:%Y-%m-%dT%H:%M:%SZ} is more than {FUTURE_TOLERANCE.seconds // 60} minutes in the future "
                f"(it is {real_now:%Y-%m-%dT%H:%M:%SZ}); nothing was changed. Check the date, or pass --dry-run to "
                "preview, or --allow-future to run the job as of that time."
            )
        return now

    def handle(self, *args, **options):
        now = self.acting_now(options)
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
