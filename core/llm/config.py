"""The provider's settings, read from Django settings (``config/settings.py`` reads the environment)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class LLMSettings:
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    timeout: float = 60.0
    max_retries: int = 2
    max_retry_wait: float = 30.0
    monthly_cost_cap: Decimal | None = None
    price_prompt_per_million: Decimal = Decimal(0)
    price_completion_per_million: Decimal = Decimal(0)

    @property
    def configured(self) -> bool:
        return bool(self.base_url.strip() and self.model.strip())

    def cost(self, prompt_tokens: int, completion_tokens: int) -> Decimal:
        """The estimated cost of a call, from the configured prices per million tokens."""
        total = prompt_tokens * self.price_prompt_per_million + completion_tokens * self.price_completion_per_million
        return (total / Decimal(1_000_000)).quantize(Decimal("0.000001"))

    @classmethod
    def from_django(cls) -> "LLMSettings":
        cap = getattr(settings, "LLM_MONTHLY_COST_CAP", None)
        return cls(
            base_url=str(getattr(settings, "LLM_BASE_URL", "") or "").rstrip("/"),
            model=str(getattr(settings, "LLM_MODEL", "") or ""),
            api_key=str(getattr(settings, "LLM_API_KEY", "") or ""),
            timeout=float(getattr(settings, "LLM_TIMEOUT", 60.0)),
            max_retries=int(getattr(settings, "LLM_MAX_RETRIES", 2)),
            max_retry_wait=float(getattr(settings, "LLM_MAX_RETRY_WAIT", 30.0)),
            monthly_cost_cap=None if cap in (None, "") else Decimal(str(cap)),
            price_prompt_per_million=Decimal(str(getattr(settings, "LLM_PRICE_PROMPT_PER_MILLION", 0))),
            price_completion_per_million=Decimal(str(getattr(settings, "LLM_PRICE_COMPLETION_PER_MILLION", 0))),
        )


def is_configured() -> bool:
    """Whether a provider is configured: features built on the model are hidden when it is not."""
    return LLMSettings.from_django().configured
