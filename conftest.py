"""Fixtures shared by every app's tests."""

import pytest

from accounts.tests.factories import UserFactory

# Tests with these markers are slow too (a browser, a real Celery worker): they also get ``slow``.
SLOW_MARKERS = ("browser", "celery_worker")


def pytest_sessionstart(session):
    """Compile the interface's translation catalogues (pure Python, milliseconds) so a bare ``pytest``
    serves the Spanish pages as ``make test`` does (docs/i18n.md)."""
    from core.i18n import compile_catalogues

    compile_catalogues()


def pytest_collection_modifyitems(config, items):
    """Mark browser and Celery-worker tests ``slow``, and give every transactional test ``serialized_rollback``.

    A transactional test empties the tables when it ends. Django then either re-creates content
    types and permissions through post_migrate (plain tests) or restores the serialized rows,
    including the data migrations' achievements and groups (serialized tests). Mixing the two
    fails on content types that were re-created under other ids. So every transactional test here
    runs serialized, and the seeded rows are present for each of them.
    """
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_MARKERS):
            item.add_marker(pytest.mark.slow)
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}), append=False
            )
    _deselect_other_databases(config, items)


def _deselect_other_databases(config, items):
    """``sqlite_only`` tests run only on SQLite, ``postgresql_only`` tests only on PostgreSQL; the others
    on either. Deselected, not skipped: the suite on PostgreSQL runs the SQLite tests in a subprocess
    on a SQLite file (config/tests/test_sqlite_run.py) and checks that they ran."""
    from django.conf import settings

    vendor = "sqlite" if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else "postgresql"
    other = {"sqlite": "postgresql_only", "postgresql": "sqlite_only"}[vendor]
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker(other) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _default_interface_language():
    """Every test starts in the default interface language: a request (the test client's) activates
    its learner's or its Accept-Language's language in this thread and leaves it active after it."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def learner(client, user):
    """``user``, logged in on the test client."""
    client.force_login(user)
    return user


@pytest.fixture
def assert_valid_saved_row():
    """assert_valid_saved_row(row): the row is saved and passes model validation (field choices and
    limits, check and unique constraints). An empty JSON list or object counts as a value."""
    from django.db.models import JSONField

    def check(row) -> None:
        assert type(row)._default_manager.filter(pk=row.pk).exists()
        fields = row._meta.fields
        empty_json = {f.name for f in fields if isinstance(f, JSONField) and getattr(row, f.attname) in ([], {})}
        row.full_clean(exclude=empty_json)

    return check


@pytest.fixture(scope="session", autouse=True)
def _cache_of_this_worker(worker_id):
    """Under pytest-xdist the workers share one Redis database: each keeps its keys under a prefix of its own."""
    if worker_id == "master":
        yield
        return
    from django.conf import settings
    from django.test import override_settings

    caches = {**settings.CACHES, "default": {**settings.CACHES["default"]}}
    caches["default"]["KEY_PREFIX"] = f"{caches['default'].get('KEY_PREFIX', '')}-{worker_id}"
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttles and lockouts live in the cache: every test starts with an empty one.

    On Redis only the keys under this run's (and this worker's) prefix are deleted: ``clear()``
    would empty the whole Redis database, which other pytest-xdist workers may be using.
    """
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(None, write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    yield


@pytest.fixture
def fake_llm(settings, monkeypatch):
    """A fake model provider on 127.0.0.1 (core/tests/fake_llm.py), configured as the provider.

    The client's retry waits are recorded in ``fake_llm.sleeps`` instead of slept."""
    import core.llm.client as llm_client
    from core.tests.fake_llm import FakeLLMServer

    server = FakeLLMServer().start()
    settings.LLM_BASE_URL = server.base_url
    settings.LLM_MODEL = server.model
    settings.LLM_API_KEY = "test-key"
    settings.LLM_TIMEOUT = 5.0
    settings.LLM_MAX_RETRIES = 2
    settings.LLM_MAX_RETRY_WAIT = 30.0
    settings.LLM_MONTHLY_COST_CAP = None
    settings.LLM_PRICE_PROMPT_PER_MILLION = "0"
    settings.LLM_PRICE_COMPLETION_PER_MILLION = "0"
    monkeypatch.setattr(llm_client, "default_sleep", server.sleeps.append)
    yield server
    server.stop()


@pytest.fixture
def celery_worker_app():
    """A Celery app on the test's Redis (``REDIS_URL``), not eager, with a queue of its own so no other
    worker on that Redis takes the test's tasks; for ``celery.contrib.testing.worker.start_worker``.

    start_worker makes its app the current and default one, which every @shared_task then resolves to
    (not eager): the project's app is put back afterwards, or later tests in this process would queue
    their tasks to a closed app instead of running them eagerly."""
    import os
    import uuid

    from celery import Celery
    from celery._state import get_current_app

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    previous = get_current_app()
    app = Celery("mallard-worker-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_always_eager=False,
        task_default_queue=f"mallard-test-{uuid.uuid4().hex}",
        broker_connection_retry_on_startup=False,
    )
    app.loader.import_default_modules()
    app.finalize()
    yield app
    app.close()
    previous.set_current()
    previous.set_default()
