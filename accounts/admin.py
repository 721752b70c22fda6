"""Admin for users: e-mail based (no username/first/last name), searchable, filterable by role.

Superusers and staff whose role is *admin* manage users; moderators see them read-only (learner
support); other staff (e.g. content editors) do not see this page unless someone gave them the user
permissions explicitly.
"""

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import admin_audit  # noqa: F401 — the audit trail (read-only)
from .models import ActivityEvent, User
from .staff import is_account_admin, is_moderator


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "display_name")


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "display_name", "role", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("role", "is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "display_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "avatar", "time_zone", "locale", "native_language", "daily_xp_goal")}),
        (
            "Settings",
            {
                "fields": (
                    "theme",
                    "sound_effects",
                    "audio_quality",
                    "notify_streak_reminders",
                    "notify_reengagement",
                    "streak_reminder_hour",
                )
            },
        ),
        (
            "Role and permissions",
            {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "usable_password", "password1", "password2")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser hands out superuser status or raw permissions.
            fields += ["is_superuser", "user_permissions"]
        return fields

    # Moderators look learners up (learner support), read-only; account admins manage them.
    def has_module_permission(self, request):
        return is_moderator(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_moderator(request.user) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_account_admin(request.user) or super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return is_account_admin(request.user) or super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return is_account_admin(request.user) or super().has_delete_permission(request, obj)


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    """The learners' activity log, read-only: only the services write it (docs/accounts.md)."""

    list_display = ("created_at", "user", "kind", "ip", "user_agent")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("user__email", "user__display_name", "=ip")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = ("user", "kind", "created_at", "payload", "ip", "user_agent")
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return is_moderator(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        # Account admins and moderators (learner support), or anyone given the view permission.
        return is_moderator(request.user) or super().has_view_permission(request, obj)
