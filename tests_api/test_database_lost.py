"""The database connection killed in the middle of an API request: nothing half-written, and the
answer is a 503 in the API's JSON error shape (not Django's HTML 500)."""

import uuid

import psycopg
import pytest
from django.db import connection

from core.tests.api import API, assert_error, client_for
from courses.tests.sample_courses import new_course
from gamification.models import Wallet
from progress.models import ExerciseAttempt, LessonRun


def kill_backend(pid: int) -> None:
    """Terminate one PostgreSQL backend from a separate connection (as an operator or a failover would)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_connection_killed_mid_request_is_a_503_in_the_error_shape_and_writes_nothing(user):
    _course, lessons = new_course()
    api = client_for(user)
    run = api.post(f"{API}lessons/{lessons[0].slug}/runs/").json()
    wallet_before = Wallet.objects.values_list("xp_total", "hearts", "gems").get(user=user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    killed = []

    def kill_before_the_attempt_is_written(execute, sql, params, many, context):
        if not killed and 'INSERT INTO "progress_exerciseattempt"' in sql:  # (the answer's new rows: core.inserts)
            killed.append(sql)
            kill_backend(pid)  # mid-transaction: the wallet and the run are locked and partly updated
        return execute(sql, params, many, context)

    body = {"exercise": run["current_exercise"]["id"], "answer": "Hello", "client_id": str(uuid.uuid4())}
    with connection.execute_wrapper(kill_before_the_attempt_is_written):
        response = api.post(f"{API}runs/{run['id']}/answers/", body, format="json")
    connection.close()

    assert killed, "the request never reached the INSERT"
    assert_error(response, 503, "service_unavailable")
    assert not ExerciseAttempt.objects.exists()
    assert Wallet.objects.values_list("xp_total", "hearts", "gems").get(user=user) == wallet_before
    assert LessonRun.objects.get(pk=run["id"]).answers_count == 0
