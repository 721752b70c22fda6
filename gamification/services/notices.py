"""One-time notices to the learner, shown on their next page after the event.

The freeze notice: when the hourly close job spends streak freezes it leaves on the learner's streak
the length it saved and the freezes it spent (``Streak.freeze_notice_streak``/``_freezes``). The
header reads them with its one query; ``take_freeze_notice`` then clears them with an UPDATE that
matches the values read, so of two pages loading at once only one shows the notice (the other's
UPDATE finds nothing to clear), and it is shown once.
"""

from django.utils.translation import gettext

from accounts.models import User

from ..models import Streak


def freeze_notice_text(*, streak: int, freezes: int) -> str:
    if freezes > 1:
        return gettext("%(freezes)s streak freezes saved your %(streak)s-day streak while you were away.") % {
            "freezes": freezes,
            "streak": streak,
        }
    return gettext("Your streak freeze saved your %(streak)s-day streak.") % {"streak": streak}


def take_freeze_notice(*, user: User, streak: int | None, freezes: int) -> str | None:
    """The notice text if this request is the one that clears it (one UPDATE), else None. ``streak``
    and ``freezes`` are the values the caller read; no query when there is no notice."""
    if streak is None:
        return None
    cleared = Streak.objects.filter(user=user, freeze_notice_streak=streak, freeze_notice_freezes=freezes).update(
        freeze_notice_streak=None, freeze_notice_freezes=0
    )
    return freeze_notice_text(streak=streak, freezes=freezes) if cleared else None
