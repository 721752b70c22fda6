import pytest


@pytest.mark.django_db
def test_healthz_reports_every_part(client):
    response = client.get("/healthz")
    body = response.json()
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert response.status_code == (200 if body["status"] == "ok" else 503)
    assert body["checks"]["database"]["ok"] is True
