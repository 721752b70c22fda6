"""Two app server processes (gunicorn, as in production) against one database — straight, and through
PgBouncer in transaction mode — the racing requests of test_races.py sent to both at once over HTTP,
then the ledger and the no-double-award rules checked (docs/deploy.md, "Invariants across servers").

Each server is a real gunicorn master with one worker of four threads, on its own port, serving the
test database (committed rows: a transactional test). A request is sent to server A or B by a thread
each; a barrier releases the threads together.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.db.models import Count
from rest_framework.authtoken.models import Token

from courses.tests.sample_courses import make_course
from gamification.management.appserver import Gunicorn, LoggedProcess, free_port
from gamification.models import LedgerEntry, UserAchievement, Wallet
from gamification.services.ledger import check_ledger
from gamification.tests.helpers import RIGHT
from progress.models import ExerciseAttempt, LessonProgress, LessonRun

pytestmark = [pytest.mark.slow, pytest.mark.postgresql_only]

BASE_DIR = Path(__file__).resolve().parents[2]


class Server(Gunicorn):
    """A gunicorn process serving the test database (one worker of four threads)."""

    def __init__(self, database_url: str, extra: dict[str, str]) -> None:
        env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_CONN_MAX_AGE": "60", **extra}
        super().__init__(env=env, options=["--workers", "1", "--threads", "4"])

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1/"


class PgBouncer(LoggedProcess):
    """PgBouncer in transaction mode in front of the test database's server: two server connections
    shared by every client, so consecutive transactions of one client run on different connections.
    (PgBouncer refuses to run as root: as root it is started as the ``postgres`` user.)"""

    def __init__(self, host: str, port: int, user: str) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="mallard-pgbouncer-"))
        self.folder.chmod(0o755)
        ini = self.folder / "pgbouncer.ini"
        ini.write_text(
            f"[databases]\n* = host={host} port={port} user={user}\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            "auth_type = any\npool_mode = transaction\ndefault_pool_size = 2\nmax_client_conn = 200\n"
            "server_reset_query =\nlogfile =\npidfile =\nignore_startup_parameters = extra_float_digits\n"
        )
        ini.chmod(0o644)
        user = ["-u", "postgres"] if os.geteuid() == 0 else []
        pgbouncer = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        super().__init__([pgbouncer, *user, str(ini)], env=dict(os.environ), cwd=self.folder, ready_text="process up")

    def stop(self, timeout: float = 30) -> None:
        super().stop(timeout)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(params=["direct", "pgbouncer"])
def servers(request):
    """Two app servers on the test database: straight to PostgreSQL, or through PgBouncer in
    transaction mode (``DJANGO_DB_TRANSACTION_POOLING``, docs/deploy.md)."""
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)
    bouncer = None
    extra: dict[str, str] = {}
    if request.param == "pgbouncer":
        bouncer = PgBouncer(host, port, settings["USER"] or "postgres")
        assert bouncer.wait_ready(timeout=60), bouncer.tail()
        host, port = "127.0.0.1", bouncer.port
        extra = {"DJANGO_DB_TRANSACTION_POOLING": "true"}
    database_url = f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{host}:{port}/{settings['NAME']}"
    pair = [Server(database_url, extra), Server(database_url, extra)]
    try:
        for server in pair:
            assert server.wait_ready(timeout=120), server.tail()
        yield pair
        if bouncer is not None:  # check_ledger reads wallets in chunks (QuerySet.iterator): through PgBouncer too
            env = {**os.environ, "DATABASE_URL": database_url, **extra}
            result = subprocess.run(
                [sys.executable, "manage.py", "check_ledger"], cwd=BASE_DIR, env=env, capture_output=True, text=True
            )
            assert result.returncode == 0, result.stdout + result.stderr
    finally:
        for server in pair:
            server.stop()
        if bouncer is not None:
            bouncer.stop()


def together(calls):
    """Run the calls in threads released at once by a barrier; return their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def work(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # asserted by the test
            results[i] = error

    threads = [threading.Thread(target=work, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_app_servers_racing_one_learner_award_nothing_twice(servers, user):
    _course, (lesson, _) = make_course(exercises=3)
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    a, b = servers

    def post(server, path, body=None):
        def call():
            return requests.post(server.api + path, json=body, headers=headers, timeout=60)

        return call

    # Two starts of the same lesson, one on each server: one run.
    starts = together([post(a, f"lessons/{lesson.slug}/runs/"), post(b, f"lessons/{lesson.slug}/runs/")])
    assert [r.status_code for r in starts] == [201, 201], [r.content for r in starts]
    assert len({r.json()["id"] for r in starts}) == 1
    run = starts[0].json()
    assert LessonRun.objects.filter(user=user, lesson=lesson, status="active").count() == 1

    # The same answer (one client_id) four times on each server: one attempt, one award.
    first, client_id = run["queue"][0], str(uuid.uuid4())
    body = {"exercise": first, "answer": RIGHT, "client_id": client_id}
    same = together([post(server, f"runs/{run['id']}/answers/", body) for server in (a, b) * 4])
    assert [r.status_code for r in same] == [200] * 8, [r.content for r in same]
    assert sorted(r.json()["repeated"] for r in same) == [False] + [True] * 7
    assert len({r.json()["attempt_id"] for r in same}) == 1
    assert ExerciseAttempt.objects.filter(user=user, client_id=client_id).count() == 1
    assert LedgerEntry.objects.filter(user=user, key=f"run:{run['id']}:ex:{first}:xp").count() == 1

    # The second exercise, then two different answers to the last one, one on each server: one pass.
    second = LessonRun.objects.get(pk=run["id"]).queue[0]
    body = {"exercise": second, "answer": RIGHT, "client_id": str(uuid.uuid4())}
    assert post(a, f"runs/{run['id']}/answers/", body)().status_code == 200
    last = LessonRun.objects.get(pk=run["id"]).queue[0]
    finishing = together(
        [
            post(
                server,
                f"runs/{run['id']}/answers/",
                {"exercise": last, "answer": RIGHT, "client_id": str(uuid.uuid4())},
            )
            for server in (a, b)
        ]
    )
    codes = sorted(r.status_code for r in finishing)
    assert codes == [200, 409], [r.content for r in finishing]  # the loser: the run is finished
    passed = next(r.json() for r in finishing if r.status_code == 200)
    assert passed["run_status"] == "passed"

    finished = LessonRun.objects.get(pk=run["id"])
    assert (finished.status, finished.answers_count) == ("passed", 3)
    assert LessonProgress.objects.get(user=user, lesson=lesson).passes == 1
    assert LedgerEntry.objects.filter(user=user, key=f"run:{run['id']}:gems").count() == 1
    exercise_xp = LedgerEntry.objects.filter(user=user, reason="exercise").values_list("amount", flat=True)
    assert sorted(exercise_xp) == [10, 10, 10]  # one award per exercise
    # No ledger key twice (each award has its own key), no achievement twice, totals = ledger sums.
    assert not LedgerEntry.objects.values("user", "key").annotate(n=Count("pk")).filter(n__gt=1).exists()
    held = UserAchievement.objects.filter(user=user)
    assert held.count() == held.values("achievement").distinct().count()
    wallet = Wallet.objects.get(user=user)
    assert wallet.xp_total == sum(LedgerEntry.objects.filter(user=user, currency="xp").values_list("amount", flat=True))
    assert check_ledger() == []
