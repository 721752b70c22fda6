"""The usage ledger's writes and reads: what a call spent, and the month's total for the cost cap."""

from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from core.llm.models import LLMCall


def month_start(now: datetime) -> datetime:
    """The first instant of ``now``'s calendar month, in UTC (the cap is counted per UTC month)."""
    utc = now.astimezone(UTC)
    return utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def spent_this_month(*, now: datetime | None = None) -> Decimal:
    now = now or timezone.now()
    total = LLMCall.objects.filter(created_at__gte=month_start(now)).aggregate(total=Sum("cost"))["total"]
    return total or Decimal(0)


def record_call(
    *,
    feature: str,
    model: str,
    ok: bool,
    response_id: str,
    prompt_tokens: int,
    completion_tokens: int,
    cost: Decimal,
    duration_ms: int,
    now: datetime | None = None,
) -> None:
    """One ledger row. Callers make provider calls outside their own transactions (no transaction is held
    open across an HTTP call), so the row is committed on its own and counts even when their work fails."""
    LLMCall.objects.create(
        created_at=now or timezone.now(),
        feature=feature[:40],
        model=model[:200],
        ok=ok,
        response_id=response_id[:200],
        prompt_tokens=max(prompt_tokens, 0),
        completion_tokens=max(completion_tokens, 0),
        cost=max(cost, Decimal(0)),
        duration_ms=max(duration_ms, 0),
    )
