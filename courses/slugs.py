"""Slugs: their pattern, and how they are built from the course slug and the ordinals *at creation*.

A slug is lower-case letters and digits in hyphen-separated groups (``SLUG_PATTERN``: the models'
validator and the course-file checks both use it).

    course    es                  (chosen by the author; normally the target language code)
    section   es-sec-01
    unit      es-u-01-03          (section 1, unit 3)
    lesson    es-l-01-03-05       (section 1, unit 3, lesson 5)
    exercise  es-e-01-03-05-12    (… exercise 12 of that lesson), or es-e-0007 for an exercise
                                  created outside a lesson (the 7th free-standing one)
    checkpoint es-cp-01-03        (the test ending unit 3 of section 1), es-cp-01 (ending section 1)

A slug is assigned once, when the row is created, and never changes: reordering or retitling keeps
it, because URLs, imports and exports use slugs. So after a reorder the natural slug of a new row may
already belong to an older one (lesson 5 moved to position 3; a new lesson 5 is created). Then the
next free slug of the series ``<natural>-b``, ``<natural>-c``, … ``<natural>-z``, ``<natural>-27``,
``<natural>-28``, … is used: deterministic, readable, and still sorted next to its neighbours.
"""

from __future__ import annotations

import re
import string
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:  # courses.models uses SLUG_PATTERN: this module takes the model classes from the rows
    from .models import Course, Lesson

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)
SLUG_HINT = "Use lower-case letters, digits and hyphens."


# The natural slug of each level, from the course slug and the ordinals (section s, unit u, lesson le,
# the exercise's position in its lesson). The course-file format uses the same ones as defaults.


def section_slug(course: str, s: int) -> str:
    return f"{course}-sec-{s:02d}"


def unit_slug(course: str, s: int, u: int) -> str:
    return f"{course}-u-{s:02d}-{u:02d}"


def lesson_slug(course: str, s: int, u: int, le: int) -> str:
    return f"{course}-l-{s:02d}-{u:02d}-{le:02d}"


def exercise_slug(course: str, s: int, u: int, le: int, position: int) -> str:
    return f"{course}-e-{s:02d}-{u:02d}-{le:02d}-{position:02d}"


def checkpoint_slug(course: str, s: int, u: int | None = None) -> str:
    """A unit's checkpoint ``es-cp-01-03``; a section's ``es-cp-01``."""
    return f"{course}-cp-{s:02d}" if u is None else f"{course}-cp-{s:02d}-{u:02d}"


def _suffixes():
    yield from string.ascii_lowercase[1:]  # b … z
    n = 27
    while True:
        yield str(n)
        n += 1


def free_slug(model: type[models.Model], natural: str, *, taken: set[str] | None = None) -> str:
    """``natural`` if no row of ``model`` (and nothing in ``taken``) uses it, else the next free of
    ``natural-b``, ``natural-c``, …"""
    taken = taken or set()
    used = set(model.objects.filter(slug__startswith=natural).values_list("slug", flat=True)) | taken
    if natural not in used:
        return natural
    for suffix in _suffixes():
        candidate = f"{natural}-{suffix}"
        if candidate not in used:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def loose_exercise_slug(*, course: Course, taken: set[str] | None = None) -> str:
    """A slug for an exercise created outside a lesson: ``es-e-0001``, ``es-e-0002``, … (first free)."""
    prefix = f"{course.slug}-e-"
    exercises = course.exercises.model.objects  # the Exercise model, without importing courses.models
    used = set(exercises.filter(slug__startswith=prefix).values_list("slug", flat=True)) | (taken or set())
    n = 1
    while f"{prefix}{n:04d}" in used:
        n += 1
    return f"{prefix}{n:04d}"


def assign_slug(obj: models.Model, *, lesson: Lesson | None = None, position: int | None = None) -> str:
    """Give a new Section, Unit, Lesson or Exercise its slug (no-op when it already has one). An exercise
    created inside a lesson passes ``lesson`` and its ``position`` there. Does not save."""
    if obj.slug:
        return obj.slug
    model, kind = type(obj), obj._meta.label
    if kind == "courses.Section":
        obj.slug = free_slug(model, section_slug(obj.course.slug, obj.ordinal))
    elif kind == "courses.Unit":
        section = obj.section
        obj.slug = free_slug(model, unit_slug(section.course.slug, section.ordinal, obj.ordinal))
    elif kind == "courses.Lesson":
        section = obj.unit.section
        obj.slug = free_slug(model, lesson_slug(section.course.slug, section.ordinal, obj.unit.ordinal, obj.ordinal))
    elif kind == "courses.Exercise":
        if lesson is not None and position is not None:
            unit = lesson.unit
            natural = exercise_slug(
                unit.section.course.slug, unit.section.ordinal, unit.ordinal, lesson.ordinal, position
            )
            obj.slug = free_slug(model, natural)
        else:
            obj.slug = loose_exercise_slug(course=obj.course)
    elif kind == "courses.Checkpoint":
        if obj.unit_id:
            section = obj.unit.section
            natural = checkpoint_slug(section.course.slug, section.ordinal, obj.unit.ordinal)
        else:
            natural = checkpoint_slug(obj.section.course.slug, obj.section.ordinal)
        obj.slug = free_slug(model, natural)
    else:
        raise TypeError(f"{type(obj).__name__} has no generated slug")
    return obj.slug
