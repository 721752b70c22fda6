"""Fixtures shared by the progress app's tests."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.tests.factories import UserFactory


@pytest.fixture
def editor_client() -> Client:
    """A client logged in as a content editor (staff, in the "Content editor" group)."""
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    client = Client()
    client.force_login(editor)
    return client
