"""Publishing that cannot break the path (docs/authoring.md, "Publishing"): new content starts as a
draft; publishing refuses, naming what is missing, in admin saves, admin actions and the course-file
import; a listen exercise with no audio is never served."""

import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses import publishing
from courses.course_files import import_course
from courses.course_files.errors import CourseFileError
from courses.models import Course, Exercise, Lesson, Section, Unit
from courses.publishing import ExerciseFacts, container_problem, exercise_problem, lesson_problem
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    UnitFactory,
)
from media_assets.tests.factories import AssetFactory

pytestmark = pytest.mark.django_db

LISTEN = {"text": "Buenos días", "solutions": ["Buenos días"]}


# --- The pure rules ------------------------------------------------------------------------------


def test_the_rules_name_what_is_missing():
    listen = ExerciseFacts("es-e-1", "listen", True, False)
    speak = ExerciseFacts("es-e-2", "speak", True, False)
    translate = ExerciseFacts("es-e-3", "translate", True, False)
    draft = ExerciseFacts("es-e-4", "translate", False, False)
    assert exercise_problem(listen) == "exercise es-e-1 is a listen exercise with no audio"
    assert exercise_problem(speak) == "exercise es-e-2 is a speak exercise with no audio"
    assert exercise_problem(translate) is None
    assert exercise_problem(ExerciseFacts("es-e-5", "listen", True, True)) is None
    assert lesson_problem("es-l-1", []) == "lesson es-l-1 has no exercise"
    assert lesson_problem("es-l-1", [draft]) == "lesson es-l-1 has no published exercise"
    assert lesson_problem("es-l-1", [listen, draft]) == (
        "lesson es-l-1 has no published exercise that can be served "
        "(exercise es-e-1 is a listen exercise with no audio)"
    )
    assert lesson_problem("es-l-1", [listen, translate]) is None
    assert container_problem("unit", "es-u-1", "lesson", []) == "unit es-u-1 has no lesson"
    assert container_problem("unit", "es-u-1", "lesson", [(True, False), (False, True)]) == (
        "unit es-u-1 has no publishable lesson (a published lesson that passes its own check)"
    )
    assert container_problem("unit", "es-u-1", "lesson", [(False, True), (True, True)]) is None


# --- The check on the database ---------------------------------------------------------------------


@pytest.fixture
def tree():
    course = CourseFactory(slug="pb", is_published=False)
    section = SectionFactory(course=course, ordinal=1, slug="pb-sec-01")
    unit = UnitFactory(section=section, ordinal=1, slug="pb-u-01-01")
    lesson = LessonFactory(unit=unit, ordinal=1, slug="pb-l-01-01-01")
    exercise = ExerciseFactory(course=course, slug="pb-e-01-01-01-01")
    LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=1)
    return course, section, unit, lesson, exercise


def test_a_complete_tree_is_publishable_at_every_level(tree, django_assert_num_queries):
    course = tree[0]
    for obj in tree:
        assert publishing.publishing_problems(obj) == []
    with django_assert_num_queries(4):  # one query per level below the course, whatever its size
        publishing.publishing_problems(course)


def test_each_level_refuses_naming_what_is_missing(tree):
    course, section, unit, lesson, exercise = tree
    Exercise.objects.filter(pk=exercise.pk).update(is_published=False)
    assert publishing.publishing_problems(lesson) == ["lesson pb-l-01-01-01 has no published exercise"]
    assert publishing.publishing_problems(unit) == [
        "unit pb-u-01-01 has no publishable lesson (a published lesson that passes its own check)"
    ]
    assert publishing.publishing_problems(section) == [
        "section pb-sec-01 has no publishable unit (a published unit that passes its own check)"
    ]
    assert publishing.publishing_problems(course) == [
        "course pb has no publishable section (a published section that passes its own check)"
    ]
    empty = LessonFactory(unit=unit, ordinal=2, slug="pb-l-01-01-02")
    assert publishing.publishing_problems(empty) == ["lesson pb-l-01-01-02 has no exercise"]


def test_listen_and_speak_exercises_need_audio(tree):
    _, _, _, lesson, exercise = tree
    Exercise.objects.filter(pk=exercise.pk).update(type="listen", payload=LISTEN)
    exercise.refresh_from_db()
    assert publishing.publishing_problems(exercise) == ["exercise pb-e-01-01-01-01 is a listen exercise with no audio"]
    assert publishing.publishing_problems(lesson) == [
        "lesson pb-l-01-01-01 has no published exercise that can be served "
        "(exercise pb-e-01-01-01-01 is a listen exercise with no audio)"
    ]
    Exercise.objects.filter(pk=exercise.pk).update(audio=AssetFactory())
    exercise.refresh_from_db()
    assert publishing.publishing_problems(exercise) == [] and publishing.publishing_problems(lesson) == []


def test_a_course_still_needs_its_attribution(tree):
    course = tree[0]
    Course.objects.filter(pk=course.pk).update(license_short_name="CC BY 4.0")
    course.refresh_from_db()
    problems = publishing.publishing_problems(course)
    assert len(problems) == 2 and "requires attribution" in problems[0]


def test_set_published_publishes_what_passes_and_refuses_the_rest_per_item(tree):
    _, _, unit, lesson, _ = tree
    Lesson.objects.filter(pk=lesson.pk).update(is_published=False)
    empty = LessonFactory(unit=unit, ordinal=2, slug="pb-l-01-01-02", is_published=False)
    result = publishing.set_published(objects=[lesson, empty], published=True)
    assert [o.slug for o in result.changed] == ["pb-l-01-01-01"]
    assert [(o.slug, p) for o, p in result.refused] == [("pb-l-01-01-02", ["lesson pb-l-01-01-02 has no exercise"])]
    assert set(Lesson.objects.filter(is_published=True).values_list("slug", flat=True)) == {"pb-l-01-01-01"}
    result = publishing.set_published(objects=[lesson, empty], published=False)
    assert [o.slug for o in result.changed] == ["pb-l-01-01-01"]
    assert result.unchanged == [empty]
    assert not Lesson.objects.filter(is_published=True).exists()


def test_new_content_starts_unpublished():
    for model in (Section, Unit, Lesson, Exercise):
        assert model._meta.get_field("is_published").default is False


# --- Admin -----------------------------------------------------------------------------------------


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _publish_selected(client, model: str, pks: list[int]):
    """The admin's "Publish selected" action on the ``model`` list (e.g. "lesson"), followed."""
    return client.post(
        reverse(f"admin:courses_{model}_changelist"),
        {"action": "publish_selected", "_selected_action": pks},
        follow=True,
    )


def test_admin_add_pages_start_unpublished(client, editor):
    for model in ("section", "unit", "lesson", "exercise"):
        response = client.get(reverse(f"admin:courses_{model}_add"))
        field = response.context["adminform"].form["is_published"]
        assert field.value() is False, model


@pytest.mark.parametrize(
    ("locale", "refusal"),
    [
        ("en", "Not published: lesson pb-l-01-01-02 has no exercise. Lesson pb-l-01-01-02 was saved as a draft."),
        (
            "es",
            "No publicado: la lección pb-l-01-01-02 no tiene ningún ejercicio. "
            "Lección pb-l-01-01-02 se ha guardado como borrador.",
        ),
    ],
)
def test_admin_saving_a_published_lesson_with_no_exercise_keeps_it_a_draft(client, editor, tree, locale, refusal):
    """The refusal is in the editor's interface language."""
    editor.locale = locale
    editor.save(update_fields=["locale"])
    _, _, unit, _, _ = tree
    data = {
        "unit": unit.pk,
        "ordinal": 2,
        "title": "Half built",
        "kind": "core",
        "difficulty": "easy",
        "estimated_minutes": 5,
        "is_published": "on",
        "adaptive_order": "on",
        "lesson_exercises-TOTAL_FORMS": "0",
        "lesson_exercises-INITIAL_FORMS": "0",
        "lesson_exercises-MIN_NUM_FORMS": "0",
        "lesson_exercises-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:courses_lesson_add"), data, follow=True)
    assert response.status_code == 200
    lesson = Lesson.objects.get(slug="pb-l-01-01-02")
    assert lesson.is_published is False
    assert refusal in _messages(response)


def test_admin_exercise_form_refuses_to_publish_a_listen_exercise_without_audio(client, editor, tree):
    course = tree[0]
    data = {
        "course": course.pk,
        "type": "listen",
        "prompt": "",
        "payload": '{"text": "Buenos días", "solutions": ["Buenos días"]}',
        "hint": "",
        "explanation": "",
        "is_published": "on",
    }
    response = client.post(reverse("admin:courses_exercise_add"), data)
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors["is_published"]
    assert errors == [
        "Cannot publish: exercise (new) is a listen exercise with no audio. "
        "Attach its audio first, or leave it a draft."
    ]
    assert not Exercise.objects.filter(type="listen").exists()
    del data["is_published"]
    response = client.post(reverse("admin:courses_exercise_add"), data)
    assert response.status_code == 302 and Exercise.objects.get(type="listen").is_published is False


def test_admin_publish_action_reports_each_refusal(client, editor, tree):
    _, _, unit, lesson, _ = tree
    Lesson.objects.filter(pk=lesson.pk).update(is_published=False)
    empty = LessonFactory(unit=unit, ordinal=2, slug="pb-l-01-01-02", is_published=False)
    response = _publish_selected(client, "lesson", [lesson.pk, empty.pk])
    messages = _messages(response)
    assert "Published 1: pb-l-01-01-01." in messages
    assert "Not published: lesson pb-l-01-01-02 has no exercise." in messages
    assert list(Lesson.objects.filter(is_published=True)) == [lesson]


def test_admin_unit_publish_action_refuses_a_unit_with_no_publishable_lesson(client, editor, tree):
    _, section, _, _, _ = tree
    bare = UnitFactory(section=section, ordinal=2, slug="pb-u-01-02", is_published=False)
    LessonFactory(unit=bare, ordinal=1, slug="pb-l-01-02-01")  # published, but with no exercise
    response = _publish_selected(client, "unit", [bare.pk])
    assert (
        "Not published: unit pb-u-01-02 has no publishable lesson (a published lesson that passes its own check)."
        in _messages(response)
    )
    bare.refresh_from_db()
    assert bare.is_published is False


# --- Import ----------------------------------------------------------------------------------------

HEAD = """format: 1
course:
  slug: imp
  title: Import
  from_language: {code: en, name: English}
  to_language: {code: eo, name: Esperanto}
  published: true
"""


def _import(body: str):
    return import_course(source=io.StringIO(HEAD + body), name="c.yaml")


def _problems(body: str) -> list[str]:
    with pytest.raises(CourseFileError) as caught:
        _import(body)
    assert not Course.objects.filter(slug="imp").exists()  # nothing written
    return [str(p) for p in caught.value.problems]


TRANSLATE = "              - type: translate\n                payload: {text: Saluton, solutions: [Hello]}\n"
LISTEN_YAML = "              - type: listen\n                payload: {text: Saluton, solutions: [Saluton]}\n"


def _tree(exercises: str, *, lesson_extra: str = "", unit_extra: str = "") -> str:
    return (
        "sections:\n"
        "  - ordinal: 1\n    title: S\n    cefr: A1\n"
        "    units:\n"
        f"      - ordinal: 1\n        title: U\n{unit_extra}"
        "        lessons:\n"
        f"          - ordinal: 1\n            title: L\n{lesson_extra}"
        "            exercises:\n" + exercises
    )


def test_import_refuses_a_published_lesson_with_no_published_exercise():
    body = _tree(TRANSLATE.replace("payload:", "published: false\n                payload:"))
    problems = _problems(body)
    assert problems[-1] == (
        "c.yaml:16: sections[0].units[0].lessons[0]: lesson imp-l-01-01-01 has no published exercise; "
        "a published lesson needs one (or write published: false)"
    )
    # the unit, section and course above it are refused too, each at its own line
    assert [p.split(": ")[1] for p in problems] == [
        "course",
        "sections[0]",
        "sections[0].units[0]",
        "sections[0].units[0].lessons[0]",
    ]


def test_import_refuses_a_lesson_whose_only_exercise_is_a_listen_exercise_without_audio():
    problems = _problems(_tree(LISTEN_YAML))
    assert any(
        "lessons[0]: lesson imp-l-01-01-01 has no published exercise that can be served "
        "(exercise imp-e-01-01-01-01 is a listen exercise with no audio)" in p
        for p in problems
    ), problems


def test_import_notes_listen_exercises_without_audio_beside_a_servable_one():
    report = _import(_tree(TRANSLATE + LISTEN_YAML))
    assert Course.objects.get(slug="imp").is_published
    assert any("1 published listen/speak exercise has no audio yet (imp-e-01-01-01-02)" in n for n in report.notes)


def test_import_refuses_a_published_unit_with_no_lesson():
    body = (
        "sections:\n  - ordinal: 1\n    title: S\n    cefr: A1\n    units:\n"
        "      - ordinal: 1\n        title: Empty\n"
        "      - ordinal: 2\n        title: U\n        lessons:\n"
        "          - ordinal: 1\n            title: L\n            exercises:\n" + TRANSLATE
    )
    problems = _problems(body)
    assert problems == ["c.yaml:13: sections[0].units[0]: unit imp-u-01-01 has no lesson; or write published: false"]


def test_import_accepts_unpublished_drafts_and_an_unpublished_course():
    body = _tree("", unit_extra="        published: false\n").replace("exercises:\n", "exercises: []\n")
    body = body.replace("            exercises: []", "            published: false\n            exercises: []")
    # the only unit is a draft, so the published section has no publishable unit
    problems = _problems(body)
    assert [p.split(": ")[1] for p in problems] == ["course", "sections[0]"]
    draft = HEAD.replace("published: true", "published: false") + body.replace(
        "    cefr: A1\n", "    cefr: A1\n    published: false\n"
    )
    import_course(source=io.StringIO(draft), name="c.yaml")
    assert Course.objects.get(slug="imp").is_published is False


def test_a_spanish_speaking_editor_reads_the_publishing_refusals_in_spanish(client, tree):
    """The refusal's sentences follow the staff user's interface language, the slugs stay as they are."""
    _, section, unit, lesson, _ = tree
    editor = UserFactory(is_staff=True, locale="es")
    editor.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(editor)
    Lesson.objects.filter(pk=lesson.pk).update(is_published=False)
    empty = LessonFactory(unit=unit, ordinal=2, slug="pb-l-01-01-02", is_published=False)
    response = _publish_selected(client, "lesson", [lesson.pk, empty.pk])
    assert "No publicado: la lección pb-l-01-01-02 no tiene ningún ejercicio." in _messages(response)
    bare = UnitFactory(section=section, ordinal=2, slug="pb-u-01-02", is_published=False)
    response = _publish_selected(client, "unit", [bare.pk])
    assert "No publicado: la unidad pb-u-01-02 no tiene ninguna lección." in _messages(response)
    assert not Lesson.objects.filter(pk=empty.pk, is_published=True).exists()
