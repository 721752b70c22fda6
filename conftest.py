"""Fixtures shared by every app's tests."""

import pytest

from accounts.tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """Give every transactional test ``serialized_rollback``.

    A transactional test empties the tables when it ends. Django then either re-creates content
    types and permissions through post_migrate (plain tests) or restores the serialized rows,
    including the data migrations' achievements and groups (serialized tests). Mixing the two
    fails on content types that were re-created under other ids. So every transactional test here
    runs serialized, and the seeded rows are present for each of them.
    """
    for item in items:
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


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttles and lockouts live in the cache: every test starts with an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield
