"""The learner's wallet: creating it, locking it (the per-learner mutex), and changing its totals.

Lock order (docs/game-rules.md): every service that changes a learner's XP, gems, hearts, runs,
streak or daily activity first locks that learner's Wallet row
(``select_for_update(no_key=True)``), then the LessonRun row; other per-learner rows are written
only while the wallet lock is held. One lock per learner, always taken first → no deadlocks, and
two tabs / retries / concurrent requests of one learner are serialised.
"""

from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import ngettext

from accounts import activity as activity_log
from accounts.models import User
from core.reads import CompiledRead

from ..errors import HeartsFull, NotEnoughGems
from ..models import MAX_HEARTS, HeartsLog, LedgerEntry, Streak, Wallet
from . import hearts as hearts_rules
from .ledger import credit
from .types import HeartsState


def ensure_learner(*, user: User, now: datetime) -> Wallet:
    """Create the learner's Wallet (5 hearts) and Streak rows if missing. Idempotent, race-safe."""
    wallet, _ = Wallet.objects.get_or_create(user=user, defaults={"hearts": MAX_HEARTS, "hearts_anchor_at": now})
    Streak.objects.get_or_create(user=user)
    return wallet


#: ``lock_wallet``'s statement, built once per process (``core.reads``).
LOCK_WALLET = CompiledRead(
    lambda user_id: Wallet.objects.select_for_update(no_key=True).filter(user_id=user_id), user_id=-2_000_000_001
)


def lock_wallet(*, user: User, now: datetime) -> Wallet:
    """Lock and return the learner's wallet (creating it first if needed). Call inside atomic()."""
    found = LOCK_WALLET.objects(connection.alias, user_id=user.pk)
    if not found:
        ensure_learner(user=user, now=now)
        found = LOCK_WALLET.objects(connection.alias, user_id=user.pk)
    return found[0]


def hearts_logs(*, user: User, steps: list[tuple[int, int, str]], run=None, now: datetime) -> list[HeartsLog]:
    """HeartsLog rows for (before, after, reason) steps that change something."""
    return [
        HeartsLog(user=user, hearts_before=b, hearts_after=a, reason=r, run=run, created_at=now)
        for b, a, r in steps
        if b != a
    ]


def hearts_state_of(wallet: Wallet | None, now: datetime) -> HeartsState:
    if wallet is None:
        return hearts_state_from(None, now=now)
    return hearts_state_from((wallet.hearts, wallet.hearts_anchor_at, wallet.gems), now=now)


def hearts_state_from(columns: tuple[int, datetime, int] | None, *, now: datetime) -> HeartsState:
    """``hearts_state_of`` from the wallet's ``(hearts, hearts_anchor_at, gems)`` as read by the
    caller (None: no wallet yet, full hearts and nothing to refill)."""
    price = settings.MALLARD_HEART_REFILL_PRICE_GEMS
    if columns is None:
        return HeartsState(hearts=MAX_HEARTS, max=MAX_HEARTS, next_heart_at=None, refill_price=price, can_refill=False)
    stored, anchor, gems = columns
    hearts, next_at = hearts_rules.current(stored, anchor, now)
    return HeartsState(
        hearts=hearts,
        max=MAX_HEARTS,
        next_heart_at=next_at,
        refill_price=price,
        can_refill=hearts < MAX_HEARTS and gems >= price,
    )


def refill_hearts(*, user: User, now: datetime) -> HeartsState:
    """Spend ``MALLARD_HEART_REFILL_PRICE_GEMS`` gems to fill the hearts. HeartsFull / NotEnoughGems.

    Locks the wallet. Writes: the regeneration (if any) and the refill in HeartsLog, a negative gems
    LedgerEntry keyed ``refill:<hearts log id>``, and the wallet in one UPDATE.
    """
    price = settings.MALLARD_HEART_REFILL_PRICE_GEMS
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)
        clock, steps = hearts_rules.materialise(wallet.hearts, wallet.hearts_anchor_at, now)
        if clock.hearts >= MAX_HEARTS:
            raise HeartsFull()  # nothing written: regeneration stays lazy
        if wallet.gems < price:
            raise NotEnoughGems(
                ngettext(
                    "Refilling hearts costs %(price)s gem; you have %(gems)s.",
                    "Refilling hearts costs %(price)s gems; you have %(gems)s.",
                    price,
                )
                % {"price": price, "gems": wallet.gems}
            )
        steps.append((clock.hearts, MAX_HEARTS, HeartsLog.Reason.GEM_REFILL))
        logs = HeartsLog.objects.bulk_create(hearts_logs(user=user, steps=steps, now=now))
        spent = LedgerEntry(
            user=user,
            currency=LedgerEntry.Currency.GEMS,
            amount=-price,
            reason=LedgerEntry.Reason.HEART_REFILL,
            source_type="hearts_log",
            source_id=logs[-1].pk,
            key=f"refill:{logs[-1].pk}",
            created_at=now,
        )
        credit(wallet=wallet, entries=[spent], hearts=hearts_rules.HeartClock(MAX_HEARTS, now))
        activity_log.record(
            user=user, kind=activity_log.Kind.REFILL, now=now, payload={"gems": price, "hearts": MAX_HEARTS}
        )
        return hearts_state_of(wallet, now)
