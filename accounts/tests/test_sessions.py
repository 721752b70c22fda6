"""The session engine (``accounts.sessions``): Django's database sessions, read by a statement built
once per process. A live session signs the learner in with one statement; an expired, unknown or
tampered key gives an empty session, as Django's own engine does."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_engine_is_the_compiled_one():
    assert settings.SESSION_ENGINE == "accounts.sessions"


def test_a_live_session_loads_in_one_statement(django_assert_num_queries):
    store = SessionStore()
    store["greeting"] = "hola"
    store.create()
    with django_assert_num_queries(1):
        assert SessionStore(store.session_key).load() == {"greeting": "hola"}


def test_expired_unknown_and_tampered_keys_give_an_empty_session():
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("u" * 32).load() == {}
    tampered = SessionStore()
    tampered.create()
    Session.objects.filter(pk=tampered.session_key).update(session_data="not signed data")
    assert SessionStore(tampered.session_key).load() == {}


def test_a_signed_in_learner_stays_signed_in_and_a_signed_out_one_does_not(client, user):
    client.force_login(user)
    for _ in range(2):
        response = client.get(reverse("settings"))
        assert response.status_code == 200 and user.display_name in response.content.decode()
    key = client.session.session_key
    client.logout()
    assert not Session.objects.filter(pk=key).exists()
    client.cookies["sessionid"] = key  # the old cookie, replayed
    assert client.get(reverse("settings")).status_code == 302
