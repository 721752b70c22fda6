"""Benchmark close_league_week on a synthetic week in a separate PostgreSQL database.

    python manage.py bench_league_close --learners 1000000

Creates the database ``--database`` (default ``mallard_bench_league``) on the server of DATABASE_URL
(dropping it first), migrates it, fills one league week (``gamification.management.leaguebench``:
learners, wallets, full cohorts of 30 in ten divisions, XP), then times ``close_league_week``: a dry
run, the close itself, and a second run at the same ``now`` (the idempotent no-op). It checks the
result (every row closed, gems in the ledger equal the wallets' totals) and drops the database unless
``--keep``. Never point it at a database you care about: it is dropped.
"""

import os
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from gamification.jobs import run_close_league_week
from gamification.management.benchdb import ALIAS, create_bench_database, drop_bench_database
from gamification.management.commands.bench_jobs import rss_mb
from gamification.management.leaguebench import fill_league
from gamification.models import LeagueMembership, LedgerEntry, Wallet

WEEK = date(2026, 3, 2)
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
CLOSE = MONDAY + timedelta(days=7, minutes=10)


class Command(BaseCommand):
    help = "Fill a separate PostgreSQL database with one league week of N learners and time close_league_week."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=100_000)
        parser.add_argument("--database", default="mallard_bench_league", help="database to create and drop")
        parser.add_argument("--batch-size", type=int, default=None, help="rows per batch (MALLARD_JOB_BATCH_SIZE)")
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")

    def handle(self, *args, **options):
        default = connections["default"]
        if default.vendor != "postgresql":
            raise CommandError("bench_league_close needs PostgreSQL: set DATABASE_URL.")
        name = options["database"]
        if name == default.settings_dict["NAME"]:
            raise CommandError("--database must not be the database in DATABASE_URL (it is dropped).")
        if options["learners"] < 1:
            raise CommandError("--learners must be positive")
        settings.DEBUG = False  # as in production: no query log in memory
        create_bench_database(name)
        try:
            self.stdout.write(f"migrating {name} …")
            call_command("migrate", database=ALIAS, verbosity=0)
            started = time.perf_counter()
            counts = fill_league(using=ALIAS, learners=options["learners"], week=WEEK, now=MONDAY)
            self.stdout.write(
                f"filled {counts['learners']:,} learners in {counts['cohorts']:,} cohorts in "
                f"{time.perf_counter() - started:.1f} s"
            )
            batch = options["batch_size"] or settings.MALLARD_JOB_BATCH_SIZE
            rows = [
                ("dry run", *self._time(dry_run=True, batch_size=batch)),
                ("close", *self._time(dry_run=False, batch_size=batch)),
                ("second run", *self._time(dry_run=False, batch_size=batch)),
            ]
            self._check()
            self.stdout.write(f"\nlearners={options['learners']:,} batch size={batch} now={CLOSE:%Y-%m-%dT%H:%MZ}\n")
            header = f"{'run':<11} {'wall s':>8} {'rows':>11} {'rows/s':>10} {'py peak MiB':>11} {'maxrss MiB':>10}"
            self.stdout.write(header)
            self.stdout.write("-" * len(header))
            for label, seconds, changed, peak, rss in rows:
                rate = f"{changed / seconds:,.0f}" if changed and label != "dry run" else "—"
                self.stdout.write(f"{label:<11} {seconds:>8.2f} {changed:>11,} {rate:>10} {peak:>11.2f} {rss:>10.1f}")
            self.stdout.write(
                "load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
            )
        finally:
            if not options["keep"]:
                drop_bench_database(name)

    def _time(self, *, dry_run: bool, batch_size: int):
        tracemalloc.start()
        started = time.perf_counter()
        result = run_close_league_week(now=CLOSE, dry_run=dry_run, batch_size=batch_size, using=ALIAS)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if not dry_run:
            self.stdout.write(result.detail)
        return seconds, result.rows_changed, peak / 2**20, rss_mb()

    def _check(self) -> None:
        rows = LeagueMembership.objects.using(ALIAS)
        open_rows = rows.filter(closed_at__isnull=True).count()
        paid = sum(LedgerEntry.objects.using(ALIAS).filter(reason="league_reward").values_list("amount", flat=True))
        gems = sum(Wallet.objects.using(ALIAS).values_list("gems", flat=True))
        self.stdout.write(f"check: {open_rows} rows left open; gems in the ledger {paid:,} = in wallets {gems:,}")
        if open_rows or paid != gems:
            raise CommandError("the close left rows open or the gems do not add up")
