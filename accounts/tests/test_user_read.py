"""``User.objects.get(pk=…)`` (what the authentication backends run on every signed-in request) by a
statement built once per process: the same user, the same errors; other look-ups as the ORM builds
them."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_get_by_pk_is_the_users_row_in_one_statement(django_assert_num_queries):
    user = UserFactory()
    for pk in (user.pk, str(user.pk)):
        with django_assert_num_queries(1):
            found = User.objects.get(pk=pk)
        assert (found.pk, found.email, found.locale, found.daily_xp_goal) == (
            user.pk,
            user.email,
            user.locale,
            user.daily_xp_goal,
        )
        assert found._state.adding is False


def test_unknown_out_of_range_and_malformed_ids_fail_as_the_orm_does():
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=-5)
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=10**30)
    with pytest.raises(ValueError, match="expected a number"):
        User.objects.get(pk="abc")


def test_a_related_manager_and_other_lookups_keep_their_filters():
    member, outsider = UserFactory(), UserFactory()
    group = Group.objects.create(name="editors")
    group.user_set.add(member)
    assert group.user_set.get(pk=member.pk) == member
    with pytest.raises(User.DoesNotExist):
        group.user_set.get(pk=outsider.pk)  # not in the group: the relation's filter still applies
    assert User.objects.get(email=outsider.email) == outsider
    assert User.objects.db_manager("default").get(pk=member.pk) == member


def test_the_session_user_is_loaded_by_it_and_an_inactive_one_is_not(client, monkeypatch):
    user = UserFactory()
    client.force_login(user)
    calls = []
    original = type(User.objects).get

    def counting(self, *args, **kwargs):
        calls.append(kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(User.objects), "get", counting)
    response = client.get(reverse("settings"))
    assert response.status_code == 200 and response.wsgi_request.user == user
    assert calls and all(call == {"pk": user.pk} for call in calls)  # the session's user, by pk
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(reverse("settings")).status_code == 302  # signed out: the backend refuses it
