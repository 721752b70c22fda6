"""Read-only admin of the tutor chats: staff with the view permission read them; nobody edits or
adds a message here (a learner's chats go with their account, ``erase_user``). Both lists say
whether the tutor is available, and why not."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy

from .models import TutorMessage, TutorSession
from .services import tutor_available

NOT_AVAILABLE = gettext_lazy(
    "The tutor is not available: no language model is configured, so learners do not see the "
    "“Ask the tutor” buttons and the chat pages say the tutor is not available. Set LLM_BASE_URL "
    "and LLM_MODEL (and LLM_API_KEY if the server needs one) to turn it on; see docs/llm.md."
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not tutor_available():
            self.message_user(request, NOT_AVAILABLE, level=messages.WARNING)
        return super().changelist_view(request, extra_context)


class TutorMessageInline(admin.TabularInline):
    model = TutorMessage
    readonly_fields = (
        "ordinal",
        "sender",
        "status",
        "content",
        "error",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "created_at",
    )
    fields = readonly_fields
    ordering = ["ordinal"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TutorSession)
class TutorSessionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "user", "lesson", "created_at", "updated_at"]
    list_select_related = ["user", "lesson"]
    list_filter = ["lesson__unit__section__course"]
    search_fields = ["user__email", "lesson__slug", "lesson__title"]
    date_hierarchy = "created_at"
    readonly_fields = (
        "user",
        "lesson",
        "run",
        "exercise",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [TutorMessageInline]


@admin.register(TutorMessage)
class TutorMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "session",
        "ordinal",
        "sender",
        "status",
        "error_code",
        "prompt_tokens",
        "completion_tokens",
        "created_at",
    ]
    list_select_related = ["session__lesson", "session__user"]
    list_filter = ["sender", "status", "error_code", "model"]
    search_fields = ["user__email", "content"]
    date_hierarchy = "created_at"
    readonly_fields = (
        "session",
        "user",
        "ordinal",
        "sender",
        "status",
        "content",
        "error",
        "error_code",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "created_at",
        "completed_at",
    )
    fields = readonly_fields
