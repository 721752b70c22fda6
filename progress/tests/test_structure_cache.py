"""The cached course structure (courses/structure.py) on the path page: an admin edit, a course-file
import and a publish each show on the next page view, and no learner sees another's state through it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory
from courses.content_version import content_changed
from courses.course_files import import_course
from courses.models import Checkpoint, Lesson
from courses.publishing import set_published
from courses.structure import course_structure
from courses.tests.course_files.helpers import fixture
from courses.tests.factories import CheckpointFactory
from courses.tests.sample_courses import add_exercises, make_course
from courses.tests.test_admin import form_data
from progress.models import LessonProgress

pytestmark = pytest.mark.django_db


def path_html(client, course) -> str:
    response = client.get(reverse("course_path", args=[course.slug]))
    assert response.status_code == 200
    return response.content.decode()


def mini_course_file() -> str:
    """The minimal course file (courses/tests/course_files), published."""
    course_line = "  title: Mini course\n"
    return fixture("minimal.yaml").read_text().replace(course_line, course_line + "  published: true\n")


def import_text(tmp_path, text: str):
    """Import a course file of this text (a new file each time); returns the minimal course."""
    source = tmp_path / f"course-{len(list(tmp_path.iterdir()))}.yaml"
    source.write_text(text)
    import_course(source=source)
    return Lesson.objects.get(slug="mini-l-01-01-01").unit.section.course


def test_the_structure_is_read_once_then_served_from_the_cache(django_assert_num_queries):
    course, _ = make_course(units=2, lessons_per_unit=2)
    # units, lessons, prerequisites, exercises, course words, checkpoints (each unit's words: unit_words)
    with django_assert_num_queries(6):
        built = course_structure(course.pk)
    with django_assert_num_queries(0):
        cached = course_structure(course.pk)
    assert cached.ordered_lesson_ids == built.ordered_lesson_ids and len(built.ordered_lesson_ids) == 4


def test_a_process_keeps_the_structure_it_read_until_the_content_changes(django_assert_num_queries):
    """Kept in the process by its cache key: no cache read (its entry may even be gone) and no query,
    with its texts read once in the key's language; a content change names a new key."""
    course, lessons = make_course(units=1, lessons_per_unit=2)
    Lesson.objects.filter(pk=lessons[0].pk).update(title_en="Greetings", title_es="Saludos")
    content_changed()
    first = course_structure(course.pk)
    cache.delete_many(_structure_keys(course.pk))
    with django_assert_num_queries(0):
        assert course_structure(course.pk) is first
    assert first.texts is not None and first.texts.lessons[lessons[0].pk][0] == "Greetings"
    with translation.override("es"):
        spanish = course_structure(course.pk)
    assert spanish is not first and spanish.texts is not None
    assert spanish.texts.lessons[lessons[0].pk][0] == "Saludos"
    content_changed()
    assert course_structure(course.pk) is not first


def test_an_exercise_is_read_with_the_content_version_in_one_cache_round_trip(django_assert_num_queries, monkeypatch):
    """``exercise_for_answer`` (and ``visible_course``): one ``get_many`` of the version and the entry, no
    query; an entry stored under another version is stale, and an edit is seen at once."""
    from courses.structure import exercise_for_answer, visible_course

    course, lessons = make_course(units=1, lessons_per_unit=1)
    exercise = lessons[0].lesson_exercises.first().exercise
    assert exercise_for_answer(exercise.pk).explanation == exercise.explanation
    assert visible_course(course.slug) == course
    calls: list[str] = []
    inside: list[str] = []  # a backend's get_many may call its own get (not a round trip of the caller's)

    def counted(name, original):
        def call(*args, **kwargs):
            if not inside:
                calls.append(name)
            inside.append(name)
            try:
                return original(*args, **kwargs)
            finally:
                inside.pop()

        return call

    for name in ("get", "get_many", "add", "set"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))
    with django_assert_num_queries(0):
        cached = exercise_for_answer(exercise.pk)
        assert visible_course(course.slug).pk == course.pk
    assert calls == ["get_many", "get_many"]
    assert sorted(cached.token_ids) == sorted(exercise.tokens.values_list("pk", flat=True)) != []
    exercise.explanation = "Ser is for what something is."
    exercise.save()  # a content change: a new version, so the entry stored under the old one is stale
    calls.clear()
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):  # (its words: one more on SQLite)
        assert exercise_for_answer(exercise.pk).explanation == "Ser is for what something is."
    assert calls == ["get_many", "set"]
    with django_assert_num_queries(0):
        assert exercise_for_answer(exercise.pk).explanation == "Ser is for what something is."
    assert exercise_for_answer(10**9) is None and visible_course("no-such-course") is None


def _structure_keys(course_id: int) -> list[str]:
    from courses.content_version import FORMAT, current_version

    return [f"courses:structure:{FORMAT}:{current_version()}:{course_id}:{language}" for language in ("en", "es")]


def test_an_admin_edit_shows_on_the_next_page_view(client, learner, editor_client):
    course, lessons = make_course(units=1, lessons_per_unit=2)
    assert lessons[1].title in path_html(client, course)  # cached now
    unit = lessons[0].unit
    url = reverse("admin:courses_unit_change", args=[unit.pk])
    data = form_data(editor_client.get(url))
    row = next(i for i in range(2) if data[f"lessons-{i}-id"] == str(lessons[1].pk))
    data[f"lessons-{row}-title"] = "Renamed in admin"
    assert editor_client.post(url, data).status_code == 302
    html = path_html(client, course)
    assert "Renamed in admin" in html and lessons[1].title not in html


def test_an_import_shows_on_the_next_page_view(client, learner, tmp_path):
    text = mini_course_file()
    course = import_text(tmp_path, text)
    assert "Goodbye" in path_html(client, course)
    import_text(tmp_path, text.replace("title: Goodbye", "title: Farewell"))
    html = path_html(client, course)
    assert "Farewell" in html and "Goodbye" not in html


def test_a_publish_shows_on_the_next_page_view(client, learner):
    course, lessons = make_course(units=1, lessons_per_unit=2)
    draft = Lesson.objects.create(
        unit=lessons[0].unit, ordinal=3, title="Not yet", slug=f"{course.slug}-draft", is_published=False
    )
    add_exercises(draft, 1)
    assert "Not yet" not in path_html(client, course)
    result = set_published(objects=[draft], published=True)
    assert result.changed == [draft]
    assert "Not yet" in path_html(client, course)
    set_published(objects=[draft], published=False)
    assert "Not yet" not in path_html(client, course)


def test_no_learner_sees_another_learners_state(client, learner):
    course, lessons = make_course(units=1, lessons_per_unit=3)
    other = Client()
    other.force_login(UserFactory())
    LessonProgress.objects.create(
        user=learner, lesson=lessons[0], runs_started=1, passes=1, tier=1, first_passed_at=timezone.now()
    )
    mine = path_html(client, course)  # fills the cache with this learner's view first
    theirs = path_html(other, course)
    assert f'<li class="lesson passed" id="lesson-{lessons[0].slug}">' in mine
    assert f'<li class="lesson open next" id="lesson-{lessons[1].slug}">' in mine
    assert f'<li class="lesson open next" id="lesson-{lessons[0].slug}">' in theirs
    assert f'<li class="lesson locked" id="lesson-{lessons[1].slug}">' in theirs
    assert "lesson passed" not in theirs
    # and again, now that the other learner's view was the last one served
    assert f'<li class="lesson passed" id="lesson-{lessons[0].slug}">' in path_html(client, course)


def test_a_checkpoints_admin_edit_publish_and_delete_show_on_the_next_page_view(client, learner, editor_client):
    """Checkpoints are content: they are part of the cached structure, and every write of one (an admin
    save, the publish and unpublish actions — bulk UPDATEs —, a delete) shows on the next page view."""
    course, lessons = make_course(units=1, lessons_per_unit=2)
    checkpoint = CheckpointFactory(unit=lessons[0].unit, title="First test", is_published=False)
    assert "First test" not in path_html(client, course)  # cached now
    changelist = reverse("admin:courses_checkpoint_changelist")
    publish = {"action": "publish_selected", "_selected_action": [checkpoint.pk]}
    assert editor_client.post(changelist, publish).status_code == 302
    assert f'id="checkpoint-{checkpoint.slug}"' in path_html(client, course)
    url = reverse("admin:courses_checkpoint_change", args=[checkpoint.pk])
    data = form_data(editor_client.get(url))
    data["title"] = "Renamed test"
    assert editor_client.post(url, data).status_code == 302
    html = path_html(client, course)
    assert "Renamed test" in html and "First test" not in html
    unpublish = {"action": "unpublish_selected", "_selected_action": [checkpoint.pk]}
    assert editor_client.post(changelist, unpublish).status_code == 302
    assert "Renamed test" not in path_html(client, course)
    Checkpoint.objects.filter(pk=checkpoint.pk).update(is_published=True)
    content_changed()  # what every bulk write of content does
    assert "Renamed test" in path_html(client, course)
    checkpoint.delete()
    assert "Renamed test" not in path_html(client, course)


def test_an_imported_checkpoint_shows_on_the_next_page_view(client, learner, tmp_path):
    text = mini_course_file()
    course = import_text(tmp_path, text)
    assert "Greetings test" not in path_html(client, course)
    unit_line = "        title: Greetings\n"
    checkpoint = "        checkpoint:\n          title: Greetings test\n          draw: 2\n"
    import_text(tmp_path, text.replace(unit_line, unit_line + checkpoint))
    assert "Greetings test" in path_html(client, course)
