"""Write a validated course file to the database: create, update in place by slug, delete what is gone.

All-or-nothing: everything happens in one ``transaction.atomic()``; any problem (in the file, or one
the database finds, such as a slug another course already uses) rolls it all back.

The report's text and its notes are translated when shown (``str(report)`` in the admin's import page
reads in the editor's interface language; ``manage.py import_course`` prints it in LANGUAGE_CODE).
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from auditlog.context import disable_auditlog
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Model, Q
from django.utils import translation
from django.utils.translation import gettext, ngettext_lazy, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.audit import Action, log_event
from core.i18n import interpolate_lazy as lazy_text
from courses import publishing
from courses.content_languages import source_language, translated_columns
from courses.content_version import content_changed
from courses.models import (
    Checkpoint,
    Course,
    Exercise,
    Language,
    Lesson,
    LessonExercise,
    LessonPrerequisite,
    Section,
    Token,
    Unit,
)

from .errors import CourseFileError, Problem, Problems
from .parse import Source, parse_course_file
from .spec import CourseFile, Where

MODELS = (
    "languages",
    "course",
    "tokens",
    "sections",
    "units",
    "lessons",
    "exercises",
    "lesson_exercises",
    "prerequisites",
    "checkpoints",
)


ORDINAL_CONSTRAINTS = tuple(
    connection.ops.quote_name(c.name)
    for model in (Section, Unit, Lesson, LessonExercise)
    for c in model._meta.constraints
    if getattr(c, "deferrable", None)
)


#: model label -> its line in the report
REPORT_NAMES = {
    Section._meta.label: "sections",
    Unit._meta.label: "units",
    Lesson._meta.label: "lessons",
    Exercise._meta.label: "exercises",
    Token._meta.label: "tokens",
    LessonExercise._meta.label: "lesson_exercises",
    LessonPrerequisite._meta.label: "prerequisites",
    Checkpoint._meta.label: "checkpoints",
}
#: each line of the report's table, by its key in ``ImportReport.counts``
ROW_NAMES = {
    "languages": pgettext_lazy("course-file import report", "languages"),
    "course": pgettext_lazy("course-file import report", "course"),
    "tokens": pgettext_lazy("course-file import report", "tokens"),
    "sections": pgettext_lazy("course-file import report", "sections"),
    "units": pgettext_lazy("course-file import report", "units"),
    "lessons": pgettext_lazy("course-file import report", "lessons"),
    "exercises": pgettext_lazy("course-file import report", "exercises"),
    "lesson_exercises": pgettext_lazy("course-file import report", "lesson exercises"),
    "prerequisites": pgettext_lazy("course-file import report", "prerequisites"),
    "checkpoints": pgettext_lazy("course-file import report", "checkpoints"),
}
#: the narrowest the table's first column is (English fits in it; a longer translation widens it)
ROW_NAME_WIDTH = 17
#: the slugs a note names before "and N more"
NOTE_SLUGS = 5
#: link tables deleted with their rows, not worth a line of the report
SILENT_LINKS = {
    Exercise.tokens.through._meta.label,
    Checkpoint.lessons.through._meta.label,
    Checkpoint.exercises.through._meta.label,
}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class ImportReport:
    filename: str
    course_slug: str
    dry_run: bool = False
    counts: dict[str, Counts] = field(default_factory=lambda: {name: Counts() for name in MODELS})
    #: slugs (texts for tokens) of what was deleted, per model
    deleted: dict[str, list[str]] = field(default_factory=dict)
    #: rows of other models removed with them (e.g. learners' runs of a deleted lesson)
    cascaded: Counter = field(default_factory=Counter)
    #: exercises the file no longer lists but that lessons of other courses still use
    kept: list[str] = field(default_factory=list)
    #: things worth knowing that are not changes (e.g. an existing language whose names differ);
    #: lazy sentences, translated when the report is shown
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deleted for c in self.counts.values())

    def total(self, what: str) -> int:
        return sum(getattr(c, what) for c in self.counts.values())

    def lines(self) -> list[str]:
        """The report as text, in the language active now."""
        head = (
            gettext("Dry run (nothing written): course %(slug)s from %(file)s")
            if self.dry_run
            else gettext("Imported: course %(slug)s from %(file)s")
        )
        out = [head % {"slug": repr(self.course_slug), "file": self.filename}]
        names = {name: str(ROW_NAMES[name]) for name in MODELS}
        width = max(ROW_NAME_WIDTH, *(len(n) + 1 for n in names.values()))
        row = gettext("%(created)5d created %(updated)5d updated %(unchanged)5d unchanged %(deleted)5d deleted")
        for name in MODELS:
            out.append(f"  {names[name]:<{width}} " + row % vars(self.counts[name]))
        for name, slugs in self.deleted.items():
            if slugs:
                line = gettext("deleted %(kind)s: %(names)s") % {"kind": names[name], "names": ", ".join(slugs)}
                out.append(f"  {line}")
        for label, n in sorted(self.cascaded.items()):
            out.append("  " + gettext("also deleted with them: %(count)s %(model)s") % {"count": n, "model": label})
        if self.kept:
            line = gettext("kept (still used by other courses' lessons): %(slugs)s") % {"slugs": ", ".join(self.kept)}
            out.append(f"  {line}")
        out += ["  " + gettext("note: %(note)s") % {"note": note} for note in self.notes]
        if not self.changed:
            out.append("  " + gettext("no changes"))
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def import_course(*, source: Source | IO, dry_run: bool = False, name: str | None = None) -> ImportReport:
    """Import one course file (a path, or a file object; ``name`` labels errors for file objects).

    Idempotent by slug: importing the same file again changes nothing. Raises ``CourseFileError``
    with every problem, each as ``FILE:LINE: path: message``; then nothing has been written.
    With ``dry_run`` everything is checked (the database's deferred constraints included) and
    rolled back. Takes a row lock on an existing course (``select_for_update``) so two imports of
    one course run one after the other.
    """
    parsed = parse_course_file(source, name=name)
    return import_parsed(parsed=parsed, dry_run=dry_run)


def import_parsed(*, parsed: CourseFile, dry_run: bool = False) -> ImportReport:
    report = ImportReport(filename=parsed.filename, course_slug=parsed.course.slug, dry_run=dry_run)
    try:
        with transaction.atomic():
            _set_ordinal_constraints("DEFERRED")  # whatever an enclosing transaction did before
            existed = Course.objects.filter(slug=parsed.course.slug).exists()
            # One audit entry for the whole import instead of one per row (most rows are written in bulk).
            with disable_auditlog():
                _Writer(parsed, report).run()
            content_changed()  # rows written in bulk send no signal (courses/structure.py)
            if not dry_run:
                _audit(report, created=not existed)
            # check the sibling-ordinal constraints now, so that a dry run sees what a commit would
            _set_ordinal_constraints("IMMEDIATE")
            _set_ordinal_constraints("DEFERRED")
            if dry_run:
                transaction.set_rollback(True)
    except (IntegrityError, DataError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        where = parsed.course.where
        raise CourseFileError([Problem(parsed.filename, where.line, where.path, database_refused(message))]) from exc
    return report


def database_refused(message: str) -> str:
    """The database's own words (in the database's language) in a translated sentence."""
    return lazy_text(_("the database refused the import: %(error)s"), error=message)


#: a slug another course already uses, per kind of row
SLUG_TAKEN = {
    "section": _("section slug %(slug)s is already used by course %(course)s"),
    "unit": _("unit slug %(slug)s is already used by course %(course)s"),
    "lesson": _("lesson slug %(slug)s is already used by course %(course)s"),
    "exercise": _("exercise slug %(slug)s is already used by course %(course)s"),
    "checkpoint": _("checkpoint slug %(slug)s is already used by course %(course)s"),
}


def _audit(report: ImportReport, *, created: bool) -> None:
    """The import's entry in the audit trail (docs/operations.md): on the course, in the same transaction;
    the counts per kind of row and what was deleted, by name."""
    course = Course.objects.get(slug=report.course_slug)
    counts = {
        name: {k: v for k, v in vars(c).items() if v and k != "unchanged"}
        for name, c in report.counts.items()
        if c.created or c.updated or c.deleted
    }
    log_event(
        obj=course,
        action=Action.CREATE if created else Action.UPDATE,
        changes={"import": [None, report.filename]},
        data={
            "import": report.filename,
            "counts": counts,
            "deleted": report.deleted,
            "cascaded": dict(report.cascaded),
        },
    )


def _set_ordinal_constraints(mode: str) -> None:
    """Switch the deferrable sibling-ordinal constraints (PostgreSQL only; SQLite has none).

    ``IMMEDIATE`` checks them at once. The setting lasts until the end of the transaction, which may
    be a caller's, so the importer sets them back to ``DEFERRED`` (their declared initial mode).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {', '.join(ORDINAL_CONSTRAINTS)} {mode}")


class _Writer:
    def __init__(self, parsed: CourseFile, report: ImportReport) -> None:
        self.file = parsed
        self.report = report
        self.problems = Problems(parsed.filename)

    def run(self) -> None:
        # The file's own texts are in the course's source language: written to those columns
        # (``title`` → ``title_es`` for a course taught from Spanish), the translations beside them.
        self.source = source_language(self.file.course.from_language.code)
        with translation.override(self.source):
            self.write()

    def write(self) -> None:
        f = self.file
        from_lang = self.language(f.course.from_language)
        to_lang = self.language(f.course.to_language)
        # lock an existing course first, so that two imports of one course run one after the other
        existing = Course.objects.select_for_update().filter(slug=f.course.slug).first()
        tokens = self.tokens(to_lang)
        course = self.course(existing, from_lang, to_lang)
        self.check_slug_owners(course)
        self.check_publishing(course)
        self.problems.raise_if_any()
        sections = self.sections(course)
        units = self.units(course, sections)
        lessons = self.lessons(course, units)
        exercises = self.exercises(course, tokens)
        self.lesson_exercises(lessons, exercises)
        self.prerequisites(lessons)
        self.checkpoints(course, sections, units, lessons, exercises)
        self.delete_stale(course, to_lang)

    # ------------------------------------------------------------------ helpers

    def save(self, name: str, model: type[Model], obj: Model | None, values: dict[str, Any]) -> tuple[Model, bool]:
        """Create, or update only the fields that differ. Returns (object, changed)."""
        counts = self.report.counts[name]
        if obj is None:
            counts.created += 1
            return model.objects.create(**values), True
        changed = [k for k, v in values.items() if not _same(getattr(obj, k), v)]
        if not changed:
            counts.unchanged += 1
            return obj, False
        for k in changed:
            setattr(obj, k, values[k])
        fields = [model._meta.get_field(k).name for k in changed]
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            fields.append("updated_at")
        obj.save(update_fields=fields)
        counts.updated += 1
        return obj, True

    def save_many(self, name: str, model: type[Model], rows: list[tuple[Model | None, dict[str, Any]]]) -> list:
        """``save`` for many rows: new ones in one ``bulk_create`` (a fixed number of queries however many
        there are), changed ones one ``UPDATE`` each, unchanged ones untouched. Returns [(object, changed)]."""
        out: list[tuple[Model, bool] | None] = []
        new: list[tuple[int, Model]] = []
        for obj, values in rows:
            if obj is None:
                new.append((len(out), model(**values)))
                out.append(None)
            else:
                out.append(self.save(name, model, obj, values))
        if new:
            created = model.objects.bulk_create([obj for _, obj in new])
            self.report.counts[name].created += len(created)
            for (index, _), obj in zip(new, created, strict=True):
                out[index] = (obj, True)
        return out

    def problem(self, where: Where, message: str) -> None:
        self.problems.add(where.line, where.path, message)

    # ------------------------------------------------------------------ steps

    def language(self, spec) -> Language:
        """Get or create by code. Languages are shared by every course: an existing one is never changed."""
        obj = Language.objects.filter(code=spec.code).first()
        if obj is None:
            values = {"code": spec.code, "name": spec.name, "native_name": spec.native_name}
            return self.save("languages", Language, None, values)[0]
        self.report.counts["languages"].unchanged += 1
        if (obj.name, obj.native_name) != (spec.name, spec.native_name):
            message = _(
                "language %(code)s already exists as %(name)s / %(native_name)s and was kept "
                "(the file says %(file_name)s / %(file_native_name)s)"
            )
            self.report.notes.append(
                lazy_text(
                    message,
                    code=repr(obj.code),
                    name=repr(obj.name),
                    native_name=repr(obj.native_name),
                    file_name=repr(spec.name),
                    file_native_name=repr(spec.native_name),
                )
            )
        return obj

    def course(self, obj: Course | None, from_lang: Language, to_lang: Language) -> Course:
        spec = self.file.course
        values = {
            "slug": spec.slug,
            "title": spec.title,
            "description": spec.description,
            "from_language_id": from_lang.pk,
            "to_language_id": to_lang.pk,
            "license_name": spec.license.name,
            "license_short_name": spec.license.short_name,
            "license_url": spec.license.url,
            "source_repository": spec.source,
            "special_characters": spec.special_characters,
            "is_published": spec.published,
            **translated_columns("course", self.source, spec.translations),
        }
        return self.save("course", Course, obj, values)[0]

    def check_slug_owners(self, course: Course) -> None:
        """Slugs are unique across all courses: refuse ones another course already uses."""
        f = self.file
        checks = [
            (Section, "section", {s.slug: s.where for s in f.sections}, "course_id"),
            (Unit, "unit", {u.slug: u.where for u in f.units()}, "section__course_id"),
            (Lesson, "lesson", {le.slug: le.where for le in f.lessons()}, "unit__section__course_id"),
            (Exercise, "exercise", {e.slug: e.where for e in f.exercises.values()}, "course_id"),
        ]
        taken = Checkpoint.objects.filter(slug__in=[c.slug for _, _, c in f.checkpoints()]).exclude(
            Q(unit__section__course_id=course.pk) | Q(section__course_id=course.pk)
        )
        wanted_checkpoints = {c.slug: c.where for _, _, c in f.checkpoints()}
        for checkpoint in taken.select_related("unit__section__course", "section__course"):
            other = (checkpoint.unit.section if checkpoint.unit_id else checkpoint.section).course.slug
            self.problem(
                wanted_checkpoints[checkpoint.slug],
                lazy_text(SLUG_TAKEN["checkpoint"], slug=repr(checkpoint.slug), course=repr(other)),
            )
        for model, label, wanted, owner in checks:
            taken = model.objects.filter(slug__in=wanted).exclude(**{owner: course.pk}).values_list("slug", owner)
            for slug, owner_id in taken:
                other = Course.objects.filter(pk=owner_id).values_list("slug", flat=True).first()
                self.problem(wanted[slug], lazy_text(SLUG_TAKEN[label], slug=repr(slug), course=repr(other)))

    def check_publishing(self, course: Course) -> None:
        """The publishing rules (``courses.publishing``) applied to what the file publishes, before
        anything below the course is written: a published lesson needs a published exercise that
        passes its check, a published unit a publishable lesson, a published section a publishable
        unit, a published course a publishable section; each refusal at the item's line.

        Audio is not part of a course file: an exercise's audio is the one the database already has
        for its slug (kept by a re-import). A published listen or speak exercise without audio is
        therefore not refused by the import (its audio is made after it, ``synthesize_audio``); the
        report notes it, it does not count for its lesson, and a listen exercise without audio is
        never served to learners."""
        f = self.file
        with_audio = set(
            Exercise.objects.filter(course=course, slug__in=list(f.exercises), audio__isnull=False).values_list(
                "slug", flat=True
            )
        )
        facts = {
            slug: publishing.ExerciseFacts(slug, spec.type, spec.published, slug in with_audio)
            for slug, spec in f.exercises.items()
        }
        silent = sorted(slug for slug, fact in facts.items() if fact.published and publishing.exercise_problem(fact))
        if silent:
            self.report.notes.append(no_audio_note(silent, course.slug))

        def lesson_ok(lesson) -> bool:
            uses = [facts[use.slug] for use in lesson.exercises if use.slug in facts]
            problem = publishing.lesson_problem(lesson.slug, uses)
            if problem and lesson.published:
                message = _("%(problem)s; a published lesson needs one (or write published: false)")
                self.problem(lesson.where, lazy_text(message, problem=problem))
            return problem is None

        def unit_ok(unit) -> bool:
            children = [(lesson.published, lesson_ok(lesson)) for lesson in unit.lessons]
            problem = publishing.container_problem("unit", unit.slug, "lesson", children)
            if problem and unit.published:
                self.problem(unit.where, or_draft(problem))
            return problem is None

        def section_ok(section) -> bool:
            children = [(unit.published, unit_ok(unit)) for unit in section.units]
            problem = publishing.container_problem("section", section.slug, "unit", children)
            if problem and section.published:
                self.problem(section.where, or_draft(problem))
            return problem is None

        children = [(section.published, section_ok(section)) for section in f.sections]
        problem = publishing.container_problem("course", f.course.slug, "section", children)
        if problem and f.course.published:
            self.problem(f.course.where, or_draft(problem))

    def tokens(self, language: Language) -> dict[str, Token]:
        existing = {t.text: t for t in Token.objects.filter(language=language)}
        rows = [
            (
                existing.get(spec.text),
                {
                    "language_id": language.pk,
                    "text": spec.text,
                    "translation": spec.translation,
                    "ipa": spec.ipa,
                    "part_of_speech": spec.pos,
                },
            )
            for spec in self.file.tokens
        ]
        saved = self.save_many("tokens", Token, rows)
        return {spec.text: obj for spec, (obj, _) in zip(self.file.tokens, saved, strict=True)}

    def sections(self, course: Course) -> dict[str, Section]:
        existing = {s.slug: s for s in Section.objects.filter(course=course)}
        result = {}
        for spec in self.file.sections:
            values = {
                "course_id": course.pk,
                "ordinal": spec.ordinal,
                "slug": spec.slug,
                "title": spec.title,
                "cefr_level": spec.cefr,
                "description": spec.description,
                "is_published": spec.published,
                **translated_columns("section", self.source, spec.translations),
            }
            result[spec.slug] = self.save("sections", Section, existing.get(spec.slug), values)[0]
        return result

    def units(self, course: Course, sections: dict[str, Section]) -> dict[str, Unit]:
        existing = {u.slug: u for u in Unit.objects.filter(section__course=course)}
        result = {}
        for section in self.file.sections:
            for spec in section.units:
                values = {
                    "section_id": sections[section.slug].pk,
                    "ordinal": spec.ordinal,
                    "slug": spec.slug,
                    "title": spec.title,
                    "icon": spec.icon,
                    "color": spec.color,
                    "description": spec.description,
                    "is_published": spec.published,
                    **translated_columns("unit", self.source, spec.translations),
                }
                result[spec.slug] = self.save("units", Unit, existing.get(spec.slug), values)[0]
        return result

    def lessons(self, course: Course, units: dict[str, Unit]) -> dict[str, Lesson]:
        existing = {le.slug: le for le in Lesson.objects.filter(unit__section__course=course)}
        specs = []
        rows = []
        for unit in self.file.units():
            for spec in unit.lessons:
                values = {
                    "unit_id": units[unit.slug].pk,
                    "ordinal": spec.ordinal,
                    "slug": spec.slug,
                    "title": spec.title,
                    "kind": spec.kind,
                    "difficulty": spec.difficulty,
                    "estimated_minutes": spec.minutes,
                    "notes": spec.notes,
                    "is_published": spec.published,
                    "adaptive_order": spec.adaptive_order,
                    "time_limit_sec": spec.time_limit_sec,
                    **translated_columns("lesson", self.source, spec.translations),
                }
                specs.append(spec)
                rows.append((existing.get(spec.slug), values))
        saved = self.save_many("lessons", Lesson, rows)
        return {spec.slug: obj for spec, (obj, _) in zip(specs, saved, strict=True)}

    def exercises(self, course: Course, tokens: dict[str, Token]) -> dict[str, Exercise]:
        existing = {e.slug: e for e in Exercise.objects.filter(course=course)}
        through = Exercise.tokens.through
        links: dict[int, list[int]] = {}
        for exercise_id, token_id in (
            through.objects.filter(exercise__course=course).order_by("id").values_list("exercise_id", "token_id")
        ):
            links.setdefault(exercise_id, []).append(token_id)
        result = {}
        new_links = []
        stale_links = []
        specs = list(self.file.exercises.values())
        rows = [
            (
                existing.get(spec.slug),
                {
                    "course_id": course.pk,
                    "slug": spec.slug,
                    "type": spec.type,
                    "prompt": spec.prompt,
                    "payload": spec.payload,
                    "hint": spec.hint,
                    "explanation": spec.explanation,
                    "is_published": spec.published,
                    **translated_columns("exercise", self.source, spec.translations),
                },
            )
            for spec in specs
        ]
        for spec, (obj, changed) in zip(specs, self.save_many("exercises", Exercise, rows), strict=True):
            wanted = [tokens[text].pk for text in spec.tokens]
            have = links.get(obj.pk, [])
            if have != wanted:
                if have:
                    stale_links.append(obj.pk)
                new_links += [through(exercise_id=obj.pk, token_id=t) for t in wanted]
                if not changed:  # equal fields but a different token list: that is an update too
                    counts = self.report.counts["exercises"]
                    counts.unchanged -= 1
                    counts.updated += 1
            result[spec.slug] = obj
        if stale_links:
            through.objects.filter(exercise_id__in=stale_links).delete()
        through.objects.bulk_create(new_links)
        return result

    def lesson_exercises(self, lessons: dict[str, Lesson], exercises: dict[str, Exercise]) -> None:
        counts = self.report.counts["lesson_exercises"]
        existing: dict[int, dict[int, LessonExercise]] = {}
        for link in LessonExercise.objects.filter(lesson__in=lessons.values()):
            existing.setdefault(link.lesson_id, {})[link.exercise_id] = link
        new: list[LessonExercise] = []
        stale: list[int] = []
        for spec in self.file.lessons():
            lesson = lessons[spec.slug]
            current = existing.get(lesson.pk, {})
            wanted = set()
            for position, use in enumerate(spec.exercises, start=1):
                exercise = exercises[use.slug]
                wanted.add(exercise.pk)
                link = current.get(exercise.pk)
                if link is None:
                    new.append(LessonExercise(lesson=lesson, exercise=exercise, ordinal=position))
                elif link.ordinal != position:
                    link.ordinal = position
                    link.save(update_fields=["ordinal"])
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            stale += [link.pk for exercise_id, link in current.items() if exercise_id not in wanted]
        if stale:
            counts.deleted += LessonExercise.objects.filter(pk__in=stale).delete()[0]
        counts.created += len(LessonExercise.objects.bulk_create(new))

    def prerequisites(self, lessons: dict[str, Lesson]) -> None:
        counts = self.report.counts["prerequisites"]
        current: dict[int, list[int]] = {}
        for lesson_id, prerequisite_id in (
            LessonPrerequisite.objects.filter(lesson__in=lessons.values())
            .order_by("id")
            .values_list("lesson_id", "prerequisite_id")
        ):
            current.setdefault(lesson_id, []).append(prerequisite_id)
        for spec in self.file.lessons():
            lesson = lessons[spec.slug]
            wanted = [lessons[slug].pk for slug in spec.prerequisites]
            have = current.get(lesson.pk, [])
            if have == wanted:
                counts.unchanged += len(wanted)
                continue
            # rewrite the list so that its order (kept for export) follows the file
            counts.deleted += LessonPrerequisite.objects.filter(lesson=lesson).delete()[0]
            LessonPrerequisite.objects.bulk_create(
                [LessonPrerequisite(lesson=lesson, prerequisite_id=pk) for pk in wanted]
            )
            counts.created += len(wanted)

    def checkpoints(
        self,
        course: Course,
        sections: dict[str, Section],
        units: dict[str, Unit],
        lessons: dict[str, Lesson],
        exercises: dict[str, Exercise],
    ) -> None:
        """Create or update the file's checkpoints by slug, with their lesson and exercise lists in the file's
        order; delete the course's other checkpoints first (a unit or section holds one)."""
        f = self.file
        mine = Checkpoint.objects.filter(Q(unit__section__course=course) | Q(section__course=course))
        self.delete("checkpoints", mine.exclude(slug__in=[c.slug for _, _, c in f.checkpoints()]), "slug")
        existing = {c.slug: c for c in mine}
        links = {}
        for name, column in (("lessons", "lesson_id"), ("exercises", "exercise_id")):
            through = getattr(Checkpoint, name).through
            current: dict[int, list[int]] = {}
            rows = through.objects.filter(checkpoint__in=existing.values()).order_by("id")
            for checkpoint_id, pk in rows.values_list("checkpoint_id", column):
                current.setdefault(checkpoint_id, []).append(pk)
            links[name] = (through, column, current)
        for section, unit, spec in f.checkpoints():
            values = {
                "unit_id": units[unit.slug].pk if unit is not None else None,
                "section_id": sections[section.slug].pk if unit is None else None,
                "slug": spec.slug,
                "title": spec.title,
                "pass_percent": spec.pass_percent,
                "time_limit_sec": spec.time_limit_sec,
                "draw": spec.draw,
                "is_published": spec.published,
                **translated_columns("checkpoint", self.source, spec.translations),
            }
            checkpoint, changed = self.save("checkpoints", Checkpoint, existing.get(spec.slug), values)
            wanted = {
                "lessons": [lessons[slug].pk for slug in spec.lessons],
                "exercises": [exercises[slug].pk for slug in spec.exercises],
            }
            for name, (through, column, current) in links.items():
                if current.get(checkpoint.pk, []) == wanted[name]:
                    continue
                through.objects.filter(checkpoint_id=checkpoint.pk).delete()
                rows = [through(checkpoint_id=checkpoint.pk, **{column: pk}) for pk in wanted[name]]
                through.objects.bulk_create(rows)
                if not changed:  # equal fields but another list: that is an update too
                    counts = self.report.counts["checkpoints"]
                    counts.unchanged -= 1
                    counts.updated += 1
                    changed = True

    def delete_stale(self, course: Course, language: Language) -> None:
        """Delete the lessons, units, sections, exercises and unused tokens the file no longer lists."""
        f = self.file
        # Learners' private lessons (generated bubbles) are not the file's: an import never deletes them.
        steps = [
            (
                "lessons",
                Lesson.objects.filter(unit__section__course=course, unit__section__private=False).exclude(
                    slug__in=[x.slug for x in f.lessons()]
                ),
            ),
            (
                "units",
                Unit.objects.filter(section__course=course, section__private=False).exclude(
                    slug__in=[u.slug for u in f.units()]
                ),
            ),
            (
                "sections",
                Section.objects.filter(course=course, private=False).exclude(slug__in=[s.slug for s in f.sections]),
            ),
        ]
        for name, qs in steps:
            self.delete(name, qs, "slug")
        stale = Exercise.objects.filter(course=course, owner__isnull=True).exclude(slug__in=list(f.exercises))
        self.report.kept = sorted(stale.filter(lesson_links__isnull=False).values_list("slug", flat=True).distinct())
        self.delete("exercises", stale.filter(lesson_links__isnull=True), "slug")
        # the lexicon is per language: drop tokens the file no longer lists only when no exercise teaches them
        unused = Token.objects.filter(language=language, exercises__isnull=True).exclude(
            text__in=[t.text for t in f.tokens]
        )
        self.delete("tokens", unused, "text")

    def delete(self, name: str, qs, label_field: str) -> None:
        """Delete ``qs``, name what went in the report, and count every row removed with it."""
        labels = sorted(qs.values_list(label_field, flat=True))
        if not labels:
            return
        self.report.deleted[name] = labels
        _, per_model = qs.delete()
        for label, n in per_model.items():
            if label in REPORT_NAMES:
                self.report.counts[REPORT_NAMES[label]].deleted += n
            elif n and label not in SILENT_LINKS:
                self.report.cascaded[label] += n


def or_draft(problem: str) -> str:
    """A publishing refusal of a unit, section or course, with the way out."""
    return lazy_text(_("%(problem)s; or write published: false"), problem=problem)


def no_audio_note(slugs: list[str], course_slug: str) -> str:
    """The report's note on published listen and speak exercises that have no audio yet."""
    shown = ", ".join(slugs[:NOTE_SLUGS])
    if len(slugs) > NOTE_SLUGS:
        shown = lazy_text(_("%(slugs)s and %(count)s more"), slugs=shown, count=len(slugs) - NOTE_SLUGS)
    message = ngettext_lazy(
        "%(count)s published listen/speak exercise has no audio yet (%(slugs)s): it does not count for its "
        "lesson, and a listen exercise is not served to learners until it has audio "
        "(manage.py synthesize_audio --course %(course)s)",
        "%(count)s published listen/speak exercises have no audio yet (%(slugs)s): they do not count for their "
        "lesson, and a listen exercise is not served to learners until it has audio "
        "(manage.py synthesize_audio --course %(course)s)",
        len(slugs),
    )
    return lazy_text(message, count=len(slugs), slugs=shown, course=course_slug)


def _same(have: Any, wanted: Any) -> bool:
    """A stored value equals the file's. An untranslated text column is NULL when the row was made
    outside an import (admin, a duplicated lesson, a bubble) and '' when an import wrote it: both
    mean "no translation" (the export writes neither), so neither counts as a change."""
    return have == wanted or (have in (None, "") and wanted in (None, ""))
