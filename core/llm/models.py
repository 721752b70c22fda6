"""The usage ledger: one row per request that reached the provider, for the monthly cost cap.

Every feature that talks to the model (bubbles, the tutor) goes through ``core.llm.client``, which
writes this row itself, so the cap covers them all. It holds no learner data (no user, no text):
only what was spent, when, and for which feature.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class LLMCall(models.Model):
    created_at = models.DateTimeField(_("created at"), db_index=True)
    feature = models.CharField(_("feature"), max_length=40, blank=True, help_text=_("Who asked: bubbles, tutor …"))
    model = models.CharField(_("model"), max_length=200)
    ok = models.BooleanField(_("OK"), default=True, help_text=_("False when the answer was refused or unusable."))
    response_id = models.CharField(_("response ID"), max_length=200, blank=True)
    prompt_tokens = models.PositiveIntegerField(_("prompt tokens"), default=0)
    completion_tokens = models.PositiveIntegerField(_("completion tokens"), default=0)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=6, default=Decimal(0))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("language model call")
        verbose_name_plural = _("language model calls")
        constraints = [models.CheckConstraint(condition=models.Q(cost__gte=0), name="llm_call_cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.feature or '-'} {self.model} {self.cost}"
