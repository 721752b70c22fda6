"""``make bench``: Mallard under gunicorn in production settings beside the smallest same-shape app,
driven by virtual learners (locust, headless); prints each request's throughput, p50/p90/p99 and the
ratio to the baseline, interleaved and repeated, then a Markdown table and the issue's targets
(docs/performance.md, "make bench"). PostgreSQL and Redis only (``DATABASE_URL``, ``REDIS_URL``).

Each Mallard tree measured (this checkout, and with ``--compare-ref REF`` the code of that commit,
checked out in a temporary git worktree and run with the same virtualenv) gets two throw-away
databases, migrated and filled by that tree's own commands: ``one`` (the demo course and the
learners, made by bench/prepare.py run inside the tree) and ``many`` (a copy of ``one`` plus a
200-lesson course and copies of the demo course, ``--courses`` in all; bench/courses.py). Each
database is served by its own gunicorn (``--workers`` sync workers, one thread each); the baseline
(bench/baseline.py) has its own database and the same workers. Then, after a warm-up round that is
not counted, for each of ``--repeat`` rounds and each scenario: this tree, the older tree, the
baseline, ``--seconds`` each with ``--users`` locust users.

Databases are named ``mallard_benchrun_<pid>_…`` (never ``test_…``, the test suite's), cache keys
are prefixed with the same, and everything — servers, databases, the worktree, the temporary
folder, the cache keys — is removed at the end, on an error or on Ctrl-C (``--keep`` keeps the databases).
"""

import csv
import functools
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from bench.courses import LEARNER_LANGUAGES
from gamification.management.appserver import Gunicorn
from gamification.management.benchdb import create_database, drop_database

BASE_DIR = Path(settings.BASE_DIR)
DEMO = "es"  # the demo course's slug
LONG = "benchlong"  # the 200-lesson course's slug
LONG_LESSONS = 200


@dataclass(frozen=True)
class Scenario:
    label: str  # the request, as the table names it
    locust: str  # BENCH_SCENARIO of bench/locustfile.py
    request: str  # the locust request name that is measured
    baseline: str  # the baseline request of the same shape: "read" or "write"
    database: str = "one"  # "one": the demo course only; "many": --courses courses
    course: str = DEMO  # the path page's course
    answers: bool = False  # plays runs: each measurement takes a fresh slice of learners


SCENARIOS = {
    "answer": Scenario("API answer submission", "answer", "answer", "write", answers=True),
    "page_answer": Scenario("page answer submission", "page_answer", "page answer", "write", answers=True),
    "lesson_page": Scenario("lesson page", "lesson_page", "lesson page", "read"),
    "path_page": Scenario("path page", "path_page", "path page", "read"),
    "me": Scenario("`GET /api/v1/me/`", "me", "me", "read"),
    "path_page_courses": Scenario("path page, N courses loaded", "path_page", "path page", "read", "many"),
    "path_page_long": Scenario("path page, 200-lesson course", "path_page", "path page", "read", "many", LONG),
}
#: (scenario, share of the baseline's requests/s, p90 at most (ms) or None) — issue 17's targets
TARGETS = [
    ("answer", 0.15, 100),
    ("page_answer", 0.15, 100),
    ("lesson_page", 0.20, None),
    ("me", 0.20, None),
    ("path_page", 0.10, None),
]
#: (the faster scenario, the slower one, its time at most this many times the faster's, what it says);
#: time per request from requests/s at the same concurrency
COMPARISONS = [
    (
        "path_page_courses",
        "path_page_long",
        1.5,
        "path page of the {lessons}-lesson course vs the demo course's (the same server, {courses} courses loaded)",
    ),
    (
        "path_page",
        "path_page_courses",
        1.1,  # "does not slow": within the rounds' noise
        "cost flat in the number of courses: the demo's path page with {courses} courses loaded vs with one",
    ),
]


@dataclass
class Target:
    """One app measured: a Mallard tree (its servers and learner data per database) or the baseline."""

    name: str
    tree: Path | None = None
    servers: dict[str, Gunicorn] = field(default_factory=dict)
    data: dict[str, Path] = field(default_factory=dict)
    slices: int = 0  # slice 0 of the learners is the lesson page's (runs never answered)


class Command(BaseCommand):
    help = "Benchmark learner requests against a same-shape baseline app (locust, gunicorn, production settings)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--learners",
            type=int,
            help="learners per database (default: enough for a fresh slice per answer measurement)",
        )
        parser.add_argument("--users", type=int, default=16, help="concurrent virtual learners (default 16)")
        parser.add_argument("--seconds", type=int, default=15, help="seconds per measurement (default 15)")
        parser.add_argument("--repeat", type=int, default=2, help="counted rounds of every scenario (default 2)")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers of each app (default 2)")
        parser.add_argument(
            "--courses", type=int, default=10, help="courses in the 'many' database (default 10: demo, 200-lesson, …)"
        )
        parser.add_argument(
            "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of {', '.join(SCENARIOS)}"
        )
        parser.add_argument(
            "--compare-ref",
            help="also measure Mallard as it was at this git commit (a temporary worktree), interleaved",
        )
        parser.add_argument("--keep", action="store_true", help="keep the databases (their names are printed)")

    def handle(self, *args, **options):
        if connections["default"].vendor != "postgresql" or not os.environ.get("REDIS_URL"):
            raise CommandError("bench_learners needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")
        scenarios = [s for s in options["scenarios"].split(",") if s]
        if unknown := set(scenarios) - set(SCENARIOS):
            raise CommandError(f"unknown scenarios: {', '.join(sorted(unknown))}")
        if not 2 <= options["courses"] <= 1 + len(LEARNER_LANGUAGES) and any(
            SCENARIOS[s].database == "many" for s in scenarios
        ):
            raise CommandError(
                f"--courses: from 2 (the demo course and the 200-lesson course) to {1 + len(LEARNER_LANGUAGES)}."
            )
        needed = options["users"] * (1 + sum(SCENARIOS[s].answers for s in scenarios) * (options["repeat"] + 1))
        if options["learners"] is None:
            options["learners"] = needed
        elif options["learners"] < needed:
            self.stderr.write(
                f"bench: {options['learners']} learners < {needed}: some measurements reuse learners whose runs "
                "were already played (their run starts are not counted but load the server)."
            )
        self.started = time.monotonic()
        self.run_id = f"mallard_benchrun_{os.getpid()}"
        self.secret_key = secrets.token_urlsafe(50)
        self.databases: list[str] = []
        self.worktree: Path | None = None
        self.work = Path(tempfile.mkdtemp(prefix="mallard-bench-"))
        targets: list[Target] = []
        # Ctrl-C and a kill clean up (SIGINT too: a shell starts background commands with it ignored)
        previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            trees = [("Mallard", BASE_DIR)]
            if options["compare_ref"]:
                trees.append(("before", self.add_worktree(options["compare_ref"])))
            needs_many = any(SCENARIOS[s].database == "many" for s in scenarios)
            for name, tree in trees:
                targets.append(self.mallard(name, tree, options, needs_many))
            targets.append(self.baseline(options))
            for target in targets:
                for server in target.servers.values():
                    if not server.wait_ready():
                        raise CommandError(f"{target.name}: a server did not start:\n{server.tail()}")
            measuring = time.monotonic()
            self.measure(scenarios, targets, options)
            self.stdout.write(
                f"\nSet-up {measuring - self.started:.0f} s, measurements {time.monotonic() - measuring:.0f} s."
            )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.clean_up(targets, options["keep"])

    # --- set-up -------------------------------------------------------------------------------

    def add_worktree(self, ref: str) -> Path:
        found = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],  # noqa: S607
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
        )
        if found.returncode != 0:
            raise CommandError(f"--compare-ref {ref}: not a commit of this repository ({found.stderr.strip()})")
        commit = found.stdout.strip()
        path = self.work / "worktree"
        self.step(f"a worktree of {ref} ({commit[:10]})", ["git", "worktree", "add", "--detach", str(path), commit])
        self.worktree = path
        self.stdout.write(f"before: {ref} = {commit}")
        return path

    def create_database(self, name: str, template: str | None = None) -> str:
        create_database(name, template=template)
        self.databases.append(name)
        return self.database_url(name)

    def mallard(self, name: str, tree: Path, options, needs_many: bool) -> Target:
        """Databases filled by the tree's own commands, static files collected, servers started."""
        target = Target(name, tree)
        key = f"{self.run_id}_{name.lower()}"
        manage = [sys.executable, "manage.py"]
        one = self.create_database(f"{key}_one")
        dev = {**self.base_env(), "DJANGO_ENV": "development", "DATABASE_URL": one, "CACHE_KEY_PREFIX": key}
        # The sessions bench/prepare.py stores are signed with the key the servers use: the same one.
        dev["DJANGO_SECRET_KEY"] = self.secret_key
        self.step(f"{name}: migrating", [*manage, "migrate", "--no-input"], dev, tree)
        self.step(f"{name}: importing the demo course", [*manage, "import_course", "demo/spanish.yaml"], dev, tree)
        target.data["one"] = self.work / f"{name}-learners.json"
        prepare = [sys.executable, str(BASE_DIR / "bench" / "prepare.py")]
        learners = [*prepare, "learners", str(target.data["one"]), str(options["learners"]), DEMO]
        self.step(f"{name}: making {options['learners']} learners", learners, dev, tree)
        databases = {"one": one}
        if needs_many:
            from bench import courses

            many = self.create_database(f"{key}_many", template=f"{key}_one")
            dev_many = {**dev, "DATABASE_URL": many}
            files = self.work / f"{name}-courses"
            files.mkdir()
            made = [courses.long_course(LONG, LONG_LESSONS, demo=tree / "demo" / "spanish.yaml")]
            made += [
                courses.demo_copy(f"benchcopy{n}", n, demo=tree / "demo" / "spanish.yaml")
                for n in range(1, options["courses"] - 1)
            ]
            for course in made:
                path = courses.write(course, files)
                self.step(f"{name}: importing {path.name}", [*manage, "import_course", str(path)], dev_many, tree)
            self.step(f"{name}: enrolling the learners in {LONG}", [*prepare, "enrol", LONG], dev_many, tree)
            target.data["many"] = target.data["one"]  # the same learners, tokens and sessions (a copy)
            databases["many"] = many
        static = self.work / f"{name}-static"
        self.step(
            f"{name}: collecting static files",
            [*manage, "collectstatic", "--no-input", "-v", "0"],
            self.production(one, static, key),
            tree,
        )
        for database, url in databases.items():
            env = self.production(url, static, f"{key}_{database}")
            target.servers[database] = Gunicorn(env=env, options=self.worker_options(options), cwd=tree)
        return target

    def baseline(self, options) -> Target:
        url = self.create_database(f"{self.run_id}_baseline")
        env = {**self.base_env(), "BASELINE_DATABASE_URL": url}
        self.step("the baseline's tables", [sys.executable, "-m", "bench.baseline", "setup"], env)
        server = Gunicorn(env=env, options=self.worker_options(options), app="bench.baseline:application")
        # Both baseline requests come from the one server, whichever database Mallard's scenario uses.
        return Target("baseline", servers={"one": server, "many": server})

    @staticmethod
    def worker_options(options) -> list[str]:
        # gunicorn.conf.py's timeouts and logging for every app: the same harness
        return ["--workers", str(options["workers"]), "--worker-class", "sync", "--threads", "1"]

    @staticmethod
    def base_env() -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_", "CACHE_"))}

    def production(self, url: str, static: Path, prefix: str) -> dict[str, str]:
        return {
            **self.base_env(),
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": url,
            "DJANGO_STATIC_ROOT": str(static),
            "CACHE_KEY_PREFIX": prefix,
            "THROTTLE_ANSWERS": "1000000/min",  # virtual learners answer far faster than people
        }

    def step(self, what: str, args: list[str], env: dict[str, str] | None = None, cwd: Path = BASE_DIR) -> None:
        self.stderr.write(f"bench: {what} …", ending="")
        self.stderr.flush()
        started = time.monotonic()
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)  # noqa: S603
        self.stderr.write(f" {time.monotonic() - started:.0f} s")
        if done.returncode != 0:
            raise CommandError(f"{what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")

    @staticmethod
    def database_url(name: str) -> str:
        conf = connections["default"].settings_dict
        auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf["PASSWORD"] else "")
        return f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"

    def clean_up(self, targets: list[Target], keep: bool) -> None:
        """Servers stopped, databases dropped (unless kept), the run's cache keys deleted, the worktree and
        the folder removed; each step runs even if an earlier one failed (the first failure is raised
        at the end, the others written out)."""
        steps: list[Callable[[], object]] = [s.stop for t in targets for s in set(t.servers.values())]
        if keep:
            self.stdout.write(f"bench: kept the databases {', '.join(self.databases)}")
        else:
            steps += [functools.partial(drop_database, name) for name in self.databases]
        steps.append(self.clear_cache_keys)
        if self.worktree is not None:
            steps.append(self.remove_worktree)
        steps.append(functools.partial(shutil.rmtree, self.work, ignore_errors=True))
        failed: list[BaseException] = []
        for step in steps:
            try:
                step()
            except Exception as exc:  # every step runs; the failures are reported below
                self.stderr.write(f"bench: cleaning up: {exc}")
                failed.append(exc)
        if failed:
            raise failed[0]

    def remove_worktree(self) -> None:
        subprocess.run(["git", "worktree", "remove", "--force", str(self.worktree)], cwd=BASE_DIR)  # noqa: S603,S607
        subprocess.run(["git", "worktree", "prune"], cwd=BASE_DIR)  # noqa: S607

    def clear_cache_keys(self) -> None:
        """The keys the servers and set-up steps wrote in Redis (all under this run's prefix)."""
        import redis

        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        for key in client.scan_iter(match=f"{self.run_id}_*", count=1000):
            client.delete(key)

    # --- the measurements ---------------------------------------------------------------------

    def measure(self, scenarios: list[str], targets: list[Target], options) -> None:
        results: dict[tuple[str, str], list[dict]] = {}
        names = [t.name for t in targets]
        self.stdout.write(
            f"\n{options['users']} users, {options['seconds']} s each, {options['workers']} sync workers per app, "
            f"{options['repeat']} rounds after a warm-up; in each round every scenario against "
            f"{', then '.join(names)}\n"
        )
        self.stdout.write(self.header(targets))
        for round_ in range(options["repeat"] + 1):
            # Round 0 warms up, not counted: each worker's first requests read the course's structure
            # into the cache, load the answer checker's language tables and compile templates.
            seconds = max(3, options["seconds"] // 2) if round_ == 0 else options["seconds"]
            for name in scenarios:
                scenario = SCENARIOS[name]
                row = {}
                for target in targets:
                    row[target.name] = self.locust(scenario, target, round_, seconds, options)
                    if round_:
                        results.setdefault((name, target.name), []).append(row[target.name])
                if round_:
                    self.stdout.write(self.line(str(round_), name, targets, row))
        medians = {key: {k: statistics.median(r[k] for r in rows) for k in rows[0]} for key, rows in results.items()}
        self.stdout.write("\nMedian over the rounds:")
        self.stdout.write(self.header(targets))
        for name in scenarios:
            self.stdout.write(self.line("all", name, targets, {t.name: medians[(name, t.name)] for t in targets}))
        self.stdout.write("\n" + self.table(scenarios, targets, medians, options))
        self.stdout.write("\n" + self.targets(scenarios, targets, medians, options))

    def header(self, targets: list[Target]) -> str:
        head = f"{'round':>5} {'scenario':<18}"
        for target in targets:
            head += f" | {target.name[:9]:>9} /s {'p50':>5} {'p90':>5} {'p99':>5} {'cpu':>5}"
        return head + f" | {'ratio':>6}" + ("".join(f" {t.name[:6] + ' ratio':>13}" for t in targets[1:-1])) + " fail"

    def line(self, round_: str, name: str, targets: list[Target], row: dict[str, dict]) -> str:
        text = f"{round_:>5} {name:<18}"
        for target in targets:
            r = row[target.name]
            text += f" | {r['rps']:>12.1f} {r['p50']:>5.0f} {r['p90']:>5.0f} {r['p99']:>5.0f} {r['cpu_ms']:>5.1f}"
        base = row[targets[-1].name]["rps"]
        ratios = [row[t.name]["rps"] / base if base else 0.0 for t in targets[:-1]]
        text += f" | {ratios[0]:>6.3f}" + "".join(f" {r:>13.3f}" for r in ratios[1:])
        return text + f" {int(sum(r['failures'] for r in row.values())):>4}"

    def table(self, scenarios: list[str], targets: list[Target], medians: dict, options) -> str:
        """The Markdown table for docs/performance.md (medians over the rounds)."""
        base, before = targets[-1].name, (targets[1].name if len(targets) == 3 else None)
        head = (
            f"| request ({options['users']} learners) | Mallard /s | p50 / p90 / p99 ms "
            "| baseline (same shape) /s | p50 / p90 / p99 ms | ratio |"
        )
        rule = "| --- | ---: | --- | ---: | --- | ---: |"
        if before:
            head += " before /s | before p50 / p90 / p99 ms | before ratio |"
            rule += " ---: | --- | ---: |"
        lines = [head, rule]
        for name in scenarios:
            scenario = SCENARIOS[name]
            ours, theirs = medians[(name, "Mallard")], medians[(name, base)]
            label = scenario.label.replace("N courses", f"{options['courses']} courses")
            if scenario.locust == "path_page" and ours["bytes"]:
                label += f" ({ours['bytes'] / 1000:.0f} KB)"
            row = (
                f"| {label} | {ours['rps']:.1f} | {_ms(ours)} | {theirs['rps']:.1f} ({scenario.baseline}) "
                f"| {_ms(theirs)} | **{_ratio(ours, theirs):.3f}** |"
            )
            if before:
                old = medians[(name, before)]
                row += f" {old['rps']:.1f} | {_ms(old)} | {_ratio(old, theirs):.3f} |"
            lines.append(row)
        lines += [
            "",
            "App servers' CPU time per request served (ms: the gunicorn master and workers, user + system, "
            "over every request of the measurement):",
            "",
            "| request | " + " | ".join(t.name for t in targets) + " |",
            "| --- |" + " ---: |" * len(targets),
        ]
        for name in scenarios:
            cells = " | ".join(f"{medians[(name, t.name)]['cpu_ms']:.2f}" for t in targets)
            lines.append(f"| {SCENARIOS[name].label} | {cells} |")
        return "\n".join(lines)

    def targets(self, scenarios: list[str], targets: list[Target], medians: dict, options) -> str:
        base = targets[-1].name
        lines = ["Targets (issue 17), Mallard now:"]
        for name, share, p90 in TARGETS:
            if name not in scenarios:
                continue
            ours = medians[(name, "Mallard")]
            ratio = _ratio(ours, medians[(name, base)])
            met = ratio >= share and (p90 is None or ours["p90"] <= p90)
            wanted = f">= {share:.2f} of the baseline" + (f", p90 <= {p90} ms" if p90 else "")
            got = f"{ratio:.3f}" + (f", p90 {ours['p90']:.0f} ms" if p90 else "")
            lines.append(f"- {SCENARIOS[name].label}: {wanted}: {got}: {'met' if met else 'MISSED'}")
        for fast, slow, limit, text in COMPARISONS:
            if {fast, slow} <= set(scenarios):
                for target in targets[:-1]:
                    times = _slower(medians[(fast, target.name)], medians[(slow, target.name)])
                    verdict = ("met" if times <= limit else "MISSED") if target.name == "Mallard" else "(before)"
                    what = text.format(courses=options["courses"], lessons=LONG_LESSONS)
                    got = f"{times:.2f}x" if times != float("inf") else "no request answered in the time"
                    lines.append(f"- {what}, at most {limit}x the time: {target.name} {got}: {verdict}")
        return "\n".join(lines)

    def locust(self, scenario: Scenario, target: Target, round_: int, seconds: int, options) -> dict:
        if target.name == "baseline":
            locust_scenario, request, data = scenario.baseline, scenario.baseline, None
        else:
            locust_scenario, request, data = scenario.locust, scenario.request, target.data[scenario.database]
        server = target.servers[scenario.database]
        prefix = self.work / f"{target.name}-{round_}-{scenario.label.replace(' ', '_').replace('/', '')}"
        args = [str(Path(sys.executable).parent / "locust"), "-f", "bench/locustfile.py", "--headless"]
        args += ["-u", str(options["users"]), "-r", str(options["users"]), "-t", f"{seconds}s"]
        args += ["--host", server.url, "--csv", str(prefix), "--only-summary"]
        args += ["--loglevel", "WARNING", "--exit-code-on-error", "0"]
        learners_slice = 0
        if scenario.answers and data is not None:
            target.slices += 1
            learners_slice = target.slices
        env = {
            **os.environ,
            "BENCH_SCENARIO": locust_scenario,
            "BENCH_DATA": str(data or ""),
            "BENCH_USERS": str(options["users"]),
            "BENCH_SLICE": str(learners_slice),
            "BENCH_COURSE": scenario.course,
        }
        cpu_before = server.cpu_seconds()
        done = subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True)  # noqa: S603
        cpu = server.cpu_seconds() - cpu_before
        stats = Path(f"{prefix}_stats.csv")
        if done.returncode != 0 or not stats.exists():
            raise CommandError(f"locust failed ({scenario.label}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        with stats.open() as f:
            rows = list(csv.DictReader(f))
        row = next((r for r in rows if r["Name"] == request), None)
        # Every request the server answered in the time (a run's start and a refill too, not only the
        # measured ones): the app servers' CPU time is spread over them all.
        served = sum(float(r["Request Count"]) for r in rows if r["Name"] != "Aggregated")
        if row is None:  # nothing answered in the time (an overloaded machine): shown as 0
            row = {"Requests/s": 0, "50%": 0, "90%": 0, "99%": 0, "Failure Count": 0, "Average Content Size": 0}
        return {
            "cpu_ms": cpu * 1000 / served if served else 0.0,
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p90": float(row["90%"]),
            "p99": float(row["99%"]),
            "failures": float(row["Failure Count"]),
            "bytes": float(row["Average Content Size"]),
        }


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _ms(r: dict) -> str:
    return f"{r['p50']:.0f} / {r['p90']:.0f} / {r['p99']:.0f}"


def _ratio(ours: dict, theirs: dict) -> float:
    return ours["rps"] / theirs["rps"] if theirs["rps"] else 0.0


def _slower(fast: dict, slow: dict) -> float:
    """How many times the time of a request ``slow`` takes compared with ``fast`` (from requests/s
    at the same concurrency)."""
    return fast["rps"] / slow["rps"] if slow["rps"] else float("inf")
