"""The accounts factory builds a valid, saved user who can log in with the known password."""

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_factory_builds_a_valid_saved_row(assert_valid_saved_row):
    user = UserFactory()
    assert_valid_saved_row(user)
    assert User.objects.get(pk=user.pk).check_password("correct-horse-battery")


def test_activity_event_factory_builds_a_valid_saved_row(assert_valid_saved_row):
    from accounts.tests.factories import ActivityEventFactory

    assert_valid_saved_row(ActivityEventFactory())
