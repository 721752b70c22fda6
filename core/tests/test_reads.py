"""``core.reads.CompiledRead``: the ORM's statement, built once, run with new values; the same rows
as the queryset, converters applied (the SQLite run covers it too: dates and times go as text there)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.reads import CompiledRead

pytestmark = pytest.mark.django_db

STAND_IN_KEY = "stand-in-key-never-stored"


def _sessions(key: str, after):
    return Session.objects.filter(session_key=key, expire_date__gt=after).values_list("session_key", "expire_date")


def test_the_compiled_read_returns_what_the_queryset_returns_in_one_statement():
    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="x", expire_date=now + timedelta(days=1))
    Session.objects.create(session_key="b" * 32, session_data="y", expire_date=now - timedelta(days=1))
    read = CompiledRead(_sessions, key=STAND_IN_KEY, after=now - timedelta(days=9999))
    for key, after in [("a" * 32, now), ("b" * 32, now), ("b" * 32, now - timedelta(days=2)), ("c" * 32, now)]:
        with CaptureQueriesContext(connection) as queries:
            rows = read.rows(key=key, after=after)
        assert rows == list(_sessions(key, after)), (key, after)
        assert len(queries) == 1
    assert read.rows(key="a" * 32, after=now) == [("a" * 32, Session.objects.get(pk="a" * 32).expire_date)]
    assert read.rows(key="b" * 32, after=now) == []


def test_values_must_be_named_as_the_stand_ins_and_stand_ins_must_be_parameters():
    now = timezone.now()
    read = CompiledRead(_sessions, key=STAND_IN_KEY, after=now)
    with pytest.raises(TypeError):
        read.rows(key="a")
    unused = CompiledRead(lambda key, after: Session.objects.filter(session_key=key), key=STAND_IN_KEY, after=now)
    with pytest.raises(ValueError, match="after"):
        unused.rows(key="a", after=now)


@pytest.mark.sqlite_only
def test_the_compiled_read_on_sqlite():
    """On SQLite the dates go to the driver as text and come back through the ORM's converters."""
    test_the_compiled_read_returns_what_the_queryset_returns_in_one_statement()
