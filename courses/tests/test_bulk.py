"""Bulk actions on content (docs/authoring.md, "Bulk actions"): moves keep slugs and renumber
ordinals safely, a duplicate is an unpublished copy with its own exercises, exports keep their
meaning, and the admin pages drive it. Runs on SQLite too (config/tests/test_sqlite_run.py)."""

import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses import bulk
from courses.course_files import export_course, import_course
from courses.models import Checkpoint, Course, Exercise, Lesson, LessonExercise, Unit
from courses.tests.course_files.helpers import fixture, snapshot
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LanguageFactory,
    LessonExerciseFactory,
    LessonFactory,
    LessonPrerequisiteFactory,
    SectionFactory,
    TokenFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def other_course():
    return CourseFactory(slug="zz", to_language=LanguageFactory(code="zz", name="Zed"))


@pytest.fixture
def tree():
    """Course bk: section 1 with units 1 (lessons 1-3) and 2 (lessons 1-2); section 2 with unit 1."""
    course = CourseFactory(slug="bk")
    s1 = SectionFactory(course=course, ordinal=1, slug="bk-sec-01")
    s2 = SectionFactory(course=course, ordinal=2, slug="bk-sec-02")
    u1 = UnitFactory(section=s1, ordinal=1, slug="bk-u-01-01")
    u2 = UnitFactory(section=s1, ordinal=2, slug="bk-u-01-02")
    u3 = UnitFactory(section=s2, ordinal=1, slug="bk-u-02-01")
    lessons = {}
    for unit, count, (s, u) in ((u1, 3, (1, 1)), (u2, 2, (1, 2)), (u3, 1, (2, 1))):
        for n in range(1, count + 1):
            lesson = LessonFactory(unit=unit, ordinal=n, slug=f"bk-l-{s:02d}-{u:02d}-{n:02d}")
            exercise = ExerciseFactory(course=course, slug=f"bk-e-{s:02d}-{u:02d}-{n:02d}-01")
            LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=1)
            lessons[lesson.slug] = lesson
    return {"course": course, "sections": (s1, s2), "units": (u1, u2, u3), "lessons": lessons}


def layout(unit) -> list[tuple[int, str]]:
    return list(Lesson.objects.filter(unit=unit).order_by("ordinal").values_list("ordinal", "slug"))


def test_moving_lessons_onto_taken_ordinals_appends_them_and_renumbers_the_source(tree):
    u1, u2, _ = tree["units"]
    lessons = tree["lessons"]
    # bk-l-01-01-01 and -03 have ordinals 1 and 3; unit 2 already uses 1 and 2.
    moved = bulk.move_lessons(lessons=[lessons["bk-l-01-01-03"], lessons["bk-l-01-01-01"]], unit=u2)
    assert [(m.slug, m.ordinal) for m in moved] == [("bk-l-01-01-01", 3), ("bk-l-01-01-03", 4)]
    assert layout(u2) == [(1, "bk-l-01-02-01"), (2, "bk-l-01-02-02"), (3, "bk-l-01-01-01"), (4, "bk-l-01-01-03")]
    assert layout(u1) == [(1, "bk-l-01-01-02")]  # renumbered from 2, slugs unchanged


def test_moving_lessons_to_another_course_is_refused_and_changes_nothing(tree):
    other = UnitFactory(section=SectionFactory(course=other_course(), ordinal=1, slug="zz-sec-01"))
    u1 = tree["units"][0]
    before = layout(u1)
    with pytest.raises(ValidationError) as error:
        bulk.move_lessons(lessons=[tree["lessons"]["bk-l-01-01-01"]], unit=other)
    assert "Lessons move only within their course: bk-l-01-01-01 is not in the course" in error.value.messages[0]
    assert layout(u1) == before and not Lesson.objects.filter(unit=other).exists()


def test_moving_a_lesson_to_its_own_unit_changes_nothing(tree):
    u1 = tree["units"][0]
    assert bulk.move_lessons(lessons=[tree["lessons"]["bk-l-01-01-02"]], unit=u1) == []
    assert layout(u1) == [(1, "bk-l-01-01-01"), (2, "bk-l-01-01-02"), (3, "bk-l-01-01-03")]


def test_moving_units_to_another_section_keeps_their_lessons_and_slugs(tree):
    s1, s2 = tree["sections"]
    u1 = tree["units"][0]
    moved = bulk.move_units(units=[u1], section=s2)
    assert [(m.slug, m.ordinal) for m in moved] == [("bk-u-01-01", 2)]
    assert list(Unit.objects.filter(section=s2).order_by("ordinal").values_list("ordinal", "slug")) == [
        (1, "bk-u-02-01"),
        (2, "bk-u-01-01"),
    ]
    assert list(Unit.objects.filter(section=s1).values_list("ordinal", "slug")) == [(1, "bk-u-01-02")]
    assert layout(u1) == [(1, "bk-l-01-01-01"), (2, "bk-l-01-01-02"), (3, "bk-l-01-01-03")]


def test_duplicate_is_an_unpublished_copy_with_its_own_exercises(tree):
    course = tree["course"]
    lesson = tree["lessons"]["bk-l-01-01-02"]
    word = TokenFactory(language=course.to_language, text="hola")
    original = lesson.exercises.get()
    original.tokens.set([word])
    LessonPrerequisiteFactory(lesson=lesson, prerequisite=tree["lessons"]["bk-l-01-01-01"])
    second = ExerciseFactory(course=course, slug="bk-extra", is_published=False)
    LessonExerciseFactory(lesson=lesson, exercise=second, ordinal=2)
    # The natural slug of the copy's position (unit 1, lesson 4) is already taken: the next free one.
    LessonFactory(unit=UnitFactory(section=tree["sections"][1], ordinal=9, slug="bk-u-02-09"), slug="bk-l-01-01-04")

    copy = bulk.duplicate_lesson(lesson=lesson)

    assert (copy.slug, copy.ordinal, copy.title, copy.is_published) == (
        "bk-l-01-01-04-b",
        4,
        f"{lesson.title} (copy)",
        False,
    )
    links = list(LessonExercise.objects.filter(lesson=copy).order_by("ordinal").select_related("exercise"))
    assert [link.exercise.slug for link in links] == ["bk-e-01-01-04-01", "bk-e-01-01-04-02"]
    assert {link.exercise_id for link in links}.isdisjoint({original.pk, second.pk})
    assert [(e.type, e.payload, e.is_published) for e in (link.exercise for link in links)] == [
        (original.type, original.payload, True),
        (second.type, second.payload, False),
    ]
    assert list(links[0].exercise.tokens.all()) == [word]
    assert list(copy.prerequisites.values_list("slug", flat=True)) == ["bk-l-01-01-01"]
    assert lesson.exercises.count() == 2  # the original is untouched


def test_a_duplicate_and_a_move_round_trip_through_an_export():
    import_course(source=fixture("rich.yaml"))
    course = Course.objects.get(slug="xs")
    hello = Lesson.objects.get(slug="xs-l-01-01-01")
    bulk.duplicate_lesson(lesson=hello)
    goodbye = Lesson.objects.get(slug="xs-l-01-01-02")
    # Its exercise xs-goodbye-bank is a fixed item of unit 1's checkpoint: moving it away is refused.
    unchanged = snapshot("xs")
    with pytest.raises(ValidationError, match=r"checkpoint xs-greetings-test: xs-goodbye-bank is in none of"):
        bulk.move_lessons(lessons=[goodbye], unit=Unit.objects.get(slug="xs-animals"))
    assert snapshot("xs") == unchanged
    Checkpoint.objects.get(slug="xs-greetings-test").exercises.remove(Exercise.objects.get(slug="xs-goodbye-bank"))
    bulk.move_lessons(lessons=[goodbye], unit=Unit.objects.get(slug="xs-animals"))
    before = snapshot("xs")
    exported = export_course(course=course)
    assert "slug: xs-l-01-01-02\n" in exported  # a moved lesson keeps its identity in the file
    # Importing the export over the course changes nothing…
    report = import_course(source=io.StringIO(exported), name="exported.yaml")
    assert not report.changed, report
    # …and into an empty database it gives the same course.
    Course.objects.all().delete()
    Exercise.objects.all().delete()
    import_course(source=io.StringIO(exported), name="exported.yaml")
    assert snapshot("xs") == before
    assert export_course(course=Course.objects.get(slug="xs")) == exported


# --- Admin -----------------------------------------------------------------------------------------


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_move_lessons_asks_for_the_unit_then_moves(client, editor, tree):
    lessons = tree["lessons"]
    u2 = tree["units"][1]
    selected = [lessons["bk-l-01-01-01"].pk, lessons["bk-l-01-01-02"].pk]
    UnitFactory(section=SectionFactory(course=other_course()), slug="zz-u-01-01")  # never offered: other course
    url = reverse("admin:courses_lesson_changelist")
    page = client.post(url, {"action": "move_lessons_to_unit", "_selected_action": selected})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Move 2 lessons to another unit" in html and 'name="apply"' in html
    assert "bk-u-02-01" in html and "zz-u-01-01" not in html  # the units of this course only
    done = client.post(
        url,
        {"action": "move_lessons_to_unit", "_selected_action": selected, "target": u2.pk, "apply": "Move"},
        follow=True,
    )
    assert "Moved to unit bk-u-01-02: bk-l-01-01-01 (now lesson 3), bk-l-01-01-02 (now lesson 4)." in _messages(done)
    assert layout(tree["units"][0]) == [(1, "bk-l-01-01-03")]


def test_admin_move_refuses_a_selection_across_courses(client, editor, tree):
    other = LessonFactory(unit=UnitFactory(section=SectionFactory(course=other_course())), slug="zz-l-01-01-01")
    response = client.post(
        reverse("admin:courses_lesson_changelist"),
        {"action": "move_lessons_to_unit", "_selected_action": [tree["lessons"]["bk-l-01-01-01"].pk, other.pk]},
        follow=True,
    )
    assert "Select items of one course: they move within their course." in _messages(response)


def test_admin_move_units_and_duplicate_lessons(client, editor, tree):
    s2 = tree["sections"][1]
    u2 = tree["units"][1]
    units_url = reverse("admin:courses_unit_changelist")
    page = client.post(units_url, {"action": "move_units_to_section", "_selected_action": [u2.pk]})
    assert "Move 1 units to another section" in page.content.decode()
    done = client.post(
        units_url,
        {"action": "move_units_to_section", "_selected_action": [u2.pk], "target": s2.pk, "apply": "Move"},
        follow=True,
    )
    assert "Moved to section bk-sec-02: bk-u-01-02 (now unit 2)." in _messages(done)
    lesson = tree["lessons"]["bk-l-01-01-01"]
    done = client.post(
        reverse("admin:courses_lesson_changelist"),
        {"action": "duplicate_lessons", "_selected_action": [lesson.pk]},
        follow=True,
    )
    assert "Duplicated as unpublished drafts: bk-l-01-01-04 (1 exercises)." in _messages(done)
    assert Lesson.objects.get(slug="bk-l-01-01-04").is_published is False


def test_admin_unpublish_action(client, editor, tree):
    lesson = tree["lessons"]["bk-l-01-01-01"]
    done = client.post(
        reverse("admin:courses_lesson_changelist"),
        {"action": "unpublish_selected", "_selected_action": [lesson.pk]},
        follow=True,
    )
    assert "Unpublished 1: bk-l-01-01-01." in _messages(done)
    lesson.refresh_from_db()
    assert lesson.is_published is False


def test_bulk_changes_leave_audit_entries(tree):
    from auditlog.models import LogEntry

    lesson = tree["lessons"]["bk-l-01-01-01"]
    bulk.move_lessons(lessons=[lesson], unit=tree["units"][1])
    entry = LogEntry.objects.get_for_object(lesson).latest("pk")
    assert entry.changes_dict == {"unit": ["bk-u-01-01", "bk-u-01-02"], "ordinal": [1, 3]}
    copy = bulk.duplicate_lesson(lesson=lesson)
    assert LogEntry.objects.get_for_object(copy).filter(additional_data__duplicate_of="bk-l-01-01-01").exists()
