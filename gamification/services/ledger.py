"""XP and gems as an append-only ledger with cached totals on the Wallet.

Every change of ``Wallet.xp_total`` or ``Wallet.gems`` is a LedgerEntry written in the same
transaction, with a unique ``key`` naming the business event, so an award can never be written
twice:

- ``run:<run id>:ex:<exercise id>:xp`` — XP for the first correct answer to an exercise in a run
  (so "once per exercise per run" is enforced by the database too);
- ``run:<run id>:gems`` — gems for passing a run;
- ``achievement:<achievement id>:user:<user id>`` — an achievement's XP reward;
- ``refill:<hearts log id>`` — gems spent on a heart refill;
- ``league:<week start>:user:<user id>`` — gems for a top-three finish in a league week (written
  set-based by the week's close, with the wallets' totals, in the same transaction).

``credit()`` is the only writer of ledger rows and of those totals: it writes the entries and moves
the totals by the same amounts, together. ``check_ledger()`` proves every total equals the sum of
its ledger.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from core.inserts import IdOf, InsertBatch
from core.reads import CompiledUpdates

from ..models import LedgerEntry, Wallet
from .hearts import HeartClock
from .leagues import record_league_xp


def xp_entry(*, user: User, amount: int, reason: str, key: str, source=None, now: datetime) -> LedgerEntry:
    return _entry(
        user=user, currency=LedgerEntry.Currency.XP, amount=amount, reason=reason, key=key, source=source, now=now
    )


def gems_entry(*, user: User, amount: int, reason: str, key: str, source=None, now: datetime) -> LedgerEntry:
    return _entry(
        user=user, currency=LedgerEntry.Currency.GEMS, amount=amount, reason=reason, key=key, source=source, now=now
    )


def _entry(*, user: User, currency, amount, reason, key, source, now) -> LedgerEntry:
    # A source not written yet (the answer's attempt, in the same InsertBatch): its id once it is.
    source_id: Any = None if source is None else source.pk if source.pk is not None else IdOf(source)
    return LedgerEntry(
        user=user,
        currency=currency,
        amount=amount,
        reason=reason,
        key=key,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=source_id,
        created_at=now,
    )


def credit(
    *,
    wallet: Wallet,
    entries: Sequence[LedgerEntry],
    hearts: HeartClock | None = None,
    batch: InsertBatch | None = None,
    league: bool = True,
) -> int:
    """Write ledger ``entries`` (unsaved rows, as ``xp_entry``/``gems_entry`` build them; zero amounts
    are skipped) and move ``wallet``'s cached XP and gems totals by their sums, in the caller's
    transaction, with ``wallet`` locked by the caller (``lock_wallet``).

    With ``batch`` the entries join the caller's ``InsertBatch`` (``core.inserts``), which the caller
    writes before its transaction ends (an answer writes its new rows in one statement): the rows and
    the totals still commit together, and the INSERT here is saved.

    ``hearts``, when given, is the learner's new hearts clock (computed under the same lock), stored in
    the same UPDATE. Two queries: one INSERT of the entries, one UPDATE of the wallet; XP also moves the
    learner's league XP of the week (``leagues.record_league_xp``: one more UPDATE, a few on the first
    XP of a week), so a leaderboard never sums the ledger. ``league=False``: the caller moves it
    instead (an answer: ``activity.record_day(league_xp=…)``, in the day's statement). Returns the
    XP credited.
    """
    entries = [e for e in entries if e.amount]
    if entries and batch is not None:
        batch.add(*entries)
    elif entries:
        LedgerEntry.objects.bulk_create(entries)
    xp = sum(e.amount for e in entries if e.currency == LedgerEntry.Currency.XP)
    gems = sum(e.amount for e in entries if e.currency == LedgerEntry.Currency.GEMS)
    _update_wallet(wallet, xp=xp, gems=gems, clock=hearts, batch=batch)
    if xp and league:
        xp_entries = [e for e in entries if e.currency == LedgerEntry.Currency.XP]
        record_league_xp(user=xp_entries[0].user, xp=xp, now=max(e.created_at for e in xp_entries))
    return xp


def _update_wallet(
    wallet: Wallet, *, xp: int, gems: int, clock: HeartClock | None, batch: InsertBatch | None = None
) -> None:
    """One UPDATE: XP and gems by F() deltas; hearts to ``clock`` as a delta too. Keeps the Python
    object in step. No query when nothing changes. With ``batch``, on PostgreSQL, the UPDATE goes with
    the batch's statement (the caller reads the wallet's totals from ``wallet``, never from its row,
    until the batch is written; a second change of the wallet before then is a statement of its own)."""
    values: dict = {}
    if xp:
        values["xp"] = xp
    if gems:
        values["gems"] = gems
    if clock is not None and (clock.hearts != wallet.hearts or clock.anchor != wallet.hearts_anchor_at):
        values["hearts"] = clock.hearts - wallet.hearts
        values["anchor"] = clock.anchor
    if not values:
        return
    if batch is not None and connection.vendor == "postgresql" and not batch.updates(Wallet, wallet.pk):
        sql, params = _WALLET_UPDATE.statement(connection.alias, pk=wallet.pk, **values)
        batch.update_sql(Wallet, wallet.pk, sql, params, using=connection.alias)
    else:
        _WALLET_UPDATE.execute(connection.alias, pk=wallet.pk, **values)
    wallet.xp_total += xp
    wallet.gems += gems
    if clock is not None:
        wallet.hearts, wallet.hearts_anchor_at = clock.hearts, clock.anchor


def _wallet_update(*, pk: int, xp=None, gems=None, hearts=None, anchor=None):
    changes: dict = {}
    if xp is not None:
        changes["xp_total"] = F("xp_total") + xp
    if gems is not None:
        changes["gems"] = F("gems") + gems
    if hearts is not None:
        changes["hearts"] = F("hearts") + hearts
        changes["hearts_anchor_at"] = anchor
    return Wallet.objects.filter(pk=pk), changes


#: ``_update_wallet``'s UPDATE for each set of changed totals, built once per process (``core.reads``).
_WALLET_UPDATE = CompiledUpdates(
    _wallet_update,
    pk=-2_000_000_001,
    xp=-2_000_000_002,
    gems=-2_000_000_003,
    hearts=-2_000_000_004,
    anchor=datetime(1901, 1, 1, tzinfo=UTC),
)


@dataclass(frozen=True)
class Discrepancy:
    user_id: int
    currency: str
    wallet_total: int
    ledger_total: int

    def __str__(self) -> str:
        return (
            f"user {self.user_id}: wallet {self.currency} = {self.wallet_total}, "
            f"ledger sum = {self.ledger_total} (off by {self.wallet_total - self.ledger_total:+d})"
        )


def check_ledger(*, user_ids=None) -> list[Discrepancy]:
    """Every wallet whose XP or gems total differs from the sum of its ledger rows, and ledger rows of
    learners with no wallet (wallet total 0). Two set-based queries; an empty list means all is well."""

    def ledger_sum(currency: str):
        return Coalesce(
            Subquery(
                LedgerEntry.objects.filter(user_id=OuterRef("user_id"), currency=currency)
                .values("user_id")
                .annotate(total=Sum("amount"))
                .values("total"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    wallets = Wallet.objects.all()
    if user_ids is not None:
        wallets = wallets.filter(user_id__in=user_ids)
    rows = (
        wallets.annotate(ledger_xp=ledger_sum("xp"), ledger_gems=ledger_sum("gems"))
        .filter(~Q(xp_total=F("ledger_xp")) | ~Q(gems=F("ledger_gems")))
        .values_list("user_id", "xp_total", "gems", "ledger_xp", "ledger_gems")
    )
    problems: list[Discrepancy] = []
    for user_id, xp_total, gems, ledger_xp, ledger_gems in rows.iterator(chunk_size=2000):
        if xp_total != ledger_xp:
            problems.append(Discrepancy(user_id, "xp", xp_total, ledger_xp))
        if gems != ledger_gems:
            problems.append(Discrepancy(user_id, "gems", gems, ledger_gems))
    orphans = LedgerEntry.objects.exclude(user__wallet__isnull=False)
    if user_ids is not None:
        orphans = orphans.filter(user_id__in=user_ids)
    for user_id, currency, total in (
        orphans.values("user_id", "currency").annotate(total=Sum("amount")).values_list("user_id", "currency", "total")
    ):
        if total:
            problems.append(Discrepancy(user_id, currency, 0, total))
    return problems
