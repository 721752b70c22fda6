"""The embedded default (no Redis) keeps its cache in files shared by every process of the checkout:
a content change made by one process (a `manage.py import_course` in another terminal) is seen by the
next request of the running server, instead of a per-process memory cache serving the old course
structure until it expires.

Each step runs in its own development-mode subprocess, because settings are read once, at import.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def run_in_development(code: str, cache_dir: Path, database: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_ENV="development",
        DJANGO_CACHE_DIR=str(cache_dir),
        DATABASE_URL=f"sqlite:///{database}",
    )
    script = f"import django; django.setup()\n{code}"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.slow
def test_a_content_change_in_one_process_is_seen_by_another(tmp_path):
    cache_dir, database = tmp_path / "cache", tmp_path / "db.sqlite3"
    read_version = "from courses.content_version import current_version; print(current_version())"
    backend = run_in_development(
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])", cache_dir, database
    )
    assert backend == "django.core.cache.backends.filebased.FileBasedCache"

    first = run_in_development(read_version, cache_dir, database)
    assert run_in_development(read_version, cache_dir, database) == first  # shared, not per process

    run_in_development("from courses.content_version import content_changed; content_changed()", cache_dir, database)
    after = run_in_development(read_version, cache_dir, database)
    assert after != first
    assert any(cache_dir.iterdir())
