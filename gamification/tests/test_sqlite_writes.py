"""SQLite (the `make run` default): an answer waits for another writer instead of failing.

A command writing to the same SQLite file used to make a learner's answer fail with "database is
locked" (a 500). With WAL and IMMEDIATE transactions (config/settings.py) the answer's transaction
takes the write lock when it begins and waits for the other writer to commit. Runs in the SQLite run
(config/tests/test_sqlite_run.py) on a real file, with a real second connection holding a write
transaction in another thread.
"""

import sqlite3
import threading
import uuid

import pytest
from django.db import connection

from core.tests.api import API, client_for
from courses.tests.sample_courses import new_course
from gamification.models import Wallet
from progress.models import ExerciseAttempt

pytestmark = [pytest.mark.sqlite_only, pytest.mark.django_db(transaction=True)]

WAIT = 60  # seconds: only reached if the test is broken (an event never set), never for timing


def test_settings_give_sqlite_wal_and_immediate_transactions():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.transaction_mode == "IMMEDIATE"


def test_an_answer_waits_for_a_command_holding_the_write_lock_and_succeeds(user):
    _course, lessons = new_course()
    api = client_for(user)
    run = api.post(f"{API}lessons/{lessons[0].slug}/runs/").json()
    wallet = Wallet.objects.get(user=user)
    freezes_before = wallet.streak_freezes

    writer_holds_lock = threading.Event()
    answer_is_writing = threading.Event()
    writer_error: list[BaseException] = []

    def command_writing():
        """Another process's write transaction: a raw connection to the same file, as a command would."""
        db = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=WAIT)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                f"UPDATE {Wallet._meta.db_table} SET streak_freezes = streak_freezes + 1 WHERE user_id = ?",  # noqa: S608
                [user.pk],
            )
            writer_holds_lock.set()
            assert answer_is_writing.wait(WAIT), "the answer never began its transaction"
            db.execute("COMMIT")
        except BaseException as error:  # reported by the test below
            writer_error.append(error)
            writer_holds_lock.set()
        finally:
            db.close()

    def signal_transaction_start(execute, sql, params, many, context):
        # The answer's transaction begins ("BEGIN IMMEDIATE") while the writer still holds the lock:
        # let the writer commit now; the BEGIN waits for it.
        if sql.startswith("BEGIN"):
            answer_is_writing.set()
        return execute(sql, params, many, context)

    writer = threading.Thread(target=command_writing)
    writer.start()
    assert writer_holds_lock.wait(WAIT)
    body = {"exercise": run["current_exercise"]["id"], "answer": "Hello", "client_id": str(uuid.uuid4())}
    with connection.execute_wrapper(signal_transaction_start):
        response = api.post(f"{API}runs/{run['id']}/answers/", body, format="json")
    writer.join(WAIT)

    assert not writer_error, writer_error
    assert answer_is_writing.is_set()
    assert response.status_code == 200, response.content
    assert response.json()["correct"] is True
    assert ExerciseAttempt.objects.filter(user=user, run_id=run["id"]).count() == 1
    wallet.refresh_from_db()
    # Both writes are kept: the command's and the answer's.
    assert wallet.streak_freezes == freezes_before + 1
