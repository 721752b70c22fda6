"""Writes to the content tree: slugs at creation, ordinals, prerequisites, exercise validation.

Used by the admin and by the course importer, so that a rule lives in one place.
"""

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils.translation import gettext

from . import slugs
from .answers import expand_alternates, normalized_answer
from .content_version import content_changed
from .exercise_types import REGISTRY, answer_language_code
from .models import Course, Exercise, Lesson, LessonExercise, LessonPrerequisite, Section, Token, Unit

#: parent model → (child model, name of the child's FK to the parent)
CHILDREN: dict[type[models.Model], tuple[type[models.Model], str]] = {
    Course: (Section, "course"),
    Section: (Unit, "section"),
    Unit: (Lesson, "unit"),
    Lesson: (LessonExercise, "lesson"),
}

_PARENT_FIELD = {child: fk for child, fk in CHILDREN.values()}

#: ordinals are PositiveSmallIntegerField (≤ 32767): rows being moved park above this while they swap
_PARKING = 30000


# --- Ordinals --------------------------------------------------------------------------------


def next_ordinal(*, parent: models.Model) -> int:
    child, fk = CHILDREN[type(parent)]
    return (child.objects.filter(**{fk: parent}).aggregate(m=Max("ordinal"))["m"] or 0) + 1


def _park(rows: Sequence[models.Model]) -> None:
    """Move rows to ordinals nobody uses, so that the next writes cannot collide with them.

    PostgreSQL checks the sibling-ordinal constraints at commit (DEFERRABLE INITIALLY DEFERRED), so a
    swap inside one transaction works without this; SQLite checks every statement, so the rows that
    change first step aside. Doing it on both keeps one code path that is tested on PostgreSQL."""
    for i, row in enumerate(rows, start=1):
        type(row).objects.filter(pk=row.pk).update(ordinal=_PARKING + i)


def reorder_children(*, parent: Course | Section | Unit | Lesson, ordered_ids: Sequence[int]) -> None:
    """Number the children of ``parent`` 1, 2, 3 … in the order of ``ordered_ids`` (primary keys of the
    sections of a course, units of a section, lessons of a unit, or LessonExercise rows of a lesson).

    ``ordered_ids`` must list every child exactly once. Slugs do not change (see ``courses.slugs``).
    Locks the children (``select_for_update``, by id) so two concurrent reorders serialise.
    """
    child, fk = CHILDREN[type(parent)]
    with transaction.atomic():
        content_changed()  # the UPDATEs below send no signal (courses/structure.py)
        rows = list(child.objects.select_for_update().filter(**{fk: parent}).order_by("pk"))
        by_id = {row.pk: row for row in rows}
        if len(ordered_ids) != len(set(ordered_ids)) or set(ordered_ids) != set(by_id):
            raise ValidationError(
                gettext("ordered_ids must list each of the %(count)s children of %(parent)s exactly once.")
                % {"count": len(rows), "parent": parent},
                code="invalid",
            )
        moving = [by_id[pk] for position, pk in enumerate(ordered_ids, start=1) if by_id[pk].ordinal != position]
        if not connection.features.supports_deferrable_unique_constraints:
            _park(moving)
        for position, pk in enumerate(ordered_ids, start=1):
            if by_id[pk].ordinal != position:
                child.objects.filter(pk=pk).update(ordinal=position)


def save_siblings(*, objects: Iterable[models.Model], deleted: Iterable[models.Model] = ()) -> None:
    """Save a batch of edited siblings (an admin inline) without tripping the ordinal constraint.

    Deletes first, then parks the existing rows whose ordinal changed, then saves everything. New rows
    without an ordinal get the next free one. New sections, units and lessons get their slug."""
    objects = list(objects)
    with transaction.atomic():
        for obj in deleted:
            if obj.pk is not None:
                obj.delete()
        changed = []
        existing = [o for o in objects if o.pk is not None]
        if existing:
            stored = dict(
                type(existing[0]).objects.filter(pk__in=[o.pk for o in existing]).values_list("pk", "ordinal")
            )
            changed = [o for o in existing if stored.get(o.pk) != o.ordinal]
        _park(changed)
        for obj in objects:
            if obj.pk is None and not obj.ordinal:
                obj.ordinal = next_ordinal(parent=getattr(obj, _PARENT_FIELD[type(obj)]))
            if obj.pk is None and not isinstance(obj, LessonExercise):
                slugs.assign_slug(obj)
            obj.save()


def add_exercise_to_lesson(*, lesson: Lesson, exercise: Exercise, ordinal: int | None = None) -> LessonExercise:
    """Append (or place at ``ordinal``) an exercise in a lesson."""
    with transaction.atomic():
        link = LessonExercise(lesson=lesson, exercise=exercise, ordinal=ordinal or next_ordinal(parent=lesson))
        link.full_clean()
        link.save()
        return link


def create_exercise(*, exercise: Exercise, lesson: Lesson | None = None, tokens: Sequence[Token] = ()) -> Exercise:
    """Validate and save a new exercise, slugged ``es-e-SS-UU-LL-NN`` when created into ``lesson`` (and
    appended to it), ``es-e-NNNN`` otherwise."""
    with transaction.atomic():
        position = next_ordinal(parent=lesson) if lesson is not None else None
        slugs.assign_slug(exercise, lesson=lesson, position=position)
        validate_exercise(exercise, tokens=tokens)
        exercise.save()
        if tokens:
            exercise.tokens.set(tokens)
        if lesson is not None:
            LessonExercise.objects.create(lesson=lesson, exercise=exercise, ordinal=position)
        return exercise


# --- Prerequisites ---------------------------------------------------------------------------


def prerequisite_cycles[K: Hashable](needs: Mapping[K, Sequence[K]], starts: Iterable[K]) -> Iterator[list[K]]:
    """The cycles of a prerequisite graph (``needs[a]``: the lessons ``a`` needs first), as closed paths
    ``[a, b, …, a]`` (each needs the next), in the order a depth-first search meets them: from each
    start in turn, successors in the order given, each lesson explored once. Pure; lazy, so the first
    cycle costs no more search than needed. Used for the database (``find_prerequisite_cycle``) and
    for course files (``course_files.validate``)."""
    path: list[K] = []
    done: set[K] = set()

    def visit(node: K) -> Iterator[list[K]]:
        path.append(node)
        for nxt in needs.get(node, ()):
            if nxt in path:
                yield [*path[path.index(nxt) :], nxt]
            elif nxt not in done:
                yield from visit(nxt)
        path.pop()
        done.add(node)

    for start in starts:
        if start not in done:
            yield from visit(start)


def find_prerequisite_cycle(*, lesson: Lesson, prerequisites: Iterable[Lesson]) -> list[Lesson] | None:
    """If giving ``lesson`` these prerequisites (replacing its current ones) would make a cycle, return it
    as a path ``[lesson, p1, …, lesson]`` (each needs the next one first); else None. The course's
    prerequisite links in one query; the search is ``prerequisite_cycles`` (sorted ids: deterministic)."""
    prerequisites = list(prerequisites)
    edges: dict[int, set[int]] = {}
    links = LessonPrerequisite.objects.filter(lesson__unit__section__course_id=lesson.unit.section.course_id)
    for lesson_id, prerequisite_id in links.values_list("lesson_id", "prerequisite_id"):
        edges.setdefault(lesson_id, set()).add(prerequisite_id)
    edges[lesson.pk] = {p.pk for p in prerequisites}
    needs = {node: sorted(nexts) for node, nexts in edges.items()}
    cycle = next(prerequisite_cycles(needs, [lesson.pk]), None)
    if not cycle:
        return None
    by_id = {p.pk: p for p in prerequisites} | {lesson.pk: lesson}
    missing = set(cycle) - set(by_id)
    by_id |= Lesson.objects.in_bulk(missing)
    return [by_id[i] for i in cycle]


def validate_prerequisites(*, lesson: Lesson, prerequisites: Iterable[Lesson]) -> None:
    """Raise ValidationError unless every prerequisite is another lesson of the same course and the
    prerequisite graph stays acyclic. The message names the cycle: ``es-l-01-01-02 needs es-l-01-01-03,
    which needs es-l-01-01-02``."""
    prerequisites = list(prerequisites)
    errors = []
    course_id = lesson.unit.section.course_id
    for p in prerequisites:
        if p.pk == lesson.pk:
            errors.append(gettext("A lesson cannot be its own prerequisite (%(slug)s).") % {"slug": lesson.slug})
        elif p.unit.section.course_id != course_id:
            errors.append(
                gettext("%(slug)s belongs to another course; prerequisites must be in the same course.")
                % {"slug": p.slug}
            )
    if errors:
        raise ValidationError({"prerequisites": errors})
    if lesson.pk is None:
        return  # a new lesson has no dependants, so it cannot close a cycle
    cycle = find_prerequisite_cycle(lesson=lesson, prerequisites=prerequisites)
    if cycle:
        raise ValidationError(
            {
                "prerequisites": [
                    gettext("These prerequisites would make a cycle: %(cycle)s.") % {"cycle": describe_cycle(cycle)}
                ]
            }
        )


def describe_cycle(cycle: Sequence[Lesson]) -> str:
    """``[a, b, c, a]`` → ``a needs b, which needs c, which needs a``."""
    text = gettext("%(lesson)s needs %(prerequisite)s") % {"lesson": cycle[0].slug, "prerequisite": cycle[1].slug}
    for lesson in cycle[2:]:
        # Translators: continues "a needs b" along a cycle of prerequisites: "a needs b, which needs c".
        text += gettext(", which needs %(prerequisite)s") % {"prerequisite": lesson.slug}
    return text


def set_prerequisites(*, lesson: Lesson, prerequisites: Iterable[Lesson]) -> None:
    """Replace the lesson's prerequisites after validating them.

    Locks the course row (``select_for_update``) so that two authors editing prerequisites of the same
    course at once cannot each add half of a cycle."""
    prerequisites = list(prerequisites)
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=lesson.unit.section.course_id).first()
        validate_prerequisites(lesson=lesson, prerequisites=prerequisites)
        content_changed()  # bulk_create sends no signal
        wanted = {p.pk for p in prerequisites}
        LessonPrerequisite.objects.filter(lesson=lesson).exclude(prerequisite_id__in=wanted).delete()
        have = set(LessonPrerequisite.objects.filter(lesson=lesson).values_list("prerequisite_id", flat=True))
        LessonPrerequisite.objects.bulk_create(
            [LessonPrerequisite(lesson=lesson, prerequisite_id=pk) for pk in sorted(wanted - have)]
        )


# --- Checkpoints -----------------------------------------------------------------------------


def checkpoint_scope_lessons(*, unit: Unit | None, section: Section | None):
    """The lessons of a checkpoint's unit or section (a queryset, in course order)."""
    qs = Lesson.objects.filter(unit=unit) if unit is not None else Lesson.objects.filter(unit__section=section)
    return qs.order_by("unit__ordinal", "ordinal")


def checkpoint_problems(
    *, unit: Unit | None, section: Section | None, draw: int | None, lessons: list[Lesson], exercises: list[Exercise]
) -> list[tuple[str, str]]:
    """What is wrong with a checkpoint's items, as ``(field, message)`` pairs (none: fine).

    Its lessons must be of its course and not after it (a checkpoint tests what comes before it); its
    items are either a fixed list of exercises of those lessons (none listed: of its unit or section) or
    a number drawn from them, not both."""
    scope = unit.section if unit is not None else section
    if scope is None:
        return []
    problems: list[tuple[str, str]] = []
    end = (scope.ordinal, unit.ordinal if unit is not None else 1 << 16)
    for lesson in lessons:
        where = (lesson.unit.section.ordinal, lesson.unit.ordinal)
        if lesson.unit.section.course_id != scope.course_id:
            problems.append(("lessons", gettext("%(slug)s belongs to another course.") % {"slug": lesson.slug}))
        elif where > end:
            problems.append(
                (
                    "lessons",
                    gettext("%(slug)s comes after the checkpoint; it tests what comes before it.")
                    % {"slug": lesson.slug},
                )
            )
    if draw is None and not exercises:
        problems.append(("exercises", gettext("Give the fixed list of exercises, or a number to draw at random.")))
    elif draw is not None and exercises:
        problems.append(("draw", gettext("Either a fixed list of exercises or a number drawn at random, not both.")))
    if exercises:
        covered = [le.pk for le in lessons] or list(
            checkpoint_scope_lessons(unit=unit, section=section).values_list("pk", flat=True)
        )
        allowed = set(
            LessonExercise.objects.filter(lesson_id__in=covered, exercise__in=exercises).values_list(
                "exercise_id", flat=True
            )
        )
        for exercise in exercises:
            if exercise.pk not in allowed:
                problems.append(
                    (
                        "exercises",
                        gettext("%(slug)s is in none of the lessons the checkpoint covers.") % {"slug": exercise.slug},
                    )
                )
    return problems


# --- Exercises -------------------------------------------------------------------------------


def validate_exercise(exercise: Exercise, *, tokens: Iterable[Token] | None = None) -> None:
    """Check an exercise before it is saved (admin, importer) and clean its payload in place.

    Raises ValidationError whose message dict is keyed by dotted paths: ``type``, ``payload`` (the
    payload as a whole), ``payload.<key>`` (``payload.solutions``, ``payload.choices.2``), ``audio``,
    ``image``, ``tokens``."""
    errors: dict[str, list[str]] = {}
    kind = REGISTRY.get(exercise.type)
    if kind is None:
        errors["type"] = [
            gettext("Unknown exercise type %(type)r. Known types: %(types)s.")
            % {"type": exercise.type, "types": ", ".join(sorted(REGISTRY))}
        ]
    else:
        try:
            exercise.payload = kind.validate_payload(exercise.payload)
        except ValidationError as e:
            for key, messages in e.message_dict.items():
                errors[f"payload.{key}" if key != "payload" else "payload"] = messages
        else:
            if hasattr(kind, "asset_ids"):
                from media_assets.models import Asset

                wanted = kind.asset_ids(exercise.payload)
                found = set(Asset.objects.filter(pk__in=wanted, kind=Asset.Kind.IMAGE).values_list("pk", flat=True))
                for i, choice in enumerate(exercise.payload.get("choices", [])):
                    if isinstance(choice.get("image"), int) and choice["image"] not in found:
                        errors[f"payload.choices.{i}.image"] = [
                            gettext("No image asset with id %(id)s.") % {"id": choice["image"]}
                        ]
    if exercise.audio_id and exercise.audio.kind != "audio":
        errors["audio"] = [gettext("This asset is not audio.")]
    if exercise.image_id and exercise.image.kind != "image":
        errors["image"] = [gettext("This asset is not an image.")]
    if tokens is not None and exercise.course_id:
        language_id = exercise.course.to_language_id
        wrong = sorted(t.text for t in tokens if t.language_id != language_id)
        if wrong:
            errors["tokens"] = [
                gettext("Not in the course's target language: %(words)s.") % {"words": ", ".join(wrong)}
            ]
    if errors:
        raise ValidationError(errors)


# --- Publishing ------------------------------------------------------------------------------


def publish_course(*, course: Course, published: bool = True) -> Course:
    """Publish (or withdraw) a course. A course whose licence requires attribution is refused
    (``ValidationError`` naming the missing field) until its licence link and source are recorded."""
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        locked.is_published = published
        locked.full_clean(validate_unique=False, validate_constraints=False)
        locked.save(update_fields=["is_published", "updated_at"])
    course.is_published = locked.is_published
    return locked


# --- Accepting a learner's answer (the report queue) -------------------------------------------

#: Exercise types whose payload lists typed solutions an accepted answer can join. For listen and
#: speak an absent ``solutions`` means ``[text]``; that is kept when the list is first written.
TYPED_SOLUTION_TYPES = frozenset({"translate", "fill_blank", "listen", "speak", "word_bank"})


def accepted_answer_text(answer: str) -> str:
    """A learner's answer as a solution: single spaces, and without ``[`` ``]`` (alternates syntax in a
    solution; punctuation to the checker anyway, so nothing the learner meant is lost)."""
    return " ".join(answer.replace("[", " ").replace("]", " ").split())


def _already_accepted(exercise: Exercise, solutions: list[str], text: str) -> bool:
    """Whether ``text`` is, once normalised, one of the solutions' sentences (alternates expanded)."""
    language = answer_language_code(REGISTRY[exercise.type], exercise.payload, exercise.course)
    wanted = normalized_answer(text, language)
    return any(
        normalized_answer(sentence, language) == wanted
        for solution in solutions
        for sentence in expand_alternates(solution)
    )


def add_accepted_answer(*, exercise_id: int, answer: str) -> tuple[Exercise, bool]:
    """Add ``answer`` to the exercise's accepted solutions, through ``validate_exercise`` — the path the
    exercise form and the course-file import take — so the course file exports it.

    Locks the exercise row. Returns the exercise and whether the payload changed: an answer that is
    already one of the solutions once normalised (case, punctuation, spacing) changes nothing.
    Raises ValidationError (keyed like the form's errors: ``payload.solutions.3`` …) when the type
    has no typed solutions or the payload refuses the answer; nothing is written then.
    """
    text = accepted_answer_text(answer)
    with transaction.atomic():
        exercise = (
            Exercise.objects.select_for_update(of=("self",))
            .select_related("course__from_language", "course__to_language")
            .get(pk=exercise_id)
        )
        if exercise.type not in TYPED_SOLUTION_TYPES:
            raise ValidationError(
                {
                    "type": [
                        gettext("A %(type)s exercise has no typed solutions to add an answer to.")
                        % {"type": exercise.type}
                    ]
                }
            )
        if not text:
            raise ValidationError({"payload.solutions": [gettext("The answer is empty.")]})
        payload = dict(exercise.payload)
        solutions = list(payload.get("solutions") or ([payload["text"]] if "text" in payload else []))
        if _already_accepted(exercise, solutions, text):
            return exercise, False
        payload["solutions"] = [*solutions, text]
        exercise.payload = payload
        validate_exercise(exercise)
        exercise.save(update_fields=["payload", "updated_at"])
    return exercise, True


#: The private section sits after every authored one (a course file's ordinals never reach it).
PRIVATE_SECTION_ORDINAL = 32767


def private_unit(*, course: Course) -> Unit:
    """The course's unpublished unit for learners' private lessons (generated bubbles), created on first
    use in its own unpublished, ``private`` section. Locks the unit row (``select_for_update``) so that
    lessons added to it by two workers at once get distinct ordinals; call it inside a transaction."""
    section = Section.objects.filter(course=course, private=True).first()
    if section is None:
        section, _ = Section.objects.get_or_create(
            course=course,
            ordinal=PRIVATE_SECTION_ORDINAL,
            defaults={
                "title": "Learners' bubbles (private)",
                "slug": f"{course.slug}-bubbles",
                "is_published": False,
                "private": True,
                "description": "Generated practice, each lesson visible only to the learner it was made for.",
            },
        )
    unit, _ = Unit.objects.get_or_create(
        section=section,
        ordinal=1,
        defaults={"title": "Bubbles", "slug": f"{course.slug}-bubbles-u", "is_published": False},
    )
    return Unit.objects.select_for_update().get(pk=unit.pk)
