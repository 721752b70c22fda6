"""Publishing that cannot break the path: what each level needs before learners may see it.

One rule, used by the admin's saves and actions and by the course-file import (docs/authoring.md,
"Publishing"):

- an **exercise**: a ``listen`` or ``speak`` exercise needs its audio;
- a **lesson**: at least one published exercise that passes its own check;
- a **unit**: at least one publishable lesson (published, and passing its check);
- a **section**: at least one publishable unit; a **course**: at least one publishable section (and
  the attribution its licence requires, ``courses.licences``).

The rules themselves are pure functions over small facts (``ExerciseFacts`` and the children's
verdicts), so the import applies them to the file before writing anything; ``publishing_problems``
reads those facts from the database for the admin, in one query per level whatever the size. Their
sentences are lazy translatable strings, read in the language active where they are shown.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.audit import Action, log_event
from core.i18n import interpolate_lazy as lazy_text
from core.i18n import join_lazy

from . import licences
from .content_version import content_changed
from .models import Course, Exercise, Lesson, LessonExercise, Section, Unit

#: Exercise types whose audio is part of the exercise (the question, or the model to repeat).
AUDIO_TYPES = frozenset({"listen", "speak"})


def servable_q(prefix: str = "") -> Q:
    """Exercises (reached through ``prefix``, e.g. ``"exercise__"``) that may be served to a learner:
    a listen exercise with no audio never is — its audio is the question. Lesson runs and reviews
    filter with it, on top of "visible" (``courses.models.visible_q``)."""
    return ~Q(**{f"{prefix}type": "listen", f"{prefix}audio__isnull": True})


def is_servable(*, exercise_type: str, audio_id: int | None) -> bool:
    """``servable_q`` for one exercise in hand: a listen exercise needs its audio."""
    return not (exercise_type == "listen" and audio_id is None)


#: A row of the content tree that has a published flag.
Content = Course | Section | Unit | Lesson | Exercise


@dataclass(frozen=True)
class ExerciseFacts:
    slug: str
    type: str
    published: bool
    has_audio: bool


# --- The pure rules ------------------------------------------------------------------------------


def exercise_problem(exercise: ExerciseFacts, *, audio_known: bool = True) -> str | None:
    """What stops the exercise from being published, or None. ``audio_known=False`` (the course-file
    import: audio is never part of a file) skips the audio rule."""
    if audio_known and exercise.type in AUDIO_TYPES and not exercise.has_audio:
        message = _("exercise %(slug)s is a %(type)s exercise with no audio")
        return lazy_text(message, slug=exercise.slug, type=exercise.type)
    return None


def lesson_problem(slug: str, exercises: Sequence[ExerciseFacts], *, audio_known: bool = True) -> str | None:
    """What stops the lesson from being published: it needs a published exercise that passes its check."""
    if any(e.published and exercise_problem(e, audio_known=audio_known) is None for e in exercises):
        return None
    if not exercises:
        return lazy_text(_("lesson %(slug)s has no exercise"), slug=slug)
    published = [e for e in exercises if e.published]
    if not published:
        return lazy_text(_("lesson %(slug)s has no published exercise"), slug=slug)
    reasons = join_lazy("; ", [p for e in published if (p := exercise_problem(e, audio_known=audio_known))])
    message = _("lesson %(slug)s has no published exercise that can be served (%(reasons)s)")
    return lazy_text(message, slug=slug, reasons=reasons)


def container_problem(level: str, slug: str, child: str, children: Iterable[tuple[bool, bool]]) -> str | None:
    """What stops a unit (section, course) from being published: it needs a publishable ``child``.
    ``children`` are (published, passes its own check) pairs."""
    children = list(children)
    if any(published and ok for published, ok in children):
        return None
    if not children:
        return lazy_text(NO_CHILD[level, child], slug=slug)
    return lazy_text(NO_PUBLISHABLE_CHILD[level, child], slug=slug)


#: (level, child) -> the sentence for a container with no child at all, and with none publishable
NO_CHILD = {
    ("unit", "lesson"): _("unit %(slug)s has no lesson"),
    ("section", "unit"): _("section %(slug)s has no unit"),
    ("course", "section"): _("course %(slug)s has no section"),
}
NO_PUBLISHABLE_CHILD = {
    ("unit", "lesson"): _("unit %(slug)s has no publishable lesson (a published lesson that passes its own check)"),
    ("section", "unit"): _("section %(slug)s has no publishable unit (a published unit that passes its own check)"),
    ("course", "section"): _(
        "course %(slug)s has no publishable section (a published section that passes its own check)"
    ),
}


# --- Facts from the database ---------------------------------------------------------------------


@dataclass
class _Tree:
    """The facts below some rows: exercises per lesson, lessons per unit, units per section, sections
    per course, with each row's published flag and slug."""

    exercises: dict[int, list[ExerciseFacts]]
    lessons: dict[int, list[tuple[int, str, bool]]]
    units: dict[int, list[tuple[int, str, bool]]]
    sections: dict[int, list[tuple[int, str, bool]]]

    def lesson(self, pk: int, slug: str) -> str | None:
        return lesson_problem(slug, self.exercises.get(pk, []))

    def unit(self, pk: int, slug: str) -> str | None:
        rows = self.lessons.get(pk, [])
        return container_problem("unit", slug, "lesson", ((p, self.lesson(i, s) is None) for i, s, p in rows))

    def section(self, pk: int, slug: str) -> str | None:
        rows = self.units.get(pk, [])
        return container_problem("section", slug, "unit", ((p, self.unit(i, s) is None) for i, s, p in rows))

    def course(self, pk: int, slug: str) -> str | None:
        rows = self.sections.get(pk, [])
        return container_problem("course", slug, "section", ((p, self.section(i, s) is None) for i, s, p in rows))


def _tree(objects: Sequence[Content]) -> _Tree:
    """Load the facts below ``objects`` (rows of one or several levels): one query per level."""
    course_ids = {o.pk for o in objects if isinstance(o, Course)}
    section_ids = {o.pk for o in objects if isinstance(o, Section)}
    unit_ids = {o.pk for o in objects if isinstance(o, Unit)}
    lesson_ids = {o.pk for o in objects if isinstance(o, Lesson)}
    sections: dict[int, list[tuple[int, str, bool]]] = {}
    if course_ids:
        for pk, parent, slug, published in Section.objects.filter(course_id__in=course_ids).values_list(
            "pk", "course_id", "slug", "is_published"
        ):
            sections.setdefault(parent, []).append((pk, slug, published))
            section_ids.add(pk)
    units: dict[int, list[tuple[int, str, bool]]] = {}
    if section_ids:
        for pk, parent, slug, published in Unit.objects.filter(section_id__in=section_ids).values_list(
            "pk", "section_id", "slug", "is_published"
        ):
            units.setdefault(parent, []).append((pk, slug, published))
            unit_ids.add(pk)
    lessons: dict[int, list[tuple[int, str, bool]]] = {}
    if unit_ids:
        for pk, parent, slug, published in Lesson.objects.filter(unit_id__in=unit_ids).values_list(
            "pk", "unit_id", "slug", "is_published"
        ):
            lessons.setdefault(parent, []).append((pk, slug, published))
            lesson_ids.add(pk)
    exercises: dict[int, list[ExerciseFacts]] = {}
    if lesson_ids:
        for lesson_id, slug, kind, published, audio_id in (
            LessonExercise.objects.filter(lesson_id__in=lesson_ids)
            .order_by("lesson_id", "ordinal")
            .values_list(
                "lesson_id", "exercise__slug", "exercise__type", "exercise__is_published", "exercise__audio_id"
            )
        ):
            exercises.setdefault(lesson_id, []).append(ExerciseFacts(slug, kind, published, audio_id is not None))
    return _Tree(exercises=exercises, lessons=lessons, units=units, sections=sections)


def _problems(obj: Content, tree: _Tree) -> list[str]:
    if isinstance(obj, Exercise):
        problem = exercise_problem(ExerciseFacts(obj.slug, obj.type, True, obj.audio_id is not None))
        return [problem] if problem else []
    if isinstance(obj, Course):
        attribution = licences.attribution_problems(
            short_name=obj.license_short_name, name=obj.license_name, url=obj.license_url, source=obj.source_repository
        )
        found = [lazy_text(_("course %(slug)s: %(problem)s"), slug=obj.slug, problem=m) for m in attribution.values()]
        problem = tree.course(obj.pk, obj.slug)
        return found + ([problem] if problem else [])
    check = {Section: tree.section, Unit: tree.unit, Lesson: tree.lesson}[type(obj)]
    problem = check(obj.pk, obj.slug)
    return [problem] if problem else []


def publishing_problems(obj: Content) -> list[str]:
    """What stops ``obj`` (a course, section, unit, lesson or exercise) from being published, as
    sentences naming the item and what is missing; empty when it may be published. Reads the rows
    below it as they are in the database (one query per level)."""
    return _problems(obj, _tree([obj]))


# --- Writes: publishing, unpublishing, keeping the published set publishable -----------------------


@dataclass
class PublishResult:
    changed: list[Content]
    unchanged: list[Content]
    #: each refused object with the sentences saying why
    refused: list[tuple[Content, list[str]]]


def set_published(*, objects: Sequence[Content], published: bool) -> PublishResult:
    """Publish (or unpublish) rows of one model. Publishing applies ``publishing_problems`` to each
    and refuses those that fail, naming what is missing; the others are published. Unpublishing is
    always allowed. One transaction; the rows are locked (by id) first."""
    result = PublishResult(changed=[], unchanged=[], refused=[])
    if not objects:
        return result
    model = type(objects[0])
    with transaction.atomic():
        rows: list[Content] = list(
            model._default_manager.select_for_update().filter(pk__in=[o.pk for o in objects]).order_by("pk")
        )
        tree = _tree(rows) if published else None
        to_change = []
        for row in rows:
            if row.is_published == published:
                result.unchanged.append(row)
                continue
            problems = _problems(row, tree) if tree is not None else []
            if problems:
                result.refused.append((row, problems))
            else:
                to_change.append(row)
        model._default_manager.filter(pk__in=[r.pk for r in to_change]).update(is_published=published)
        content_changed()  # a bulk UPDATE sends no signal (courses/structure.py)
        for row in to_change:
            row.is_published = published
            # a bulk UPDATE is not seen by the audit registry: one entry per row, in this transaction
            log_event(obj=row, action=Action.UPDATE, changes={"is_published": [not published, published]})
        result.changed = to_change
    return result


def _stored(problems: list[str]) -> list[str]:
    """Sentences as the audit trail keeps them: in the site's language (LANGUAGE_CODE), like the logs."""
    with translation.override(settings.LANGUAGE_CODE):
        return [str(p) for p in problems]


#: Bottom-up order: a container's check reads its children's published flags as they end up.
_ORDER = (Exercise, Lesson, Unit, Section, Course)


def keep_publishable(*, objects: Iterable[Model | None]) -> list[tuple[Content, list[str]]]:
    """After an admin save: each of ``objects`` that is published but fails its check is set back
    to unpublished (children before parents, so a unit whose only lesson was refused is refused
    too). Returns what was unpublished, with why. The caller's transaction holds the save."""
    refused: list[tuple[Content, list[str]]] = []
    candidates: list[Content] = [o for o in objects if isinstance(o, _ORDER) and o.pk is not None and o.is_published]
    for model in _ORDER:
        rows = [o for o in candidates if isinstance(o, model)]
        if not rows:
            continue
        tree = _tree(rows)
        for row in rows:
            problems = _problems(row, tree)
            if problems:
                model._default_manager.filter(pk=row.pk).update(is_published=False)
                content_changed()
                row.is_published = False
                refused.append((row, problems))
                log_event(
                    obj=row,
                    action=Action.UPDATE,
                    changes={"is_published": [True, False]},
                    data={"publishing_refused": _stored(problems)},
                )
    return refused
