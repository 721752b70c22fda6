"""``close_league_week`` (weekly, Monday 00:10 UTC): rank every cohort of each league week that has
ended, store each learner's result, move divisions and pay the top three's gems.

The rules are ``gamification.services.leagues`` (``move_for``, ``REWARD_GEMS``, ``PROMOTED``,
``DEMOTED``, the divisions); the SQL below is built from the same constants, and a test checks it
against ``move_for`` cohort by cohort. For each week that has ended and is not finished (oldest first):

1. **Gate.** The week's ``LeagueWeek`` row is locked ``FOR UPDATE`` and ``closed_at`` set: a learner's
   first XP of the week (which reads that row ``FOR KEY SHARE``) either committed before, or sees the
   week closed and counts in the next week. Nobody joins the week after this point.
2. **Cohorts**, in keyset batches of ``batch_size // 30`` cohorts, one transaction each: the members'
   wallet rows are locked in id order (the learner's loop holds the wallet lock while it writes league
   XP, so no answer of theirs is in flight), then one ``UPDATE … FROM`` with window functions ranks
   each cohort — ranked learners (XP > 0, not hidden) by XP, then who reached it first
   (``reached_at``), then who joined first — and writes ``rank``, ``move``, ``division_after``,
   ``gems`` and ``closed_at`` for every member of the batch; then one INSERT writes the gems' ledger
   entries (key ``league:<week>:user:<id>``) and one UPDATE adds them to the wallets.
3. **Rows without a cohort** (hidden learners): closed, unranked, division kept.
4. **Pending learners of the next week** (their first XP of that week came before this close, so
   their division was not known yet) are seated in the order they joined, each with its wallet lock
   (``leagues.take_seat``). Only learners who earned XP between Sunday 24:00 and the close are
   pending, so this step is per learner rather than set-based.
5. ``finished_at`` is set.

Idempotent: only rows with ``closed_at IS NULL`` are ranked, in whole cohorts per transaction (and
the week is finished once), so a second run — or a run after an interrupted one — changes nothing
that was done and never pays twice (the ledger key is unique too). A learner with 0 XP (or hidden)
is not ranked and keeps the division. On SQLite the same statements run, without row locks (each
batch is one immediate transaction, SQLite's single write lock).
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

from accounts.models import User

from ..models import COHORT_SIZE, LeagueCohort, LeagueMembership, LeagueWeek, LedgerEntry, Wallet
from ..services.leagues import BRONZE, DEMOTED, DIAMOND, PROMOTED, REWARD_GEMS, standing, take_seat, week_start
from .base import JobResult, aware, db_datetime, job_connection, table


def _rank_sql(vendor: str) -> str:
    """One batch of cohorts ranked and closed. The batch's own conditions are repeated on the UPDATE's
    target and the hidden flag is read per member by primary key, so each batch reads only its own rows
    through indexes (a join was planned as full scans of the members and learners for every batch).
    ``move_for`` in SQL: promotion first (rank ≤ PROMOTED, below
    Diamond), then demotion (rank > max(PROMOTED, ranked - DEMOTED), above Bronze)."""
    greatest = "GREATEST" if vendor == "postgresql" else "MAX"
    gems = " ".join(f"WHEN {rank} THEN {amount}" for rank, amount in sorted(REWARD_GEMS.items()))
    m, u = table(LeagueMembership), table(User)
    return f"""
        WITH members AS MATERIALIZED (
            SELECT m.id, m.cohort_id, m.division, m.xp, m.reached_at,
                   CASE WHEN m.xp > 0 AND NOT (SELECT u.hide_from_leaderboards FROM {u} u WHERE u.id = m.user_id)
                        THEN 1 ELSE 0 END AS ranked
            FROM {m} m
            WHERE m.week_start = %(week)s AND m.cohort_id >= %(lo)s AND m.cohort_id <= %(hi)s
              AND m.closed_at IS NULL
        ), ordered AS (
            SELECT id, division, ranked,
                   row_number() OVER (PARTITION BY cohort_id ORDER BY ranked DESC, xp DESC, reached_at, id) AS pos,
                   sum(ranked) OVER (PARTITION BY cohort_id) AS n
            FROM members
        ), moved AS (
            SELECT id AS mid, division AS mdivision, CASE WHEN ranked = 1 THEN pos END AS mrank,
                   CASE WHEN ranked = 0 THEN 0
                        WHEN pos <= {PROMOTED} THEN CASE WHEN division < {DIAMOND} THEN 1 ELSE 0 END
                        WHEN pos > {greatest}({PROMOTED}, n - {DEMOTED})
                            THEN CASE WHEN division > {BRONZE} THEN -1 ELSE 0 END
                        ELSE 0 END AS mmove
            FROM ordered
        )
        UPDATE {m} SET closed_at = %(now)s, rank = moved.mrank, move = moved.mmove,
            division_after = moved.mdivision + moved.mmove,
            gems = CASE moved.mrank {gems} ELSE 0 END
        FROM moved WHERE {m}.id = moved.mid
            AND {m}.week_start = %(week)s AND {m}.cohort_id >= %(lo)s AND {m}.cohort_id <= %(hi)s
        RETURNING id, user_id, gems
    """  # noqa: S608 — table names and constants only


def run_close_league_week(
    *,
    now: datetime,
    dry_run: bool = False,
    batch_size: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> JobResult:
    now = aware(now)
    batch_size = batch_size or settings.MALLARD_JOB_BATCH_SIZE
    connection = job_connection(using)
    weeks = list(
        LeagueWeek.objects.using(using)
        .filter(week_start__lt=week_start(now), finished_at__isnull=True)
        .order_by("week_start")
        .values_list("week_start", flat=True)
    )
    if not weeks:
        return JobResult(rows_changed=0, detail="no league week to close")
    if dry_run:
        rows = LeagueMembership.objects.using(using).filter(week_start__in=weeks, closed_at__isnull=True)
        count = rows.count()
        cohorts = rows.filter(cohort__isnull=False).values("cohort").distinct().count()
        return JobResult(
            rows_changed=count,
            detail=f"would close {count} learners' weeks in {cohorts} cohorts (weeks {', '.join(map(str, weeks))})",
        )
    lines, changed = [], 0
    for week in weeks:
        counts = _close_week(connection, using=using, week=week, now=now, batch_size=batch_size)
        changed += counts["ranked_rows"] + counts["unranked_rows"] + counts["seated"]
        lines.append(
            f"week of {week}: {counts['cohorts']} cohorts, {counts['ranked_rows']} learners ranked "
            f"({counts['up']} up, {counts['down']} down), {counts['unranked_rows']} without a cohort closed, "
            f"{counts['gems']} gems to {counts['paid']} learners, {counts['seated']} pending learners seated "
            f"in {counts['batches']} batches"
        )
    return JobResult(rows_changed=changed, detail="\n".join(lines))


def _close_week(connection, *, using: str, week: date, now: datetime, batch_size: int) -> dict[str, int]:
    counts = dict.fromkeys(
        ("cohorts", "ranked_rows", "unranked_rows", "up", "down", "gems", "paid", "seated", "batches"), 0
    )
    # 1. The gate: nobody joins this week any more.
    with transaction.atomic(using=using):
        gate = LeagueWeek.objects.using(using).select_for_update().get(week_start=week)
        if gate.closed_at is None:
            gate.closed_at = now
            gate.save(update_fields=["closed_at"], using=using)
    # 2. Cohorts, whole cohorts per batch.
    per_batch = max(1, batch_size // COHORT_SIZE)
    rank_sql = _rank_sql(connection.vendor)
    after = 0
    while True:
        ids = list(
            LeagueCohort.objects.using(using)
            .filter(week_start=week, id__gt=after)
            .order_by("id")
            .values_list("id", flat=True)[:per_batch]
        )
        if not ids:
            break
        lo, hi = ids[0], ids[-1]
        with transaction.atomic(using=using):
            _lock_wallets(connection, week=week, lo=lo, hi=hi)
            with connection.cursor() as cursor:
                cursor.execute(
                    rank_sql,
                    {
                        "week": connection.ops.adapt_datefield_value(week),
                        "lo": lo,
                        "hi": hi,
                        "now": db_datetime(connection, now),
                    },
                )
                closed = cursor.fetchall()
            paid = [(row_id, user_id, gems) for row_id, user_id, gems in closed if gems]
            _pay(connection, using=using, week=week, now=now, paid=paid)
        counts["cohorts"] += len(ids)
        counts["ranked_rows"] += len(closed)
        counts["paid"] += len(paid)
        counts["gems"] += sum(gems for _, _, gems in paid)
        counts["batches"] += 1
        after = hi
    moves = (
        LeagueMembership.objects.using(using)
        .filter(week_start=week, cohort__isnull=False, closed_at=now)
        .values_list("move")
        .order_by()
    )
    counts["up"] = moves.filter(move=1).count()
    counts["down"] = moves.filter(move=-1).count()
    # 3. Rows without a cohort (hidden learners; pending ones that were never seated): unranked, division kept.
    counts["unranked_rows"] = _close_unseated(connection, using=using, week=week, now=now, batch_size=batch_size)
    # 4. Learners of the next week who joined before this close: seated now, in join order.
    counts["seated"] = _seat_pending(using=using, week=week + timedelta(days=7), now=now)
    # 5. Done.
    LeagueWeek.objects.using(using).filter(week_start=week).update(finished_at=now)
    return counts


def _lock_wallets(connection, *, week: date, lo: int, hi: int) -> None:
    """PostgreSQL: lock the batch's learners' wallets in id order (the loop's per-learner mutex). JIT is
    off for the batch: its compile time is longer than the batch's own work."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            # = ANY(ARRAY(…)): the members' ids first, then the wallets by their user_id index (an IN
            # subquery was planned as a hash join over every wallet: a full scan per batch).
            f"SELECT w.id FROM {table(Wallet)} w WHERE w.user_id = ANY(ARRAY("  # noqa: S608
            f"SELECT m.user_id FROM {table(LeagueMembership)} m WHERE m.week_start = %s AND m.cohort_id >= %s "
            "AND m.cohort_id <= %s AND m.closed_at IS NULL)) ORDER BY w.id FOR NO KEY UPDATE",
            [week, lo, hi],
        )


def _pay(connection, *, using: str, week: date, now: datetime, paid: list[tuple[int, int, int]]) -> None:
    """The gems of one batch: their ledger entries (one INSERT) and the wallets' totals (one UPDATE),
    in the batch's transaction. The rows were not closed before it, so none was paid before."""
    if not paid:
        return
    LedgerEntry.objects.using(using).bulk_create(
        LedgerEntry(
            user_id=user_id,
            currency=LedgerEntry.Currency.GEMS,
            amount=gems,
            reason=LedgerEntry.Reason.LEAGUE_REWARD,
            source_type=LeagueMembership._meta.label_lower,
            source_id=row_id,
            key=f"league:{week}:user:{user_id}",
            created_at=now,
        )
        for row_id, user_id, gems in paid
    )
    values = ", ".join(["(%s, %s)"] * len(paid))
    w = table(Wallet)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {w} SET gems = {w}.gems + v.column2 FROM (VALUES {values}) AS v "  # noqa: S608
            f"WHERE {w}.user_id = v.column1",
            [x for _, user_id, gems in paid for x in (user_id, gems)],
        )


def _close_unseated(connection, *, using: str, week: date, now: datetime, batch_size: int) -> int:
    """Rows of the week without a cohort, in keyset batches: closed, unranked, no move, no gems."""
    closed = 0
    m = table(LeagueMembership)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {m} SET closed_at = %(now)s, rank = NULL, move = 0, gems = 0, "  # noqa: S608
                f"division_after = COALESCE(division, (SELECT p.division_after FROM {m} p "
                f"WHERE p.user_id = {m}.user_id AND p.week_start < %(week)s AND p.closed_at IS NOT NULL "
                f"ORDER BY p.week_start DESC LIMIT 1), {BRONZE}) "
                f"WHERE id IN (SELECT id FROM {m} WHERE week_start = %(week)s AND cohort_id IS NULL "
                "AND closed_at IS NULL ORDER BY id LIMIT %(limit)s)",
                {
                    "now": db_datetime(connection, now),
                    "week": connection.ops.adapt_datefield_value(week),
                    "limit": batch_size,
                },
            )
            done = cursor.rowcount
        if done <= 0:
            return closed
        closed += done


def _seat_pending(*, using: str, week: date, now: datetime) -> int:
    """Seat the learners of ``week`` who joined while the week before was still open (no division yet),
    in join order, each in its own transaction holding their wallet lock."""
    seated = 0
    pending = (
        LeagueMembership.objects.using(using)
        .filter(week_start=week, division__isnull=True)
        .order_by("joined_at", "id")
        .values_list("id", "user_id")
    )
    for row_id, user_id in list(pending):
        with transaction.atomic(using=using):
            Wallet.objects.using(using).select_for_update(no_key=True).filter(user_id=user_id).first()
            row = (
                LeagueMembership.objects.using(using)
                .select_for_update(no_key=True)
                .filter(pk=row_id, division__isnull=True, closed_at__isnull=True)
                .select_related("user")
                .first()
            )
            if row is None:
                continue
            division, final = standing(user_id=user_id, before=week)
            if not final or division is None:
                continue
            row.division = division
            if not row.user.hide_from_leaderboards:
                row.cohort_id, row.seat = take_seat(week=week, division=division, now=now)
            row.save(update_fields=["division", "cohort", "seat"], using=using)
            seated += 1
    return seated
