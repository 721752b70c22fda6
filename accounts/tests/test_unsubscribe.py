"""Signed unsubscribe links: each turns off one kind of e-mail for one learner; anything altered is refused."""

import pytest
from django.core import signing
from django.urls import reverse

from accounts.tests.factories import UserFactory
from accounts.unsubscribe import SALT, InvalidUnsubscribeLink, read_token, unsubscribe, unsubscribe_token

pytestmark = pytest.mark.django_db


def test_a_token_turns_off_only_its_kind_for_only_its_learner():
    user, other = UserFactory(), UserFactory()
    unsubscribe(token=unsubscribe_token(user=user, topic="reengagement"))
    user.refresh_from_db()
    other.refresh_from_db()
    assert (user.notify_reengagement, user.notify_streak_reminders) == (False, True)
    assert other.notify_reengagement is True


@pytest.mark.parametrize(
    "make",
    [
        lambda user: unsubscribe_token(user=user, topic="streak_reminders")[:-2] + "xx",  # signature altered
        lambda user: signing.dumps({"u": user.pk + 1, "t": "streak_reminders"}, salt="another-salt"),
        lambda user: signing.dumps({"u": user.pk, "t": "is_staff"}, salt=SALT),  # a kind that is not one
        lambda user: signing.dumps({"u": 10**9, "t": "streak_reminders"}, salt=SALT),  # no such learner
        lambda user: signing.dumps(["not", "a", "dict"], salt=SALT),
        lambda user: "garbage",
    ],
)
def test_altered_or_foreign_tokens_are_refused_and_change_nothing(client, make):
    user = UserFactory()
    token = make(user)
    with pytest.raises(InvalidUnsubscribeLink):
        read_token(token)
    response = client.post(reverse("unsubscribe", args=[token]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    user.refresh_from_db()
    assert user.notify_streak_reminders and user.notify_reengagement


def test_the_page_asks_first_and_needs_no_log_in(client):
    user = UserFactory()
    url = reverse("unsubscribe", args=[unsubscribe_token(user=user, topic="reengagement")])
    page = client.get(url).content.decode()
    assert "we-miss-you e-mails" in page and 'method="post"' in page
    user.refresh_from_db()
    assert user.notify_reengagement is True
    assert client.post(url).status_code == 200
    user.refresh_from_db()
    assert user.notify_reengagement is False


def test_the_reminder_hour_is_a_setting_in_the_api():
    from core.tests.api import API, assert_error, client_for

    user = UserFactory()
    api = client_for(user)
    assert api.get(f"{API}me/settings/").json()["streak_reminder_hour"] == 19
    body = api.patch(f"{API}me/settings/", {"streak_reminder_hour": 7}, format="json").json()
    assert body["streak_reminder_hour"] == 7
    assert "notify_product_news" not in body
    assert_error(
        api.patch(f"{API}me/settings/", {"streak_reminder_hour": 24}, format="json"),
        400,
        "invalid",
        "streak_reminder_hour",
    )
    assert_error(api.patch(f"{API}me/settings/", {"notify_product_news": True}, format="json"), 400)
    user.refresh_from_db()
    assert user.streak_reminder_hour == 7
