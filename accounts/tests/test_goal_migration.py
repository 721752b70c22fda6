"""The data migration of the daily goal: each learner keeps the level they chose, at its new XP."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from accounts.models import User
from accounts.tests.factories import UserFactory

migration = importlib.import_module("accounts.migrations.0007_daily_goal_in_lessons")


@pytest.mark.parametrize(
    ("old", "new"),
    [(10, 80), (20, 160), (30, 240), (50, 400), (15, 80), (25, 160), (40, 240), (45, 400), (1000, 400), (0, 80)],
)
def test_nearest_goal_keeps_the_level(old, new):
    assert migration.nearest(old, migration.OLD_TO_NEW) == new


def test_backwards_gives_the_old_levels():
    assert [migration.nearest(v, migration.NEW_TO_OLD) for v in (80, 160, 240, 400)] == [10, 20, 30, 50]


@pytest.mark.django_db
@pytest.mark.postgresql_only
def test_the_migration_moves_every_learner_to_the_same_level():
    users = {old: UserFactory() for old in (10, 20, 30, 50)}
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:  # the rows as they were before: old goals under the old rule
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT user_daily_goal_valid")
        for old, user in users.items():
            cursor.execute(f"UPDATE {table} SET daily_xp_goal = %s WHERE id = %s", [old, user.pk])  # noqa: S608
    migration.forwards(apps, SimpleNamespace(connection=connection))  # what migrate passes: its connection
    assert {old: User.objects.get(pk=u.pk).daily_xp_goal for old, u in users.items()} == {
        10: 80,
        20: 160,
        30: 240,
        50: 400,
    }
