"""Read-only admin for the jobs' records: JobRun and the daily metric rollups."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from .models import CourseDailyMetric, ExerciseDailyMetric, JobRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the jobs only: staff can read and filter them, nobody edits them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "started_at", "duration", "as_of", "outcome", "rows_changed", "dry_run", "triggered_by"]
    list_filter = ["job", "outcome", "dry_run", "triggered_by"]
    date_hierarchy = "started_at"
    search_fields = ["detail"]
    fields = [
        "job",
        "outcome",
        "rows_changed",
        "dry_run",
        "triggered_by",
        "as_of",
        "started_at",
        "finished_at",
        "duration",
        "detail",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("duration"))
    def duration(self, obj: JobRun) -> str:
        if obj.finished_at is None:
            return "—"
        return f"{(obj.finished_at - obj.started_at).total_seconds():.1f} s"


@admin.register(CourseDailyMetric)
class CourseDailyMetricAdmin(ReadOnlyAdmin):
    list_display = [
        "day",
        "course",
        "active_learners",
        "runs_started",
        "runs_passed",
        "xp_earned",
        "answers",
        "correct_answers",
        "accuracy_pct",
    ]
    list_filter = ["course"]
    date_hierarchy = "day"
    list_select_related = ["course"]

    @admin.display(description=gettext_lazy("accuracy"))
    def accuracy_pct(self, obj: CourseDailyMetric) -> str:
        return _pct(obj.accuracy)


@admin.register(ExerciseDailyMetric)
class ExerciseDailyMetricAdmin(ReadOnlyAdmin):
    list_display = ["day", "exercise", "attempts", "errors", "error_rate_pct"]
    list_filter = ["exercise__course"]
    date_hierarchy = "day"
    search_fields = ["exercise__slug"]
    list_select_related = ["exercise"]

    @admin.display(description=gettext_lazy("error rate"))
    def error_rate_pct(self, obj: ExerciseDailyMetric) -> str:
        return _pct(obj.error_rate)
