"""Every operation refuses an anonymous caller, and every error comes in the one shape."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from core.tests.api import API, assert_error, client_for

pytestmark = pytest.mark.django_db

OPERATIONS = [
    (method.upper(), path.replace("{slug}", "es").replace("{id}", "1"))
    for path, item in SchemaGenerator().get_schema(request=None, public=True)["paths"].items()
    for method in item
    if path != "/api/v1/auth/token/"
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_needs_a_learner(method, path):
    response = APIClient().generic(method, path, "{}", content_type="application/json")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_method_an_endpoint_does_not_have_is_405_in_the_shape(user):
    assert_error(client_for(user).get(f"{API}runs/1/answers/"), 405, "method_not_allowed")
    assert_error(client_for(user).delete(f"{API}me/"), 405, "method_not_allowed")


def test_unknown_urls_under_api_are_json_404_for_anyone(db):
    assert_error(APIClient().get("/api/v2/whatever"), 404, "not_found")
    assert_error(APIClient().post(f"{API}runs/"), 404, "not_found")
