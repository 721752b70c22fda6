"""Each course's structure, cached (docs/performance.md, "The course structure cache").

What every learner of a course sees the same — its visible units and lessons in course order, the
lessons' prerequisites, each lesson's servable exercises (type and words, in the author's order), the
words the course teaches and its checkpoints — is read from the database once and kept in
Django's cache (Redis in production, files shared by every process on the embedded default, so an
import run in another terminal shows at once; local memory in tests without Redis), so that the path page,
unlocking, starting a run, answering and the profile do not rebuild it with joins over the content
tables on every request. Likewise each exercise as the answer path judges it (``exercise_for_answer``),
and each unit's words for the path's word lists, in an entry of their own (``unit_words``).

Versioned, not expired: every key holds the current *content version*, a random token kept in the
cache. ``content_changed()`` replaces it — any save, delete or link change of a content model
(signals, ``courses.apps``), and every bulk write (import, publishing, bulk actions, reorders, audio
linking) call it — so the next read misses and rebuilds. It replaces the token at once (reads later in
the same transaction, and tests, see the change) and again when the transaction commits (a reader that
rebuilt from the rows before the commit stored them under the version it read, never under the new
one). The small entries read on every request — a course by its slug, an exercise as an answer is
judged — are kept instead as one key each holding ``(version, value)``, read together with the version
in one round trip (``content_version.versioned_get``); one stored under another version is stale in the
same way. Entries also expire after ``TIMEOUT`` seconds, which bounds what a version lost with a cache
outage could leave behind. When the cache is unreachable (``config.cache.FailOpenRedisCache``) every
read misses and the structure is read from the database: slower, never wrong.

Only content is cached here, never a learner's state: callers overlay that (which lessons are passed,
tiers, mastery) from their own per-learner queries.
"""

from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, signals
from django.utils.translation import get_language

from core.memo import ProcessMemo

from .content_version import FORMAT, TIMEOUT, content_changed, current_version, versioned_get, versioned_set
from .models import Checkpoint, Course, Exercise, Lesson, LessonExercise, LessonPrerequisite, Token, Unit, visible_q
from .publishing import servable_q


@dataclass(frozen=True)
class CheckpointInfo:
    """A visible checkpoint as every learner sees it (its title in the interface language)."""

    id: int
    slug: str
    title: str
    unit_id: int | None  # the unit it ends, or
    section_id: int | None  # the section it ends
    pass_percent: int
    time_limit_sec: int | None
    items: int  # how many items a run serves (at most: the fixed list or the number drawn)


@dataclass(frozen=True)
class DisplayTexts:
    """A structure's translated texts in its interface language, read once per structure: the path
    lists every lesson of the course, and reading each text through its translated field (with the
    language fallback) on every view was most of a 200-lesson course's path work."""

    section_titles: dict[int, str]
    units: dict[int, tuple[str, str]]  # unit id → (title, description)
    lessons: dict[int, tuple[str, str]]  # lesson id → (title, notes)


@dataclass
class CourseStructure:
    """A course's content as every learner sees it (model instances are detached copies)."""

    course_id: int
    units: list[Unit]  # visible, with their section, in course order
    lessons_by_unit: dict[int, list[Lesson]]  # unit id → its visible lessons in order
    ordered_lesson_ids: list[int]  # every visible lesson in course order
    prerequisites: dict[int, list[int]]  # lesson id → prerequisite lesson ids
    # lesson id → its published, servable exercises in serving order: (exercise id, type, token ids)
    lesson_exercises: dict[int, list[tuple[int, str, tuple[int, ...]]]]
    token_ids: frozenset[int] = field(default_factory=frozenset)  # the words the course teaches
    checkpoints: list[CheckpointInfo] = field(default_factory=list)  # visible, ending a unit or a section
    version: str = ""  # the content version it was read under (set on every read: see course_structure)
    texts: DisplayTexts | None = None  # set on every read, after the cache (see course_structure)

    @property
    def lessons(self) -> dict[int, Lesson]:
        return {lesson.pk: lesson for lessons in self.lessons_by_unit.values() for lesson in lessons}


def visible_course(slug: str) -> Course | None:
    """The visible course with this slug (its languages selected), or None: from the cache (read with
    the content version, one round trip), or one query (then cached under the content version:
    publishing, an edit or an import replaces it)."""
    name = f"course:{slug}"
    version, course = versioned_get(name)
    if course is None:
        course = Course.objects.visible().select_related("to_language", "from_language").filter(slug=slug).first()
        if course is None:
            return None
        versioned_set(name, version, course)
    return course


#: The structures this process has read, by their cache key (content version, course, language), so
#: that a request does not fetch and unpickle one again (hundreds of model instances for a long course).
#: Shared between requests: callers only read them.
_STRUCTURES: ProcessMemo[CourseStructure] = ProcessMemo(size=32, seconds=TIMEOUT)


def course_structure(course_id: int) -> CourseStructure:
    """The course's structure: kept in the process, else from the cache, else six queries (then cached
    under the content version). The version is read from the cache on every call, so a content change
    anywhere is seen at once: it names a new key."""
    version = current_version()
    key = f"courses:structure:{FORMAT}:{version}:{course_id}:{get_language() or ''}"

    def load() -> CourseStructure:
        structure = cache.get(key)
        if structure is None:
            structure = _build(course_id)
            cache.set(key, structure, TIMEOUT)
        # What is derived from it (the path page's fragments: progress.fragments) is keyed by this version,
        # never by a newer one read later: content read under one version is never stored under the next.
        structure.version = version
        structure.texts = display_texts(structure)  # in the key's language (the active one)
        return structure

    return _STRUCTURES.get_or_make(key, load)


def display_texts(structure: CourseStructure) -> DisplayTexts:
    """The structure's texts in the active language (``course_structure`` sets them on each structure)."""
    return DisplayTexts(
        section_titles={unit.section_id: unit.section.title for unit in structure.units},
        units={unit.pk: (unit.title, unit.description) for unit in structure.units},
        lessons={
            lesson.pk: (lesson.title, lesson.notes)
            for lessons in structure.lessons_by_unit.values()
            for lesson in lessons
        },
    )


def unit_words(course_id: int) -> dict[int, list[Token]]:
    """Each unit's words (the tokens of its lessons' published exercises, by text; unit id → tokens): from
    the cache, or one query. Apart from the structure, which every request of the learner's loop reads,
    because only the word lists need them: they are most of a big course's cached bytes."""
    structure = course_structure(course_id)
    key = f"courses:unit-words:{FORMAT}:{structure.version}:{course_id}:{get_language() or ''}"
    words = cache.get(key)
    if words is None:
        words = {}
        for token in (
            Token.objects.filter(
                exercises__is_published=True, exercises__lesson_links__lesson__in=structure.ordered_lesson_ids
            )
            .annotate(unit_id=F("exercises__lesson_links__lesson__unit_id"))
            .order_by("text")
            .distinct()
        ):
            bucket = words.setdefault(token.unit_id, [])
            if not any(t.pk == token.pk for t in bucket):
                bucket.append(token)
        cache.set(key, words, TIMEOUT)
    return words


def _build(course_id: int) -> CourseStructure:
    units = list(
        Unit.objects.visible()
        .filter(section__course_id=course_id)
        .select_related("section")
        .order_by("section__ordinal", "ordinal")
    )
    lessons_by_unit: dict[int, list[Lesson]] = {unit.pk: [] for unit in units}
    for lesson in Lesson.objects.visible().filter(unit__in=list(lessons_by_unit)).order_by("unit_id", "ordinal"):
        lessons_by_unit[lesson.unit_id].append(lesson)
    ordered = [lesson.pk for unit in units for lesson in lessons_by_unit[unit.pk]]
    prerequisites: dict[int, list[int]] = {}
    for lesson_id, prerequisite_id in LessonPrerequisite.objects.filter(
        lesson__unit__section__course_id=course_id
    ).values_list("lesson_id", "prerequisite_id"):
        prerequisites.setdefault(lesson_id, []).append(prerequisite_id)
    exercises: dict[int, dict[int, tuple[int, str, list[int]]]] = {lesson_id: {} for lesson_id in ordered}
    rows = (
        # The lessons are visible, so the exercise's own flag decides.
        LessonExercise.objects.filter(servable_q("exercise__"), lesson__in=ordered, exercise__is_published=True)
        .order_by("lesson_id", "ordinal", "exercise_id")
        .values_list("lesson_id", "exercise_id", "exercise__type", "exercise__tokens")
    )
    for lesson_id, exercise_id, exercise_type, token_id in rows:
        entry = exercises[lesson_id].setdefault(exercise_id, (exercise_id, exercise_type, []))
        if token_id is not None:
            entry[2].append(token_id)
    token_ids = frozenset(Token.objects.taught_in(course_id).values_list("pk", flat=True).distinct())
    return CourseStructure(
        course_id=course_id,
        units=units,
        lessons_by_unit=lessons_by_unit,
        ordered_lesson_ids=ordered,
        prerequisites=prerequisites,
        lesson_exercises={
            lesson_id: [(pk, kind, tuple(tokens)) for pk, kind, tokens in by_id.values()]
            for lesson_id, by_id in exercises.items()
        },
        token_ids=token_ids,
        checkpoints=_checkpoints(course_id),
    )


def _checkpoints(course_id: int) -> list[CheckpointInfo]:
    """The course's published checkpoints of a visible unit or section. One query."""
    rows = (
        Checkpoint.objects.filter(is_published=True)
        .filter(
            (visible_q("unit", "unit__") & Q(unit__section__course_id=course_id))
            | (visible_q("section", "section__") & Q(section__course_id=course_id))
        )
        .select_related("unit", "section")  # for the default title
        .annotate(fixed=Count("exercises"))
        .order_by("pk")
    )
    return [
        CheckpointInfo(
            id=c.pk,
            slug=c.slug,
            title=c.display_title,
            unit_id=c.unit_id,
            section_id=c.section_id,
            pass_percent=c.pass_percent,
            time_limit_sec=c.time_limit_sec,
            items=c.draw if c.draw is not None else c.fixed,
        )
        for c in rows
    ]


def exercise_for_answer(exercise_id: int) -> Exercise | None:
    """The exercise as the answer path judges it (type, payload, course, explanation) with ``token_ids``
    (the words it teaches): from the cache (read with the content version, one round trip), or one query
    on PostgreSQL (two on SQLite). None if there is none."""
    name = f"exercise:{exercise_id}"
    version, exercise = versioned_get(name)
    if exercise is None:
        query = Exercise.objects.filter(pk=exercise_id)
        if connection.vendor == "postgresql":
            exercise = query.annotate(
                token_ids=ArrayAgg("tokens__id", filter=Q(tokens__isnull=False), default=[])
            ).first()
        else:  # SQLite (the embedded default): one more query
            exercise = query.first()
            if exercise is not None:
                setattr(exercise, "token_ids", list(exercise.tokens.values_list("pk", flat=True)))  # noqa: B010
        if exercise is None:
            return None
        versioned_set(name, version, exercise)
    return exercise


# --- Keeping it true --------------------------------------------------------------------------
#
# Signals, not calls in each service: a structure must go stale on *every* write of content — admin
# saves and inlines, the authoring services, factories in tests, deletes cascading from a course —
# and forgetting one would show learners an old course. Bulk writes (``QuerySet.update``,
# ``bulk_create``), which send no signal, call ``content_changed()`` themselves.

CONTENT_MODELS = (
    "Language",
    "Checkpoint",
    "Course",
    "Section",
    "Unit",
    "Lesson",
    "LessonPrerequisite",
    "Token",
    "Exercise",
    "LessonExercise",
)


def _on_content_write(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures and a restored test database: not a change anyone has cached
    content_changed(using=kwargs.get("using"))


def connect_signals(app_config) -> None:
    """Called from ``CoursesConfig.ready``."""
    for name in CONTENT_MODELS:
        model = app_config.get_model(name)
        signals.post_save.connect(_on_content_write, sender=model, dispatch_uid=f"structure-save-{name}")
        signals.post_delete.connect(_on_content_write, sender=model, dispatch_uid=f"structure-delete-{name}")
    for through, uid in (
        (Exercise.tokens.through, "structure-exercise-tokens"),
        (Checkpoint.lessons.through, "structure-checkpoint-lessons"),
        (Checkpoint.exercises.through, "structure-checkpoint-exercises"),
    ):
        signals.m2m_changed.connect(_on_content_write, sender=through, dispatch_uid=uid)
