"""Writes of the progress app. The learner's-loop entry points live in ``gamification.services``
(which calls these); pages and the API call ``enroll`` and ``set_current_course`` directly."""

from .checkpoints import (
    checkpoint_records,
    close_timed_out_run,
    create_checkpoint_run,
    record_checkpoint_pass,
    set_checkpoint_rewards,
    visible_checkpoint,
)
from .checkpoints import (
    course_of as checkpoint_course,
)
from .enrollment import enroll, set_current_course
from .mastery import record_token_answers
from .reports import accept_answer, report_problem, settle_reports
from .runs import (
    active_lesson_run,
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
from .unlocking import course_lesson_states

__all__ = [
    "accept_answer",
    "active_lesson_run",
    "apply_answer",
    "checkpoint_course",
    "checkpoint_records",
    "close_timed_out_run",
    "course_lesson_states",
    "create_checkpoint_run",
    "create_lesson_run",
    "create_review_run",
    "enroll",
    "get_scheduler",
    "is_mastered",
    "lock_run",
    "mark_run_abandoned",
    "pair_checks_of",
    "previous_attempt",
    "record_attempt",
    "record_checkpoint_pass",
    "record_pass",
    "record_review_pass",
    "record_token_answers",
    "report_problem",
    "review_credited_today",
    "save_pair_checks",
    "set_checkpoint_rewards",
    "set_current_course",
    "settle_reports",
    "skip_exercises",
    "visible_checkpoint",
    "visible_lesson",
]
