"""Admin: bubbles (with promotion into a course as a draft lesson) and generation records, filterable by
status, model and cost, with totals per day. Without a language model the pages say so."""

from decimal import Decimal

from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ServiceError
from core.llm.config import is_configured

from . import services
from .models import Bubble, GenerationRecord

NOT_CONFIGURED = gettext_lazy(
    "No language model is configured, so learners do not see Bubbles and nothing is generated. "
    "Set LLM_BASE_URL and LLM_MODEL (docs/llm.md)."
)


def _warn_if_not_configured(request) -> None:
    if not is_configured():
        messages.warning(request, NOT_CONFIGURED)


@admin.register(Bubble)
class BubbleAdmin(admin.ModelAdmin):
    list_display = ["topic", "user", "course", "level", "status", "created_at"]
    list_filter = ["status", "level", "course"]
    search_fields = ["topic", "user__email"]
    readonly_fields = [f.name for f in Bubble._meta.fields]
    actions = ["promote"]

    def has_add_permission(self, request) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        _warn_if_not_configured(request)
        return super().changelist_view(request, extra_context)

    @admin.action(description=gettext_lazy("Promote into the course as a draft lesson (unpublished)"))
    def promote(self, request, queryset) -> None:
        for bubble in queryset:
            try:
                lesson = services.promote_bubble(bubble=bubble)
            except ServiceError as exc:
                self.message_user(
                    request, _("%(bubble)s: %(error)s") % {"bubble": bubble, "error": exc}, messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("%(bubble)s: draft lesson %(slug)s created in %(unit)s.")
                    % {"bubble": bubble, "slug": lesson.slug, "unit": lesson.unit},
                )


class CostFilter(admin.SimpleListFilter):
    title = "cost"
    parameter_name = "cost"

    def lookups(self, request, model_admin):
        return [("0", "free"), ("low", "under 0.01"), ("high", "0.01 or more")]

    def queryset(self, request, queryset):
        if self.value() == "0":
            return queryset.filter(cost=0)
        if self.value() == "low":
            return queryset.filter(cost__gt=0, cost__lt=Decimal("0.01"))
        if self.value() == "high":
            return queryset.filter(cost__gte=Decimal("0.01"))
        return queryset


@admin.register(GenerationRecord)
class GenerationRecordAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "bubble",
        "phase",
        "status",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "duration_ms",
    ]
    list_filter = ["status", "phase", "model", CostFilter]
    search_fields = ["response_id", "bubble__topic", "error"]
    readonly_fields = [f.name for f in GenerationRecord._meta.fields]
    date_hierarchy = "started_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        _warn_if_not_configured(request)
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            response.context_data["totals_per_day"] = list(
                cl.queryset.order_by()
                .annotate(day=TruncDate("started_at"))
                .values("day")
                .annotate(
                    records=Count("id"),
                    prompt=Sum("prompt_tokens"),
                    completion=Sum("completion_tokens"),
                    cost=Sum("cost"),
                )
                .order_by("-day")[:31]
            )
        return response

    change_list_template = "admin/bubbles/generationrecord/change_list.html"
