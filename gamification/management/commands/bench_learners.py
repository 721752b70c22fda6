"""``make bench``: Mallard under gunicorn in production settings beside the smallest same-shape app,
driven by virtual learners (locust, headless); prints each request's throughput, p50/p90/p99 and the
ratio to the baseline, interleaved and repeated (docs/performance.md, "make bench"). PostgreSQL and
Redis only (``DATABASE_URL``, ``REDIS_URL``).

It creates a throw-away database (``mallard_bench_learners``), migrates it, imports the demo course,
makes ``--learners`` learners (API token, session, gems for heart refills; enrolled in the course),
creates the baseline's two tables in the same database, collects the static files, starts both apps
with the same gunicorn workers (``--workers`` sync workers, one thread each), then for each round and
each scenario runs locust against Mallard, then against the baseline, ``--seconds`` each with
``--users`` users. The database is dropped at the end (``--keep`` keeps it).
"""

import csv
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from gamification.management.benchdb import create_bench_database, drop_bench_database

BASE_DIR = Path(settings.BASE_DIR)
DATABASE = "mallard_bench_learners"
#: scenario → (the locust request name, the baseline scenario of the same shape, its request name)
SCENARIOS = {
    "answer": ("answer", "write", "write"),
    "lesson_page": ("lesson page", "read", "read"),
    "path_page": ("path page", "read", "read"),
    "me": ("me", "read", "read"),
}


class Server:
    """A gunicorn process; ready when its master listens (later requests wait in the backlog)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(args, cwd=BASE_DIR, env=env, stderr=subprocess.PIPE, text=True)  # noqa: S603
        self.ready = threading.Event()
        self.log: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)
            if "Listening at" in line:
                self.ready.set()
        self.ready.set()

    def wait(self) -> None:
        if not self.ready.wait(timeout=180) or self.process.poll() is not None:
            raise CommandError("a server did not start:\n" + "".join(self.log[-30:]))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


class Command(BaseCommand):
    help = "Benchmark learner requests against a same-shape baseline app (locust, gunicorn, production settings)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--learners", type=int, default=200, help="learners (200; users x scenarios x (rounds + 1) at least)"
        )
        parser.add_argument("--users", type=int, default=16, help="concurrent virtual learners (default 16)")
        parser.add_argument("--seconds", type=int, default=15, help="seconds per measurement (default 15)")
        parser.add_argument("--repeat", type=int, default=2, help="rounds of every scenario (default 2)")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers of each app (default 2)")
        parser.add_argument(
            "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of {', '.join(SCENARIOS)}"
        )
        parser.add_argument("--keep", action="store_true", help="keep the database")
        parser.add_argument("--prepare", help="(internal) fill the database DATABASE_URL names, write this JSON")

    def handle(self, *args, **options):
        if options["prepare"]:
            return self.prepare(Path(options["prepare"]), options["learners"])
        if connections["default"].vendor != "postgresql" or not os.environ.get("REDIS_URL"):
            raise CommandError("bench_learners needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")
        scenarios = [s for s in options["scenarios"].split(",") if s]
        if unknown := set(scenarios) - set(SCENARIOS):
            raise CommandError(f"unknown scenarios: {', '.join(sorted(unknown))}")
        create_bench_database(DATABASE)
        work = Path(tempfile.mkdtemp(prefix="mallard-bench-"))
        servers: list[Server] = []
        try:
            url = self.database_url(DATABASE)
            base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
            # One secret key for both: the learners' sessions are signed with it when they are made.
            secret = secrets.token_urlsafe(50)
            dev = {**base_env, "DJANGO_ENV": "development", "DATABASE_URL": url, "DJANGO_SECRET_KEY": secret}
            manage = [sys.executable, "manage.py"]
            self.step("migrating", [*manage, "migrate", "--no-input"], dev)
            self.step("importing the demo course", [*manage, "import_course", "demo/spanish.yaml"], dev)
            data_file = work / "learners.json"
            self.step(
                f"making {options['learners']} learners",
                [*manage, "bench_learners", "--prepare", str(data_file), "--learners", str(options["learners"])],
                dev,
            )
            self.step(
                "the baseline's tables",
                [sys.executable, "-m", "bench.baseline", "setup"],
                {**base_env, "BASELINE_DATABASE_URL": url},
            )
            prod = {
                **base_env,
                "DJANGO_ENV": "production",
                "DJANGO_SECRET_KEY": secret,
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SECURE_SSL_REDIRECT": "false",
                "DATABASE_URL": url,
                "DJANGO_STATIC_ROOT": str(work / "static"),
                "CACHE_KEY_PREFIX": f"bench-{os.getpid()}",
                "THROTTLE_ANSWERS": "1000000/min",  # virtual learners answer far faster than people
                "GUNICORN_ACCESS_LOG": "",
            }
            self.step("collecting static files", [*manage, "collectstatic", "--no-input", "-v", "0"], prod)
            ports = [self.free_port(), self.free_port()]
            gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(options["workers"])]
            gunicorn += ["--worker-class", "sync", "--threads", "1"]
            servers.append(Server([*gunicorn, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{ports[0]}"], prod))
            servers.append(
                Server(
                    [*gunicorn, "--bind", f"127.0.0.1:{ports[1]}", "bench.baseline:application"],
                    # gunicorn.conf.py (read from the working directory) applies to both: the same harness
                    {**base_env, "BASELINE_DATABASE_URL": url, "GUNICORN_ACCESS_LOG": ""},
                )
            )
            for server in servers:
                server.wait()
            self.measure(scenarios, ports, data_file, work, options)
        finally:
            for server in servers:
                server.stop()
            if not options["keep"]:
                drop_bench_database(DATABASE)

    # --- the measurements ---------------------------------------------------------------------

    slices = -1

    def measure(self, scenarios, ports, data_file, work, options) -> None:
        results: dict[str, list[tuple[dict, dict]]] = {s: [] for s in scenarios}
        self.stdout.write(
            f"\n{options['users']} users, {options['seconds']} s each, {options['workers']} sync workers per app, "
            f"{options['repeat']} rounds (Mallard, then the baseline, scenario after scenario)\n"
        )
        header = f"{'round':>5} {'request':<12} {'Mallard /s':>10} {'p50':>6} {'p90':>6} {'p99':>6}"
        header += f" {'baseline':>9} {'/s':>8} {'p50':>6} {'p90':>6} {'p99':>6} {'ratio':>6} {'fail':>5}"
        # Warm-up, not counted: each worker's first requests read the course's structure into the
        # cache, load the answer checker's language tables and compile templates.
        for scenario in scenarios:
            name, base_scenario, base_name = SCENARIOS[scenario]
            warm = {**options, "seconds": max(8, options["seconds"] // 2)}
            self.locust(scenario, name, ports[0], data_file, work, warm, counted=False)
            self.locust(base_scenario, base_name, ports[1], data_file, work, warm, counted=False)
        self.stdout.write(header)
        for round_ in range(1, options["repeat"] + 1):
            for scenario in scenarios:
                name, base_scenario, base_name = SCENARIOS[scenario]
                ours = self.locust(scenario, name, ports[0], data_file, work, options)
                theirs = self.locust(base_scenario, base_name, ports[1], data_file, work, options)
                results[scenario].append((ours, theirs))
                self.stdout.write(self.row(str(round_), scenario, ours, theirs, base_scenario))
        self.stdout.write("\nMedian over the rounds:")
        self.stdout.write(header)
        for scenario in scenarios:
            pairs = results[scenario]
            ours = {k: statistics.median(p[0][k] for p in pairs) for k in pairs[0][0]}
            theirs = {k: statistics.median(p[1][k] for p in pairs) for k in pairs[0][1]}
            self.stdout.write(self.row("all", scenario, ours, theirs, SCENARIOS[scenario][1]))

    def row(self, round_: str, scenario: str, ours: dict, theirs: dict, base: str) -> str:
        ratio = ours["rps"] / theirs["rps"] if theirs["rps"] else 0.0
        a, b = ours, theirs
        return (
            f"{round_:>5} {scenario:<12} {a['rps']:>10.1f} {a['p50']:>6.0f} {a['p90']:>6.0f} {a['p99']:>6.0f}"
            f" {base:>9} {b['rps']:>8.1f} {b['p50']:>6.0f} {b['p90']:>6.0f} {b['p99']:>6.0f}"
            f" {ratio:>6.3f} {int(a['failures'] + b['failures']):>5}"
        )

    def locust(self, scenario, name, port, data_file: Path, work: Path, options, counted: bool = True) -> dict:
        prefix = work / f"{scenario}-{port}"
        args = [str(Path(sys.executable).parent / "locust"), "-f", "bench/locustfile.py", "--headless"]
        args += ["-u", str(options["users"]), "-r", str(options["users"]), "-t", f"{options['seconds']}s"]
        args += ["--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary"]
        args += ["--loglevel", "WARNING", "--exit-code-on-error", "0"]
        self.slices += 1 if scenario in SCENARIOS else 0
        env = {
            **os.environ,
            "BENCH_SCENARIO": scenario,
            "BENCH_DATA": str(data_file),
            "BENCH_USERS": str(options["users"]),
            "BENCH_SLICE": str(self.slices),
        }
        done = subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True)  # noqa: S603
        stats = Path(f"{prefix}_stats.csv")
        if done.returncode != 0 or not stats.exists():
            raise CommandError(f"locust failed ({scenario}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        with stats.open() as f:
            row = next((r for r in csv.DictReader(f) if r["Name"] == name), None)
        if row is None:  # nothing answered in the time (an overloaded machine): shown as 0
            row = {"Requests/s": 0, "50%": 0, "90%": 0, "99%": 0, "Failure Count": 0}
        return {
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p90": float(row["90%"]),
            "p99": float(row["99%"]),
            "failures": float(row["Failure Count"]),
        }

    # --- set-up -------------------------------------------------------------------------------

    def step(self, what: str, args: list[str], env: dict[str, str]) -> None:
        self.stderr.write(f"bench: {what} …")
        done = subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True)  # noqa: S603
        if done.returncode != 0:
            raise CommandError(f"{what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")

    @staticmethod
    def free_port() -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    @staticmethod
    def database_url(name: str) -> str:
        conf = connections["default"].settings_dict
        auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf["PASSWORD"] else "")
        return f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"

    def prepare(self, out: Path, learners: int) -> None:
        """Learners with an API token, a session, gems for heart refills, enrolled in the demo course;
        the first lesson and its exercises (type and payload, to answer right)."""
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.utils import timezone
        from rest_framework.authtoken.models import Token

        from accounts.models import User
        from courses.models import Course, Exercise
        from courses.structure import course_structure
        from gamification.api.queries import run_view
        from gamification.api.serializers import RunSerializer
        from gamification.models import LedgerEntry
        from gamification.services import ledger, start_lesson_run
        from gamification.services.wallet import lock_wallet
        from progress.services import enroll

        now = timezone.now()
        course = Course.objects.get(slug="es")
        structure = course_structure(course.pk)
        lesson = structure.lessons[structure.ordered_lesson_ids[0]]
        exercise_ids = [pk for pk, _kind, _tokens in structure.lesson_exercises[lesson.pk]]
        people = []
        for i in range(learners):
            user = User.objects.create_user(email=f"bench-{i}@bench.invalid", password=None)
            with transaction.atomic():
                wallet = lock_wallet(user=user, now=now)
                gems = ledger.gems_entry(
                    user=user, amount=1_000_000, reason=LedgerEntry.Reason.ADJUSTMENT, key=f"bench:{user.pk}", now=now
                )
                ledger.credit(wallet=wallet, entries=[gems])
            enroll(user=user, course=course, now=now)
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            # A run of the lesson, as the API returns it: the measured requests need no start of their own.
            run = start_lesson_run(user=user, lesson=lesson, now=now)
            view = RunSerializer(run_view(user=user, run_id=run.pk, now=now)).data
            people.append(
                {
                    "token": Token.objects.create(user=user).key,
                    "session": session.session_key,
                    "run": {"id": view["id"], "queue": view["queue"], "exercises": view["exercises"]},
                }
            )
        exercises = {
            str(e.pk): {"type": e.type, "payload": e.payload} for e in Exercise.objects.filter(pk__in=exercise_ids)
        }
        out.write_text(
            json.dumps({"course": course.slug, "lesson": lesson.slug, "exercises": exercises, "learners": people})
        )
