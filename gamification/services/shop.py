"""The gem shop: streak freezes (docs/game-rules.md, "Streak freezes"). Heart refills are in ``wallet``.

A purchase locks the learner's wallet (the per-learner mutex), so two purchases at once are
serialised: the second sees the first's freeze and gems. The gems are spent through the ledger
(``credit``) with the key ``freeze:<user id>:<client id>``: the same purchase sent twice (a double
click, a retried request) is recognised by its ``client_id`` and charged once.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext, ngettext

from accounts import activity as activity_log
from accounts.models import User

from ..errors import FreezesFull, NotEnoughGems
from ..models import MAX_STREAK_FREEZES, LedgerEntry, Wallet
from .ledger import credit, gems_entry
from .wallet import lock_wallet


@dataclass(frozen=True)
class FreezeShop:
    """What the shop shows: freezes held, the most one may hold, the price, the gems and whether a
    purchase is possible now (and why not)."""

    held: int
    max: int
    price: int
    gems: int
    can_buy: bool
    reason: str  # why not, when ``can_buy`` is false; "" otherwise
    repeated: bool = False  # this purchase was already made (same client_id); nothing changed


def freeze_shop_of(wallet: Wallet | None, *, repeated: bool = False) -> FreezeShop:
    price = settings.MALLARD_STREAK_FREEZE_PRICE_GEMS
    held = wallet.streak_freezes if wallet else 0
    gems = wallet.gems if wallet else 0
    reason = ""
    if held >= MAX_STREAK_FREEZES:
        reason = f"You already hold {MAX_STREAK_FREEZES} streak freezes, the most you can."
    elif gems < price:
        reason = f"A streak freeze costs {price} gems; you have {gems}."
    return FreezeShop(
        held=held, max=MAX_STREAK_FREEZES, price=price, gems=gems, can_buy=not reason, reason=reason, repeated=repeated
    )


def freeze_key(*, user: User, client_id: uuid.UUID) -> str:
    return f"freeze:{user.pk}:{client_id}"


def buy_streak_freeze(*, user: User, client_id: uuid.UUID, now: datetime) -> FreezeShop:
    """Spend ``MALLARD_STREAK_FREEZE_PRICE_GEMS`` gems on one streak freeze. FreezesFull when the
    learner holds ``MAX_STREAK_FREEZES``, NotEnoughGems when gems are short; nothing is written then.

    Locks the wallet. A ``client_id`` already used for a purchase returns the shop unchanged
    (``repeated=True``). Writes one negative gems LedgerEntry and the wallet (gems, then freezes) in the
    same transaction; the database refuses more than two freezes (``wallet_streak_freezes_max``)."""
    price = settings.MALLARD_STREAK_FREEZE_PRICE_GEMS
    key = freeze_key(user=user, client_id=client_id)
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)
        if LedgerEntry.objects.filter(key=key).exists():
            return freeze_shop_of(wallet, repeated=True)
        if wallet.streak_freezes >= MAX_STREAK_FREEZES:
            raise FreezesFull(
                gettext("You already hold %(max)s streak freezes, the most you can.") % {"max": MAX_STREAK_FREEZES}
            )
        if wallet.gems < price:
            raise NotEnoughGems(
                ngettext(
                    "A streak freeze costs %(price)s gem; you have %(gems)s.",
                    "A streak freeze costs %(price)s gems; you have %(gems)s.",
                    price,
                )
                % {"price": price, "gems": wallet.gems}
            )
        spent = gems_entry(user=user, amount=-price, reason=LedgerEntry.Reason.STREAK_FREEZE, key=key, now=now)
        credit(wallet=wallet, entries=[spent])
        Wallet.objects.filter(pk=wallet.pk).update(streak_freezes=F("streak_freezes") + 1)
        wallet.streak_freezes += 1
        activity_log.record(
            user=user, kind=activity_log.Kind.PURCHASE, now=now, payload={"item": "streak_freeze", "gems": price}
        )
        return freeze_shop_of(wallet)
