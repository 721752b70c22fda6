"""``manage.py profile_requests``: the per-request time and Python profile of the hot learner requests,
in production settings (docs/performance.md, "Per-request Python"). PostgreSQL and Redis only
(``DATABASE_URL``, ``REDIS_URL``).

It creates a throw-away database (``<the configured database>_profile_requests``), migrates it,
imports the demo course, makes learners with a lesson run each (``bench/prepare.py``), collects the static
files, then runs itself again in **production settings** (``DJANGO_ENV=production``: DEBUG off, the
cached template loader, WhiteNoise, the Redis cache, persistent connections; only the HTTPS redirect
is off and the answers throttle raised, as ``make bench`` does) and sends each request through the
whole middleware stack with Django's test ``Client`` (CSRF checks enforced), one at a time:

- ``lesson_page``: ``GET /runs/<id>/`` (the player), signed in by session;
- ``me``: ``GET /api/v1/me/``, by API token;
- ``api_answer``: ``POST /api/v1/runs/<id>/answers/``, a right answer, by API token;
- ``page_answer``: ``POST /runs/<id>/answer/`` as the player sends it (the feedback fragment), a right
  answer, by session with the page's CSRF token;
- ``path_page``: ``GET /courses/<slug>/``, by session.

For each it prints the median, p90 and mean milliseconds of ``--runs`` requests after ``--warmup``
unmeasured ones and this process's CPU time per request (``cpu ms``: Python's work, without the
waits for PostgreSQL and Redis — steadier than the times on a busy machine, so the figure to compare
two commits by; it includes the test client's share and, for answers, the runs started in between),
then (with ``--profile N``) the Python function calls per request (a count that does not drift
with the machine's speed: the steadiest figure of Python work), the N functions with the most own
time under cProfile (a separate pass of the same requests, whose times cProfile inflates) and the
share of the profiled time by area (ORM, database driver, templates, DRF, middleware …). A run that
ends is replaced by a new one outside the measured time. The database is dropped at the end (``--keep`` keeps it).
``--env NAME=VALUE`` sets a variable of the measured run, to compare settings (e.g.
``DJANGO_DB_PREPARED_STATEMENTS=false``).
"""

import cProfile
import json
import os
import pstats
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import CaptureQueriesContext

from gamification.management.benchdb import create_bench_database, drop_bench_database
from gamification.management.commands.bench_learners import Command as BenchLearners

BASE_DIR = Path(settings.BASE_DIR)
REQUESTS = ("lesson_page", "me", "api_answer", "page_answer", "path_page")
#: Where profiled own time goes: the first pattern a function's file matches names its area.
AREAS = [
    ("database driver (psycopg, round trips)", ("/psycopg/", "/psycopg_pool/", "{method 'execute'", "<socket")),
    ("redis client (cache)", ("/redis/", "/django_redis/", "django/core/cache/")),
    ("ORM: building queries and rows", ("django/db/",)),
    ("templates", ("django/template/", "django/templatetags/", "/templatetags/")),
    ("DRF", ("/rest_framework/",)),
    (
        "middleware and request handling",
        (
            "django/middleware/",
            "django/contrib/",
            "django/core/handlers/",
            "/allauth/",
            "/axes/",
            "/whitenoise/",
            "django/http/",
            "django/urls/",
        ),
    ),
    ("i18n, settings, utils", ("django/utils/", "django/conf/", "django/dispatch/")),
    (
        "Mallard code",
        tuple(
            f"/{app}/"
            for app in (
                "accounts",
                "core",
                "courses",
                "progress",
                "gamification",
                "media_assets",
                "config",
                "bubbles",
                "tutor",
            )
        ),
    ),
    ("test client (not in production)", ("django/test/",)),
]


class Command(BaseCommand):
    help = "Per-request milliseconds and cProfile of the hot learner requests, in production settings."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=200, help="measured requests of each kind (default 200)")
        parser.add_argument("--warmup", type=int, default=30, help="unmeasured requests first (default 30)")
        parser.add_argument("--profile", type=int, default=25, help="functions listed per request (0: no profile)")
        parser.add_argument("--requests", default=",".join(REQUESTS), help=f"comma-separated, of {', '.join(REQUESTS)}")
        parser.add_argument("--learners", type=int, default=40, help="learners, each with a lesson run (default 40)")
        parser.add_argument("--sql", action="store_true", help="print the statements of one request of each kind")
        parser.add_argument("--save", help="write each request's cProfile data to DIR/<request>.prof (for pstats)")
        parser.add_argument(
            "--env",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="an environment variable of the measured run (repeatable), e.g. DJANGO_DB_PREPARED_STATEMENTS=false",
        )
        parser.add_argument("--keep", action="store_true", help="keep the database")
        parser.add_argument("--measure", help="(internal) measure with the learners in this JSON file")

    def handle(self, *args, **options):
        kinds = [k for k in options["requests"].split(",") if k]
        if unknown := set(kinds) - set(REQUESTS):
            raise CommandError(f"unknown requests: {', '.join(sorted(unknown))}")
        if options["measure"]:
            return self.measure(Path(options["measure"]), kinds, options)
        if bad := [item for item in options["env"] if not item.partition("=")[0] or "=" not in item]:
            raise CommandError(f"--env takes NAME=VALUE, not {bad[0]!r}")
        extra_env = dict(item.split("=", 1) for item in options["env"])
        if connections["default"].vendor != "postgresql" or not os.environ.get("REDIS_URL"):
            raise CommandError("profile_requests needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")
        # Named after the configured database, so people sharing a PostgreSQL server do not drop each other's.
        database = f"{connections['default'].settings_dict['NAME']}_profile_requests"
        create_bench_database(database)
        work = Path(tempfile.mkdtemp(prefix="mallard-profile-"))
        bench = BenchLearners(stdout=self.stdout, stderr=self.stderr)
        try:
            url = bench.database_url(database)
            base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
            # One secret key for both: the learners' sessions are signed with it when they are made.
            secret = secrets.token_urlsafe(50)
            dev = {**base_env, "DJANGO_ENV": "development", "DATABASE_URL": url, "DJANGO_SECRET_KEY": secret}
            manage = [sys.executable, "manage.py"]
            bench.step("migrating", [*manage, "migrate", "--no-input"], dev)
            bench.step("importing the demo course", [*manage, "import_course", "demo/spanish.yaml"], dev)
            data_file = work / "learners.json"
            bench.step(
                f"making {options['learners']} learners",
                [sys.executable, "bench/prepare.py", "learners", str(data_file), str(options["learners"]), "es"],
                dev,
            )
            prod = {
                **base_env,
                "DJANGO_ENV": "production",
                "DJANGO_SECRET_KEY": secret,
                "DJANGO_ALLOWED_HOSTS": "testserver",
                "DJANGO_SECURE_SSL_REDIRECT": "false",
                "DATABASE_URL": url,
                "DJANGO_STATIC_ROOT": str(work / "static"),
                "CACHE_KEY_PREFIX": f"profile-{os.getpid()}",
                "THROTTLE_ANSWERS": "1000000/min",
                **extra_env,
            }
            bench.step("collecting static files", [*manage, "collectstatic", "--no-input", "-v", "0"], prod)
            args = [*manage, "profile_requests", "--measure", str(data_file), "--requests", ",".join(kinds)]
            for option in ("runs", "warmup", "profile"):
                args += [f"--{option}", str(options[option])]
            args += ["--sql"] if options["sql"] else []
            args += ["--save", str(Path(options["save"]).resolve())] if options["save"] else []
            self.stderr.write("profile: measuring in production settings …")
            done = subprocess.run(args, cwd=BASE_DIR, env=prod, check=False)  # noqa: S603
            if done.returncode != 0:
                raise CommandError("the measurement failed (its output is above)")
        finally:
            if not options["keep"]:
                drop_bench_database(database)

    # --- the measurement, in production settings ---------------------------------------------

    def measure(self, data_file: Path, kinds: list[str], options) -> None:
        if settings.DEBUG or not settings.PRODUCTION:
            raise CommandError("--measure runs in production settings (DJANGO_ENV=production, DEBUG off).")
        driver = Driver(json.loads(data_file.read_text()))
        self.stdout.write(
            f"{options['runs']} requests of each kind after {options['warmup']} unmeasured, one at a time "
            "(test client, production settings)\n"
        )
        self.stdout.write(f"{'request':<12} {'median ms':>9} {'p90 ms':>7} {'mean ms':>7} {'cpu ms':>7}")
        profiles: dict[str, pstats.Stats] = {}
        for kind in kinds:
            send = getattr(driver, kind)
            for _ in range(options["warmup"]):
                send()
            times = []
            cpu_began = time.process_time()
            for _ in range(options["runs"]):
                times.append(send())
            cpu = (time.process_time() - cpu_began) * 1000 / options["runs"]
            times.sort()
            p90 = times[int(len(times) * 0.9) - 1]
            self.stdout.write(
                f"{kind:<12} {statistics.median(times):>9.2f} {p90:>7.2f} {statistics.fmean(times):>7.2f} {cpu:>7.2f}"
            )
            if options["profile"]:
                profiles[kind] = self.profile(send, options["runs"])
                if options["save"]:
                    Path(options["save"]).mkdir(parents=True, exist_ok=True)
                    profiles[kind].dump_stats(Path(options["save"]) / f"{kind}.prof")
            if options["sql"]:
                with CaptureQueriesContext(connections["default"]) as queries:
                    send()
                self.stdout.write(f"   {len(queries)} statements:")
                for query in queries:
                    self.stdout.write(f"     {query['sql'][:300]}")
                self.statement_times(send, kind)
        for kind, stats in profiles.items():
            self.report(kind, stats, options["profile"], options["runs"])

    def statement_times(self, send: Callable[[], float], kind: str, runs: int = 50) -> None:
        """Each statement's median milliseconds over ``runs`` requests (round trip included), by its
        first words: where a request's database time goes."""
        times: dict[str, list[float]] = {}

        def timed(execute, sql, params, many, context):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                head = " ".join(sql.split()[:4])[:70]
                times.setdefault(head, []).append((time.perf_counter() - began) * 1000)

        with connections["default"].execute_wrapper(timed):
            for _ in range(runs):
                send()
        self.stdout.write(f"   {kind}: median ms per statement ({runs} requests; count per request)")
        for head, values in sorted(times.items(), key=lambda item: -statistics.median(item[1]) * len(item[1])):
            self.stdout.write(f"     {statistics.median(values):7.3f}  {len(values) / runs:4.1f}x  {head}")

    @staticmethod
    def profile(send: Callable[[], float], runs: int) -> pstats.Stats:
        profiler = cProfile.Profile()
        for _ in range(runs):
            profiler.enable()
            send(profiled=True)  # type: ignore[call-arg]
            profiler.disable()
        return pstats.Stats(profiler)

    def report(self, kind: str, stats: pstats.Stats, top: int, runs: int) -> None:
        rows = stats.stats  # type: ignore[attr-defined]
        total = sum(tt for (_cc, _nc, tt, _ct, _callers) in rows.values())
        calls = stats.total_calls // runs  # type: ignore[attr-defined]
        self.stdout.write(
            f"\n== {kind}: {total / runs * 1000:.2f} ms of profiled time and {calls} Python function calls per "
            "request, by area"
        )
        areas: dict[str, float] = {}
        for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in rows.items():
            where = f"{filename} {name}"
            area = next((a for a, patterns in AREAS if any(p in where for p in patterns)), "other (stdlib …)")
            areas[area] = areas.get(area, 0.0) + tt
        for area, tt in sorted(areas.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {tt / total * 100:5.1f} %  {tt / runs * 1000:6.2f} ms  {area}")
        self.stdout.write(f"-- top {top} by own time (ms per request, calls per request)")
        ranked = sorted(rows.items(), key=lambda item: -item[1][2])[:top]
        for (filename, line, name), (_cc, nc, tt, ct, _callers) in ranked:
            short = re.sub(r".*/(site-packages|lib/python3\.\d+)/", "", filename).replace(str(BASE_DIR) + "/", "")
            self.stdout.write(
                f"  {tt / runs * 1000:6.3f} own {ct / runs * 1000:7.3f} cum {nc / runs:7.1f}x  {short}:{line} {name}"
            )


class Driver:
    """Sends one request of a kind and returns its milliseconds (state kept between calls)."""

    def __init__(self, data: dict) -> None:
        from django.test import Client

        self.data = data
        self.learners = data["learners"]
        self.exercises = data["exercises"]
        self.index = 0
        # One learner for the reads; each answer takes the next learner's run, round robin.
        me = self.learners[0]
        self.session = Client(enforce_csrf_checks=True)
        self.session.cookies["sessionid"] = me["session"]
        self.api = Client(enforce_csrf_checks=True, headers={"Authorization": f"Token {me['token']}"})
        self.page_run = me["run"]["id"]
        self.runs: dict[int, dict] = {}

    @staticmethod
    def _timed(call: Callable[[], object], expected: int) -> float:
        start = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != expected:  # type: ignore[attr-defined]
            body = response.content[:500]  # type: ignore[attr-defined]
            raise CommandError(f"unexpected {response.status_code}: {body!r}")  # type: ignore[attr-defined]
        return elapsed

    def lesson_page(self, profiled: bool = False) -> float:
        return self._timed(lambda: self.session.get(f"/runs/{self.page_run}/"), 200)

    def me(self, profiled: bool = False) -> float:
        return self._timed(lambda: self.api.get("/api/v1/me/"), 200)

    def path_page(self, profiled: bool = False) -> float:
        return self._timed(lambda: self.session.get(f"/courses/{self.data['course']}/"), 200)

    # --- answers: each learner plays its own run; a finished run is replaced unmeasured ----------

    def _next_learner(self) -> tuple[dict, dict]:
        from django.test import Client

        answering = self.learners[1:]  # the first learner's run is the lesson page's, never answered
        learner = answering[self.index % len(answering)]
        self.index += 1
        if "clients" not in learner:
            api = Client(enforce_csrf_checks=True, headers={"Authorization": f"Token {learner['token']}"})
            page = Client(enforce_csrf_checks=True)
            page.cookies["sessionid"] = learner["session"]
            learner["clients"] = (api, page)
            self.runs[id(learner)] = self._public(learner["run"])
        run = self.runs[id(learner)]
        if not run["queue"]:
            run = self.runs[id(learner)] = self._start(learner)
        return learner, run

    @staticmethod
    def _public(run: dict) -> dict:
        return {
            "id": run["id"],
            "queue": list(run["queue"]),
            "public": {e["id"]: e["public"] for e in run["exercises"]},
        }

    def _start(self, learner: dict) -> dict:
        api = learner["clients"][0]
        response = api.post(f"/api/v1/lessons/{self.data['lesson']}/runs/", content_type="application/json")
        if response.status_code == 409:  # out of hearts (none are lost on right answers; kept for safety)
            api.post("/api/v1/me/hearts/refill/", content_type="application/json")
            response = api.post(f"/api/v1/lessons/{self.data['lesson']}/runs/", content_type="application/json")
        if response.status_code != 201:
            raise CommandError(f"starting a run: {response.status_code} {response.content[:300]!r}")
        return self._public(response.json())

    def _right(self, run: dict) -> tuple[int, object]:
        from bench.answers import right_answer

        exercise = run["queue"].pop(0)
        info = self.exercises[str(exercise)]
        return exercise, right_answer(info["type"], info["payload"], run["public"][exercise])

    def api_answer(self, profiled: bool = False) -> float:
        import uuid

        learner, run = self._next_learner()
        exercise, answer = self._right(run)
        body = {"exercise": exercise, "answer": answer, "client_id": str(uuid.uuid4())}
        api = learner["clients"][0]
        return self._timed(
            lambda: api.post(f"/api/v1/runs/{run['id']}/answers/", body, content_type="application/json"), 200
        )

    def page_answer(self, profiled: bool = False) -> float:
        import uuid

        from bench.answers import form_fields

        learner, run = self._next_learner()
        page = learner["clients"][1]
        if "csrf" not in learner:  # the player page's form token, read once (unmeasured)
            html = page.get(f"/runs/{run['id']}/").content.decode()
            learner["csrf"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        exercise, answer = self._right(run)
        post: dict[str, object] = {
            "csrfmiddlewaretoken": learner["csrf"],
            "exercise": exercise,
            "client_id": str(uuid.uuid4()),
            "time_spent_ms": 3000,
        }
        post |= form_fields(self.exercises[str(exercise)]["type"], answer, run["public"][exercise])
        return self._timed(
            lambda: page.post(
                f"/runs/{run['id']}/answer/",
                urlencode(post, doseq=True),  # as the player sends it (static/js/player.js)
                content_type="application/x-www-form-urlencoded",
                headers={"X-Mallard-Fragment": "1"},
            ),
            200,
        )
