from datetime import date

from django.core.management.base import CommandError

from gamification.management.jobcommand import JobCommand


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--day: {value!r} is not an ISO date (e.g. 2026-11-01)") from exc


class Command(JobCommand):
    help = "Roll up per-course and per-exercise metrics for one UTC day (default: the day before --now)."
    job = "rollup_daily_metrics"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--day", type=parse_day, default=None, help="the UTC day to roll up (backfill), YYYY-MM-DD")

    def job_kwargs(self, options) -> dict:
        return {"day": options["day"]} if options["day"] else {}
