"""The throw-away PostgreSQL database the benchmark commands fill and time, under the connection
alias ``bench`` (a copy of ``default``'s settings with another name)."""

import copy

from django.db import connections

ALIAS = "bench"


def create_bench_database(name: str) -> None:
    """(Re)create the database ``name`` and point the ``bench`` alias at it."""
    drop_bench_database(name)
    with connections["default"].cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {connections['default'].ops.quote_name(name)}")
    conf = copy.deepcopy(connections.settings["default"])
    conf["NAME"] = name
    connections.settings[ALIAS] = conf


def drop_bench_database(name: str) -> None:
    if ALIAS in connections.settings:
        connections[ALIAS].close()
    with connections["default"].cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connections['default'].ops.quote_name(name)} WITH (FORCE)")
