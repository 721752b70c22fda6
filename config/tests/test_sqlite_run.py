"""The SQLite run: the tests that must hold on SQLite (the `make run` default) run there too.

The suite's database is PostgreSQL. This test runs the job tests, the SQLite write tests, the checkpoint and
timed-practice tests and the bubble pipeline and player tests again in a subprocess, with ``DATABASE_URL``
pointing at a SQLite file in a temporary directory and no Redis (as on a bare laptop): pytest-django
migrates a SQLite test database beside it, and every job runs its real SQL on SQLite, checked by the same
assertions as on PostgreSQL. Tests marked ``postgresql_only`` (parallel connections, the benchmark data
generator) and the real Celery worker test are left out of that run; tests marked ``sqlite_only`` run
only there.
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.postgresql_only, pytest.mark.slow]

BASE = Path(settings.BASE_DIR)
#: Test modules the SQLite run covers: every job test and the SQLite write race…
JOB_TESTS = sorted(str(p.relative_to(BASE)) for p in (BASE / "gamification" / "tests").glob("test_jobs_*.py"))
#: …the authors' bulk moves and duplicates (ordinals renumbered on SQLite's immediate checks), bubbles
#: generated and played with Celery eager (against the fake model provider), audio generated from admin
#: inline and the playable preview.
SQLITE_RUN = [
    *JOB_TESTS,
    "gamification/tests/test_sqlite_writes.py",
    "gamification/tests/test_checkpoints.py",
    "gamification/tests/test_timed_practice.py",
    "courses/tests/test_bulk.py",
    "bubbles/tests/test_pipeline.py",
    "bubbles/tests/test_play_and_isolation.py",
    # authors' tools on the laptop default: audio made inline (eager task), the playable preview
    "courses/tests/test_admin_audio.py",
    "gamification/tests/test_preview.py",
    # hot reads built once per process (core.reads): dates and times as SQLite takes them, and the
    # session and the session's user read that way on every signed-in request
    "core/tests/test_reads.py",
    "gamification/tests/test_compiled_statements.py",
    "accounts/tests/test_sessions.py",
    "accounts/tests/test_user_read.py",
    # the course structures each process keeps, and the path page on them (the id lists as IN (…))
    "progress/tests/test_structure_cache.py",
    "progress/tests/test_path_fragments.py",
]


def test_jobs_and_writes_pass_on_a_sqlite_file(tmp_path):
    report = tmp_path / "report.xml"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'mallard.sqlite3'}"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not celery_worker"]
    command += ["--create-db", f"--junitxml={report}", *SQLITE_RUN]
    done = subprocess.run(command, cwd=BASE, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]

    cases = ET.parse(report).getroot().iter("testcase")  # noqa: S314 - our own subprocess wrote it
    outcomes = {f"{c.get('classname')}.{c.get('name')}": [child.tag for child in c] for c in cases}
    assert not [name for name, tags in outcomes.items() if tags], "not passed on SQLite"
    modules = {name.split(".")[2] for name in outcomes}
    assert modules == {Path(p).stem for p in SQLITE_RUN}, modules  # every module ran some tests there
    assert any("test_an_answer_waits_for_a_command_holding_the_write_lock" in name for name in outcomes)
    assert any("test_sqlite_has_one_writer_so_workers_are_refused" in name for name in outcomes)
    assert len(outcomes) >= 50
