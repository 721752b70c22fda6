"""Course texts in more than one interface language (docs/i18n.md, docs/course-format.md "translations"):
the course file carries them and round-trips exactly, a missing text shows the course's source language,
and the interface language never changes what is accepted as an answer."""

import io

import pytest
from django.urls import reverse
from django.utils import translation

from courses.course_files import CourseFileError, export_course, import_course
from courses.models import Checkpoint, Course, Exercise, Lesson, Section, Unit

from .course_files.helpers import HERE, fixture

pytestmark = pytest.mark.django_db


def test_a_course_file_with_translations_round_trips_byte_for_byte():
    source = fixture("translated.yaml").read_text(encoding="utf-8")
    import_course(source=fixture("translated.yaml"))
    assert export_course(course=Course.objects.get(slug="ingles")) == source
    # and a second import of the same file changes nothing
    report = import_course(source=fixture("translated.yaml"))
    assert not report.changed


def test_the_file_texts_are_the_source_language_and_translations_sit_beside_them():
    import_course(source=fixture("translated.yaml"))
    lesson = Lesson.objects.get(slug="ingles-l-01-01-01")
    # a course taught from Spanish: its own texts are the Spanish columns
    assert (lesson.title_es, lesson.title_en) == ("¡Hola!", "Hello!")
    assert (lesson.notes_es, lesson.notes_en) == (
        "“Hello” sirve a cualquier hora.",
        "“Hello” works at any time of day.",
    )
    exercise = Exercise.objects.get(slug="ingles-e-01-01-01-01")
    assert (exercise.prompt_es, exercise.prompt_en, exercise.hint_en) == (
        "Traduce esta oración",
        "Translate this sentence",
        "It is a greeting.",
    )
    assert Checkpoint.objects.get().title_en == "Greetings test"
    assert Section.objects.get(slug="ingles-sec-01").title_en == "The basics"


def test_a_missing_translation_shows_the_source_language_text():
    import_course(source=fixture("translated.yaml"))
    unit = Unit.objects.get(slug="ingles-u-01-01")
    untranslated = Exercise.objects.get(slug="ingles-e-01-01-01-02")
    with translation.override("en"):
        assert unit.title == "Greetings"
        assert unit.description == "Para empezar una conversación."  # no English description: the Spanish one
        assert untranslated.prompt == "Traduce esta oración"
        assert Course.objects.values_list("title", flat=True).get(slug="ingles") == "English for Spanish speakers"
    with translation.override("es"):
        assert unit.title == "Saludos"
        assert Course.objects.get(slug="ingles").title == "Inglés para hispanohablantes"


def test_an_english_course_shows_its_spanish_translation_to_a_spanish_interface_and_english_otherwise():
    import_course(source=fixture("minimal.yaml"))
    lesson = Lesson.objects.get(slug="mini-l-01-01-01")
    lesson.title_es = "Hola"
    lesson.save(update_fields=["title_es"])
    other = Lesson.objects.get(slug="mini-l-01-01-02")
    with translation.override("es"):
        assert Lesson.objects.get(pk=lesson.pk).title == "Hola"
        assert other.title == "Goodbye"
    with translation.override("en"):
        assert Lesson.objects.get(pk=lesson.pk).title == "Hello"
    exported = export_course(course=Course.objects.get(slug="mini"))
    assert "translations:\n              es:\n                title: Hola\n" in exported


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("translations:\n    fr: {title: Cours}\n", "'fr' is not an interface language of Mallard"),
        ("translations:\n    en: {title: Mini}\n", "'en' is the language this course is written in"),
        ("translations:\n    es: {payload: x}\n", "unknown key 'payload'"),
    ],
)
def test_bad_translations_are_refused_at_their_line(snippet, message):
    text = fixture("minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  to_language: {code: es, name: Spanish}\n",
        "  to_language: {code: es, name: Spanish}\n  " + snippet.replace("\n    ", "\n      ").rstrip("\n") + "\n",
    )
    with pytest.raises(CourseFileError) as caught:
        import_course(source=io.StringIO(text), name="bad.yaml")
    assert message in str(caught.value)
    assert "course.translations" in str(caught.value)


def test_the_fixture_is_where_the_helpers_look():
    assert (HERE / "translated.yaml").exists()


def test_admin_edits_the_source_language_text_with_its_translations_side_by_side(admin_client):
    from .test_admin import form_data

    import_course(source=fixture("translated.yaml"))
    lesson = Lesson.objects.get(slug="ingles-l-01-01-01")
    url = reverse("admin:courses_lesson_change", args=[lesson.pk])
    page = admin_client.get(url, headers={"accept-language": "en"})
    assert page.status_code == 200
    form = page.context["adminform"].form
    # the course is taught from Spanish: "title" is the Spanish text, the English one beside it
    assert form["title"].value() == "¡Hola!"
    assert form["title_en"].value() == "Hello!"
    assert form.fields["notes_en"].widget.attrs["placeholder"] == "“Hello” sirve a cualquier hora."
    assert ("title", "title_en") in [
        row for _, options in page.context["adminform"].fieldsets for row in options["fields"]
    ]
    data = form_data(page)
    data.update({"title": "¡Hola de nuevo!", "title_en": "", "_save": "Save"})
    response = admin_client.post(url, data, headers={"accept-language": "en"})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    lesson.refresh_from_db()
    assert lesson.title_es == "¡Hola de nuevo!" and not lesson.title_en
    with translation.override("en"):
        assert lesson.title == "¡Hola de nuevo!"  # no English title any more: the Spanish one shows
