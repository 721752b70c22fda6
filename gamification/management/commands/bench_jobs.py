"""Benchmark decay_tiers and close_streaks on synthetic data in a separate PostgreSQL database.

    python manage.py bench_jobs --learners 100000 --progress-rows 500000
    python manage.py bench_jobs --learners 1000000 --progress-rows 5000000

Creates the database ``--database`` (default ``mallard_bench``) on the server of DATABASE_URL
(dropping it first if it exists), migrates it, fills it with ``gamification.management.benchdata.fill``,
then runs each job twice at the same ``now`` (the second run shows the idempotent no-op cost) and
once more a night (decay) or an hour (streaks) later (the steady-state cost), printing wall time,
rows changed, rows/s and memory. The database is dropped at the end unless ``--keep``. Never point
it at a database you care about: it is dropped.
"""

import os
import resource
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from gamification.jobs import run_close_streaks, run_decay_tiers
from gamification.management.benchdata import fill
from gamification.management.benchdb import ALIAS, create_bench_database, drop_bench_database

NOW = datetime(2026, 3, 2, 0, 5, tzinfo=UTC)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class Command(BaseCommand):
    help = "Fill a separate PostgreSQL database with synthetic learners and time decay_tiers and close_streaks."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=100_000)
        parser.add_argument("--progress-rows", type=int, default=500_000)
        parser.add_argument("--database", default="mallard_bench", help="name of the database to create and drop")
        parser.add_argument("--batch-size", type=int, default=None, help="job batch size (MALLARD_JOB_BATCH_SIZE)")
        parser.add_argument("--workers", type=int, default=1, help="parallel connections for decay_tiers")
        parser.add_argument(
            "--decay-batch-size", type=int, default=None, help="batch size for decay_tiers only (default: --batch-size)"
        )
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")

    def handle(self, *args, **options):
        default = connections["default"]
        if default.vendor != "postgresql":
            raise CommandError("bench_jobs needs PostgreSQL: set DATABASE_URL.")
        name = options["database"]
        if name == default.settings_dict["NAME"]:
            raise CommandError("--database must not be the database in DATABASE_URL (it is dropped).")
        if options["learners"] < 1 or options["progress_rows"] < 1:
            raise CommandError("--learners and --progress-rows must be positive")

        # Measure what production does: with DEBUG on, Django keeps the SQL of every query (the
        # streak job's id arrays included) in connection.queries_log, which would show as memory.
        settings.DEBUG = False
        create_bench_database(name)
        try:
            self.stdout.write(f"migrating {name} …")
            call_command("migrate", database=ALIAS, verbosity=0)
            started = time.perf_counter()
            counts = fill(using=ALIAS, learners=options["learners"], progress_rows=options["progress_rows"], now=NOW)
            fill_s = time.perf_counter() - started
            self.stdout.write(
                f"filled {counts['learners']:,} learners, {counts['progress_rows']:,} lesson progress rows "
                f"({counts['lessons']} lessons) in {fill_s:.1f} s"
            )
            # First run: the catch-up over 60 days of history. Second run at the same now: the idempotent
            # no-op. Then a steady-state run: the next night (decay) or the next hour (streaks).
            rows = []
            default_batch = options["batch_size"] or settings.MALLARD_JOB_BATCH_SIZE
            decay_kwargs = {"batch_size": options["decay_batch_size"] or default_batch, "workers": options["workers"]}
            for job, func, kwargs, later in (
                ("decay_tiers", run_decay_tiers, decay_kwargs, ("next night", timedelta(days=1))),
                ("close_streaks", run_close_streaks, {"batch_size": default_batch}, ("next hour", timedelta(hours=1))),
            ):
                for label, now in (("first run", NOW), ("second run", NOW), (later[0], NOW + later[1])):
                    rows.append((job, label, *self._time(func, now, **kwargs)))
            self._table(options, rows)
            self.stdout.write(
                "load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
            )
        finally:
            if not options["keep"]:
                drop_bench_database(name)

    def _time(self, func, now, **kwargs):
        before = rss_mb()
        tracemalloc.start()
        started = time.perf_counter()
        result = func(now=now, using=ALIAS, **kwargs)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return seconds, result.rows_changed, peak / 2**20, before, rss_mb()

    def _table(self, options, rows):
        batch = options["batch_size"] or settings.MALLARD_JOB_BATCH_SIZE
        self.stdout.write(
            f"\nlearners={options['learners']:,} progress_rows={options['progress_rows']:,} now={NOW:%Y-%m-%dT%H:%MZ} "
            f"batch sizes: decay {options['decay_batch_size'] or batch} (workers {options['workers']}), "
            f"streaks {batch}\n"
        )
        header = f"{'job':<14} {'run':<11} {'wall s':>8} {'rows changed':>13} {'rows/s':>10} "
        header += f"{'py peak MiB':>11} {'maxrss MiB before→after':>24}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for job, attempt, seconds, changed, peak, before, after in rows:
            rate = f"{changed / seconds:,.0f}" if changed else "—"
            self.stdout.write(
                f"{job:<14} {attempt:<11} {seconds:>8.2f} {changed:>13,} {rate:>10} {peak:>11.2f} "
                f"{before:>11.1f} → {after:<10.1f}"
            )
