"""The API's language (docs/i18n.md, "Which language a request gets"): a token-authenticated request
gets its learner's interface language (``User.locale``), whatever ``Accept-Language`` says; a request
without a learner gets ``Accept-Language``'s. The ``detail`` sentences and ``Content-Language``
follow it; error codes and field names never change."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from core.tests.api import API, assert_error, client_for
from courses.tests.sample_courses import new_course
from gamification.tests.helpers import set_wallet

pytestmark = pytest.mark.django_db


def client_with(user, *, accept_language: str) -> APIClient:
    """``client_for(user)`` (token authentication) whose requests also send ``Accept-Language``."""
    client = client_for(user)
    client.credentials(
        HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"], HTTP_ACCEPT_LANGUAGE=accept_language
    )
    return client


def finished_run(api: APIClient, lesson) -> dict:
    run = api.post(f"{API}lessons/{lesson.slug}/runs/").json()
    api.post(f"{API}runs/{run['id']}/abandon/")
    return run


def answer(api: APIClient, run: dict, **body) -> dict:
    data = {"exercise": run["exercises"][0]["id"], "answer": "Hola", "client_id": str(uuid.uuid4()), **body}
    return api.post(f"{API}runs/{run['id']}/answers/", data, format="json")


def test_a_spanish_learner_with_a_token_gets_spanish_details_whatever_the_browser_says():
    _course, lessons = new_course()
    user = UserFactory(locale="es")
    api = client_with(user, accept_language="en")
    run = finished_run(api, lessons[0])

    response = answer(api, run)
    body = assert_error(response, 409, "run_finished")
    assert body["detail"] == "Esta partida de la lección ya ha terminado."
    assert response["Content-Language"] == "es"

    body = assert_error(api.get(f"{API}runs/987654/"), 404, "not_found")
    assert body["detail"] == "No existe esa partida."

    body = assert_error(answer(api, run, client_id="not-a-uuid"), 400, "invalid", field="client_id")
    assert body["fields"] == {"client_id": ["Debe ser un UUID válido."]}  # the field's name stays as it is
    assert body["detail"] == "client_id: Debe ser un UUID válido."

    body = assert_error(
        api.patch(f"{API}me/settings/", {"colour": "blue"}, format="json"), 400, "invalid", field="colour"
    )
    assert body["fields"] == {"colour": ["Este ajuste no existe o no se puede cambiar aquí."]}

    set_wallet(user, hearts=0, hearts_anchor_at=timezone.now())
    body = assert_error(api.post(f"{API}lessons/{lessons[0].slug}/runs/"), 409, "out_of_hearts")
    assert body["detail"] == "Te has quedado sin vidas. Recárgalas con gemas o haz un repaso."


def test_an_english_learner_with_a_token_gets_english_details_whatever_the_browser_says():
    _course, lessons = new_course()
    api = client_with(UserFactory(locale="en"), accept_language="es")
    run = finished_run(api, lessons[0])
    response = answer(api, run)
    assert assert_error(response, 409, "run_finished")["detail"] == "This lesson run is already finished."
    assert response["Content-Language"] == "en"
    assert assert_error(api.get(f"{API}runs/987654/"), 404, "not_found")["detail"] == "No such run."


def test_a_request_without_a_learner_gets_the_language_of_accept_language():
    anonymous = APIClient(HTTP_ACCEPT_LANGUAGE="es")
    response = anonymous.get(f"{API}me/")
    body = assert_error(response, 401, "not_authenticated")
    assert body["detail"] == "Las credenciales de autenticación no se proveyeron."
    assert response["Content-Language"] == "es"
    assert (
        assert_error(anonymous.get("/api/v2/whatever"), 404, "not_found")["detail"] == "No existe ese punto de la API."
    )
    # A bad token authenticates nobody: Accept-Language still chooses.
    anonymous.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40, HTTP_ACCEPT_LANGUAGE="es")
    response = anonymous.get(f"{API}me/")
    assert assert_error(response, 401, "authentication_failed")["detail"] == "Token no válido."
    assert response["Content-Language"] == "es"
    english = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(f"{API}me/")
    assert assert_error(english, 401)["detail"] == "Authentication credentials were not provided."


def test_a_token_request_with_a_session_cookie_is_the_tokens_learner_and_never_reads_the_session():
    """A client that sends both (a browser's session cookie beside an app's token): the token decides the
    learner and the language; the session is not read (no session or session-user statement)."""
    token_owner = UserFactory(locale="es")
    other = UserFactory(locale="en")
    api = client_with(token_owner, accept_language="en")
    api.force_login(other)  # a valid session cookie of another learner
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{API}me/")
    assert response.status_code == 200 and response["Content-Language"] == "es"
    assert response.json()["email"] == token_owner.email
    assert not [q for q in queries if "django_session" in q["sql"]]
    # Without the token, the same cookie is the session's learner (read from the session).
    api.credentials(HTTP_ACCEPT_LANGUAGE="es")
    response = api.get(f"{API}me/")
    assert response.status_code == 200 and response.json()["email"] == other.email
    assert response["Content-Language"] == "en"
    # A bad token is refused: never passed on to the session.
    api.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    assert_error(api.get(f"{API}me/"), 401, "authentication_failed")
