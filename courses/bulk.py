"""Bulk changes to the content tree (admin actions, docs/authoring.md "Bulk actions"): move lessons
to another unit, move units to another section, duplicate a lesson with its exercises.

Each is one transaction that locks the rows it renumbers (by id) and leaves the tree as the rest of
Mallard expects it:

- **Ordinals**: moved rows go to the end of their new parent, in course order, numbered after its
  last child; the parents they left are renumbered 1, 2, 3 … (``services.reorder_children``), so
  sibling ordinals stay unique on SQLite (which checks every statement) and PostgreSQL (which checks
  the deferrable constraints at commit).
- **Slugs** never change: a moved lesson keeps ``es-l-01-01-03`` in unit 2, because URLs, imports
  and exports refer to it, and a learner's progress hangs on the row, not on the slug. Course-file
  exports then write ``slug:`` explicitly where it differs from the position's, so an export imports
  back to the same rows. A new row (a duplicate) gets the natural slug of its position, or the next
  free one (``-b``, ``-c`` …, ``courses.slugs``).
- Moves stay inside one course (a lesson's exercises and prerequisites belong to its course).
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext, ngettext

from accounts.audit import Action, log_event

from . import services, slugs
from .content_version import content_changed
from .models import Checkpoint, Exercise, Lesson, LessonExercise, LessonPrerequisite, Section, Unit


def move_lessons(*, lessons: Sequence[Lesson], unit: Unit) -> list[Lesson]:
    """Move ``lessons`` to the end of ``unit`` (same course), in course order; renumber the units
    they left. Lessons already in ``unit`` stay where they are. Returns the moved lessons.
    A lesson of another course → ValidationError, and nothing changes."""
    with transaction.atomic():
        content_changed()  # bulk UPDATEs below send no signal (courses/structure.py)
        target = Unit.objects.select_for_update().select_related("section").get(pk=unit.pk)
        rows = list(
            Lesson.objects.select_for_update()
            .select_related("unit__section")
            .filter(pk__in=[lesson.pk for lesson in lessons])
            .order_by("pk")
        )
        foreign = sorted(row.slug for row in rows if row.unit.section.course_id != target.section.course_id)
        if foreign:
            raise ValidationError(
                ngettext(
                    "Lessons move only within their course: %(slugs)s is not in the course of unit %(unit)s.",
                    "Lessons move only within their course: %(slugs)s are not in the course of unit %(unit)s.",
                    len(foreign),
                )
                % {"slugs": ", ".join(foreign), "unit": target.slug}
            )
        moving = sorted(
            (row for row in rows if row.unit_id != target.pk),
            key=lambda r: (r.unit.section.ordinal, r.unit.ordinal, r.ordinal),
        )
        if not moving:
            return []
        broken_before = _checkpoint_problems(course_id=target.section.course_id)
        sources = {row.unit_id for row in moving}
        end = Lesson.objects.filter(unit=target).aggregate(m=Max("ordinal"))["m"] or 0
        for position, row in enumerate(moving, start=end + 1):
            # unit and ordinal in one statement: the new ordinal is above every one of the target's
            Lesson.objects.filter(pk=row.pk).update(unit=target, ordinal=position)
            changes: dict[str, list] = {"unit": [row.unit.slug, target.slug], "ordinal": [row.ordinal, position]}
            log_event(obj=row, action=Action.UPDATE, changes=changes, data={"bulk": "move lessons"})
            row.unit, row.ordinal = target, position
        for source in Unit.objects.filter(pk__in=sources).order_by("pk"):
            _close_gaps(source)
        _refuse_broken_checkpoints(course_id=target.section.course_id, before=broken_before)
        return moving


def move_units(*, units: Sequence[Unit], section: Section) -> list[Unit]:
    """Move ``units`` (with their lessons) to the end of ``section`` (same course), in course order;
    renumber the sections they left. Returns the moved units."""
    with transaction.atomic():
        content_changed()
        target = Section.objects.select_for_update().get(pk=section.pk)
        rows = list(
            Unit.objects.select_for_update()
            .select_related("section")
            .filter(pk__in=[unit.pk for unit in units])
            .order_by("pk")
        )
        foreign = sorted(row.slug for row in rows if row.section.course_id != target.course_id)
        if foreign:
            raise ValidationError(
                ngettext(
                    "Units move only within their course: %(slugs)s is not in the course of section %(section)s.",
                    "Units move only within their course: %(slugs)s are not in the course of section %(section)s.",
                    len(foreign),
                )
                % {"slugs": ", ".join(foreign), "section": target.slug}
            )
        moving = sorted(
            (row for row in rows if row.section_id != target.pk), key=lambda r: (r.section.ordinal, r.ordinal)
        )
        if not moving:
            return []
        broken_before = _checkpoint_problems(course_id=target.course_id)
        sources = {row.section_id for row in moving}
        end = Unit.objects.filter(section=target).aggregate(m=Max("ordinal"))["m"] or 0
        for position, row in enumerate(moving, start=end + 1):
            Unit.objects.filter(pk=row.pk).update(section=target, ordinal=position)
            changes: dict[str, list] = {"section": [row.section.slug, target.slug], "ordinal": [row.ordinal, position]}
            log_event(obj=row, action=Action.UPDATE, changes=changes, data={"bulk": "move units"})
            row.section, row.ordinal = target, position
        for source in Section.objects.filter(pk__in=sources).order_by("pk"):
            _close_gaps(source)
        _refuse_broken_checkpoints(course_id=target.course_id, before=broken_before)
        return moving


def _checkpoint_problems(*, course_id: int) -> set[str]:
    """What is wrong with the course's checkpoints now (``services.checkpoint_problems``), as sentences."""
    checkpoints = (
        Checkpoint.objects.filter(Q(unit__section__course_id=course_id) | Q(section__course_id=course_id))
        .select_related("unit__section", "section")
        .prefetch_related("lessons__unit__section", "exercises")
        .order_by("pk")
    )
    return {
        gettext("checkpoint %(slug)s: %(problem)s") % {"slug": checkpoint.slug, "problem": message}
        for checkpoint in checkpoints
        for _field, message in services.checkpoint_problems(
            unit=checkpoint.unit,
            section=checkpoint.section,
            draw=checkpoint.draw,
            lessons=list(checkpoint.lessons.all()),
            exercises=list(checkpoint.exercises.all()),
        )
    }


def _refuse_broken_checkpoints(*, course_id: int, before: set[str]) -> None:
    """A move must not break a checkpoint (a fixed item leaving the lessons it covers, a lesson it tests
    moved after it): ValidationError naming them, and the caller's transaction rolls the move back."""
    broken = sorted(_checkpoint_problems(course_id=course_id) - before)
    if broken:
        raise ValidationError(
            ngettext(
                "This move would break a checkpoint: %(problems)s Change the checkpoint first, or move other lessons.",
                "This move would break checkpoints: %(problems)s Change the checkpoint first, or move other lessons.",
                len(broken),
            )
            % {"problems": " ".join(broken)}
        )


def _close_gaps(parent: Unit | Section) -> None:
    """Number the children of ``parent`` 1, 2, 3 … in their current order."""
    children = parent.lessons if isinstance(parent, Unit) else parent.units
    ordered = list(children.order_by("ordinal", "pk").values_list("pk", flat=True))
    services.reorder_children(parent=parent, ordered_ids=ordered)


def duplicate_lesson(*, lesson: Lesson) -> Lesson:
    """Copy ``lesson`` to the end of its unit as an **unpublished** draft titled "… (copy)", with a
    copy of each of its exercises (same type, payload, words, audio and image, and published flag —
    they are invisible until the copy is published) in the same order, and its explicit
    prerequisites. New slugs: the natural ones of the new positions, or the next free ones."""
    with transaction.atomic():
        source = Lesson.objects.select_for_update().select_related("unit__section__course").get(pk=lesson.pk)
        unit = Unit.objects.select_for_update().get(pk=source.unit_id)
        copy = Lesson(
            unit=unit,
            ordinal=services.next_ordinal(parent=unit),
            title=f"{source.title} (copy)"[: Lesson._meta.get_field("title").max_length],
            kind=source.kind,
            difficulty=source.difficulty,
            estimated_minutes=source.estimated_minutes,
            notes=source.notes,
            adaptive_order=source.adaptive_order,
            is_published=False,
        )
        slugs.assign_slug(copy)
        copy.save()
        links = list(LessonExercise.objects.filter(lesson=source).select_related("exercise").order_by("ordinal", "pk"))
        token_ids: dict[int, list[int]] = {}
        through = Exercise.tokens.through
        for exercise_id, token_id in (
            through.objects.filter(exercise_id__in=[link.exercise_id for link in links])
            .order_by("id")
            .values_list("exercise_id", "token_id")
        ):
            token_ids.setdefault(exercise_id, []).append(token_id)
        new_links = []
        new_tokens = []
        for position, link in enumerate(links, start=1):
            original = link.exercise
            exercise = Exercise(
                course_id=original.course_id,
                type=original.type,
                prompt=original.prompt,
                payload=original.payload,
                hint=original.hint,
                explanation=original.explanation,
                audio_id=original.audio_id,
                image_id=original.image_id,
                is_published=original.is_published,
            )
            slugs.assign_slug(exercise, lesson=copy, position=position)
            exercise.save()
            new_links.append(LessonExercise(lesson=copy, exercise=exercise, ordinal=position))
            new_tokens += [through(exercise_id=exercise.pk, token_id=t) for t in token_ids.get(original.pk, [])]
        content_changed()  # bulk_create sends no signal
        LessonExercise.objects.bulk_create(new_links)
        through.objects.bulk_create(new_tokens)
        LessonPrerequisite.objects.bulk_create(
            LessonPrerequisite(lesson=copy, prerequisite_id=p)
            for p in source.prerequisite_links.order_by("pk").values_list("prerequisite_id", flat=True)
        )
        log_event(
            obj=copy,
            action=Action.CREATE,
            data={"duplicate_of": source.slug, "exercises": [link.exercise.slug for link in new_links]},
        )
        return copy
