"""Synthetic league weeks for ``manage.py bench_league_close``, generated inside PostgreSQL with
``INSERT … SELECT … FROM generate_series(…)`` (nothing per row in Python), fixed random seed.

For ``learners`` learners in the week starting ``week``: learner ``g`` (1 … n) plays division
``(g - 1) % 10``; the k-th learner of a division sits in seat ``k % 30 + 1`` of cohort ``k // 30 + 1``
(full cohorts of 30, as joins in order make them); XP uniform 1-500 with 5 % at 0 (corrected
away); ``reached_at`` uniform over the week; 2 % hidden from leaderboards (after joining); one
wallet per learner. User and wallet columns are filled from the models' own defaults, so new
columns do not break the generator.
"""

import json
from datetime import date, datetime

from django.db import connections

from accounts.models import User

from ..models import COHORT_SIZE, DIVISIONS, LeagueCohort, LeagueDivisionWeek, LeagueMembership, LeagueWeek, Wallet


def _columns(model, overrides: dict[str, tuple[str, list]]) -> tuple[str, str, list]:
    """``(column list, expression list, parameters)`` for every concrete column of ``model``: the raw-SQL
    expression (with its parameters) in ``overrides``, else the field's default as a parameter."""
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.name in overrides:
            expression, values = overrides[field.name]
            expressions.append(expression)
            params.extend(values)
        else:
            expressions.append("%s")
            default = field.get_default()  # None (NULL) for a nullable field without one
            params.append(json.dumps(default) if field.get_internal_type() == "JSONField" else default)
    return ", ".join(columns), ", ".join(expressions), params


def fill_league(*, using: str, learners: int, week: date, now: datetime, seed: float = 0.42) -> dict[str, int]:
    qn = connections[using].ops.quote_name
    t = {
        m: qn(m._meta.db_table) for m in (User, Wallet, LeagueWeek, LeagueDivisionWeek, LeagueCohort, LeagueMembership)
    }
    divisions = len(DIVISIONS)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute("SET session_replication_role = replica")
        columns, expressions, params = _columns(
            User,
            {
                "password": ("'!'", []),
                "email": ("'bench' || g || '@example.com'", []),
                "display_name": ("'Learner ' || g", []),
                "date_joined": ("%s", [now]),
                "hide_from_leaderboards": ("(g %% 50 = 0)", []),
                "last_login": ("NULL", []),
                "avatar": ("''", []),
            },
        )
        cursor.execute(
            f"INSERT INTO {t[User]} ({columns}) SELECT {expressions} FROM generate_series(1, %s) AS g",  # noqa: S608
            [*params, learners],
        )
        columns, expressions, params = _columns(
            Wallet, {"user": ("u.id", []), "hearts_anchor_at": ("%s", [now]), "updated_at": ("%s", [now])}
        )
        cursor.execute(f"INSERT INTO {t[Wallet]} ({columns}) SELECT {expressions} FROM {t[User]} u", params)  # noqa: S608
        cursor.execute(f"INSERT INTO {t[LeagueWeek]} (week_start) VALUES (%s)", [week])  # noqa: S608
        # Learner number g = 1 + (id - first id); its division and place in join order.
        cursor.execute(f"SELECT min(id) FROM {t[User]}")  # noqa: S608
        first = cursor.fetchone()[0]
        cursor.execute(
            f"""
            INSERT INTO {t[LeagueDivisionWeek]} (week_start, division, joined)
            SELECT %(week)s, d, count(*) FROM (
                SELECT (id - %(first)s) %% %(divisions)s AS d FROM {t[User]}
            ) AS x GROUP BY d
            """,  # noqa: S608
            {"week": week, "first": first, "divisions": divisions},
        )
        cursor.execute(
            f"""
            INSERT INTO {t[LeagueCohort]} (week_start, division, number, created_at)
            SELECT DISTINCT %(week)s, (id - %(first)s) %% %(divisions)s,
                   ((id - %(first)s) / %(divisions)s) / %(size)s + 1, %(monday)s
            FROM {t[User]}
            """,  # noqa: S608
            {"week": week, "first": first, "divisions": divisions, "size": COHORT_SIZE, "monday": now},
        )
        cursor.execute(
            f"""
            INSERT INTO {t[LeagueMembership]} (user_id, week_start, division, cohort_id, seat, xp, reached_at,
                joined_at, closed_at, rank, move, division_after, gems, result_seen_at)
            SELECT u.id, %(week)s, x.d, c.id, x.k %% %(size)s + 1,
                   CASE WHEN random() < 0.05 THEN 0 ELSE 1 + floor(random() * 500)::int END,
                   %(monday)s + random() * interval '7 days', %(monday)s, NULL, NULL, NULL, NULL, 0, NULL
            FROM {t[User]} u
            CROSS JOIN LATERAL (SELECT (u.id - %(first)s) %% %(divisions)s AS d,
                                       (u.id - %(first)s) / %(divisions)s AS k) AS x
            JOIN {t[LeagueCohort]} c ON c.week_start = %(week)s AND c.division = x.d
                                    AND c.number = x.k / %(size)s + 1
            """,  # noqa: S608
            {"week": week, "first": first, "divisions": divisions, "size": COHORT_SIZE, "monday": now},
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        for name in t.values():
            cursor.execute(f"VACUUM ANALYZE {name}")
        cursor.execute(f"SELECT count(*) FROM {t[LeagueCohort]}")  # noqa: S608
        cohorts = cursor.fetchone()[0]
    return {"learners": learners, "cohorts": cohorts}
