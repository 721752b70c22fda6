"""Fixtures shared by every app's tests."""

import pytest

from accounts.tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttles and lockouts live in the cache: every test starts with an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield
