"""The errors of the model provider client: one hierarchy, each with a clear message.

They are ``ServiceError``s, so a page (``core.pages.service_errors``) or the API
(``core.api.errors``) shows them like any other service error. A caller that records a trace
(a bubble's generation record) reads the usage that was spent before the failure from the
attributes: ``raw`` (the provider's last answer), ``response_id``, the tokens and the ``cost``.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError


class LLMError(ServiceError):
    """The model provider could not give a usable answer."""

    code = "llm_error"
    status = 503
    default_message = _("The language model could not answer.")

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        raw: str = "",
        response_id: str = "",
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        cost: Decimal = Decimal(0),
        attempts: int = 0,
    ):
        super().__init__(message, field=field)
        self.raw = raw
        self.response_id = response_id
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
        self.cost = cost
        self.attempts = attempts


class LLMNotConfigured(LLMError):
    code = "llm_not_configured"
    default_message = _("No language model is configured (set LLM_BASE_URL and LLM_MODEL).")


class LLMTimeout(LLMError):
    code = "llm_timeout"
    status = 504
    default_message = _("The language model did not answer in time.")


class LLMRateLimited(LLMError):
    code = "llm_rate_limited"
    default_message = _("The language model is refusing requests for now (429, rate limited).")


class LLMBadResponse(LLMError):
    code = "llm_bad_response"
    status = 502
    default_message = _("The language model's answer could not be used.")


class LLMCostCapReached(LLMError):
    code = "llm_cost_cap_reached"
    default_message = _("This month's spending cap for the language model is reached.")
