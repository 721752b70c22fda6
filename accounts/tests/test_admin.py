"""User admin: e-mail based, searchable, filterable; for superusers and staff whose role is admin."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def role_admin(db):
    """Staff with role admin but not a superuser and no explicit permissions."""
    return UserFactory(is_staff=True, role=User.Role.ADMIN)


def test_role_admin_sees_lists_searches_and_filters_users(client, role_admin):
    UserFactory(email="pato@example.com", display_name="Pato")
    UserFactory(email="mod@example.com", role=User.Role.MODERATOR)
    client.force_login(role_admin)

    index = client.get(reverse("admin:index"))
    assert reverse("admin:accounts_user_changelist") in index.content.decode()

    page = client.get(reverse("admin:accounts_user_changelist"))
    assert page.status_code == 200
    assert "pato@example.com" in page.content.decode()
    assert "username" not in page.content.decode().lower()

    found = client.get(reverse("admin:accounts_user_changelist"), {"q": "pato"})
    assert [u.email for u in found.context["cl"].result_list] == ["pato@example.com"]

    moderators = client.get(reverse("admin:accounts_user_changelist"), {"role__exact": "moderator"})
    assert [u.email for u in moderators.context["cl"].result_list] == ["mod@example.com"]
    staff = client.get(reverse("admin:accounts_user_changelist"), {"is_staff__exact": "1"})
    assert [u.email for u in staff.context["cl"].result_list] == [role_admin.email]


def test_change_and_add_pages_have_no_username_fields(client, role_admin):
    target = UserFactory()
    client.force_login(role_admin)
    change = client.get(reverse("admin:accounts_user_change", args=[target.pk]))
    assert change.status_code == 200
    form = change.context["adminform"].form
    assert "email" in form.fields and "username" not in form.fields and "first_name" not in form.fields
    # Only superusers hand out superuser status.
    assert "is_superuser" not in form.fields

    add = client.get(reverse("admin:accounts_user_add"))
    assert add.status_code == 200
    assert set(add.context["adminform"].form.fields) >= {"email", "password1", "password2"}


def test_role_admin_can_add_a_user(client, role_admin):
    client.force_login(role_admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.com",
            "display_name": "New",
            "usable_password": "true",
            "password1": "quack-quack-1234",
            "password2": "quack-quack-1234",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(email="new@example.com").check_password("quack-quack-1234")


def test_superuser_sees_superuser_field(client):
    boss = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(boss)
    change = client.get(reverse("admin:accounts_user_change", args=[boss.pk]))
    assert "is_superuser" in change.context["adminform"].form.fields


def test_other_staff_cannot_reach_user_admin(client):
    staff = UserFactory(is_staff=True, role=User.Role.LEARNER)
    client.force_login(staff)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_user_change", args=[staff.pk])).status_code == 403


def test_moderators_see_users_read_only(client):
    """Learner support (docs/accounts.md, "Roles"); the whole role is tested in config/tests/test_roles.py."""
    staff = UserFactory(is_staff=True, role=User.Role.MODERATOR)
    client.force_login(staff)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    change = client.get(reverse("admin:accounts_user_change", args=[staff.pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]
