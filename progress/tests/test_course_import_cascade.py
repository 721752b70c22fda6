"""A course import that deletes a lesson reports the learners' rows deleted with it (here runs)."""

import pytest
from django.utils import timezone

from courses.course_files import import_course
from courses.models import Lesson
from courses.tests.course_files.helpers import fixture
from progress.models import LessonRun

pytestmark = pytest.mark.django_db


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_report_names_learner_rows_deleted_with_a_lesson(tmp_path, user):
    import_course(source=fixture("minimal.yaml"))
    goodbye = Lesson.objects.get(slug="mini-l-01-01-02")
    LessonRun.objects.create(user=user, course=goodbye.unit.section.course, lesson=goodbye, started_at=timezone.now())
    text = fixture("minimal.yaml").read_text()

    report = import_course(source=write(tmp_path, "cut.yaml", text[: text.index("          - ordinal: 2")]))

    assert report.cascaded == {"progress.LessonRun": 1}
    assert "also deleted with them: 1 progress.LessonRun" in str(report)
    assert not LessonRun.objects.exists()
