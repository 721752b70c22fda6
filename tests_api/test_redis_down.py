"""Redis down: log-in, the token endpoint and answers keep working (throttles and rate limits fail
open, with a logged warning); no answer is lost; /healthz reports the outage.

The test starts its own redis-server on a free port (never the shared one), points the cache at it,
checks it works, then stops it.
"""

import logging
import shutil
import socket
import subprocess
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.cache import reset_warnings
from core.tests.api import API, client_for
from courses.tests.sample_courses import new_course
from progress.models import ExerciseAttempt

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # noqa: S105 - the factories' test password


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis(settings, tmp_path):
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed (the Debian package redis-server)"
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        [*args, "--dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in process.stdout:  # wait until it says it is ready (no sleep)
            if "Ready to accept connections" in line:
                break
        else:
            pytest.fail("redis-server exited before it was ready")
        reset_warnings()
        settings.CACHES = {
            "default": {"BACKEND": "config.cache.FailOpenRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
        }
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def stop(process) -> None:
    process.terminate()
    process.wait(timeout=10)


def test_redis_down_log_in_token_and_answers_fail_open_and_nothing_is_lost(own_redis, client, caplog):
    user = UserFactory(email="ana@example.com")
    _course, lessons = new_course()
    api = client_for(user)
    run = api.post(f"{API}lessons/{lessons[0].slug}/runs/").json()

    cache.set("probe", "here")
    assert cache.get("probe") == "here"  # the cache really is this Redis
    assert client.get(reverse("healthz")).status_code == 200

    stop(own_redis)

    with caplog.at_level(logging.WARNING, logger="mallard.cache"):
        # Log-in page (allauth's rate limit reads and writes the cache).
        response = client.post(reverse("account_login"), {"login": "ana@example.com", "password": PASSWORD})
        assert response.status_code == 302, response.content[:500]
        assert response.wsgi_request.user.is_authenticated

        # The token endpoint (DRF throttle, scope "auth").
        response = client_for(UserFactory()).post(
            f"{API}auth/token/", {"email": "ana@example.com", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200 and response.json()["token"]

        # An answer (DRF throttle, scope "answers") is judged and saved.
        client_id = uuid.uuid4()
        body = {"exercise": run["current_exercise"]["id"], "answer": "Hello", "client_id": str(client_id)}
        response = api.post(f"{API}runs/{run['id']}/answers/", body, format="json")
        assert response.status_code == 200, response.content
        assert ExerciseAttempt.objects.filter(user=user, client_id=client_id).exists()

    assert "cache unavailable" in caplog.text and "failing open" in caplog.text

    health = client.get(reverse("healthz"))
    assert health.status_code == 503
    assert health.json()["checks"]["cache"]["ok"] is False


def test_one_redis_client_is_kept_and_it_reconnects_when_redis_is_back(own_redis, settings, tmp_path):
    """The cache keeps one ``redis.Redis`` per connection pool (``ReusedClientRedisCacheClient``) rather
    than making one per operation; the kept client fails open while Redis is down and works again,
    through its pool's new connections, once Redis is back."""
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client and cache._cache.get_client("any key") is client
    cache.set("probe", "here")
    assert cache.get("probe") == "here"
    port = int(settings.CACHES["default"]["LOCATION"].rsplit(":", 1)[1].split("/")[0])
    stop(own_redis)
    assert cache.get("probe", "gone") == "gone"  # failing open
    binary = shutil.which("redis-server")
    again = subprocess.Popen(  # noqa: S603 - a fixed command line
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in again.stdout:
            if "Ready to accept connections" in line:
                break
        cache.set("probe", "back")
        assert cache.get("probe") == "back"
        assert cache._cache.get_client() is client
    finally:
        stop(again)
