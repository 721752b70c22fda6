"""Hostile input to the API: a clear 4xx in the error shape, nothing written — never a 500."""

import pytest

from .helpers import API, assert_error, client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days", ["7.0", "7.", "+7", " 7", "7 ", "1e1", "\u0667", "0x7", "9" * 5000])
def test_days_query_accepts_only_plain_digits(user, days):
    assert_error(client_for(user).get(f"{API}me/daily-xp/", {"days": days}), 400, "invalid", "days")


def test_days_query_plain_digits_still_work(user):
    assert client_for(user).get(f"{API}me/daily-xp/", {"days": "007"}).json()["days"] == 7
