"""Pure game rules of the progress app (no database): the run queue, tiers, unlocking, mastery.

Services (writes) and selectors (reads) both call these, so each rule lives in exactly one place.
See docs/game-rules.md.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from courses.models import Lesson

from .models import LessonProgress

# --- XP --------------------------------------------------------------------------------------

XP_BASE = {Lesson.Kind.CORE: 10, Lesson.Kind.SPEAKING: 12, Lesson.Kind.AUDIO: 15}
XP_MULTIPLIER = {Lesson.Difficulty.EASY: 1, Lesson.Difficulty.MEDIUM: 2, Lesson.Difficulty.HARD: 3}
#: A review session earns XP like a core lesson of easy difficulty.
REVIEW_XP = XP_BASE[Lesson.Kind.CORE] * XP_MULTIPLIER[Lesson.Difficulty.EASY]

#: The daily goals are counted in lessons (docs/game-rules.md, "The daily goal"): one lesson is an easy
#: core lesson of the usual length, 8 exercises (every lesson of the demo course has 7 or 8), so 80 XP.
#: Harder and speaking or audio lessons pay more per exercise and meet a goal sooner.
CORE_LESSON_EXERCISES = 8
CORE_LESSON_XP = XP_BASE[Lesson.Kind.CORE] * XP_MULTIPLIER[Lesson.Difficulty.EASY] * CORE_LESSON_EXERCISES
#: Lessons per day each daily goal stands for (``accounts.User.DailyGoal`` holds the XP: lessons x 80).
DAILY_GOAL_LESSONS = {"casual": 1, "regular": 2, "serious": 3, "intense": 5}


def xp_per_exercise(*, kind: str | None, difficulty: str | None) -> int:
    """XP for the first correct answer to an exercise in a run. ``kind=None`` means a review session."""
    if kind is None:
        return REVIEW_XP
    return XP_BASE[kind] * XP_MULTIPLIER[difficulty]


def gems_for_pass(run_xp: int) -> int:
    return run_xp // 10


# --- The run queue ---------------------------------------------------------------------------

#: A wrongly answered exercise is served again after this many other exercises (or at the end of
#: the queue when fewer remain).
REQUEUE_GAP = 2
#: Study time counted for one answer is capped (seconds), so a tab left open overnight does not count as
#: study: the day's time (gamification's ``DailyActivity.seconds_spent``) and a course's time spent
#: (``selectors.course_figures``) both count an answer as ``answer_seconds``.
MAX_SECONDS_PER_ANSWER = 300


def answer_seconds(time_spent_ms: int) -> int:
    """Whole seconds (half up) one answer adds to study time, at most ``MAX_SECONDS_PER_ANSWER``. The
    same rule in SQL: ``selectors.answer_seconds_sql``."""
    return min((max(0, time_spent_ms) + 500) // 1000, MAX_SECONDS_PER_ANSWER)


def queue_after_answer(queue: Sequence[int], exercise_id: int, *, correct: bool) -> list[int]:
    """The queue after answering ``exercise_id`` (which must be in it).

    Correct: the exercise leaves the queue. Wrong: it is taken out and put back ``REQUEUE_GAP``
    places later, so the learner sees two other exercises before meeting it again; if fewer than
    two remain it goes last (alone, it comes straight back).
    """
    index = list(queue).index(exercise_id)
    rest = list(queue[:index]) + list(queue[index + 1 :])
    if correct:
        return rest
    position = min(index + REQUEUE_GAP, len(rest))
    return [*rest[:position], exercise_id, *rest[position:]]


def answer_passes_run(queue: Sequence[int], exercise_id: int, *, correct: bool) -> bool:
    """Whether this answer empties the queue, so the run passes (only a correct answer can)."""
    return not queue_after_answer(queue, exercise_id, correct=correct)


# --- Tiers -----------------------------------------------------------------------------------

Tier = LessonProgress.Tier
SILVER_PASSES = 3
GOLD_PASSES = 5
LEGENDARY_PERFECT_PASSES = 5


def tier_for_counts(*, passes: int, perfect_passes: int) -> int:
    """The tier lifetime counts earn: bronze ≥ 1 pass, silver ≥ 3, gold ≥ 5, legendary ≥ 5 perfect."""
    if perfect_passes >= LEGENDARY_PERFECT_PASSES:
        return Tier.LEGENDARY
    if passes >= GOLD_PASSES:
        return Tier.GOLD
    if passes >= SILVER_PASSES:
        return Tier.SILVER
    if passes >= 1:
        return Tier.BRONZE
    return Tier.NONE


#: Decay: a silver or gold tier drops one step per full ``DECAY_PERIOD`` since ``tier_anchor_at`` (the
#: later of the last pass and the last decay), never below bronze; bronze and legendary never decay.
#: The nightly ``decay_tiers`` job applies this rule in SQL built from these constants.
DECAY_PERIOD = timedelta(days=14)
DECAYABLE_TIERS = (Tier.SILVER, Tier.GOLD)
DECAY_FLOOR = Tier.BRONZE


def decayed_tier(*, tier: int, anchor: datetime, now: datetime) -> tuple[int, datetime]:
    """``(tier, tier_anchor_at)`` after decay at ``now``: ``steps = floor((now - anchor) / 14 days)``,
    ``tier = max(bronze, tier - steps)``, the anchor moved by whole steps only (no time lost or granted
    twice). Unchanged when the tier does not decay or no full period has passed."""
    if tier not in DECAYABLE_TIERS or now - anchor < DECAY_PERIOD:
        return tier, anchor
    steps = (now - anchor) // DECAY_PERIOD
    return max(DECAY_FLOOR, tier - steps), anchor + steps * DECAY_PERIOD


# --- Unlocking -------------------------------------------------------------------------------


def lesson_states(
    *,
    ordered_lesson_ids: Sequence[int],
    prerequisites: Mapping[int, Iterable[int]],
    passed_ids: set[int],
) -> dict[int, str]:
    """``{lesson_id: "passed" | "open" | "locked"}`` for a course's published lessons in course order.

    A lesson is open when all its explicit prerequisites (published ones of this course) are passed;
    with none, its prerequisite is the lesson before it in course order; the first lesson is open.
    A passed lesson stays "passed" even if an author later adds a prerequisite.
    """
    published = set(ordered_lesson_ids)
    states: dict[int, str] = {}
    previous: int | None = None
    for lesson_id in ordered_lesson_ids:
        explicit = [p for p in prerequisites.get(lesson_id, ()) if p in published and p != lesson_id]
        required = explicit if explicit else ([previous] if previous is not None else [])
        if lesson_id in passed_ids:
            states[lesson_id] = "passed"
        elif all(p in passed_ids for p in required):
            states[lesson_id] = "open"
        else:
            states[lesson_id] = "locked"
        previous = lesson_id
    return states


def next_lesson_id(ordered_lesson_ids: Sequence[int], states: Mapping[int, str]) -> int | None:
    """The lesson to take next: the first open, not-yet-passed lesson in course order."""
    return next((lid for lid in ordered_lesson_ids if states.get(lid) == "open"), None)


def percent(part: int, whole: int) -> int:
    """A whole-number percentage, floored (100 only when complete)."""
    return (100 * part) // whole if whole else 0


# --- Adaptive reviews ------------------------------------------------------------------------


def pick_review_exercises(
    *,
    mistakes: Sequence[int],
    weak_tokens: Sequence[int],
    teaching: Mapping[int, Sequence[tuple[int, str]]],
    types: Mapping[int, str],
    limit: int,
) -> list[int]:
    """The exercises of a review session, each at most once.

    First the recent mistakes (most recent first) — at most half the session when there are weak
    words too — then, for each weak word in order (lowest predicted recall first) not yet taught
    by a chosen exercise, one exercise that teaches it (``teaching[token] = [(exercise_id, type)]``):
    the one whose type the session has used least so far, avoiding the previous exercise's type on a
    tie, then the lowest id. ``types`` gives the types of the mistakes' exercises. Varies the
    exercise type while covering the weakest words first.
    """
    chosen: list[int] = []
    used_types: dict[str, int] = {}

    def take(exercise_id: int, exercise_type: str) -> None:
        chosen.append(exercise_id)
        used_types[exercise_type] = used_types.get(exercise_type, 0) + 1

    mistake_cap = limit if not weak_tokens else max(1, limit // 2)
    for exercise_id in mistakes:
        if len(chosen) >= mistake_cap:
            break
        if exercise_id not in chosen and exercise_id in types:
            take(exercise_id, types[exercise_id])
    covered = {token for exercise_id in chosen for token, options in teaching.items() if exercise_id in dict(options)}
    for token in weak_tokens:
        if len(chosen) >= limit:
            break
        if token in covered:
            continue
        options = [(e, t) for e, t in teaching.get(token, ()) if e not in chosen]
        if not options:
            continue
        previous = types.get(chosen[-1]) if chosen else None
        exercise_id, exercise_type = min(options, key=lambda o: (used_types.get(o[1], 0), o[1] == previous, o[0]))
        take(exercise_id, exercise_type)
        types = {**types, exercise_id: exercise_type}
        covered |= {t for t, opts in teaching.items() if exercise_id in dict(opts)}
    for exercise_id in mistakes:  # fill up with the remaining mistakes
        if len(chosen) >= limit:
            break
        if exercise_id not in chosen and exercise_id in types:
            take(exercise_id, types[exercise_id])
    return chosen


# --- The lesson adapts -----------------------------------------------------------------------

#: A word the learner has seen fewer times than this is met in a recognition exercise first.
NEW_WORD_SEEN_BELOW = 4


def adapt_lesson_order(exercises: Sequence[tuple[int, bool, Sequence[int]]], *, seen: Mapping[int, int]) -> list[int]:
    """The lesson's exercise ids in serving order. ``exercises`` are ``(id, is_recognition,
    token_ids)`` in the author's order; ``seen`` the learner's ``seen_count`` per token.

    The author's order, except: before a production exercise that asks for a word the learner has
    seen fewer than ``NEW_WORD_SEEN_BELOW`` times and has not yet met in a recognition exercise of
    this run, the first later recognition exercise teaching that word is moved up. When the lesson
    has no such recognition exercise the order stays as written.
    """
    placed: list[int] = []
    done: set[int] = set()
    met: set[int] = set()
    for index, (exercise_id, recognition, tokens) in enumerate(exercises):
        if exercise_id in done:
            continue
        if not recognition:
            for token in tokens:
                if token in met or seen.get(token, 0) >= NEW_WORD_SEEN_BELOW:
                    continue
                later = next(
                    (e for e in exercises[index + 1 :] if e[1] and token in e[2] and e[0] not in done),
                    None,
                )
                if later is not None:
                    placed.append(later[0])
                    done.add(later[0])
                    met.update(later[2])
        else:
            met.update(tokens)
        placed.append(exercise_id)
        done.add(exercise_id)
    return placed


#: "Can't listen now" / "Can't speak now": how long that kind of exercise is left out for the learner.
SKIP_KIND_FOR = timedelta(minutes=15)
#: The exercise types each honest exit leaves out, by the kind the learner names.
SKIPPABLE_KINDS = {"listen": ("listen",), "speak": ("speak",)}


def skipped_types(*, cant_listen_until: datetime | None, cant_speak_until: datetime | None, now: datetime) -> set[str]:
    """The exercise types not to serve the learner at ``now`` (their honest exits still running)."""
    types: set[str] = set()
    if cant_listen_until and now < cant_listen_until:
        types.update(SKIPPABLE_KINDS["listen"])
    if cant_speak_until and now < cant_speak_until:
        types.update(SKIPPABLE_KINDS["speak"])
    return types


def without_skipped(ordered: Sequence[int], types: Mapping[int, str], skipped: set[str]) -> list[int]:
    """``ordered`` exercise ids less those of a skipped type — unless that would leave none (a lesson
    made only of them is then served as it is: the learner can still leave with the same button)."""
    kept = [pk for pk in ordered if types.get(pk) not in skipped]
    return kept if kept else list(ordered)


# --- Checkpoints ------------------------------------------------------------------------------

#: XP for each lesson a passed checkpoint passes for the learner (one they had not passed): a quarter of
#: an easy core lesson's 80, since testing out should not pay more than doing the lessons.
CHECKPOINT_XP_PER_LESSON = 20


def checkpoint_queue_after_answer(queue: Sequence[int], exercise_id: int) -> list[int]:
    """A checkpoint serves each item once: right or wrong, the item leaves the queue."""
    return [e for e in queue if e != exercise_id]


def checkpoint_score(*, total: int, right: int) -> int:
    """The score of a checkpoint run: items right at the first try out of all its items (unanswered ones
    count as missed), as a whole percentage, floored."""
    return percent(right, total)


def checkpoint_passes(*, score: int, pass_percent: int) -> bool:
    return score >= pass_percent


def cooldown_over_at(*, last_failed_at: datetime | None, cooldown: timedelta) -> datetime | None:
    """When a learner may take a checkpoint again after a failed (or abandoned) run; None: now."""
    return last_failed_at + cooldown if last_failed_at is not None else None


# --- Timed practice ------------------------------------------------------------------------------

#: A timed review: as many exercises as the learner can answer in two minutes (at most this many).
TIMED_REVIEW_SECONDS = 120
TIMED_REVIEW_SIZE = 30
#: The speed bonus: a right answer that earns XP in a timed lesson or review, given within this long of
#: the run's previous answer (or its start) on the server's clock, earns this much more XP.
SPEED_BONUS_XP = 5
SPEED_BONUS_WITHIN = timedelta(seconds=10)


def speed_bonus(*, xp: int, since_previous: timedelta) -> int:
    """The bonus for a quick right answer in a timed run (only one that earns XP: no farming)."""
    return SPEED_BONUS_XP if xp > 0 and since_previous <= SPEED_BONUS_WITHIN else 0


def time_is_up(*, deadline_at: datetime | None, now: datetime) -> bool:
    """The server is the clock: an answer at or after the deadline is late."""
    return deadline_at is not None and now >= deadline_at


def seconds_left(*, deadline_at: datetime | None, now: datetime) -> int | None:
    """Whole seconds until the deadline (0 once it has passed); None for a run without one."""
    if deadline_at is None:
        return None
    return max(0, int((deadline_at - now).total_seconds()))
