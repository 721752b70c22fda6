"""Course files in the reader's language: a problem and the import report read in the language active
where they are shown (the admin: the editor's interface language; the commands: LANGUAGE_CODE), not in
the one active while the file was checked or written (docs/i18n.md)."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from courses.admin_course_files import IMPORT_PERMISSIONS
from courses.course_files import CourseFileError, import_course, parse_course_file
from courses.models import Course, Section

from .course_files.helpers import BAD, fixture, row_counts

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:courses_course_import_file"


def spanish_editor(client):
    """A staff user with every permission an import needs, whose interface language is Spanish."""
    user = UserFactory(is_staff=True, locale="es")
    codenames = [p.split(".", 1)[1] for p in IMPORT_PERMISSIONS] + ["view_course"]
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="courses", codename__in=codenames))
    client.force_login(user)
    return user


def upload(path) -> dict:
    return {"file": SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/yaml")}


def test_a_spanish_editor_sees_the_refusal_in_spanish_with_its_lines(client):
    spanish_editor(client)
    import_course(source=fixture("minimal.yaml"))
    before = row_counts()

    response = client.post(reverse(IMPORT_URL), upload(BAD / "unknown_key.yaml"))

    assert response.status_code == 400
    page = response.text
    assert "No se ha escrito nada: unknown_key.yaml tiene 2 problemas." in page and "Nothing was written" not in page
    assert (
        "<code>unknown_key.yaml:28</code>: <code>sections[0].units[0].lessons[1]</code>: "
        "falta la clave obligatoria &#x27;title&#x27; en una lección"
    ) in page
    assert (
        "<code>unknown_key.yaml:29</code>: <code>sections[0].units[0].lessons[1].titel</code>: "
        "clave desconocida &#x27;titel&#x27; en una lección; ¿quisiste decir &#x27;title&#x27;?"
    ) in page
    assert "unknown key" not in page and "missing required key" not in page
    assert row_counts() == before


def test_a_spanish_editor_gets_the_import_report_in_spanish(client):
    spanish_editor(client)

    response = client.post(reverse(IMPORT_URL), upload(fixture("rich.yaml")))

    assert response.status_code == 200 and Course.objects.filter(slug="xs").exists()
    report = re.search(r'<pre id="course-file-report">(.*?)</pre>', response.text, re.S).group(1)
    assert report.startswith("Importado: curso &#x27;xs&#x27; de rich.yaml")
    assert re.search(r"\n  lecciones +4 creados +0 actualizados +0 sin cambios +0 borrados\n", report)
    assert re.search(r"\n  ejercicios de lección +\d+ creados", report)
    assert "created" not in report and "Imported" not in report

    again = client.post(reverse(IMPORT_URL), upload(fixture("rich.yaml")))
    assert "  sin cambios</pre>" in again.text


def test_a_problem_reads_in_the_language_it_is_shown_in_not_the_one_it_was_made_in(tmp_path):
    """Problems are made lazily: one found while Spanish was active prints in English, and back."""
    path = tmp_path / "bad.yaml"
    path.write_text("format: 1\ncourse: []\n", encoding="utf-8")  # two problems at line 2
    with translation.override("es"), pytest.raises(CourseFileError) as caught:
        parse_course_file(path)
    with translation.override("en"):
        assert str(caught.value).splitlines() == [
            f"{path}:2: course: expected a mapping, got a list",
            f"{path}:2: course: expected a mapping (the course), got a list",
        ]
    with translation.override("es"):
        assert str(caught.value.problems[1]) == f"{path}:2: course: se esperaba un mapa (el curso), pero hay una lista"


def _slug_clash(tmp_path):
    """``translated.yaml`` (a course taught from Spanish: the importer writes it with Spanish active),
    its first section taking the slug of another course's."""
    import_course(source=fixture("minimal.yaml"))
    taken = Section.objects.get(course__slug="mini").slug
    text = fixture("translated.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  - ordinal: 1\n    title: Lo básico\n", f"  - ordinal: 1\n    slug: {taken}\n    title: Lo básico\n"
    )
    path = tmp_path / "ingles.yaml"
    path.write_text(text, encoding="utf-8")
    return path, taken


def test_import_course_prints_english_by_default_whatever_the_thread_had_active(tmp_path):
    """The command prints in LANGUAGE_CODE: a problem found while the importer worked in Spanish (the
    course's own language), under a caller that had Spanish active, still prints in English."""
    path, taken = _slug_clash(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    with translation.override("es"), pytest.raises(CommandError) as caught:
        call_command("import_course", str(path), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        f"{path}:16: sections[0]: section slug '{taken}' is already used by course 'mini'"
    ]
    assert str(caught.value) == f"{path}: 1 problem(s); nothing was written"
    assert not Course.objects.filter(slug="ingles").exists()


def test_import_course_prints_its_report_in_english_by_default():
    out = io.StringIO()
    with translation.override("es"):
        call_command("import_course", str(fixture("rich.yaml")), stdout=out)
    assert out.getvalue().startswith(f"Imported: course 'xs' from {fixture('rich.yaml')}\n  languages  ")
    assert re.search(r"\n  lessons +4 created +0 updated +0 unchanged +0 deleted\n", out.getvalue())


@override_settings(LANGUAGE_CODE="es")
def test_import_course_prints_in_the_sites_language(tmp_path):
    path, taken = _slug_clash(tmp_path)
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_course", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == f"{path}:16: sections[0]: el slug de sección '{taken}' ya lo usa el curso 'mini'"
    assert str(caught.value) == f"{path}: 1 problema(s); no se ha escrito nada"


@override_settings(LANGUAGE_CODE="es")
def test_import_course_prints_its_report_in_the_sites_language():
    out = io.StringIO()
    call_command("import_course", str(fixture("rich.yaml")), "--dry-run", stdout=out)
    assert out.getvalue().startswith("Simulación (no se ha escrito nada): curso 'xs' de ")
