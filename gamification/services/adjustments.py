"""Staff adjust a learner's balance: grant or deduct XP, gems, hearts or streak freezes, or restore a lost
streak, with a required reason (docs/operations.md, "Support: adjusting a balance").

Every adjustment goes through the game's own writers, never a direct field edit:

- XP and gems: a ledger entry (reason ``adjustment``, key ``adjustment:<audit entry id>``) written by
  ``ledger.credit`` with the wallet totals, so ``check_ledger`` stays clean;
- hearts: the regeneration up to now is materialised first, then a ``HeartsLog`` row (reason
  ``adjustment``) and the wallet's hearts clock, through ``credit`` too;
- streak freezes: ``Wallet.streak_freezes`` by an ``F()`` delta (the field the gem shop fills and the
  streak job spends; at most ``MAX_STREAK_FREEZES``);
- a restored streak: ``Streak.current`` (and ``longest``) set to the given length, alive until the end
  of the learner's today, as if yesterday had been a streak day.

Each writes one audit entry (old and new values, the reason, the staff user and IP) in the same
transaction, under the learner's wallet lock, so two staff adjusting at once both land.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext_lazy

from accounts.audit import Action, log_event, subject_data
from accounts.models import User
from core.errors import ServiceError

from ..models import MAX_HEARTS, MAX_STREAK_FREEZES, HeartsLog, LedgerEntry, Streak, Wallet
from . import hearts as hearts_rules
from .activity import local_day, streak_deadline
from .ledger import credit
from .wallet import hearts_logs, lock_wallet


class Kind:
    XP = "xp"
    GEMS = "gems"
    HEARTS = "hearts"
    FREEZES = "streak_freezes"
    RESTORE_STREAK = "restore_streak"

    choices = [
        (XP, "XP"),
        (GEMS, "Gems"),
        (HEARTS, "Hearts"),
        (FREEZES, "Streak freezes"),
        (RESTORE_STREAK, "Restore a lost streak (set its length)"),
    ]


#: The longest reason kept (the ledger keeps the key; the audit entry keeps the reason).
REASON_MAX_LENGTH = 300


class InvalidAdjustment(ServiceError):
    code = "invalid_adjustment"
    status = 400
    default_message = gettext_lazy("This adjustment is not possible.")

    def __init__(self, message: "str | Promise | None" = None, *, field: str | None = "amount"):
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Adjustment:
    kind: str
    before: int
    after: int
    audit_entry_id: int


def adjust_balance(*, user: User, kind: str, amount: int, reason: str, now: datetime) -> Adjustment:
    """Grant (``amount`` > 0) or deduct (< 0) XP, gems, hearts or streak freezes; or, for
    ``restore_streak``, set the streak's length to ``amount`` (≥ 1). ``reason`` is required.

    A result below zero (or hearts above 5, freezes above ``MAX_STREAK_FREEZES``) is refused with
    ``InvalidAdjustment`` (field ``amount``) and nothing is written. Locks the learner's wallet
    (``select_for_update``) for the whole change, so concurrent adjustments of one learner run one after
    the other and none is lost. The staff user and IP come from the request (accounts.audit.AuditMiddleware).
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidAdjustment(gettext_lazy("Give a reason: it is kept in the audit trail."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidAdjustment(
            gettext_lazy("Keep the reason under %(limit)s characters.") % {"limit": REASON_MAX_LENGTH}, field="reason"
        )
    if kind not in dict(Kind.choices):
        raise InvalidAdjustment(gettext_lazy("Unknown kind of adjustment %(kind)r.") % {"kind": kind}, field="kind")
    if amount == 0:
        raise InvalidAdjustment(gettext_lazy("An adjustment of 0 changes nothing."))
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)
        if kind == Kind.RESTORE_STREAK:
            return _restore_streak(user=user, wallet=wallet, length=amount, reason=reason, now=now)
        if kind == Kind.HEARTS:
            return _adjust_hearts(user=user, wallet=wallet, amount=amount, reason=reason, now=now)
        if kind == Kind.FREEZES:
            return _adjust_freezes(user=user, wallet=wallet, amount=amount, reason=reason)
        return _adjust_currency(user=user, wallet=wallet, kind=kind, amount=amount, reason=reason, now=now)


def _refuse_below_zero(what: str, before: int, amount: int) -> None:
    """``what`` is one of ``_BELOW_ZERO``'s keys: each has its own whole sentence (docs/i18n.md)."""
    if before + amount < 0:
        raise InvalidAdjustment(_BELOW_ZERO[what] % {"before": before, "deduct": -amount, "after": before + amount})


#: The refusal of a deduction below zero, per balance (plural by what the learner has).
_BELOW_ZERO = {
    "xp": ngettext_lazy(
        "The learner has %(before)s XP; deducting %(deduct)s would leave %(after)s. Deduct at most %(before)s.",
        "The learner has %(before)s XP; deducting %(deduct)s would leave %(after)s. Deduct at most %(before)s.",
        "before",
    ),
    "gems": ngettext_lazy(
        "The learner has %(before)s gem; deducting %(deduct)s would leave %(after)s. Deduct at most %(before)s.",
        "The learner has %(before)s gems; deducting %(deduct)s would leave %(after)s. Deduct at most %(before)s.",
        "before",
    ),
    "hearts": ngettext_lazy(
        "The learner has %(before)s heart; deducting %(deduct)s would leave %(after)s. Deduct at most %(before)s.",
        "The learner has %(before)s hearts; deducting %(deduct)s would leave %(after)s. Deduct at most %(before)s.",
        "before",
    ),
    "freezes": ngettext_lazy(
        "The learner has %(before)s streak freeze; deducting %(deduct)s would leave %(after)s. "
        "Deduct at most %(before)s.",
        "The learner has %(before)s streak freezes; deducting %(deduct)s would leave %(after)s. "
        "Deduct at most %(before)s.",
        "before",
    ),
}


def _audit(*, wallet: Wallet | Streak, user: User, field: str, before, after, kind: str, amount: int, reason: str):
    label = "Wallet" if isinstance(wallet, Wallet) else "Streak"
    return log_event(
        obj=wallet,
        action=Action.UPDATE,
        changes={field: [before, after]},
        object_repr=f"{label} of learner #{user.pk}",
        data={"adjustment": kind, "amount": amount, "reason": reason, **subject_data(user.pk)},
    )


def _adjust_currency(*, user: User, wallet: Wallet, kind: str, amount: int, reason: str, now: datetime) -> Adjustment:
    field, what = ("xp_total", "xp") if kind == Kind.XP else ("gems", "gems")
    before = getattr(wallet, field)
    _refuse_below_zero(what, before, amount)
    entry = _audit(
        wallet=wallet,
        user=user,
        field=field,
        before=before,
        after=before + amount,
        kind=kind,
        amount=amount,
        reason=reason,
    )
    currency = LedgerEntry.Currency.XP if kind == Kind.XP else LedgerEntry.Currency.GEMS
    credit(
        wallet=wallet,
        entries=[
            LedgerEntry(
                user=user,
                currency=currency,
                amount=amount,
                reason=LedgerEntry.Reason.ADJUSTMENT,
                key=f"adjustment:{entry.pk}",
                source_type=entry._meta.label_lower,
                source_id=entry.pk,
                created_at=now,
            )
        ],
    )
    return Adjustment(kind=kind, before=before, after=getattr(wallet, field), audit_entry_id=entry.pk)


def _adjust_hearts(*, user: User, wallet: Wallet, amount: int, reason: str, now: datetime) -> Adjustment:
    clock, steps = hearts_rules.materialise(wallet.hearts, wallet.hearts_anchor_at, now)
    before = clock.hearts
    _refuse_below_zero("hearts", before, amount)
    after = before + amount
    if after > MAX_HEARTS:
        raise InvalidAdjustment(
            gettext_lazy("Hearts go up to %(max)s; the learner has %(before)s. Grant at most %(grant)s.")
            % {"max": MAX_HEARTS, "before": before, "grant": MAX_HEARTS - before}
        )
    # From full, the regeneration clock starts now (as after a lost heart); otherwise it keeps running.
    anchor = now if before >= MAX_HEARTS else clock.anchor
    steps.append((before, after, HeartsLog.Reason.ADJUSTMENT))
    HeartsLog.objects.bulk_create(hearts_logs(user=user, steps=steps, now=now))
    credit(wallet=wallet, entries=[], hearts=hearts_rules.HeartClock(after, anchor))
    entry = _audit(
        wallet=wallet,
        user=user,
        field="hearts",
        before=before,
        after=after,
        kind=Kind.HEARTS,
        amount=amount,
        reason=reason,
    )
    return Adjustment(kind=Kind.HEARTS, before=before, after=after, audit_entry_id=entry.pk)


def _adjust_freezes(*, user: User, wallet: Wallet, amount: int, reason: str) -> Adjustment:
    before = wallet.streak_freezes
    _refuse_below_zero("freezes", before, amount)
    if before + amount > MAX_STREAK_FREEZES:
        raise InvalidAdjustment(
            gettext_lazy(
                "A learner holds at most %(max)s streak freezes; this one has %(before)s. Grant at most %(grant)s."
            )
            % {"max": MAX_STREAK_FREEZES, "before": before, "grant": MAX_STREAK_FREEZES - before}
        )
    Wallet.objects.filter(pk=wallet.pk).update(streak_freezes=F("streak_freezes") + amount)
    wallet.streak_freezes = before + amount
    entry = _audit(
        wallet=wallet,
        user=user,
        field="streak_freezes",
        before=before,
        after=before + amount,
        kind=Kind.FREEZES,
        amount=amount,
        reason=reason,
    )
    return Adjustment(kind=Kind.FREEZES, before=before, after=before + amount, audit_entry_id=entry.pk)


def _restore_streak(*, user: User, wallet: Wallet, length: int, reason: str, now: datetime) -> Adjustment:
    if length < 1:
        raise InvalidAdjustment(gettext_lazy("A restored streak is at least 1 day long."))
    streak, _ = Streak.objects.get_or_create(user=user)
    before = streak.current
    yesterday = local_day(user, now) - timedelta(days=1)
    deadline = streak_deadline(user, yesterday)  # the end of the learner's today
    streak.current = length
    streak.longest = max(streak.longest, length)
    streak.last_day = max(streak.last_day, yesterday) if streak.last_day else yesterday
    streak.alive_until = max(streak.alive_until, deadline) if streak.alive_until else deadline
    streak.save(update_fields=["current", "longest", "last_day", "alive_until"])
    entry = _audit(
        wallet=streak,
        user=user,
        field="current",
        before=before,
        after=length,
        kind=Kind.RESTORE_STREAK,
        amount=length,
        reason=reason,
    )
    return Adjustment(kind=Kind.RESTORE_STREAK, before=before, after=length, audit_entry_id=entry.pk)
