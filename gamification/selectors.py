"""Reads of the gamification app for pages and the API. Fixed query counts, whatever the history."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import NotFound
from core.lookups import id_in
from core.reads import CompiledRead, fits_id
from courses.content_languages import text_columns
from courses.exercise_types import get_type, served_payload
from courses.models import Checkpoint, Course, Exercise, Lesson, visible_q
from courses.publishing import is_servable, servable_q
from courses.selectors import attach_image_urls, exercise_hints
from courses.structure import course_structure
from progress.models import Enrollment, ExerciseAttempt, LessonProgress, LessonRun, TokenMastery
from progress.rules import percent, seconds_left
from progress.services.scheduling import mastered_q

from .achievement_selectors import AchievementProgress, achievement_progress
from .models import MAX_HEARTS, DailyActivity, FrozenDay, Streak, UserAchievement, Wallet
from .services.activity import local_day, seconds_counted, streak_alive
from .services.hearts import current
from .services.shop import FreezeShop, freeze_shop_of
from .services.types import HeartsState
from .services.wallet import hearts_state_from, hearts_state_of


def hearts_state(*, user: User, now: datetime) -> HeartsState:
    """Hearts after lazy regeneration, the next heart's time and whether a refill is possible. One
    query, no write."""
    return hearts_state_of(Wallet.objects.filter(user=user).first(), now)


def daily_xp(*, user: User, days: int, now: datetime) -> list[tuple[date, int]]:
    """XP per learner-local day for the last ``days`` days (today included), oldest first, zero-filled.
    One query."""
    today = local_day(user, now)
    first = today - timedelta(days=days - 1)
    xp = dict(DailyActivity.objects.filter(user=user, day__gte=first, day__lte=today).values_list("day", "xp"))
    return [(first + timedelta(days=i), xp.get(first + timedelta(days=i), 0)) for i in range(days)]


def freeze_shop(*, user: User) -> FreezeShop:
    """Streak freezes held, the price and whether one can be bought now. One query, no write."""
    return freeze_shop_of(Wallet.objects.filter(user=user).first())


@dataclass(frozen=True)
class CalendarDay:
    day: date
    xp: int
    frozen: bool  # kept by a streak freeze
    is_today: bool
    in_future: bool


@dataclass(frozen=True)
class StreakCalendar:
    month: date  # the first day of the month shown
    weeks: list[list[CalendarDay | None]]  # Monday first; None pads the first and last week
    previous_month: date | None  # None before the learner joined
    next_month: date | None  # None after the current month
    days_with_xp: int
    days_frozen: int


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def streak_calendar(*, user: User, now: datetime, month: date | None = None) -> StreakCalendar:
    """A month of the learner's days in their own zone: XP per day, the days a streak freeze kept, and
    today. ``month`` (any day of it) defaults to the current month; it is clamped to the months from
    the learner's sign-up to today. Two queries, whatever the history."""
    today = local_day(user, now)
    current = _month_start(today)
    first = _month_start(local_day(user, user.date_joined)) if user.date_joined else current
    first = min(first, current)
    shown = min(max(_month_start(month) if month else current, first), current)
    end = _add_months(shown, 1)
    xp = dict(DailyActivity.objects.filter(user=user, day__gte=shown, day__lt=end, xp__gt=0).values_list("day", "xp"))
    frozen = set(FrozenDay.objects.filter(user=user, day__gte=shown, day__lt=end).values_list("day", flat=True))
    days = [shown + timedelta(days=i) for i in range((end - shown).days)]
    cells: list[CalendarDay | None] = [None] * shown.weekday()
    cells += [
        CalendarDay(day=d, xp=xp.get(d, 0), frozen=d in frozen, is_today=d == today, in_future=d > today) for d in days
    ]
    cells += [None] * (-len(cells) % 7)
    return StreakCalendar(
        month=shown,
        weeks=[cells[i : i + 7] for i in range(0, len(cells), 7)],
        previous_month=_add_months(shown, -1) if shown > first else None,
        next_month=_add_months(shown, 1) if shown < current else None,
        days_with_xp=len(xp),
        days_frozen=len(frozen),
    )


@dataclass
class EarnedAchievement:
    code: str
    name: str
    description: str
    icon: str
    xp_reward: int
    earned_at: datetime
    level: int = 1
    threshold: int = 1


def _earned(rows) -> list[EarnedAchievement]:
    return [
        EarnedAchievement(
            ua.achievement.code,
            ua.achievement.name,
            ua.achievement.description,
            ua.achievement.icon,
            ua.xp_reward,
            ua.earned_at,
            ua.level,
            ua.threshold,
        )
        for ua in rows
    ]


@dataclass(frozen=True)
class Mistake:
    """An exercise the learner got wrong in the run, with the accepted answer. Only exercises answered
    in the run have one (the solution comes from the stored outcome of the learner's own answer)."""

    exercise_id: int
    type: str
    prompt: str
    text: str  # the question shown (the public payload's text or question), may be ""
    your_answer: str  # the first wrong answer as text ("" for choices and tiles)
    solution: str
    corrected: bool  # answered right later in the same run


def _answer_text(answer) -> str:
    if isinstance(answer, str):
        return answer
    if isinstance(answer, dict) and isinstance(answer.get("transcript"), str):
        return answer["transcript"]
    return ""


def _mistakes(attempts: list[ExerciseAttempt]) -> list[Mistake]:
    """The run's mistakes in the order first made, from its attempts (ordered by id)."""
    wrong: dict[int, ExerciseAttempt] = {}
    corrected: set[int] = set()
    for attempt in attempts:
        if not attempt.correct:
            wrong.setdefault(attempt.exercise_id, attempt)
        elif attempt.exercise_id in wrong:
            corrected.add(attempt.exercise_id)
    result = []
    for exercise_id, attempt in wrong.items():
        exercise = attempt.exercise
        public = get_type(exercise.type).public_payload(exercise.payload)
        result.append(
            Mistake(
                exercise_id=exercise_id,
                type=exercise.type,
                prompt=exercise.prompt,
                text=str(public.get("text") or public.get("question") or ""),
                your_answer=_answer_text(attempt.answer),
                solution=str(attempt.result.get("solution", "")),
                corrected=exercise_id in corrected,
            )
        )
    return result


@dataclass
class RunSummary:
    run: LessonRun
    lesson: Lesson | None
    is_review: bool
    status: str
    xp_earned: int
    gems_earned: int
    perfect: bool
    tier_before: int | None
    tier_after: int | None
    tier_before_label: str
    tier_after_label: str
    streak_current: int
    streak_longest: int
    streak_extended: bool  # the streak's latest day is the day this run finished
    day: date
    xp_today: int
    daily_goal: int
    goal_met: bool
    new_achievements: list[EarnedAchievement]
    answered: int  # exercises answered at least once in the run
    first_try_correct: int  # of those, right at the first answer
    accuracy_pct: int | None  # first_try_correct / answered, floored; None when nothing was answered
    seconds_spent: int  # the answers' time, each counted as on the daily row (at most 300 s)
    mistakes: list[Mistake]
    #: a checkpoint run: its checkpoint, score (items right at the first try / items) and the score to pass
    checkpoint: Checkpoint | None = None
    score_percent: int | None = None
    pass_percent: int | None = None
    #: the run ended because its time was up (a timed lesson, review or checkpoint)
    timed_out: bool = False


def _tier_label(tier: int | None) -> str:
    return str(LessonProgress.Tier(tier).label) if tier is not None else ""


def run_summary(*, user: User, run_id: int) -> RunSummary:
    """The end screen of a run: XP, gems, tier, streak, goal, achievements, accuracy (right at the first
    try), time spent and the mistakes with their answers. Five queries. Someone else's run → NotFound."""
    try:
        run_pk = int(run_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such run.")) from None
    run = (
        LessonRun.objects.select_related("lesson", "checkpoint__unit", "checkpoint__section")
        .filter(pk=run_pk, user=user)
        .first()
    )
    if run is None:
        raise NotFound(_("No such run."))
    day = local_day(user, run.finished_at or run.started_at)
    streak = Streak.objects.filter(user=user).first()
    activity = DailyActivity.objects.filter(user=user, day=day).first()
    achievements = UserAchievement.objects.filter(user=user, run=run).select_related("achievement").order_by("pk")
    goal = activity.goal if activity else user.daily_xp_goal
    attempts = list(
        ExerciseAttempt.objects.filter(run=run, user=user)
        .select_related("exercise")
        .only(
            "exercise_id",
            "correct",
            "answer",
            "result",
            "time_spent_ms",
            "exercise__type",
            *text_columns("prompt", prefix="exercise__"),
            "exercise__payload",
        )
        .order_by("pk")
    )
    first: dict[int, bool] = {}
    for attempt in attempts:
        first.setdefault(attempt.exercise_id, attempt.correct)
    right_first = sum(first.values())
    return RunSummary(
        run=run,
        lesson=run.lesson,
        is_review=run.kind == LessonRun.Kind.REVIEW,
        status=run.status,
        xp_earned=run.xp_earned,
        gems_earned=run.gems_earned,
        perfect=run.is_perfect,
        tier_before=run.tier_before,
        tier_after=run.tier_after,
        tier_before_label=_tier_label(run.tier_before),
        tier_after_label=_tier_label(run.tier_after),
        streak_current=streak.current if streak else 0,
        streak_longest=streak.longest if streak else 0,
        streak_extended=bool(streak and streak.last_day == day and run.xp_earned),
        day=day,
        xp_today=activity.xp if activity else 0,
        daily_goal=goal,
        goal_met=bool(activity and activity.goal_met),
        new_achievements=_earned(achievements),
        answered=len(first),
        first_try_correct=right_first,
        accuracy_pct=percent(right_first, len(first)) if first else None,
        seconds_spent=sum(seconds_counted(a.time_spent_ms) for a in attempts),
        mistakes=_mistakes(attempts),
        checkpoint=run.checkpoint,
        score_percent=run.score_percent,
        pass_percent=run.checkpoint.pass_percent if run.checkpoint else None,
        timed_out=run.timed_out,
    )


@dataclass
class CourseProgress:
    course: Course
    is_current: bool
    lessons_total: int
    lessons_passed: int
    completion_pct: int
    tokens_total: int
    tokens_mastered: int
    mastery_pct: int


@dataclass
class Profile:
    xp_total: int
    level: int
    gems: int
    hearts: HeartsState
    streak_current: int
    streak_longest: int
    streak_freezes: int
    today: date
    today_xp: int
    daily_goal: int
    goal_met: bool
    last_14_days: list[tuple[date, int]]
    courses: list[CourseProgress]
    achievements: list[AchievementProgress]


def _course_progress(*, user: User, enrollments: list[Enrollment]) -> list[CourseProgress]:
    """Completion and mastery for each enrolled course in two queries, however many courses: the
    courses' lessons and words come from their cached structures (``courses.structure``)."""
    structures = {e.course_id: course_structure(e.course_id) for e in enrollments}
    course_of = {lesson_id: s.course_id for s in structures.values() for lesson_id in s.ordered_lesson_ids}
    lessons = {course_id: len(s.ordered_lesson_ids) for course_id, s in structures.items()}
    passed: dict[int, int] = {}
    for lesson_id in LessonProgress.objects.filter(
        id_in("lesson_id", sorted(course_of)), user=user, passes__gte=1
    ).values_list("lesson_id", flat=True):
        passed[course_of[lesson_id]] = passed.get(course_of[lesson_id], 0) + 1
    tokens = {course_id: s.token_ids for course_id, s in structures.items()}
    all_tokens = sorted(set().union(*tokens.values())) if tokens else []
    mastered = set(
        TokenMastery.objects.filter(mastered_q(), id_in("token_id", all_tokens), user=user).values_list(
            "token_id", flat=True
        )
    )
    result = []
    for e in enrollments:
        total, done = lessons.get(e.course_id, 0), passed.get(e.course_id, 0)
        course_token_ids: frozenset[int] = tokens.get(e.course_id, frozenset())
        m = len(course_token_ids & mastered)
        result.append(
            CourseProgress(
                course=e.course,
                is_current=e.is_current,
                lessons_total=total,
                lessons_passed=done,
                completion_pct=percent(done, total),
                tokens_total=len(course_token_ids),
                tokens_mastered=m,
                mastery_pct=percent(m, len(course_token_ids)),
            )
        )
    return result


def _live_streak(user: User, streak: Streak | None, now: datetime) -> int:
    """The current streak as the learner sees it now: 0 once a whole day has passed without XP, even
    before the nightly job has written that down."""
    if streak is None or not streak_alive(
        user,
        last_day=streak.last_day,
        last_activity_at=streak.last_activity_at,
        alive_until=streak.alive_until,
        now=now,
    ):
        return 0
    return streak.current


def achievements(*, user: User, now: datetime) -> list[AchievementProgress]:
    """Every achievement with the levels earned and the next level's progress (the profile's list).
    Five queries (six while a units level is left to earn), whatever the history."""
    wallet = Wallet.objects.filter(user=user).only("xp_total").first()
    streak = Streak.objects.filter(user=user).first()
    return achievement_progress(
        user=user, xp_total=wallet.xp_total if wallet else 0, streak_current=_live_streak(user, streak, now)
    )


@dataclass(frozen=True)
class Summary:
    """What ``GET /api/v1/me/`` returns: the learner's totals, streak and today (not the profile's
    per-course progress, history and achievements, which it never shows)."""

    xp_total: int
    level: int
    gems: int
    hearts: HeartsState
    streak_current: int
    streak_longest: int
    streak_freezes: int
    today: date
    today_xp: int
    daily_goal: int
    goal_met: bool


_SUMMARY_COLUMNS = (
    "wallet__id",
    "wallet__xp_total",
    "wallet__gems",
    "wallet__hearts",
    "wallet__hearts_anchor_at",
    "wallet__streak_freezes",
    "streak__current",
    "streak__longest",
    "streak__last_day",
    "streak__last_activity_at",
    "streak__alive_until",
    "today_xp",
    "today_met",
)


def _summary_read(user_id: int, day: date):
    today = DailyActivity.objects.filter(user=OuterRef("pk"), day=day)
    return (
        User.objects.filter(pk=user_id)
        .annotate(today_xp=Subquery(today.values("xp")[:1]), today_met=Subquery(today.values("goal_met")[:1]))
        .values_list(*_SUMMARY_COLUMNS)[:1]
    )


#: ``summary``'s one statement, built by the ORM once per process (core.reads).
SUMMARY_READ = CompiledRead(_summary_read, user_id=-2_000_000_001, day=date(1, 1, 1))


def summary(*, user: User, now: datetime) -> Summary:
    """The learner's totals, streak and today. One query: the wallet and the streak joined through
    the learner's row, today's row as two subqueries (a learner without them reads zeros)."""
    today = local_day(user, now)
    rows = SUMMARY_READ.rows(user_id=user.pk, day=today)
    row = rows[0] if rows else None
    columns: tuple[Any, ...] = row[:11] if row else (None,) * 11
    (has_wallet, xp_total, gems, hearts, anchor, freezes, current_, longest, last_day, last_at, alive_until) = columns
    today_xp = (row[11] if row else None) or 0
    goal = user.daily_xp_goal
    alive = streak_alive(user, last_day=last_day, last_activity_at=last_at, alive_until=alive_until, now=now)
    return Summary(
        xp_total=xp_total or 0,
        level=(xp_total or 0) // 1000,  # Wallet.level
        gems=gems or 0,
        hearts=hearts_state_from((hearts, anchor, gems) if has_wallet else None, now=now),
        streak_current=(current_ or 0) if alive else 0,
        streak_longest=longest or 0,
        streak_freezes=freezes or 0,
        today=today,
        today_xp=today_xp,
        daily_goal=goal,
        goal_met=bool(row and row[12]) or today_xp >= goal,
    )


def profile(*, user: User, now: datetime) -> Profile:
    """Everything the profile page shows. Twelve queries (thirteen while a units level is left to
    earn) whatever the history, the number of courses or of achievements."""
    wallet = Wallet.objects.filter(user=user).first()
    streak = Streak.objects.filter(user=user).first()
    last_14 = daily_xp(user=user, days=14, now=now)
    today, today_xp = last_14[-1]
    today_row = DailyActivity.objects.filter(user=user, day=today).values_list("goal", "goal_met").first()
    goal = user.daily_xp_goal
    enrollments = list(
        Enrollment.objects.filter(visible_q("course", "course__"), user=user)
        .select_related("course__to_language", "course__from_language")
        .order_by("-is_current", "course__title")
    )
    streak_current = _live_streak(user, streak, now)
    return Profile(
        xp_total=wallet.xp_total if wallet else 0,
        level=wallet.level if wallet else 0,
        gems=wallet.gems if wallet else 0,
        hearts=hearts_state_of(wallet, now),
        streak_current=streak_current,
        streak_longest=streak.longest if streak else 0,
        streak_freezes=wallet.streak_freezes if wallet else 0,
        today=today,
        today_xp=today_xp,
        daily_goal=goal,
        goal_met=bool(today_row and today_row[1]) or today_xp >= goal,
        last_14_days=last_14,
        courses=_course_progress(user=user, enrollments=enrollments) if enrollments else [],
        achievements=achievement_progress(
            user=user, xp_total=wallet.xp_total if wallet else 0, streak_current=streak_current
        ),
    )


@dataclass
class RunState:
    run: LessonRun
    run_id: int
    lesson: Lesson | None
    course: Course
    is_review: bool
    status: str
    exercise: Exercise | None  # the exercise to answer now; None when the run is finished
    public: dict | None  # its public payload (never the solution)
    hints: list[dict] | None  # the word hints of its prompt (courses.hints; never the solution)
    done: int
    total: int
    hearts: int | None  # None when read by the caller (run_state(read_hearts=False))
    next_heart_at: datetime | None
    xp_earned: int
    #: a checkpoint run's checkpoint (its title, pass percent); None for other runs
    checkpoint: Checkpoint | None = None
    #: a timed run: the server's deadline and the whole seconds left now (0 once over); None when untimed
    deadline_at: datetime | None = None
    seconds_left: int | None = None
    time_limit_sec: int | None = None

    @property
    def is_checkpoint(self) -> bool:
        return self.checkpoint is not None

    @property
    def time_up(self) -> bool:
        return self.seconds_left == 0


def learner_run(*, user: User, run_id) -> LessonRun:
    """The learner's own run with its lesson, checkpoint and course (with its languages): one query.
    Someone else's run, or not a run id → NotFound."""
    try:
        run_pk = int(run_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such run.")) from None
    found = _LEARNER_RUN.objects(run_pk=run_pk, user_id=user.pk) if fits_id(LessonRun, run_pk) else []
    if not found:
        raise NotFound(_("No such run."))
    return found[0]


#: ``learner_run``'s statement, built once per process (``core.reads``).
_LEARNER_RUN = CompiledRead(
    lambda run_pk, user_id: LessonRun.objects.select_related(
        "lesson", "checkpoint__unit", "checkpoint__section", "course__from_language", "course__to_language"
    ).filter(pk=run_pk, user_id=user_id),
    run_pk=-2_000_000_001,
    user_id=-2_000_000_002,
)


def _current_exercise(run: LessonRun, exercises: Mapping[int, Exercise] | None) -> Exercise | None:
    """The exercise to serve now: the head of the queue — unless its audio went after the run began
    (a listen exercise without audio is not servable, ``courses.publishing``): then the first exercise
    of the queue that is (any exercise waiting may be answered); if none is, the head, with "Can't
    listen now". From ``exercises`` (the run's, read by the caller) or one query (two when the head
    is not servable)."""
    if exercises is None:
        head = next(iter(_EXERCISE_READ.objects(pk=run.queue[0])), None)
    else:
        head = exercises.get(run.queue[0])
    if head is None or is_servable(exercise_type=head.type, audio_id=head.audio_id):
        return head
    if exercises is None:
        exercises = Exercise.objects.select_related("audio", "image").filter(servable_q(), pk__in=run.queue).in_bulk()
    waiting = (exercises[pk] for pk in run.queue if pk in exercises)
    return next((e for e in waiting if is_servable(exercise_type=e.type, audio_id=e.audio_id)), head)


#: The current exercise with its audio and image, built once per process (``core.reads``).
_EXERCISE_READ = CompiledRead(
    lambda pk: Exercise.objects.select_related("audio", "image").filter(pk=pk), pk=-2_000_000_001
)


def run_state(
    *,
    user: User,
    run_id: int,
    now: datetime | None = None,
    run: LessonRun | None = None,
    exercises: Mapping[int, Exercise] | None = None,
    read_hearts: bool = True,
) -> RunState:
    """The run, its current exercise with its public payload and word hints, progress and hearts. Three
    queries (the run, its current exercise with its audio, the wallet's hearts), and one more for a
    translate or word-bank exercise when the course's glosses are not cached yet (two when the run is
    finished). Fewer when the caller has read them already: the ``run`` it has just written (the
    learner's own, with its lesson and course and their languages; a run a loop service started carries
    ``wallet_hearts``, the hearts of the wallet it locked) and the run's ``exercises`` by id (with
    their audio: the current one is taken from them). With ``read_hearts=False`` the hearts and the next
    heart's time are None and the wallet is not read (the player page shows its header's, read once for
    both). Someone else's run → NotFound.

    It lives here, not in progress, because it joins a run with the learner's hearts (wallet).
    """

    now = now or timezone.now()
    if run is None or run.user_id != user.pk:
        run = learner_run(user=user, run_id=run_id)
    exercise = public = hints = None
    left = seconds_left(deadline_at=run.deadline_at, now=now)
    if run.status == LessonRun.Status.ACTIVE and run.queue and left != 0:  # time up: nothing more to answer
        exercise = _current_exercise(run, exercises)
        if exercise is not None:
            kind = get_type(exercise.type)
            # Choices and tiles in this run's shuffled order (the answer check uses the same order).
            public = kind.public_payload(served_payload(kind, exercise.payload, run_id=run.pk, exercise_id=exercise.pk))
            attach_image_urls([public])
            hints = exercise_hints(course=run.course, exercise_type=exercise.type, payload=exercise.payload)
    hearts: int | None = None
    next_at: datetime | None = None
    if read_hearts:
        wallet: tuple[int, datetime] | None = getattr(run, "wallet_hearts", None)
        if wallet is None:
            wallet = Wallet.objects.filter(user=user).values_list("hearts", "hearts_anchor_at").first()
        hearts, next_at = current(wallet[0], wallet[1], now) if wallet else (MAX_HEARTS, None)
    total = len(run.exercise_ids)
    return RunState(
        run=run,
        run_id=run.pk,
        lesson=run.lesson,
        course=run.course,
        is_review=run.kind == LessonRun.Kind.REVIEW,
        status=run.status,
        exercise=exercise,
        public=public,
        hints=hints,
        done=total - len(run.queue),
        total=total,
        hearts=hearts,
        next_heart_at=next_at,
        xp_earned=run.xp_earned,
        checkpoint=run.checkpoint,
        deadline_at=run.deadline_at,
        seconds_left=left if run.status == LessonRun.Status.ACTIVE else None,
        time_limit_sec=int((run.deadline_at - run.started_at).total_seconds()) if run.deadline_at else None,
    )


__all__ = [
    "Profile",
    "RunState",
    "RunSummary",
    "daily_xp",
    "freeze_shop",
    "hearts_state",
    "profile",
    "run_state",
    "run_summary",
    "streak_calendar",
]
