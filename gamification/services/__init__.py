"""Writes of the gamification app and the learner's-loop entry points pages and the API call (docs/game-rules.md)."""

from .achievements import evaluate as evaluate_achievements
from .activity import local_day, record_activity
from .checkpoints import finish_timed_run, start_checkpoint_run
from .ledger import check_ledger
from .loop import abandon_run, check_pair, skip_kind, start_lesson_run, start_review_session, submit_answer
from .shop import FreezeShop, buy_streak_freeze
from .types import AnswerOutcome, HeartsState, PairCheck, SkipOutcome
from .wallet import ensure_learner, refill_hearts

__all__ = [
    "AnswerOutcome",
    "FreezeShop",
    "HeartsState",
    "PairCheck",
    "SkipOutcome",
    "abandon_run",
    "buy_streak_freeze",
    "check_ledger",
    "check_pair",
    "ensure_learner",
    "evaluate_achievements",
    "finish_timed_run",
    "local_day",
    "record_activity",
    "refill_hearts",
    "skip_kind",
    "start_checkpoint_run",
    "start_lesson_run",
    "start_review_session",
    "submit_answer",
]
