"""Seed-000 slugs (DESIGN §2): built from the course slug and the ordinals *at creation*.

    course    es                  (chosen by the author; normally the target language code)
    section   es-sec-01
    unit      es-u-01-03          (section 1, unit 3)
    lesson    es-l-01-03-05       (section 1, unit 3, lesson 5)
    exercise  es-e-01-03-05-12    (… exercise 12 of that lesson), or es-e-0007 for an exercise
                                  created outside a lesson (the 7th free-standing one)

A slug is assigned once, when the row is created, and never changes: reordering or retitling keeps
it, because URLs, imports and exports use slugs. So after a reorder the natural slug of a new row may
already belong to an older one (lesson 5 moved to position 3; a new lesson 5 is created). Then the
next free slug of the series ``<natural>-b``, ``<natural>-c``, … ``<natural>-z``, ``<natural>-27``,
``<natural>-28``, … is used: deterministic, readable, and still sorted next to its neighbours.
"""

import string

from django.db import models

from .models import Course, Exercise, Lesson, Section, Unit


def section_slug(*, course: Course, ordinal: int) -> str:
    return f"{course.slug}-sec-{ordinal:02d}"


def unit_slug(*, section: Section, ordinal: int) -> str:
    return f"{section.course.slug}-u-{section.ordinal:02d}-{ordinal:02d}"


def lesson_slug(*, unit: Unit, ordinal: int) -> str:
    section = unit.section
    return f"{section.course.slug}-l-{section.ordinal:02d}-{unit.ordinal:02d}-{ordinal:02d}"


def exercise_slug(*, lesson: Lesson, position: int) -> str:
    unit = lesson.unit
    section = unit.section
    return f"{section.course.slug}-e-{section.ordinal:02d}-{unit.ordinal:02d}-{lesson.ordinal:02d}-{position:02d}"


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
    used = set(Exercise.objects.filter(slug__startswith=prefix).values_list("slug", flat=True)) | (taken or set())
    n = 1
    while f"{prefix}{n:04d}" in used:
        n += 1
    return f"{prefix}{n:04d}"


def assign_slug(obj: models.Model, *, lesson: Lesson | None = None, position: int | None = None) -> str:
    """Give a new Section, Unit, Lesson or Exercise its slug (no-op when it already has one). An exercise
    created inside a lesson passes ``lesson`` and its ``position`` there. Does not save."""
    if obj.slug:
        return obj.slug
    if isinstance(obj, Section):
        obj.slug = free_slug(Section, section_slug(course=obj.course, ordinal=obj.ordinal))
    elif isinstance(obj, Unit):
        obj.slug = free_slug(Unit, unit_slug(section=obj.section, ordinal=obj.ordinal))
    elif isinstance(obj, Lesson):
        obj.slug = free_slug(Lesson, lesson_slug(unit=obj.unit, ordinal=obj.ordinal))
    elif isinstance(obj, Exercise):
        if lesson is not None and position is not None:
            obj.slug = free_slug(Exercise, exercise_slug(lesson=lesson, position=position))
        else:
            obj.slug = loose_exercise_slug(course=obj.course)
    else:
        raise TypeError(f"{type(obj).__name__} has no generated slug")
    return obj.slug
