"""Course files in admin: the export action downloads YAML; the import view shows the report, or the
problems with their lines having written nothing."""

import io
import re
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses.admin_course_files import IMPORT_PERMISSIONS
from courses.course_files import import_course
from courses.models import Course

from .course_files.helpers import BAD, fixture, row_counts

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:courses_course_import_file"


#: What an importer needs: add, change and delete on every content model the file writes.
IMPORTER = tuple(p.split(".", 1)[1] for p in IMPORT_PERMISSIONS)


def staff(client, *codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="courses", codename__in=codenames))
    client.force_login(user)
    return user


def upload(name: str, path=None, *, dry_run=False) -> dict:
    data = {"file": SimpleUploadedFile(name, (path or fixture(name)).read_bytes(), content_type="application/yaml")}
    if dry_run:
        data["dry_run"] = "on"
    return data


def test_export_action_downloads_the_course_as_yaml(client):
    import_course(source=fixture("rich.yaml"))
    staff(client, "view_course", "change_course")
    course = Course.objects.get(slug="xs")

    response = client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "export_as_yaml", "_selected_action": [course.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert response["Content-Disposition"] == 'attachment; filename="xs.yaml"'
    assert response.content.decode() == fixture("rich.yaml").read_text()


def test_export_action_zips_several_courses(client):
    import_course(source=fixture("rich.yaml"))
    mini = fixture("minimal.yaml").read_text().replace("{code: es, name: Spanish}", "{code: fr, name: French}")
    import_course(source=io.StringIO(mini), name="mini.yaml")
    staff(client, "view_course")

    response = client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "export_as_yaml", "_selected_action": list(Course.objects.values_list("pk", flat=True))},
    )

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["mini.yaml", "xs.yaml"]
    assert archive.read("xs.yaml").decode() == fixture("rich.yaml").read_text()


def test_import_view_imports_and_shows_the_report(client):
    staff(client, *IMPORTER, "view_course")
    assert 'href="/admin/courses/course/import-file/"' in client.get(reverse("admin:courses_course_changelist")).text

    response = client.post(reverse(IMPORT_URL), upload("rich.yaml"))

    assert response.status_code == 200
    assert Course.objects.filter(slug="xs").exists()
    page = response.text
    assert "Imported: course &#x27;xs&#x27; from rich.yaml" in page
    assert re.search(r"lessons +4 created", page)


def test_import_view_dry_run_writes_nothing(client):
    staff(client, *IMPORTER, "view_course")
    before = row_counts()
    response = client.post(reverse(IMPORT_URL), upload("rich.yaml", dry_run=True))
    assert response.status_code == 200 and "Dry run: nothing was written" in response.text
    assert row_counts() == before


def test_import_view_shows_every_problem_with_its_line_and_writes_nothing(client):
    staff(client, *IMPORTER, "view_course")
    import_course(source=fixture("minimal.yaml"))
    before = row_counts()

    response = client.post(reverse(IMPORT_URL), upload("unknown_key.yaml", BAD / "unknown_key.yaml"))

    assert response.status_code == 400
    page = response.text
    assert "nothing was written" in page
    assert "<code>unknown_key.yaml:29</code>: <code>sections[0].units[0].lessons[1].titel</code>" in page
    assert "<code>unknown_key.yaml:28</code>" in page
    assert row_counts() == before


@pytest.mark.parametrize(
    "codenames",
    [
        ("view_course", "change_course"),
        ("add_course", "view_course"),  # could create a course, but an import also deletes lessons
        (*(c for c in IMPORTER if c != "delete_exercise"), "view_course"),
    ],
)
def test_import_view_needs_every_content_write_permission(client, codenames):
    staff(client, *codenames)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert client.post(reverse(IMPORT_URL), upload("rich.yaml")).status_code == 403
    assert not Course.objects.exists()
    assert "Import course file" not in client.get(reverse("admin:courses_course_changelist")).text


def test_import_view_is_for_staff_only(client):
    client.force_login(UserFactory(is_staff=False))
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_content_editor_can_import_and_export(client):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(editor)

    response = client.post(reverse(IMPORT_URL), upload("minimal.yaml"))
    assert response.status_code == 200 and Course.objects.filter(slug="mini").exists()

    course = Course.objects.get(slug="mini")
    response = client.post(
        reverse("admin:courses_course_changelist"), {"action": "export_as_yaml", "_selected_action": [course.pk]}
    )
    assert response.content.decode() == fixture("minimal.yaml").read_text()
