"""Benchmark the course-analytics rollup (part of ``rollup_daily_metrics``) on synthetic answers in a
separate PostgreSQL database.

    python manage.py bench_analytics --attempts 10000000 --days 30

Creates the database ``--database`` (default ``mallard_bench_analytics``) on the server of
DATABASE_URL (dropping it first), migrates it, fills it with
``gamification.management.analytics_benchdata.fill`` (set-based, ``generate_series``), then rolls
up every day of the period with the whole nightly job (daily metrics and analytics), then again (the
idempotent no-op), printing the time of each pass; with ``--analytics-pass`` it then empties the
analytics tables and times their rollup alone. It drops the database at the end unless ``--keep``.
Never point it at a database you care about: it is dropped.
"""

import os
import resource
import time
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from analytics.models import ExerciseDay, ExerciseTime, LessonDay, LessonTime, WrongAnswerDay
from analytics.rollup import rollup_analytics
from gamification.jobs import run_rollup_daily_metrics
from gamification.management.analytics_benchdata import fill
from gamification.management.benchdb import ALIAS, create_bench_database, drop_bench_database

END = datetime(2026, 3, 1, tzinfo=UTC)


class Command(BaseCommand):
    help = "Fill a separate PostgreSQL database with synthetic answers and time the course-analytics rollup."

    def add_arguments(self, parser):
        parser.add_argument("--attempts", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--learners", type=int, default=50_000)
        parser.add_argument("--units", type=int, default=10, help="units of 10 lessons of 10 exercises")
        parser.add_argument("--database", default="mallard_bench_analytics")
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
        parser.add_argument(
            "--analytics-pass", action="store_true", help="then empty the analytics tables and time their rollup alone"
        )

    def handle(self, *args, **options):
        default = connections["default"]
        if default.vendor != "postgresql":
            raise CommandError("bench_analytics needs PostgreSQL: set DATABASE_URL.")
        name = options["database"]
        if name == default.settings_dict["NAME"]:
            raise CommandError("--database must not be the database in DATABASE_URL (it is dropped).")
        if min(options["attempts"], options["days"], options["learners"], options["units"]) < 1:
            raise CommandError("--attempts, --days, --learners and --units must be positive")
        settings.DEBUG = False
        create_bench_database(name)
        try:
            self.stdout.write(f"migrating {name} …")
            call_command("migrate", database=ALIAS, verbosity=0)
            started = time.perf_counter()
            counts = fill(
                using=ALIAS,
                attempts=options["attempts"],
                days=options["days"],
                learners=options["learners"],
                units=options["units"],
                end=END,
            )
            self.stdout.write(
                f"filled {counts['attempts']:,} answers in {counts['runs']:,} lesson runs of {counts['learners']:,} "
                f"learners on {counts['lessons']} lessons in {time.perf_counter() - started:.1f} s"
            )
            days = [(END - timedelta(days=d)).date() for d in range(options["days"], 0, -1)]
            self._pass("nightly job, first run (daily metrics and analytics)", days, self._job)
            self._rows()
            self._pass("nightly job, second run (no-op)", days, self._job)
            if options["analytics_pass"]:
                with transaction.atomic(using=ALIAS):
                    for model in (LessonDay, LessonTime, ExerciseDay, ExerciseTime, WrongAnswerDay):
                        model.objects.using(ALIAS).all().delete()
                self._pass("analytics rollup alone, on emptied analytics tables", days, self._analytics)
            self.stdout.write(
                f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; load average "
                "(1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
            )
        finally:
            if not options["keep"]:
                drop_bench_database(name)

    @staticmethod
    def _analytics(day: date) -> int:
        with transaction.atomic(using=ALIAS):
            return rollup_analytics(day=day, using=ALIAS).total

    @staticmethod
    def _job(day: date) -> int:
        return run_rollup_daily_metrics(now=END + timedelta(minutes=20), day=day, using=ALIAS).rows_changed

    def _pass(self, label: str, days: list[date], func) -> None:
        times, rows = [], 0
        for day in days:
            started = time.perf_counter()
            rows += func(day)
            times.append(time.perf_counter() - started)
        times.sort()
        self.stdout.write(
            f"{label}: {len(days)} days in {sum(times):.1f} s — per day median {times[len(times) // 2]:.2f} s, "
            f"max {times[-1]:.2f} s; {rows:,} rows written"
        )

    def _rows(self) -> None:
        sizes = ", ".join(
            f"{m.__name__} {m.objects.using(ALIAS).count():,}"
            for m in (LessonDay, LessonTime, ExerciseDay, ExerciseTime, WrongAnswerDay)
        )
        self.stdout.write(f"rollup rows: {sizes}")
