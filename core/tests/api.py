"""Helpers for the API tests of every app: an authenticated client and the one error shape."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

API = "/api/v1/"


def client_for(user) -> APIClient:
    """An API client authenticated with the user's token, as a non-browser client would be."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    """The response is an error in the API's one shape."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error", "detail", "fields"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["fields"], dict)
    if code is not None:
        assert body["error"] == code, body
    if field is not None:
        assert field in body["fields"], body
    return body
