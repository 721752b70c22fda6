"""The import service: all-or-nothing, idempotent by slug, updates in place and deletes what is gone."""

import pytest
from django.db import IntegrityError

from courses.course_files import CourseFileError, import_course
from courses.course_files import importer as importer_module
from courses.models import Course, Exercise, Language, Lesson, LessonExercise, LessonPrerequisite, Token

from .course_files.helpers import fixture, row_counts, snapshot
from .factories import CourseFactory, LanguageFactory, LessonExerciseFactory, LessonFactory

pytestmark = pytest.mark.django_db


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_import_builds_the_whole_tree():
    report = import_course(source=fixture("rich.yaml"))

    course = Course.objects.get(slug="xs")
    assert (course.from_language.code, course.to_language.code, course.is_published) == ("en", "es", True)
    assert report.counts["lessons"].created == 4 and report.counts["exercises"].created == 9
    assert Token.objects.get(text="hola").ipa == "\u02c8o.la"
    assert Token.objects.get(text="no").translation == "no"  # YAML 1.1 would have read a boolean
    shared = Exercise.objects.get(slug="xs-e-01-01-01-01")
    assert sorted(shared.lessons.values_list("slug", flat=True)) == ["xs-l-01-01-01", "xs-l-01-01-02"]
    assert list(shared.tokens.values_list("text", flat=True)) == ["hola"]
    station = Lesson.objects.get(slug="xs-station-first")
    assert station.is_published is False and station.unit.is_published is False
    assert list(
        LessonPrerequisite.objects.filter(lesson=station).order_by("id").values_list("prerequisite__slug", flat=True)
    ) == ["xs-l-01-02-01", "xs-l-01-01-02"]
    assert Exercise.objects.get(slug="xs-spare").lessons.count() == 0
    assert list(
        LessonExercise.objects.filter(lesson__slug="xs-l-01-01-02")
        .order_by("ordinal")
        .values_list("exercise__slug", flat=True)
    ) == ["xs-e-01-01-01-01", "xs-goodbye-bank", "xs-e-01-01-02-03"]


def test_importing_the_same_file_twice_changes_nothing():
    import_course(source=fixture("rich.yaml"))
    before = snapshot("xs")
    stamps = dict(Exercise.objects.values_list("slug", "updated_at"))
    counts = row_counts()

    report = import_course(source=fixture("rich.yaml"))

    assert report.total("created") == report.total("updated") == report.total("deleted") == 0
    assert not report.changed and "no changes" in str(report)
    assert report.counts["exercises"].unchanged == 9
    assert snapshot("xs") == before and row_counts() == counts
    assert dict(Exercise.objects.values_list("slug", "updated_at")) == stamps


def test_reimport_of_an_edited_file_updates_in_place_and_deletes_what_is_gone(tmp_path):
    import_course(source=fixture("minimal.yaml"))
    hello = Lesson.objects.get(slug="mini-l-01-01-01")
    translate = Exercise.objects.get(slug="mini-e-01-01-01-01")
    text = fixture("minimal.yaml").read_text()
    edited = text[: text.index("          - ordinal: 2")].replace("title: Hello", "title: Hello there")

    report = import_course(source=write(tmp_path, "edited.yaml", edited))

    hello.refresh_from_db()
    assert hello.title == "Hello there"
    assert Lesson.objects.get(slug="mini-l-01-01-01").pk == hello.pk
    assert Exercise.objects.get(slug="mini-e-01-01-01-01").pk == translate.pk  # still in the file: kept
    assert not Lesson.objects.filter(slug="mini-l-01-01-02").exists()
    assert not Exercise.objects.filter(slug="mini-e-01-01-02-01").exists()
    assert report.counts["lessons"].updated == 1 and report.counts["lessons"].deleted == 1
    assert report.counts["exercises"].deleted == 1 and report.counts["prerequisites"].deleted == 1
    assert report.deleted == {"lessons": ["mini-l-01-01-02"], "exercises": ["mini-e-01-01-02-01"]}
    assert "deleted lessons: mini-l-01-01-02" in str(report)
    assert LessonExercise.objects.count() == 1


def test_reordering_through_the_file_uses_the_deferred_ordinal_constraints(tmp_path):
    base = """format: 1
course:
  slug: ro
  title: Reorder
  from_language: {code: en, name: English}
  to_language: {code: fr, name: French}
sections:
  - ordinal: 1
    title: S
    cefr: A1
    published: false
    units:
      - ordinal: 1
        title: U
        published: false
        lessons:
          - ordinal: 1
            slug: ro-first
            title: First
            published: false
            exercises:
              - {slug: ro-a, type: listen, payload: {text: Un}}
              - {slug: ro-b, type: listen, payload: {text: Deux}}
          - ordinal: 2
            slug: ro-second
            title: Second
            published: false
"""
    import_course(source=write(tmp_path, "a.yaml", base))
    ids = dict(Lesson.objects.values_list("slug", "pk"))
    swapped = (
        base.replace("ordinal: 1\n            slug: ro-first", "ordinal: 2\n            slug: ro-first")
        .replace("ordinal: 2\n            slug: ro-second", "ordinal: 1\n            slug: ro-second")
        .replace("{slug: ro-a, type: listen, payload: {text: Un}}", "TMP")
        .replace("{slug: ro-b, type: listen, payload: {text: Deux}}", "{slug: ro-a, type: listen, payload: {text: Un}}")
        .replace("TMP", "{slug: ro-b, type: listen, payload: {text: Deux}}")
    )

    report = import_course(source=write(tmp_path, "b.yaml", swapped))

    assert dict(Lesson.objects.values_list("slug", "ordinal")) == {"ro-first": 2, "ro-second": 1}
    assert dict(Lesson.objects.values_list("slug", "pk")) == ids
    assert list(LessonExercise.objects.order_by("ordinal").values_list("exercise__slug", flat=True)) == ["ro-b", "ro-a"]
    assert report.counts["lessons"].updated == 2 and report.counts["lesson_exercises"].updated == 2


def test_an_exercise_another_course_still_uses_survives(tmp_path):
    import_course(source=fixture("minimal.yaml"))
    mc = Exercise.objects.get(slug="mini-e-01-01-02-01")
    other = LessonFactory(unit__section__course=CourseFactory(from_language__code="de", to_language__code="it"))
    LessonExerciseFactory(lesson=other, exercise=mc, ordinal=1)
    text = fixture("minimal.yaml").read_text()

    report = import_course(source=write(tmp_path, "cut.yaml", text[: text.index("          - ordinal: 2")]))

    assert Exercise.objects.filter(pk=mc.pk).exists()
    assert report.kept == ["mini-e-01-01-02-01"] and report.counts["exercises"].deleted == 0


def test_tokens_the_file_drops_are_deleted_unless_an_exercise_teaches_them(tmp_path):
    import_course(source=fixture("minimal.yaml"))
    LanguageFactory(code="es")
    text = fixture("minimal.yaml").read_text()
    text = text.replace(
        "  - text: hola\n    translation: hello\n", "  - text: hola\n    translation: hi\n  - text: nuevo\n"
    )
    import_course(source=write(tmp_path, "more.yaml", text))
    assert Token.objects.get(text="hola").translation == "hi"

    fewer = fixture("minimal.yaml").read_text()
    report = import_course(source=write(tmp_path, "fewer.yaml", fewer))

    assert report.deleted["tokens"] == ["nuevo"] and report.counts["tokens"].updated == 1
    assert sorted(Token.objects.values_list("text", flat=True)) == ["adiós", "hola"]


def test_languages_are_got_or_created_by_code_and_existing_ones_left_alone():
    Language.objects.create(code="es", name="Castilian", native_name="")
    report = import_course(source=fixture("minimal.yaml"))
    assert Language.objects.filter(code="es").count() == 1
    assert Language.objects.get(code="es").name == "Castilian"
    assert Language.objects.get(code="en").name == "English"
    assert report.counts["languages"].created == 1 and report.counts["languages"].unchanged == 1
    assert "note: language 'es' already exists as 'Castilian' / '' and was kept" in str(report)


def test_dry_run_checks_and_reports_but_writes_nothing():
    before = row_counts()
    report = import_course(source=fixture("rich.yaml"), dry_run=True)
    assert report.dry_run and report.counts["exercises"].created == 9
    assert str(report).startswith("Dry run (nothing written)")
    assert row_counts() == before


def test_a_slug_another_course_uses_is_refused_with_its_line(tmp_path):
    other = CourseFactory(slug="zz", from_language__code="de", to_language__code="it")
    LessonFactory(slug="mini-l-01-01-02", unit__section__course=other)
    before = row_counts()
    with pytest.raises(CourseFileError) as caught:
        import_course(source=fixture("minimal.yaml"))
    (problem,) = caught.value.problems
    assert (problem.line, problem.path) == (28, "sections[0].units[0].lessons[1]")
    assert problem.message == "lesson slug 'mini-l-01-01-02' is already used by course 'zz'"
    assert row_counts() == before


def test_a_failure_the_database_finds_late_rolls_everything_back(tmp_path):
    import_course(source=fixture("minimal.yaml"))
    # a second course teaching Spanish to English speakers: the database refuses it (a unique
    # constraint on the language pair), after the new token has been written
    text = fixture("minimal.yaml").read_text().replace("slug: mini", "slug: other").replace("mini-", "other-")
    text = text.replace("tokens:\n", "tokens:\n  - text: nuevo\n", 1)
    before = row_counts()

    with pytest.raises(CourseFileError) as caught:
        import_course(source=write(tmp_path, "other.yaml", text))

    (problem,) = caught.value.problems
    assert problem.line == 3 and problem.path == "course"
    assert "the database refused the import" in problem.message and "course_unique_language_pair" in problem.message
    assert row_counts() == before
    assert not Token.objects.filter(text="nuevo").exists()


def test_a_failure_after_every_write_rolls_everything_back(monkeypatch, tmp_path):
    import_course(source=fixture("minimal.yaml"))
    before, state = row_counts(), snapshot("mini")

    def explode(self, course, language):
        assert Lesson.objects.filter(title="Changed").exists()  # the writes did happen…
        raise IntegrityError("simulated failure at the very end")

    monkeypatch.setattr(importer_module._Writer, "delete_stale", explode)
    changed = fixture("minimal.yaml").read_text().replace("title: Hello", "title: Changed")
    with pytest.raises(CourseFileError) as caught:
        import_course(source=write(tmp_path, "late.yaml", changed))
    assert "simulated failure" in caught.value.problems[0].message
    assert row_counts() == before and snapshot("mini") == state  # …and were all rolled back


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_course_at_once_run_one_after_the_other(tmp_path):
    """The course row lock serializes them: both succeed and the result is one of the two files."""
    import threading

    from django.db import connection

    import_course(source=fixture("minimal.yaml"))
    text = fixture("minimal.yaml").read_text()
    paths = []
    for title in ("Hola A", "Hola B"):
        variant = text.replace("title: Hello", f"title: {title}").replace("text: nuevo", "")
        variant = variant.replace("tokens:\n", f"tokens:\n  - text: {title.lower().replace(' ', '-')}\n", 1)
        paths.append(write(tmp_path, f"{title[-1]}.yaml", variant))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(path):
        try:
            barrier.wait()
            import_course(source=path)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    title = Lesson.objects.get(slug="mini-l-01-01-01").title
    assert title in ("Hola A", "Hola B")
    # the tokens match the winning file: the loser's new token was removed again as unused
    assert Token.objects.filter(text=title.lower().replace(" ", "-")).exists()
    assert Token.objects.count() == 3
    assert LessonExercise.objects.count() == 3
