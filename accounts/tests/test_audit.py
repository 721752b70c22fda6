"""The audit trail (docs/operations.md "Audit trail"): admin edits keep who, where, old and new values;
commands sign their entries; the admin is append-only for everyone; erasure strips personal data and
keeps the entries; learners' own changes write nothing."""

import io
import socket

import pytest
from allauth.socialaccount.models import SocialApp
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.models import User

from .factories import UserFactory
from .test_views_settings import valid

pytestmark = pytest.mark.django_db


def entries_about(user: User):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=user.pk)


@pytest.fixture
def superuser(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True, email="root@example.com")
    client.force_login(admin_user)
    return admin_user


def change_form_data(client, user: User, **changes) -> dict:
    """The POST the admin's change page of ``user`` sends back, with ``changes`` applied."""
    form = client.get(reverse("admin:accounts_user_change", args=[user.pk])).context["adminform"].form
    data: dict = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or field.disabled:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[name] = str(value)
    data.update(changes)
    return data


def test_an_admin_edit_records_old_and_new_values_the_staff_user_and_ip(client, superuser):
    learner = UserFactory(display_name="Ana", daily_xp_goal=160)
    LogEntry.objects.all().delete()  # the factory's own entries (made outside any request)

    response = client.post(
        reverse("admin:accounts_user_change", args=[learner.pk]),
        change_form_data(client, learner, display_name="Ana B.", daily_xp_goal=400),
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = entries_about(learner).get()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes["display_name"] == ["Ana", "Ana B."]
    assert entry.changes["daily_xp_goal"] == [160, 400]
    assert (entry.actor, entry.actor_email, entry.remote_addr) == (superuser, "root@example.com", "198.51.100.7")
    assert entry.additional_data["via"] == "admin"


def test_the_client_ip_behind_a_trusted_proxy_is_the_one_the_proxy_saw(client, superuser, settings):
    settings.MALLARD_TRUSTED_PROXY_COUNT = 1
    learner = UserFactory()
    LogEntry.objects.all().delete()
    client.post(
        reverse("admin:accounts_user_change", args=[learner.pk]),
        change_form_data(client, learner, display_name="Changed"),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44",  # the left one is the client's claim: ignored
    )
    assert entries_about(learner).get(action=LogEntry.Action.UPDATE).remote_addr == "192.0.2.44"


def test_a_password_never_enters_the_trail():
    user = UserFactory()  # sets its password in a second save()
    entry = entries_about(user).get(action=LogEntry.Action.UPDATE)
    assert entry.changes["password"] == [audit.HIDDEN, audit.HIDDEN]
    assert "pbkdf2" not in str(entry.changes) and "md5" not in str(entry.changes)


def test_nobody_can_add_change_or_delete_an_entry_in_admin_not_even_a_superuser(client, superuser):
    learner = UserFactory()
    entry = entries_about(learner).get(action=LogEntry.Action.CREATE)

    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 200
    assert client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).status_code == 200  # read-only view
    assert client.get(reverse("admin:auditlog_logentry_add")).status_code == 403
    assert client.post(reverse("admin:auditlog_logentry_add"), {"object_repr": "forged"}).status_code == 403
    response = client.post(reverse("admin:auditlog_logentry_change", args=[entry.pk]), {"object_repr": "edited"})
    assert response.status_code == 403
    assert client.get(reverse("admin:auditlog_logentry_delete", args=[entry.pk])).status_code == 403
    assert client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:auditlog_logentry_changelist"), {"action": "delete_selected", "_selected_action": [entry.pk]}
    )
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.object_repr == str(learner)


def test_the_trail_is_filterable_by_object_user_and_time(client, superuser):
    learner = UserFactory()
    client.post(
        reverse("admin:accounts_user_change", args=[learner.pk]), change_form_data(client, learner, display_name="Zed")
    )
    url = reverse("admin:auditlog_logentry_changelist")
    user_type = ContentType.objects.get_for_model(User).pk
    for query in (
        {"resource_type": user_type},
        {"q": str(learner.pk)},
        {"who": superuser.email},
        {"timestamp__year": str(timezone.now().year)},
    ):
        response = client.get(url, query)
        assert response.status_code == 200, query
        shown = list(response.context["cl"].result_list)
        assert any(e.object_id == learner.pk and e.actor_id == superuser.pk for e in shown), query


def test_a_learners_own_settings_change_writes_no_entry(client):
    learner = UserFactory()
    client.force_login(learner)
    before = LogEntry.objects.count()
    response = client.post(reverse("settings"), valid(display_name="Me again"))
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.display_name == "Me again"
    assert LogEntry.objects.count() == before


def test_export_user_leaves_an_entry_signed_by_the_command(tmp_path):
    learner = UserFactory()
    call_command("export_user", learner.email, "-o", str(tmp_path / "out.json"), stderr=io.StringIO())
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_id=learner.pk)
    assert entry.actor_email == "command export_user"
    assert entry.additional_data["host"] == socket.gethostname()
    assert entry.additional_data["export_user"] == str(tmp_path / "out.json")
    assert entry.cid.startswith("command:export_user:")


def test_erase_user_keeps_the_entries_without_personal_data(client, superuser):
    learner = UserFactory(email="ana@example.com", display_name="Ana")
    client.post(
        reverse("admin:accounts_user_change", args=[learner.pk]),
        change_form_data(client, learner, display_name="Ana Lopez"),
    )
    staff = UserFactory(is_staff=True, email="staff@example.com")
    audit.log_event(obj=superuser, action=audit.Action.UPDATE, changes={"x": [1, 2]})
    LogEntry.objects.filter(actor_email=audit._fallback_label()).update(actor=staff, actor_email=staff.email)
    learner_id, staff_id = learner.pk, staff.pk

    call_command("erase_user", learner.email, "--yes", stdout=io.StringIO())
    call_command("erase_user", staff.email, "--yes", stdout=io.StringIO())

    about = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=learner_id)
    assert about.count() == 4  # created and its password set (factory), changed in admin, erased
    for entry in about:
        assert "ana" not in (entry.object_repr + str(entry.changes) + str(entry.serialized_data)).lower()
    changed = about.get(action=LogEntry.Action.UPDATE, actor=superuser)
    assert changed.changes["display_name"] == [audit.ERASED, audit.ERASED]
    assert changed.actor == superuser  # who did it stays
    erased = about.get(action=LogEntry.Action.DELETE)
    assert erased.actor_email == "command erase_user"
    assert erased.object_repr == f"erased user #{learner_id}"
    assert erased.additional_data["erase_user"]["accounts.User"] == 1
    # what the erased staff member did stays, without their address
    made = LogEntry.objects.get(changes={"x": [1, 2]})
    assert (made.actor_id, made.actor_email, made.remote_addr) == (None, f"erased user #{staff_id}", None)
    assert not LogEntry.objects.filter(actor_email__icontains="example.com").exclude(actor_email=superuser.email)


def test_group_permission_changes_and_provider_secrets_are_audited_without_the_secret():
    group = Group.objects.create(name="Support")
    group.permissions.add(Permission.objects.get(codename="view_user"))
    app = SocialApp.objects.create(provider="google", name="Google", client_id="id", secret="s3cr3t-value")
    app.secret = "an0ther-s3cr3t"
    app.save()

    added = LogEntry.objects.get_for_object(group).get(changes__has_key="permissions")
    assert added.changes["permissions"]["operation"] == "add"
    changed = LogEntry.objects.get_for_object(app).get(action=LogEntry.Action.UPDATE)
    assert changed.changes["secret"] == [audit.HIDDEN, audit.HIDDEN]
    assert "s3cr3t" not in str(list(LogEntry.objects.get_for_object(app).values_list("changes", flat=True)))
