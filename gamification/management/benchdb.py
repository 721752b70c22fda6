"""The throw-away PostgreSQL databases the benchmark commands fill and time; ``create_bench_database``
also points the connection alias ``bench`` (a copy of ``default``'s settings with another name) at one.

They are created and dropped through the server's maintenance database (Django's own way, as for test
databases), so the configured database (``DATABASE_URL``) need not exist: the benchmarks never use it.
"""

import copy

from django.db import connections

ALIAS = "bench"


def create_database(name: str, *, template: str | None = None) -> None:
    """(Re)create the database ``name``, empty or a copy of ``template``."""
    quote = connections["default"].ops.quote_name
    drop_database(name)
    with connections["default"]._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quote(name)}" + (f" TEMPLATE {quote(template)}" if template else ""))


def drop_database(name: str) -> None:
    """Drop the database ``name`` if it exists, closing anyone's connections to it."""
    with connections["default"]._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connections['default'].ops.quote_name(name)} WITH (FORCE)")


def create_bench_database(name: str) -> None:
    """(Re)create the database ``name`` and point the ``bench`` alias at it."""
    drop_bench_database(name)
    create_database(name)
    conf = copy.deepcopy(connections.settings["default"])
    conf["NAME"] = name
    connections.settings[ALIAS] = conf


def drop_bench_database(name: str) -> None:
    if ALIAS in connections.settings:
        connections[ALIAS].close()
    drop_database(name)
