"""Reads of the progress app for pages and the API. Each selector runs a fixed number of queries,
whatever the size of the course or the learner's history (asserted in gamification/tests/test_selectors.py)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef

from accounts.models import User
from core.errors import NotFound
from courses.models import Course, Lesson, LessonPrerequisite, Token, Unit

from .models import LessonProgress, TokenMastery
from .rules import lesson_states, next_lesson_id, percent
from .services.scheduling import mastered_q


@dataclass
class PathLesson:
    id: int
    slug: str
    title: str
    ordinal: int
    kind: str
    difficulty: str
    estimated_minutes: int
    state: str  # locked | open | passed
    tier: int
    tier_label: str
    passes: int
    is_next: bool = False


@dataclass
class PathUnit:
    id: int
    slug: str
    ordinal: int
    title: str
    description: str
    icon: str
    color: str
    lessons: list[PathLesson] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)

    @property
    def passed_count(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.state == "passed")


@dataclass
class PathSection:
    id: int
    slug: str
    ordinal: int
    title: str
    cefr_level: str
    units: list[PathUnit] = field(default_factory=list)


@dataclass
class CoursePath:
    course: Course
    sections: list[PathSection]
    next_lesson: PathLesson | None
    lessons_total: int
    lessons_passed: int
    completion_pct: int
    tokens_total: int
    tokens_mastered: int
    mastery_pct: int


def _published_units(course: Course):
    return (
        Unit.objects.visible()
        .filter(section__course=course)
        .select_related("section")
        .order_by("section__ordinal", "ordinal")
    )


def mastery_counts(*, user: User, course_id: int) -> tuple[int, int]:
    """(course tokens, mastered by the learner) in one query; the mastery look-up is per token and
    learner (the ``token_mastery_unique`` index), never a scan of other learners' rows."""
    mine = TokenMastery.objects.filter(mastered_q(), user=user, token=OuterRef("pk"))
    row = Token.objects.filter(pk__in=Token.objects.taught_in(course_id).values("pk")).aggregate(
        total=Count("pk"), mastered=Count("pk", filter=Exists(mine))
    )
    return row["total"], row["mastered"]


def course_path(*, user: User, course: Course) -> CoursePath:
    """The course's published tree with each lesson's state, tier and the next lesson; completion
    and mastery %; each unit's words. Six queries."""
    if not course.is_published:
        raise NotFound("No such course.")
    units = list(_published_units(course))
    lessons = list(Lesson.objects.visible().filter(unit__in=[u.pk for u in units]).order_by("unit_id", "ordinal"))
    by_unit: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        by_unit.setdefault(lesson.unit_id, []).append(lesson)
    ordered = [lesson for unit in units for lesson in by_unit.get(unit.pk, [])]
    prerequisites: dict[int, list[int]] = {}
    for lesson_id, prerequisite_id in LessonPrerequisite.objects.filter(
        lesson__unit__section__course=course
    ).values_list("lesson_id", "prerequisite_id"):
        prerequisites.setdefault(lesson_id, []).append(prerequisite_id)
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(user=user, lesson__unit__section__course=course)}
    passed = {lid for lid, p in progress.items() if p.passes >= 1}
    ordered_ids = [lesson.pk for lesson in ordered]
    states = lesson_states(ordered_lesson_ids=ordered_ids, prerequisites=prerequisites, passed_ids=passed)
    next_id = next_lesson_id(ordered_ids, states)

    unit_tokens: dict[int, list[Token]] = {}
    # The words of the visible lessons above (``ordered_ids``): the exercise's own flag decides.
    token_rows = (
        Token.objects.filter(
            exercises__is_published=True,
            exercises__lesson_links__lesson__in=ordered_ids,
        )
        .annotate(unit_id=F("exercises__lesson_links__lesson__unit_id"))
        .order_by("text")
        .distinct()
    )
    for token in token_rows:
        bucket = unit_tokens.setdefault(token.unit_id, [])
        if not any(t.pk == token.pk for t in bucket):
            bucket.append(token)

    sections: list[PathSection] = []
    next_lesson = None
    for unit in units:
        if not sections or sections[-1].id != unit.section_id:
            s = unit.section
            sections.append(PathSection(s.pk, s.slug, s.ordinal, s.title, s.cefr_level))
        path_unit = PathUnit(
            unit.pk,
            unit.slug,
            unit.ordinal,
            unit.title,
            unit.description,
            unit.icon,
            unit.color,
            tokens=unit_tokens.get(unit.pk, []),
        )
        for lesson in by_unit.get(unit.pk, []):
            p = progress.get(lesson.pk)
            tier = p.tier if p else 0
            item = PathLesson(
                id=lesson.pk,
                slug=lesson.slug,
                title=lesson.title,
                ordinal=lesson.ordinal,
                kind=lesson.kind,
                difficulty=lesson.difficulty,
                estimated_minutes=lesson.estimated_minutes,
                state=states[lesson.pk],
                tier=tier,
                tier_label=LessonProgress.Tier(tier).label,
                passes=p.passes if p else 0,
                is_next=lesson.pk == next_id,
            )
            if item.is_next:
                next_lesson = item
            path_unit.lessons.append(item)
        sections[-1].units.append(path_unit)
    tokens_total, tokens_mastered = mastery_counts(user=user, course_id=course.pk)
    lessons_passed = len(passed & set(ordered_ids))
    return CoursePath(
        course=course,
        sections=sections,
        next_lesson=next_lesson,
        lessons_total=len(ordered_ids),
        lessons_passed=lessons_passed,
        completion_pct=percent(lessons_passed, len(ordered_ids)),
        tokens_total=tokens_total,
        tokens_mastered=tokens_mastered,
        mastery_pct=percent(tokens_mastered, tokens_total),
    )


def due_token_count(*, user: User, course: Course, now: datetime) -> int:
    """How many of the course's words are due for review (for a "Review" button)."""
    return TokenMastery.objects.filter(user=user, due_at__lte=now, token__in=Token.objects.taught_in(course.pk)).count()


__all__ = ["CoursePath", "course_path", "due_token_count", "mastery_counts"]
