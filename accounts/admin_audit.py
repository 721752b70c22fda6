"""The audit trail in admin: read and filter only. Nobody — a superuser neither — adds, changes or deletes
an entry here (docs/operations.md, "Audit trail").

Replaces django-auditlog's own LogEntry admin, which lets a cascade delete entries.
"""

from auditlog.filters import ResourceTypeFilter
from auditlog.mixins import LogEntryAdminMixin
from auditlog.models import LogEntry
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from .staff import is_account_admin


class WhoFilter(admin.SimpleListFilter):
    """Staff users, commands and jobs that wrote entries (``actor_email``)."""

    title = "who"
    parameter_name = "who"

    def lookups(self, request, model_admin):
        names = model_admin.get_queryset(request).order_by("actor_email").values_list("actor_email", flat=True)
        return [(name, name) for name in names.distinct() if name]

    def queryset(self, request, queryset):
        return queryset.filter(actor_email=self.value()) if self.value() else queryset


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(LogEntryAdminMixin, admin.ModelAdmin):
    date_hierarchy = "timestamp"
    list_select_related = ["content_type", "actor"]
    list_display = ["created", "who", "where", "action", "resource_url", "msg_short"]
    list_filter = ["action", ResourceTypeFilter, WhoFilter, "timestamp"]
    search_fields = ["object_repr", "=object_pk", "actor_email", "cid"]
    readonly_fields = ["created", "who", "where", "resource_url", "action", "msg", "cid", "additional_data"]
    fieldsets = [
        (None, {"fields": ["created", "who", "where", "resource_url", "cid"]}),
        ("Changes", {"fields": ["action", "msg", "additional_data"]}),
    ]

    @admin.display(description=gettext_lazy("who"), ordering="actor_email")
    def who(self, obj: LogEntry) -> str:
        return obj.actor_email or ("(deleted user)" if obj.actor_id is None else str(obj.actor))

    @admin.display(description=gettext_lazy("from"))
    def where(self, obj: LogEntry) -> str:
        extra = obj.additional_data if isinstance(obj.additional_data, dict) else {}
        if obj.remote_addr:
            return obj.remote_addr
        return format_html("host {}", extra["host"]) if extra.get("host") else "—"

    # Append-only: no add, change or delete for anyone, superusers included.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # Users' changes hold personal data: account administrators (and whoever holds the view permission).
    def has_view_permission(self, request, obj=None) -> bool:
        return is_account_admin(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request) -> bool:
        return is_account_admin(request.user) or super().has_module_permission(request)
