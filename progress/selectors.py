"""Reads of the progress app for pages and the API. Each selector runs a fixed number of queries,
whatever the size of the course or the learner's history (asserted in gamification/tests/test_selectors.py)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import NotFound
from core.lookups import id_in
from courses.models import Course, Token, Unit
from courses.structure import CheckpointInfo, CourseStructure, course_structure, display_texts, unit_words
from media_assets.models import AssetVariant

from .models import ExerciseAttempt, LessonProgress, LessonRun, ProblemReport, TokenMastery
from .rules import MAX_SECONDS_PER_ANSWER, lesson_states, next_lesson_id, percent
from .services.checkpoints import CheckpointRecord, checkpoint_records, checkpoint_state
from .services.mastery import learner_decay
from .services.scheduling import is_mastered, mastered_q, word_strength

if TYPE_CHECKING:
    from .fragments import LessonHTML, UnitHTML


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
    tips: str = ""  # the authors' notes before the lesson ("Tips"), plain text
    #: what every learner sees the same (progress.fragments), set by the path page for the lessons it shows
    html: "LessonHTML | None" = None


@dataclass
class PathCheckpoint:
    """A checkpoint on the path, between its unit (or section) and what comes after."""

    id: int
    slug: str
    title: str
    state: str  # locked | available | cooling_down | passed
    retry_at: datetime | None
    pass_percent: int
    time_limit_sec: int | None
    items: int  # how many items a run serves (at most: the fixed list or the number drawn)

    @property
    def can_take(self) -> bool:
        return self.state in ("available", "passed")


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
    #: the checkpoint ending this unit, if any
    checkpoint: PathCheckpoint | None = None
    #: "Jump here": the checkpoint just before this unit, when the unit is not reached yet and that
    #: checkpoint can be taken now (passing it opens this unit)
    jump: PathCheckpoint | None = None
    #: what every learner sees the same (progress.fragments), set by the path page for the units it shows
    html: "UnitHTML | None" = None

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
    checkpoint: PathCheckpoint | None = None  # the checkpoint ending the section, if any

    @property
    def lessons(self) -> list[PathLesson]:
        return [lesson for unit in self.units for lesson in unit.lessons]

    @property
    def lessons_passed(self) -> int:
        return sum(unit.passed_count for unit in self.units)

    @property
    def lessons_total(self) -> int:
        return sum(len(unit.lessons) for unit in self.units)

    @property
    def state(self) -> str:
        """``passed`` (every lesson), ``locked`` (its first lesson is), else ``open``."""
        lessons = self.lessons
        if lessons and all(lesson.state == "passed" for lesson in lessons):
            return "passed"
        if not lessons or lessons[0].state == "locked":
            return "locked"
        return "open"

    @property
    def jump(self) -> PathCheckpoint | None:
        """ "Jump here" into this section: the one its first unit offers."""
        return self.units[0].jump if self.units else None


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
    words_due: int = 0  # the learner's words of this course due for review now
    content_version: str = ""  # the content version the course's structure was read under

    def shown_section(self, slug: str | None = None) -> PathSection | None:
        """The section the page shows in full: the one named by ``slug`` if the course has it, else the
        one holding the next lesson, else the first one (None: the course has no section to show)."""
        by_slug = {section.slug: section for section in self.sections}
        if slug in by_slug:
            return by_slug[slug]
        if self.next_lesson is not None:
            for section in self.sections:
                if any(lesson.is_next for lesson in section.lessons):
                    return section
        return self.sections[0] if self.sections else None


def _published_units(course: Course):
    return (
        Unit.objects.visible()
        .filter(section__course=course)
        .select_related("section")
        .order_by("section__ordinal", "ordinal")
    )


def mastery_counts(
    *, user: User, course_id: int, now: datetime | None = None, token_ids: frozenset[int] | None = None
) -> tuple[int, int, int]:
    """(course tokens, mastered by the learner, due now) in one query: the course's words come from
    its cached structure (``courses.structure``; pass ``token_ids`` when it is at hand), the learner's
    rows are read through the ``token_mastery_unique`` index (learner, word), never a scan of other
    learners' rows; the words are one array parameter on PostgreSQL (``core.lookups.id_in``)."""
    now = now or timezone.now()
    if token_ids is None:
        token_ids = course_structure(course_id).token_ids
    if not token_ids:
        return 0, 0, 0
    row = TokenMastery.objects.filter(id_in("token_id", sorted(token_ids)), user=user).aggregate(
        mastered=Count("pk", filter=mastered_q()),
        due=Count("pk", filter=Q(due_at__lte=now)),
    )
    return len(token_ids), row["mastered"], row["due"]


def course_path(*, user: User, course: Course, now: datetime | None = None, words: bool = True) -> CoursePath:
    """The course's published tree with each lesson's state, tier and the next lesson; completion
    and mastery %; the number of words due; each unit's words; the checkpoints with their state and the
    units one can jump to. The tree, prerequisites and words are the course's cached structure
    (``courses.structure``); the learner's state is overlaid from their own rows. ``words=False`` leaves
    each unit's ``tokens`` empty (the path page's word lists are cached fragments: progress.fragments)."""
    if not course.is_published:
        raise NotFound(_("No such course."))
    structure = course_structure(course.pk)
    units = structure.units
    by_unit = structure.lessons_by_unit
    ordered_ids = structure.ordered_lesson_ids
    texts = structure.texts or display_texts(structure)
    tier_labels = {tier: str(label) for tier, label in LessonProgress.Tier.choices}  # translated once
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(id_in("lesson_id", ordered_ids), user=user)}
    passed = {lid for lid, p in progress.items() if p.passes >= 1}
    states = lesson_states(ordered_lesson_ids=ordered_ids, prerequisites=structure.prerequisites, passed_ids=passed)
    next_id = next_lesson_id(ordered_ids, states)
    unit_tokens = unit_words(course.pk) if words else {}

    sections: list[PathSection] = []
    next_lesson = None
    for unit in units:
        if not sections or sections[-1].id != unit.section_id:
            s = unit.section
            sections.append(PathSection(s.pk, s.slug, s.ordinal, texts.section_titles[s.pk], s.cefr_level))
        unit_title, unit_description = texts.units[unit.pk]
        path_unit = PathUnit(
            unit.pk,
            unit.slug,
            unit.ordinal,
            unit_title,
            unit_description,
            unit.icon,
            unit.color,
            tokens=unit_tokens.get(unit.pk, []),
        )
        for lesson in by_unit.get(unit.pk, []):
            p = progress.get(lesson.pk)
            tier = p.tier if p else 0
            title, tips = texts.lessons[lesson.pk]
            item = PathLesson(
                id=lesson.pk,
                slug=lesson.slug,
                title=title,
                ordinal=lesson.ordinal,
                kind=lesson.kind,
                difficulty=lesson.difficulty,
                estimated_minutes=lesson.estimated_minutes,
                state=states[lesson.pk],
                tier=tier,
                tier_label=tier_labels[tier],
                passes=p.passes if p else 0,
                is_next=lesson.pk == next_id,
                tips=tips,
            )
            if item.is_next:
                next_lesson = item
            path_unit.lessons.append(item)
        sections[-1].units.append(path_unit)
    _place_checkpoints(user=user, structure=structure, sections=sections, now=now or timezone.now())
    tokens_total, tokens_mastered, words_due = mastery_counts(
        user=user, course_id=course.pk, now=now, token_ids=structure.token_ids
    )
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
        words_due=words_due,
        content_version=structure.version,
    )


def _place_checkpoints(*, user: User, structure: CourseStructure, sections: list[PathSection], now: datetime) -> None:
    """Put each visible checkpoint (from the course's cached structure) on its unit or section, with its
    state for ``user``, and offer "Jump here" on a unit not reached yet when the checkpoint just before it
    (ending the unit before, or the section before) can be taken. The learner's checkpoint records are
    one query, run only when a checkpoint is reached (a locked one needs none)."""
    by_unit = {c.unit_id: c for c in structure.checkpoints if c.unit_id}
    by_section = {c.section_id: c for c in structure.checkpoints if c.section_id}
    # What each checkpoint's state depends on: the first lesson of its unit or section.
    firsts: list[tuple[PathUnit | PathSection, CheckpointInfo | None, str | None]] = []
    for section in sections:
        section_first = next((unit.lessons[0].state for unit in section.units if unit.lessons), None)
        for unit in section.units:
            firsts.append((unit, by_unit.get(unit.id), unit.lessons[0].state if unit.lessons else None))
        firsts.append((section, by_section.get(section.id), section_first))
    reached = [c.id for _scope, c, first in firsts if c is not None and first not in (None, "locked")]
    records = checkpoint_records(user=user, checkpoint_ids=reached) if reached else {}

    def place(checkpoint: CheckpointInfo | None, first_state: str | None) -> PathCheckpoint | None:
        if checkpoint is None or first_state is None:
            return None
        state, retry_at = checkpoint_state(
            first_lesson_state=first_state, record=records.get(checkpoint.id, CheckpointRecord()), now=now
        )
        return PathCheckpoint(
            id=checkpoint.id,
            slug=checkpoint.slug,
            title=checkpoint.title,
            state=state,
            retry_at=retry_at,
            pass_percent=checkpoint.pass_percent,
            time_limit_sec=checkpoint.time_limit_sec,
            items=checkpoint.items,
        )

    before: PathCheckpoint | None = None  # the checkpoint just passed on the way down the path
    for scope, checkpoint, first_state in firsts:
        if isinstance(scope, PathUnit):
            if before is not None and before.can_take and scope.lessons and scope.lessons[0].state == "locked":
                scope.jump = before
            scope.checkpoint = place(checkpoint, first_state)
            before = scope.checkpoint
        else:
            scope.checkpoint = place(checkpoint, first_state)
            if scope.checkpoint is not None:
                before = scope.checkpoint


def due_token_count(*, user: User, course: Course, now: datetime) -> int:
    """How many of the course's words are due for review (for a "Review" button)."""
    return TokenMastery.objects.filter(user=user, due_at__lte=now, token__in=Token.objects.taught_in(course.pk)).count()


#: The orders of the Words list: most recently practised first (default), weakest first, A-Z.
WORD_ORDERS = ("recent", "weakest", "alphabetical")


@dataclass
class Word:
    """A word the learner has met, with what the memory model says about it now."""

    token_id: int
    text: str
    translation: str
    audio: object  # media_assets.Asset with its variants prefetched, or None
    strength: float  # predicted recall now, 0-1
    last_practised_at: datetime | None
    due_at: datetime | None
    is_due: bool
    is_mastered: bool
    seen_count: int
    stability_days: float | None

    @property
    def strength_pct(self) -> int:
        return round(100 * self.strength)


@dataclass
class CourseWords:
    words: list[Word]
    due_count: int
    mastered_count: int


def course_words(*, user: User, course: Course, now: datetime, order: str = "recent") -> CourseWords:
    """Every word of the course the learner has met, with its strength now, last practice and due
    date, in ``order`` (``WORD_ORDERS``). Three queries (the learner's decay, the words with their
    audio, the audio variants), whatever the number of words."""
    if order not in WORD_ORDERS:
        raise ValueError(f"order must be one of {', '.join(WORD_ORDERS)}")
    decay = learner_decay(user)
    rows = (
        TokenMastery.objects.filter(
            Q(token__in=Token.objects.taught_in(course.pk))
            # and the words of the learner's own bubbles in this course (private exercises)
            | Q(token__in=Token.objects.filter(exercises__owner=user, exercises__course=course)),
            user=user,
            seen_count__gt=0,
        )
        .select_related("token__audio")
        .prefetch_related(Prefetch("token__audio__variants", queryset=AssetVariant.objects.order_by("pk")))
    )
    words = [
        Word(
            token_id=m.token_id,
            text=m.token.text,
            translation=m.token.translation,
            audio=m.token.audio,
            strength=word_strength(stability=m.stability, last_review_at=m.last_seen_at, now=now, decay=decay),
            last_practised_at=m.last_seen_at,
            due_at=m.due_at,
            is_due=m.due_at is not None and m.due_at <= now,
            is_mastered=is_mastered(stability=m.stability),
            seen_count=m.seen_count,
            stability_days=m.stability,
        )
        for m in rows
    ]
    if order == "weakest":
        words.sort(key=lambda w: (w.strength, w.text.casefold(), w.token_id))
    elif order == "alphabetical":
        words.sort(key=lambda w: (w.text.casefold(), w.token_id))
    else:
        epoch = datetime.min.replace(tzinfo=now.tzinfo)
        words.sort(key=lambda w: (w.last_practised_at or epoch, w.token_id), reverse=True)
    return CourseWords(
        words=words,
        due_count=sum(w.is_due for w in words),
        mastered_count=sum(w.is_mastered for w in words),
    )


__all__ = [
    "CoursePath",
    "CourseWords",
    "Word",
    "course_path",
    "course_words",
    "due_token_count",
    "mastery_counts",
]


# --- The report queue (admin) ------------------------------------------------------------------

#: Groups a page of the report queue shows.
REPORT_QUEUE_PAGE_SIZE = 50


@dataclass
class ReportGroup:
    """The reports of one exercise, kind and normalised answer. ``report`` is the newest of them (its
    answer or message is the one shown; the one-click actions name it)."""

    report: ProblemReport
    learners: int
    reports: int
    latest_at: datetime


def report_queue(
    *, status: str | None = "open", course_id: int | None = None, kind: str | None = None, page: int | str = 1
) -> Page:
    """The report queue: reports grouped by exercise, kind and normalised answer, with how many learners
    and reports each group has, newest group first; ``status`` (None: every status), ``course_id`` and
    ``kind`` filter the reports. Returns a Django ``Page`` of ``ReportGroup``. Three queries: the count,
    the page of groups, their newest reports with exercise and course."""
    reports = ProblemReport.objects.all()
    if status:
        reports = reports.filter(status=status)
    if course_id:
        reports = reports.filter(course_id=course_id)
    if kind:
        reports = reports.filter(kind=kind)
    groups = (
        reports.values("exercise_id", "kind", "normalized_answer")
        .annotate(
            learners=Count("user_id", distinct=True),
            reports=Count("id"),
            latest_at=Max("created_at"),
            newest_id=Max("id"),
        )
        .order_by("-latest_at", "-newest_id")
    )
    result = Paginator(groups, REPORT_QUEUE_PAGE_SIZE).get_page(page)
    rows = list(result.object_list)
    newest = ProblemReport.objects.select_related("exercise", "course").in_bulk([row["newest_id"] for row in rows])
    groups_shown = [
        ReportGroup(
            report=newest[row["newest_id"]],
            learners=row["learners"],
            reports=row["reports"],
            latest_at=row["latest_at"],
        )
        for row in rows
    ]
    return Page(groups_shown, result.number, result.paginator)


# --- Per-course figures ------------------------------------------------------------------------------


def answer_seconds_sql(ms: str = "time_spent_ms"):
    """``rules.answer_seconds`` of an attempt's column, in SQL (integer arithmetic: half up, capped)."""
    return Least(ExpressionWrapper((F(ms) + 500) / 1000, output_field=IntegerField()), Value(MAX_SECONDS_PER_ANSWER))


def with_course_figures(queryset, *, user: User, course_ref: str = "course"):
    """Annotate rows that name a course (``course_ref``) with the learner's figures in it: ``xp_earned``
    (the XP of their runs of the course, lessons and reviews) and ``seconds_spent`` (their time answering
    in it, each answer counted as the day's study time counts it). Two correlated subqueries in the
    same SELECT: no extra query, whatever the number of courses."""
    xp = (
        LessonRun.objects.filter(user=user, course=OuterRef(course_ref))
        .values("course")
        .annotate(total=Sum("xp_earned"))
        .values("total")
    )
    seconds = (
        ExerciseAttempt.objects.filter(user=user, run__course=OuterRef(course_ref))
        .values("run__course")
        .annotate(total=Sum(answer_seconds_sql()))
        .values("total")
    )
    return queryset.annotate(
        xp_earned=Coalesce(Subquery(xp, output_field=IntegerField()), 0),
        seconds_spent=Coalesce(Subquery(seconds, output_field=IntegerField()), 0),
    )


@dataclass(frozen=True)
class CourseFigures:
    xp_earned: int
    seconds_spent: int


def course_figures(*, user: User, course: Course) -> CourseFigures:
    """The learner's XP earned and time spent in one course (``with_course_figures``). One query."""
    row = with_course_figures(Course.objects.filter(pk=course.pk), user=user, course_ref="pk").values_list(
        "xp_earned", "seconds_spent"
    )
    xp_earned, seconds_spent = row.first() or (0, 0)
    return CourseFigures(xp_earned=xp_earned, seconds_spent=seconds_spent)
