"""manage.py import_course / export_course."""

import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.models import Course

from .course_files.helpers import BAD, REPO, fixture, row_counts

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_the_report_and_is_idempotent():
    out, _ = run("import_course", str(fixture("rich.yaml")))
    assert out.startswith(f"Imported: course 'xs' from {fixture('rich.yaml')}")
    assert "exercises             9 created" in out
    out, _ = run("import_course", str(fixture("rich.yaml")))
    assert "no changes" in out


def test_import_dry_run_writes_nothing():
    out, _ = run("import_course", str(fixture("rich.yaml")), "--dry-run")
    assert out.startswith("Dry run (nothing written)")
    assert not Course.objects.exists()


def test_import_errors_go_to_stderr_with_lines_and_exit_1():
    before = row_counts()
    err = io.StringIO()
    source = BAD / "unknown_key.yaml"
    with pytest.raises(CommandError) as caught:
        call_command("import_course", str(source), stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert err.getvalue().splitlines() == [
        f"{source}:28: sections[0].units[0].lessons[1]: missing required key 'title' in a lesson",
        f"{source}:29: sections[0].units[0].lessons[1].titel: unknown key 'titel' in a lesson; did you mean 'title'?",
    ]
    assert "nothing was written" in str(caught.value)
    assert row_counts() == before


def test_export_to_stdout_and_to_a_file(tmp_path):
    run("import_course", str(fixture("rich.yaml")))
    out, _ = run("export_course", "xs")
    assert out == fixture("rich.yaml").read_text()
    target = tmp_path / "out.yaml"
    run("export_course", "xs", "-o", str(target))
    assert target.read_text() == out


def test_export_of_an_unknown_course_names_the_known_ones():
    run("import_course", str(fixture("minimal.yaml")))
    with pytest.raises(CommandError, match="no course with slug 'nope' \\(courses: mini\\)"):
        run("export_course", "nope")


@pytest.mark.slow
def test_import_command_exit_status_in_a_real_process():
    """The process exits 1 on a bad file (no database needed: the file is refused before any write)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "import_course", str(BAD / "bad_yaml_syntax.yaml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"{BAD / 'bad_yaml_syntax.yaml'}:22: (yaml): invalid YAML" in result.stderr
