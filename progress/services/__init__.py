"""Writes of the progress app. The learner's-loop entry points live in ``gamification.services``
(which calls these); pages and the API call ``enroll`` and ``set_current_course`` directly."""

from .enrollment import enroll, set_current_course
from .mastery import record_token_answers
from .reports import accept_answer, report_problem, settle_reports
from .runs import (
    apply_answer,
    create_lesson_run,
    create_review_run,
    lock_run,
    mark_run_abandoned,
    pair_checks_of,
    previous_attempt,
    record_attempt,
    record_pass,
    record_review_pass,
    review_credited_today,
    save_pair_checks,
    skip_exercises,
    visible_lesson,
)
from .scheduling import get_scheduler, is_mastered
from .unlocking import course_lesson_states, lesson_state

__all__ = [
    "accept_answer",
    "apply_answer",
    "course_lesson_states",
    "create_lesson_run",
    "create_review_run",
    "enroll",
    "get_scheduler",
    "is_mastered",
    "lesson_state",
    "lock_run",
    "mark_run_abandoned",
    "pair_checks_of",
    "previous_attempt",
    "record_attempt",
    "record_pass",
    "record_review_pass",
    "record_token_answers",
    "report_problem",
    "review_credited_today",
    "save_pair_checks",
    "set_current_course",
    "settle_reports",
    "skip_exercises",
    "visible_lesson",
]
