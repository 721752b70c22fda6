"""Builders for the league tests: XP earned through the ledger's one writer, so league rows, ledger and
wallets stay consistent (``check_ledger`` clean)."""

import uuid
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from accounts.tests.factories import UserFactory
from gamification.models import LeagueMembership, LedgerEntry
from gamification.services import ledger
from gamification.services.wallet import lock_wallet

#: A Monday: the league week of 2026-03-02 runs to 2026-03-09 00:00 UTC.
WEEK = date(2026, 3, 2)
MONDAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
NEXT_MONDAY = MONDAY + timedelta(days=7)
MIDWEEK = MONDAY + timedelta(days=3, hours=12)
CLOSE = NEXT_MONDAY + timedelta(minutes=10)  # when beat runs the close


def earn(user, xp: int, *, now: datetime = MIDWEEK, key: str | None = None) -> None:
    """``xp`` through ``ledger.credit`` (an XP ledger entry; negative: a correction), under the wallet lock."""
    reason = LedgerEntry.Reason.EXERCISE if xp > 0 else LedgerEntry.Reason.ADJUSTMENT
    with transaction.atomic():
        wallet = lock_wallet(user=user, now=now)
        entry = ledger.xp_entry(user=user, amount=xp, reason=reason, key=key or f"test:{uuid.uuid4()}", now=now)
        ledger.credit(wallet=wallet, entries=[entry])


def learners(n: int, **fields) -> list:
    return [UserFactory(**fields) for _ in range(n)]


def row(user, week: date = WEEK) -> LeagueMembership:
    return LeagueMembership.objects.get(user=user, week_start=week)
