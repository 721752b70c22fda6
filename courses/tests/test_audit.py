"""Content in the audit trail: an import leaves one entry (from the command or from admin), an export
too, and an admin edit of a lesson keeps old and new values with the staff user and IP."""

import io
import socket

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses.course_files import import_course
from courses.models import Course, Lesson

from .course_files.helpers import fixture
from .test_admin import form_data

pytestmark = pytest.mark.django_db


def test_import_course_command_leaves_one_entry_signed_by_the_command():
    call_command("import_course", str(fixture("rich.yaml")), stdout=io.StringIO())

    course = Course.objects.get(slug="xs")
    entry = LogEntry.objects.get_for_object(course).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor_email == "command import_course"
    assert entry.additional_data["host"] == socket.gethostname()
    assert entry.additional_data["import"].endswith("rich.yaml")
    assert (
        entry.additional_data["counts"]["lessons"]["created"]
        == Lesson.objects.filter(unit__section__course=course).count()
    )
    # one entry for the import, not one per row
    assert LogEntry.objects.filter(cid=entry.cid).count() == 1


def test_a_dry_run_leaves_no_entry_and_a_reimport_an_update():
    import_course(source=fixture("rich.yaml"), dry_run=True)
    assert not LogEntry.objects.exists()
    import_course(source=fixture("rich.yaml"))
    import_course(source=fixture("rich.yaml"))
    actions = list(LogEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]


def test_an_import_from_admin_is_the_staff_users_from_their_ip(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    upload = SimpleUploadedFile("rich.yaml", fixture("rich.yaml").read_bytes(), content_type="application/yaml")
    response = client.post(reverse("admin:courses_course_import_file"), {"file": upload}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 200
    entry = LogEntry.objects.get_for_object(Course.objects.get(slug="xs")).get()
    assert (entry.actor, entry.remote_addr, entry.additional_data["import"]) == (staff, "192.0.2.10", "rich.yaml")


def test_export_course_command_leaves_an_entry(tmp_path):
    import_course(source=fixture("rich.yaml"))
    call_command("export_course", "xs", "-o", str(tmp_path / "xs.yaml"), stderr=io.StringIO())
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor_email == "command export_course"
    assert entry.additional_data["to"] == str(tmp_path / "xs.yaml")


def test_an_admin_edit_of_a_lesson_keeps_old_and_new_values(client):
    import_course(source=fixture("rich.yaml"))
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(editor)
    lesson = Lesson.objects.filter(unit__section__course__slug="xs").order_by("pk").first()
    old_title = lesson.title
    change_url = reverse("admin:courses_lesson_change", args=[lesson.pk])
    data = form_data(client.get(change_url))
    data["title"] = "A better title"

    response = client.post(change_url, data, REMOTE_ADDR="198.51.100.23")

    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(lesson).get(action=LogEntry.Action.UPDATE)
    assert entry.changes["title"] == [old_title, "A better title"]
    assert (entry.actor, entry.remote_addr) == (editor, "198.51.100.23")


def test_a_content_editor_cannot_read_the_trail(client):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(editor)
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 403
