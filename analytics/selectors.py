"""What the course-analytics pages show, read from the rollup tables in a fixed number of queries.

Each page's figures are sums of the rollup rows of the chosen days (``Period``): the selectors run
a handful of ``GROUP BY`` queries over those rows and add them up in Python along the course tree
(lesson → unit → course), so the number of queries never depends on the number of attempts, and
their work only on the number of lessons, exercises and days chosen.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import F, Q, Sum
from django.utils.translation import gettext

from courses.models import Course, Exercise, Lesson, Unit

from .models import ExerciseDay, ExerciseTime, LessonDay, LessonTime, WrongAnswerDay
from .rules import EXERCISE_BUCKETS, HARDEST_LESSONS, HARDEST_MIN_ANSWERS, LESSON_BUCKETS, Median, median, rate

#: the most common wrong answers listed per exercise on a lesson page, and on an exercise page
TOP_WRONG_PER_EXERCISE = 5
TOP_WRONG_ANSWERS = 50


@dataclass(frozen=True)
class Period:
    """The UTC days ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}day__gte": self.start, f"{prefix}day__lte": self.end})


@dataclass
class Figures:
    """The sums behind one row of a table (a course, unit, lesson or exercise over the period)."""

    started: int = 0
    passed: int = 0
    failed: int = 0
    quit: int = 0
    attempts: int = 0
    errors: int = 0
    first_tries: int = 0
    first_try_correct: int = 0
    run_times: dict[int, int] = field(default_factory=dict)  # bucket → passed runs
    answer_times: dict[int, int] = field(default_factory=dict)  # bucket → answers

    def add(self, other: "Figures") -> None:
        for name in ("started", "passed", "failed", "quit", "attempts", "errors", "first_tries", "first_try_correct"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        _merge(self.run_times, other.run_times)
        _merge(self.answer_times, other.answer_times)

    @property
    def ended(self) -> int:
        return self.passed + self.failed + self.quit

    @property
    def completion_rate(self) -> float | None:
        """Of the runs that ended in the period, the share passed."""
        return rate(self.passed, self.ended)

    @property
    def error_rate(self) -> float | None:
        return rate(self.errors, self.attempts)

    @property
    def first_try_accuracy(self) -> float | None:
        return rate(self.first_try_correct, self.first_tries)

    @property
    def median_run_time(self) -> Median | None:
        return median(self.run_times.items(), LESSON_BUCKETS)

    @property
    def median_answer_time(self) -> Median | None:
        return median(self.answer_times.items(), EXERCISE_BUCKETS)


def _merge(into: dict[int, int], other: dict[int, int]) -> None:
    for bucket, count in other.items():
        into[bucket] = into.get(bucket, 0) + count


@dataclass
class Row:
    """One line of a table: what it is, where its page is, its figures."""

    key: int
    label: str
    figures: Figures
    kind: str = ""  # "unit", "lesson", "exercise": which page ``key`` opens
    context: str = ""  # e.g. the unit of a lesson, the lesson of an exercise
    hardest: bool = False
    wrong_answers: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class DayPoint:
    day: date
    started: int = 0
    passed: int = 0
    attempts: int = 0
    errors: int = 0


@dataclass
class Report:
    """Everything one analytics page shows."""

    title: str
    total: Figures
    trend: list[DayPoint]
    units: list[Row] = field(default_factory=list)
    lessons: list[Row] = field(default_factory=list)
    exercises: list[Row] = field(default_factory=list)
    wrong_answers: list[tuple[str, int]] = field(default_factory=list)


# --- the reads -------------------------------------------------------------------------------


def _lesson_sums(lesson_filter: Q, period: Period) -> dict[int, Figures]:
    """Per lesson: runs (1 query) and passed-run time histograms (1 query)."""
    out: dict[int, Figures] = defaultdict(Figures)
    rows = (
        LessonDay.objects.filter(lesson_filter, period.q())
        .values("lesson_id")
        .annotate(s=Sum("started"), p=Sum("passed"), f=Sum("failed"), q=Sum("quit"))
        .order_by()
    )
    for r in rows:
        fig = out[r["lesson_id"]]
        fig.started, fig.passed, fig.failed, fig.quit = r["s"], r["p"], r["f"], r["q"]
    times = (
        LessonTime.objects.filter(lesson_filter, period.q())
        .values("lesson_id", "bucket")
        .annotate(n=Sum("runs"))
        .order_by()
    )
    for t in times:
        out[t["lesson_id"]].run_times[t["bucket"]] = t["n"]
    return out


def _exercise_sums(exercise_filter: Q, period: Period) -> dict[tuple[int, int], Figures]:
    """Per (lesson, exercise): answers (1 query) and answer-time histograms (1 query)."""
    out: dict[tuple[int, int], Figures] = defaultdict(Figures)
    rows = (
        ExerciseDay.objects.filter(exercise_filter, period.q())
        .values("lesson_id", "exercise_id")
        .annotate(a=Sum("attempts"), e=Sum("errors"), t=Sum("first_tries"), c=Sum("first_try_correct"))
        .order_by()
    )
    for r in rows:
        fig = out[(r["lesson_id"], r["exercise_id"])]
        fig.attempts, fig.errors, fig.first_tries, fig.first_try_correct = r["a"], r["e"], r["t"], r["c"]
    times = (
        ExerciseTime.objects.filter(exercise_filter, period.q())
        .values("lesson_id", "exercise_id", "bucket")
        .annotate(n=Sum("attempts"))
        .order_by()
    )
    for t in times:
        out[(t["lesson_id"], t["exercise_id"])].answer_times[t["bucket"]] = t["n"]
    return out


def _trend(lesson_filter: Q | None, exercise_filter: Q, period: Period) -> list[DayPoint]:
    """Per day of the period (days without rows included): runs started and passed (1 query, none
    without ``lesson_filter``), answers (1 query)."""
    points = {day: DayPoint(day=day) for day in period.days}
    runs = (
        LessonDay.objects.filter(lesson_filter, period.q())
        .values("day")
        .annotate(s=Sum("started"), p=Sum("passed"))
        .order_by()
        if lesson_filter is not None
        else []
    )
    for r in runs:
        points[r["day"]].started, points[r["day"]].passed = r["s"], r["p"]
    answers = (
        ExerciseDay.objects.filter(exercise_filter, period.q())
        .values("day")
        .annotate(a=Sum("attempts"), e=Sum("errors"))
        .order_by()
    )
    for a in answers:
        points[a["day"]].attempts, points[a["day"]].errors = a["a"], a["e"]
    return list(points.values())


def _wrong_answers(exercise_filter: Q, period: Period) -> dict[int, list[tuple[str, int]]]:
    """Per exercise, its wrong answers over the period, most common first (1 query)."""
    rows = (
        WrongAnswerDay.objects.filter(exercise_filter, period.q())
        .values("exercise_id", "answer")
        .annotate(n=Sum("count"))
        .order_by("exercise_id", "-n", "answer")
    )
    out: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for r in rows:
        out[r["exercise_id"]].append((r["answer"], r["n"]))
    return out


def _total(figures: Iterable[Figures]) -> Figures:
    total = Figures()
    for f in figures:
        total.add(f)
    return total


def _lesson_rows(lessons: list[Lesson], per_lesson: dict[int, Figures], per_exercise) -> list[Row]:
    answers: dict[int, Figures] = defaultdict(Figures)
    for (lesson_id, _), ex_fig in per_exercise.items():
        answers[lesson_id].add(ex_fig)
    rows = []
    for lesson in lessons:
        fig = Figures()
        fig.add(per_lesson.get(lesson.pk, Figures()))
        fig.add(answers.get(lesson.pk, Figures()))
        rows.append(Row(key=lesson.pk, label=lesson.title, figures=fig, kind="lesson", context=lesson.unit.title))
    return rows


def mark_hardest(rows: list[Row]) -> None:
    """Marks the lessons that stand out as hard: the (up to) ``HARDEST_LESSONS`` with the highest
    error rate among those with at least ``HARDEST_MIN_ANSWERS`` answers, when that rate is above the
    error rate of all the rows together."""
    overall = _total(r.figures for r in rows).error_rate
    candidates = [r for r in rows if r.figures.attempts >= HARDEST_MIN_ANSWERS and r.figures.error_rate is not None]
    candidates.sort(key=lambda r: r.figures.error_rate or 0, reverse=True)
    for row in candidates[:HARDEST_LESSONS]:
        if overall is not None and (row.figures.error_rate or 0) > overall:
            row.hardest = True


def _exercise_rows(per_exercise, exercises: dict[int, Exercise], lessons: dict[int, Lesson], wrong) -> list[Row]:
    rows = []
    for (lesson_id, exercise_id), fig in per_exercise.items():
        exercise, lesson = exercises.get(exercise_id), lessons.get(lesson_id)
        if exercise is None or lesson is None:
            continue
        rows.append(
            Row(
                key=exercise_id,
                label=exercise.slug,
                figures=fig,
                kind="exercise",
                context=lesson.title,
                wrong_answers=wrong.get(exercise_id, [])[:TOP_WRONG_PER_EXERCISE],
            )
        )
    rows.sort(key=lambda r: (r.context, r.label))
    return rows


F_COURSE = F("lesson__unit__section__course_id")


def courses_report(*, period: Period) -> Report:
    """Every course, one row each (4 queries)."""
    courses = list(Course.objects.order_by("title"))
    per_lesson = _course_keyed(
        LessonDay.objects.filter(period.q())
        .values(c=F_COURSE)
        .annotate(s=Sum("started"), p=Sum("passed"), f=Sum("failed"), q=Sum("quit"))
        .order_by()
    )
    per_answer = _course_keyed(
        ExerciseDay.objects.filter(period.q())
        .values(c=F_COURSE)
        .annotate(a=Sum("attempts"), e=Sum("errors"), t=Sum("first_tries"), k=Sum("first_try_correct"))
        .order_by()
    )
    times: dict[int, dict[int, int]] = defaultdict(dict)
    for r in LessonTime.objects.filter(period.q()).values("bucket", c=F_COURSE).annotate(n=Sum("runs")).order_by():
        times[r["c"]][r["bucket"]] = r["n"]
    rows = []
    for course in courses:
        runs, answers = per_lesson.get(course.pk, {}), per_answer.get(course.pk, {})
        fig = Figures(
            started=runs.get("s", 0),
            passed=runs.get("p", 0),
            failed=runs.get("f", 0),
            quit=runs.get("q", 0),
            attempts=answers.get("a", 0),
            errors=answers.get("e", 0),
            first_tries=answers.get("t", 0),
            first_try_correct=answers.get("k", 0),
            run_times=times.get(course.pk, {}),
        )
        rows.append(Row(key=course.pk, label=course.title, figures=fig, kind="course"))
    return Report(title=gettext("Course analytics"), total=_total(r.figures for r in rows), trend=[], units=rows)


def _course_keyed(rows) -> dict[int, dict]:
    return {r["c"]: r for r in rows}


def course_report(*, course: Course, period: Period, unit: Unit | None = None) -> Report:
    """A course (or one of its units): units, lessons (hardest marked), exercises, trend (8 queries)."""
    if unit is None:
        lesson_filter = Q(lesson__unit__section__course=course)
        lessons = list(
            Lesson.objects.filter(unit__section__course=course)
            .select_related("unit__section")
            .order_by("unit__section__ordinal", "unit__ordinal", "ordinal")
        )
    else:
        lesson_filter = Q(lesson__unit=unit)
        lessons = list(Lesson.objects.filter(unit=unit).select_related("unit__section").order_by("ordinal"))
    per_lesson = _lesson_sums(lesson_filter, period)
    per_exercise = _exercise_sums(lesson_filter, period)
    exercises = {e.pk: e for e in Exercise.objects.filter(pk__in={ex for _, ex in per_exercise})}
    lesson_rows = _lesson_rows(lessons, per_lesson, per_exercise)
    units: dict[int, Row] = {}
    for lesson, row in zip(lessons, lesson_rows, strict=True):
        u = lesson.unit
        if u.pk not in units:
            units[u.pk] = Row(key=u.pk, label=u.title, figures=Figures(), kind="unit", context=u.section.title)
        units[u.pk].figures.add(row.figures)
    for unit_row in units.values():
        mark_hardest([r for lesson, r in zip(lessons, lesson_rows, strict=True) if lesson.unit_id == unit_row.key])
    return Report(
        title=unit.title if unit else course.title,
        total=_total(r.figures for r in lesson_rows),
        trend=_trend(lesson_filter, lesson_filter, period),
        units=list(units.values()),
        lessons=lesson_rows,
        exercises=_exercise_rows(per_exercise, exercises, {lesson.pk: lesson for lesson in lessons}, {}),
    )


def lesson_report(*, lesson: Lesson, period: Period) -> Report:
    """A lesson: its exercises in order, each with its most common wrong answers; trend (8 queries)."""
    lesson_filter = Q(lesson=lesson)
    per_lesson = _lesson_sums(lesson_filter, period)
    per_exercise = _exercise_sums(lesson_filter, period)
    links = list(lesson.lesson_exercises.select_related("exercise").order_by("ordinal"))
    wrong = _wrong_answers(lesson_filter, period)
    rows = []
    for link in links:
        fig = per_exercise.get((lesson.pk, link.exercise_id), Figures())
        rows.append(
            Row(
                key=link.exercise_id,
                label=link.exercise.slug,
                figures=fig,
                kind="exercise",
                context=f"#{link.ordinal} {link.exercise.type}",
                wrong_answers=wrong.get(link.exercise_id, [])[:TOP_WRONG_PER_EXERCISE],
            )
        )
    total = _total([per_lesson.get(lesson.pk, Figures()), *per_exercise.values()])
    return Report(
        title=lesson.title,
        total=total,
        trend=_trend(lesson_filter, lesson_filter, period),
        exercises=rows,
    )


def exercise_report(*, exercise: Exercise, period: Period) -> Report:
    """An exercise: one row per lesson that uses it, its most common wrong answers; trend (5 queries)."""
    exercise_filter = Q(exercise=exercise)
    per_exercise = _exercise_sums(exercise_filter, period)
    lessons = {lesson.pk: lesson for lesson in Lesson.objects.filter(pk__in={lesson for lesson, _ in per_exercise})}
    rows = [
        Row(key=lesson_id, label=lessons[lesson_id].title, figures=fig, kind="lesson")
        for (lesson_id, _), fig in sorted(per_exercise.items())
        if lesson_id in lessons
    ]
    wrong = _wrong_answers(exercise_filter, period).get(exercise.pk, [])
    return Report(
        title=exercise.slug,
        total=_total(per_exercise.values()),
        trend=_trend(None, exercise_filter, period),
        lessons=rows,
        wrong_answers=wrong[:TOP_WRONG_ANSWERS],
    )
