"""Slugs, reordering, prerequisites and exercise validation (courses.slugs, courses.services)."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from courses import services, slugs
from courses.exercise_types import answer_language_code, get_type
from courses.models import Exercise, Lesson, LessonExercise, LessonPrerequisite, Section, Unit
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LanguageFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    TokenFactory,
    UnitFactory,
)
from media_assets.models import Asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return CourseFactory(slug="es")


@pytest.fixture
def unit(course):
    section = SectionFactory(course=course, ordinal=1, slug="es-sec-01")
    return UnitFactory(section=section, ordinal=3, slug="es-u-01-03")


def new_lesson(unit, ordinal, title="L"):
    lesson = Lesson(unit=unit, ordinal=ordinal, title=title)
    slugs.assign_slug(lesson)
    lesson.save()
    return lesson


# --- slugs -----------------------------------------------------------------------------------


def test_slugs_follow_seed_000_from_the_ordinals(course):
    section = Section(course=course, ordinal=2, title="S")
    assert slugs.assign_slug(section) == "es-sec-02"
    section.save()
    unit = Unit(section=section, ordinal=3, title="U")
    assert slugs.assign_slug(unit) == "es-u-02-03"
    unit.save()
    lesson = Lesson(unit=unit, ordinal=5, title="L")
    assert slugs.assign_slug(lesson) == "es-l-02-03-05"
    lesson.save()
    exercise = services.create_exercise(
        exercise=Exercise(course=course, type="speak", payload={"text": "Hola"}), lesson=lesson
    )
    assert exercise.slug == "es-e-02-03-05-01"
    second = services.create_exercise(
        exercise=Exercise(course=course, type="speak", payload={"text": "Adiós"}), lesson=lesson
    )
    assert second.slug == "es-e-02-03-05-02"
    assert list(lesson.lesson_exercises.values_list("exercise__slug", "ordinal")) == [
        ("es-e-02-03-05-01", 1),
        ("es-e-02-03-05-02", 2),
    ]


def test_exercises_outside_a_lesson_are_numbered_per_course(course):
    first = services.create_exercise(exercise=Exercise(course=course, type="speak", payload={"text": "a"}))
    second = services.create_exercise(exercise=Exercise(course=course, type="speak", payload={"text": "b"}))
    assert (first.slug, second.slug) == ("es-e-0001", "es-e-0002")
    first.delete()
    assert slugs.loose_exercise_slug(course=course) == "es-e-0001"  # the first free number


def test_assign_slug_keeps_an_existing_slug(unit):
    lesson = Lesson(unit=unit, ordinal=1, title="L", slug="custom-slug")
    assert slugs.assign_slug(lesson) == "custom-slug"


def test_slugs_are_stable_under_reorder_and_retitle(unit):
    a, b, c = (new_lesson(unit, n) for n in (1, 2, 3))
    services.reorder_children(parent=unit, ordered_ids=[c.pk, a.pk, b.pk])
    c.refresh_from_db()
    c.title = "Renamed"
    c.save(update_fields=["title"])
    assert [(lesson.slug, lesson.ordinal) for lesson in unit.lessons.order_by("ordinal")] == [
        ("es-l-01-03-03", 1),
        ("es-l-01-03-01", 2),
        ("es-l-01-03-02", 3),
    ]


def test_a_taken_natural_slug_gets_the_next_free_suffix(unit):
    a, b = new_lesson(unit, 1), new_lesson(unit, 2)
    services.reorder_children(parent=unit, ordered_ids=[b.pk, a.pk])  # a (es-…-01) is now at 2
    Lesson.objects.filter(pk=b.pk).update(ordinal=3)  # free ordinal 1 again
    assert new_lesson(unit, 1).slug == "es-l-01-03-01-b"
    Lesson.objects.filter(pk=a.pk).update(ordinal=4)
    assert new_lesson(unit, 2).slug == "es-l-01-03-02-b"
    Lesson.objects.filter(slug="es-l-01-03-01-b").update(ordinal=5)
    assert new_lesson(unit, 1).slug == "es-l-01-03-01-c"


def test_free_slug_series_goes_past_z():
    assert slugs.free_slug(Lesson, "x", taken={"x"}) == "x-b"
    taken = {"x"} | {f"x-{c}" for c in "bcdefghijklmnopqrstuvwxyz"}
    assert slugs.free_slug(Lesson, "x", taken=taken) == "x-27"


def test_slugs_are_unique_in_the_database(unit):
    new_lesson(unit, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lesson.objects.create(unit=unit, ordinal=2, title="dup", slug="es-l-01-03-01")


# --- ordinals ---------------------------------------------------------------------------------


def test_sibling_ordinals_are_unique_at_commit(unit):
    from django.db import connection

    new_lesson(unit, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:  # deferred to commit; a test never commits, so check now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Lesson.objects.create(unit=unit, ordinal=1, title="clash", slug="clash")


def test_reorder_lessons_swaps_without_tripping_the_constraint(unit):
    a, b, c = (new_lesson(unit, n) for n in (1, 2, 3))
    services.reorder_children(parent=unit, ordered_ids=[b.pk, a.pk, c.pk])
    assert list(unit.lessons.order_by("ordinal").values_list("pk", flat=True)) == [b.pk, a.pk, c.pk]
    services.reorder_children(parent=unit, ordered_ids=[c.pk, b.pk, a.pk])
    assert list(unit.lessons.order_by("ordinal").values_list("pk", "ordinal")) == [(c.pk, 1), (b.pk, 2), (a.pk, 3)]


def test_reorder_renumbers_gaps(course):
    s1 = SectionFactory(course=course, ordinal=4)
    s2 = SectionFactory(course=course, ordinal=9)
    services.reorder_children(parent=course, ordered_ids=[s2.pk, s1.pk])
    assert list(course.sections.order_by("ordinal").values_list("pk", "ordinal")) == [(s2.pk, 1), (s1.pk, 2)]


def test_reorder_lesson_exercises():
    lesson = LessonFactory()
    course = lesson.unit.section.course
    links = [
        LessonExerciseFactory(lesson=lesson, exercise=ExerciseFactory(course=course), ordinal=n) for n in (1, 2, 3)
    ]
    services.reorder_children(parent=lesson, ordered_ids=[links[2].pk, links[0].pk, links[1].pk])
    assert list(lesson.lesson_exercises.order_by("ordinal").values_list("pk", flat=True)) == [
        links[2].pk,
        links[0].pk,
        links[1].pk,
    ]


@pytest.mark.parametrize("bad", ["missing", "extra", "duplicate"])
def test_reorder_needs_every_child_exactly_once(unit, bad):
    a, b = new_lesson(unit, 1), new_lesson(unit, 2)
    other = new_lesson(UnitFactory(section=unit.section, ordinal=4), 1)
    ids = {"missing": [a.pk], "extra": [a.pk, b.pk, other.pk], "duplicate": [a.pk, b.pk, b.pk]}[bad]
    with pytest.raises(ValidationError):
        services.reorder_children(parent=unit, ordered_ids=ids)
    assert list(unit.lessons.order_by("ordinal").values_list("pk", flat=True)) == [a.pk, b.pk]


def test_reorder_two_step_path_for_databases_without_deferrable_constraints(unit, monkeypatch):
    """SQLite checks uniqueness per statement: the service parks moving rows first. Prove that path
    works on its own by making PostgreSQL check immediately, as SQLite would."""
    from django.db import connection

    a, b, c = (new_lesson(unit, n) for n in (1, 2, 3))
    monkeypatch.setattr(connection.features, "supports_deferrable_unique_constraints", False)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        services.reorder_children(parent=unit, ordered_ids=[c.pk, a.pk, b.pk])
    assert list(unit.lessons.order_by("ordinal").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]


def test_save_siblings_swaps_with_immediate_constraints_and_fills_blanks(unit):
    from django.db import connection

    a, b = new_lesson(unit, 1), new_lesson(unit, 2)
    a.ordinal, b.ordinal = 2, 1
    fresh = Lesson(unit=unit, title="New", ordinal=None)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        services.save_siblings(objects=[a, b, fresh])
    assert list(unit.lessons.order_by("ordinal").values_list("pk", "ordinal")) == [(b.pk, 1), (a.pk, 2), (fresh.pk, 3)]
    assert fresh.slug == "es-l-01-03-03"


def test_save_siblings_deletes_first(unit):
    a, b = new_lesson(unit, 1), new_lesson(unit, 2)
    b.ordinal = 1
    services.save_siblings(objects=[b], deleted=[a])
    assert list(unit.lessons.values_list("pk", "ordinal")) == [(b.pk, 1)]


# --- prerequisites -----------------------------------------------------------------------------


def test_prerequisites_are_set_and_replaced(unit):
    a, b, c = (new_lesson(unit, n) for n in (1, 2, 3))
    services.set_prerequisites(lesson=c, prerequisites=[a, b])
    assert set(c.prerequisites.all()) == {a, b}
    services.set_prerequisites(lesson=c, prerequisites=[b])
    assert list(c.prerequisites.all()) == [b]
    services.set_prerequisites(lesson=c, prerequisites=[])
    assert not c.prerequisites.exists()


def test_self_prerequisite_is_refused_by_service_and_database(unit):
    a = new_lesson(unit, 1)
    with pytest.raises(ValidationError, match="its own prerequisite"):
        services.set_prerequisites(lesson=a, prerequisites=[a])
    with pytest.raises(IntegrityError), transaction.atomic():
        LessonPrerequisite.objects.create(lesson=a, prerequisite=a)


def test_two_lesson_cycle_is_refused_naming_it(unit):
    a, b = new_lesson(unit, 1), new_lesson(unit, 2)
    services.set_prerequisites(lesson=b, prerequisites=[a])
    with pytest.raises(ValidationError) as excinfo:
        services.set_prerequisites(lesson=a, prerequisites=[b])
    message = excinfo.value.message_dict["prerequisites"][0]
    assert "es-l-01-03-01 needs es-l-01-03-02, which needs es-l-01-03-01" in message
    assert not a.prerequisites.exists()


def test_long_cycle_is_refused_and_named_in_order(unit):
    lessons = [new_lesson(unit, n) for n in range(1, 6)]
    for earlier, later in itertools.pairwise(lessons):
        services.set_prerequisites(lesson=later, prerequisites=[earlier])  # 1 ← 2 ← 3 ← 4 ← 5
    cycle = services.find_prerequisite_cycle(lesson=lessons[0], prerequisites=[lessons[4]])
    assert [lesson.ordinal for lesson in cycle] == [1, 5, 4, 3, 2, 1]
    with pytest.raises(ValidationError, match="es-l-01-03-01 needs es-l-01-03-05, which needs es-l-01-03-04"):
        services.set_prerequisites(lesson=lessons[0], prerequisites=[lessons[4]])


def test_prerequisite_cycles_is_the_one_search_for_the_database_and_course_files():
    needs = {"a": ["b"], "b": ["c", "a"], "c": ["a"], "d": ["d2"], "d2": []}
    # Depth first, successors in the order given: a→b→c→a first, then a→b→a.
    assert list(services.prerequisite_cycles(needs, ["a", "d"])) == [["a", "b", "c", "a"], ["a", "b", "a"]]
    assert next(services.prerequisite_cycles(needs, ["d"]), None) is None  # d2 is a dead end, not a cycle
    assert list(services.prerequisite_cycles({1: [2, 3], 2: [4], 3: [4], 4: []}, [1])) == []  # a diamond


def test_slug_builders_and_pattern_have_one_home():
    assert slugs.section_slug("es", 2) == "es-sec-02"
    assert slugs.unit_slug("es", 2, 3) == "es-u-02-03"
    assert slugs.lesson_slug("es", 2, 3, 5) == "es-l-02-03-05"
    assert slugs.exercise_slug("es", 2, 3, 5, 12) == "es-e-02-03-05-12"
    assert all(slugs.SLUG_RE.match(s) for s in ("es", "es-l-02-03-05", "a1-b2"))
    assert not any(slugs.SLUG_RE.match(s) for s in ("Es", "es--l", "-es", "es-", "es_l", ""))
    patterns = [v.regex.pattern for v in Lesson._meta.get_field("slug").validators if hasattr(v, "regex")]
    assert slugs.SLUG_PATTERN in patterns  # the models validate with the same pattern


def test_a_diamond_is_not_a_cycle(unit):
    a, b, c, d = (new_lesson(unit, n) for n in (1, 2, 3, 4))
    services.set_prerequisites(lesson=b, prerequisites=[a])
    services.set_prerequisites(lesson=c, prerequisites=[a])
    services.set_prerequisites(lesson=d, prerequisites=[b, c])
    assert services.find_prerequisite_cycle(lesson=d, prerequisites=[b, c]) is None
    assert set(d.prerequisites.all()) == {b, c}


def test_prerequisites_must_be_in_the_same_course(unit):
    a = new_lesson(unit, 1)
    elsewhere = LessonFactory(
        unit__section__course=CourseFactory(to_language=LanguageFactory(code="fr", name="French"))
    )
    with pytest.raises(ValidationError, match="another course"):
        services.set_prerequisites(lesson=a, prerequisites=[elsewhere])


# --- exercises ---------------------------------------------------------------------------------


def test_validate_exercise_keys_errors_by_dotted_payload_path(course):
    exercise = Exercise(
        course=course, type="multiple_choice", payload={"question": "q", "choices": ["a", "a"], "answer": 5}
    )
    with pytest.raises(ValidationError) as excinfo:
        services.validate_exercise(exercise)
    assert set(excinfo.value.message_dict) == {"payload.choices.1", "payload.answer"}


def test_validate_exercise_unknown_type_and_non_object_payload(course):
    with pytest.raises(ValidationError) as excinfo:
        services.validate_exercise(Exercise(course=course, type="dictation", payload={}))
    assert "type" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.validate_exercise(Exercise(course=course, type="speak", payload=["x"]))
    assert "payload" in excinfo.value.message_dict


def test_validate_exercise_checks_assets_and_tokens(course):
    audio = Asset.objects.create(kind=Asset.Kind.AUDIO, text="hola")
    image = Asset.objects.create(kind=Asset.Kind.IMAGE, text="perro")
    payload = {
        "question": "el perro",
        "choices": [{"label": "dog", "image": image.pk}, {"label": "x", "image": audio.pk}],
        "answer": 0,
    }
    exercise = Exercise(course=course, type="picture", payload=payload, image=audio, audio=image)
    french = TokenFactory(language=LanguageFactory(code="fr", name="French"), text="chat")
    spanish = TokenFactory(language=course.to_language, text="gato")
    with pytest.raises(ValidationError) as excinfo:
        services.validate_exercise(exercise, tokens=[french, spanish])
    assert set(excinfo.value.message_dict) == {"payload.choices.1.image", "audio", "image", "tokens"}
    assert "chat" in excinfo.value.message_dict["tokens"][0]
    payload["choices"][1]["image"] = "🐈"
    services.validate_exercise(Exercise(course=course, type="picture", payload=payload), tokens=[spanish])


def test_answer_language_code():
    exercise = ExerciseFactory()  # translate, direction to_source: the learner writes English

    def code() -> str:
        return answer_language_code(get_type(exercise.type), exercise.payload, exercise.course)

    assert code() == "en"
    exercise.payload = {"text": "Hello", "solutions": ["Hola"]}
    assert code() == "es"
    # Not text (checked without a language): the course's target language, as the answer loop passes.
    exercise.type, exercise.payload = "multiple_choice", {"question": "q", "choices": ["a", "b"], "answer": 0}
    assert code() == "es"


def test_add_exercise_to_lesson_appends():
    lesson = LessonFactory()
    course = lesson.unit.section.course
    first = services.add_exercise_to_lesson(lesson=lesson, exercise=ExerciseFactory(course=course))
    second = services.add_exercise_to_lesson(lesson=lesson, exercise=ExerciseFactory(course=course))
    assert (first.ordinal, second.ordinal) == (1, 2)
    with pytest.raises(ValidationError):
        services.add_exercise_to_lesson(lesson=lesson, exercise=first.exercise)  # already in the lesson
    assert LessonExercise.objects.filter(lesson=lesson).count() == 2
