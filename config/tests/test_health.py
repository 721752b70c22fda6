"""/healthz against the real PostgreSQL and Redis, and against a closed port."""

import pytest
from django.conf import settings
from django.test import override_settings

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db

REDIS_URL = settings.REDIS_URL or "redis://127.0.0.1:6379/1"
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def redis_cache(url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


@pytest.fixture
def celery_broker():
    """Point the Celery app at a broker for one test (its config was read from settings at start)."""
    original = celery_app.conf.broker_url

    def use(url: str) -> None:
        celery_app.conf.broker_url = url

    yield use
    celery_app.conf.broker_url = original


def test_healthz_reports_every_part(client):
    response = client.get("/healthz")
    body = response.json()
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert response.status_code == (200 if body["status"] == "ok" else 503)
    assert body["checks"]["database"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_200_with_postgresql_redis_cache_and_redis_broker(client, celery_broker):
    celery_broker(REDIS_URL)
    with override_settings(CACHES=redis_cache(REDIS_URL), CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {**body["checks"]["database"], "ok": True, "vendor": "postgresql"}
    assert body["checks"]["cache"]["backend"] == "RedisCache"
    assert body["checks"]["broker"]["mode"] == "broker"


def test_healthz_503_when_the_broker_is_unreachable(client, celery_broker):
    celery_broker(CLOSED_PORT_URL)
    with override_settings(CACHES=redis_cache(REDIS_URL), CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True


def test_healthz_503_when_the_cache_is_unreachable(client):
    with override_settings(CACHES=redis_cache(CLOSED_PORT_URL)):
        response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["cache"]["ok"] is False
    assert "Connection" in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_healthz_is_get_only(client):
    assert client.post("/healthz").status_code == 405
