"""``manage.py run_jobs``: every periodic job once, in the order of the nightly schedule.

Without Redis there is no Celery beat (it needs a broker), so on a laptop nothing is scheduled:
``make run`` runs this command before it serves, and a developer runs it again whenever streaks should
close and tiers decay (docs/jobs.md, "Without Redis"). Every job is idempotent and acts as of
``--now``, so running them all at once is what the schedule does over a day.
"""

from django.core.management import call_command
from django.core.management.base import CommandError

from gamification.jobs import JOBS
from gamification.management.jobcommand import JobCommand

#: The nightly schedule's order (config/celery.py): streaks, then the rollup before the purge.
ORDER = [
    "close_streaks",
    "send_streak_reminders",
    "close_league_week",
    "rollup_daily_metrics",
    "decay_tiers",
    "check_ledger",
    "purge_activity",
    "fit_memory_models",
    "send_reengagement",
]


class Command(JobCommand):
    help = "Run every periodic job once (the stand-in for Celery beat when there is no Redis)."

    def handle(self, *args, **options):
        assert sorted(ORDER) == sorted(JOBS), "run_jobs.ORDER must name every job"
        now = self.acting_now(options)  # one --now for every job, checked once
        passed = ["--now", now.isoformat(), "--allow-future"]
        if options["dry_run"]:
            passed.append("--dry-run")
        if options["batch_size"] is not None:
            passed += ["--batch-size", str(options["batch_size"])]
        failed = []
        for job in ORDER:
            try:
                call_command(job, *passed, stdout=self.stdout, stderr=self.stderr)
            except CommandError as error:
                self.stderr.write(f"{job}: {error}")
                failed.append(job)
        if failed:
            raise CommandError(f"{len(failed)} of {len(ORDER)} jobs did not finish cleanly: {', '.join(failed)}")
