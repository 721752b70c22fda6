"""Course analytics in admin: Analytics → Course analytics, then a course, a unit, a lesson or an
exercise, over a chosen period, with charts and a CSV download of every table.

Readers need the view permission on the rollup (``analytics.view_lessonday``), which the Content
editor group has; every page here checks it (``_page``), so staff without it get 403.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.models import Course, Exercise, Lesson, Unit

from . import charts, selectors
from .forms import period_from
from .models import LessonDay
from .tables import ANSWER_COLUMNS, EXERCISE_EXTRA, RUN_COLUMNS, Column, Table


@admin.register(LessonDay)
class CourseAnalyticsAdmin(admin.ModelAdmin):
    """Read-only: the rows are written by the nightly rollup only; the "list" is the analytics index."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        def page(view):
            return self.admin_site.admin_view(self._page(view))

        return [
            path("course/<int:pk>/", page(self.course_view), name="analytics_course"),
            path("unit/<int:pk>/", page(self.unit_view), name="analytics_unit"),
            path("lesson/<int:pk>/", page(self.lesson_view), name="analytics_lesson"),
            path("exercise/<int:pk>/", page(self.exercise_view), name="analytics_exercise"),
            *super().get_urls(),
        ]

    def _page(self, view):
        """Every analytics page: 403 without the view permission, then the view."""

        def checked(request: HttpRequest, **kwargs) -> HttpResponse:
            if not self.has_view_permission(request):
                raise PermissionDenied
            return view(request, **kwargs)

        return checked

    # --- pages -------------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form, period = period_from(request.GET)
        report = selectors.courses_report(period=period)
        table = Table("courses", _("Courses"), RUN_COLUMNS + ANSWER_COLUMNS, report.units, first_label=_("Course"))
        return self._render(request, form=form, period=period, report=report, tables=[table], crumbs=[], slug="all")

    def course_view(self, request, pk: int):
        course = get_object_or_404(Course, pk=pk)
        form, period = period_from(request.GET)
        report = selectors.course_report(course=course, period=period)
        tables = self._tree_tables(report, with_units=True)
        crumbs = [(course.title, None)]
        return self._render(
            request, form=form, period=period, report=report, tables=tables, crumbs=crumbs, slug=course.slug
        )

    def unit_view(self, request, pk: int):
        unit = get_object_or_404(Unit.objects.select_related("section__course"), pk=pk)
        course = unit.section.course
        form, period = period_from(request.GET)
        report = selectors.course_report(course=course, period=period, unit=unit)
        tables = self._tree_tables(report, with_units=False)
        crumbs = [(course.title, reverse("admin:analytics_course", args=[course.pk])), (unit.title, None)]
        return self._render(
            request, form=form, period=period, report=report, tables=tables, crumbs=crumbs, slug=unit.slug
        )

    def lesson_view(self, request, pk: int):
        lesson = get_object_or_404(Lesson.objects.select_related("unit__section__course"), pk=pk)
        unit, course = lesson.unit, lesson.unit.section.course
        form, period = period_from(request.GET)
        report = selectors.lesson_report(lesson=lesson, period=period)
        summary = Table("lesson", _("This lesson"), RUN_COLUMNS + ANSWER_COLUMNS, [self._total_row(report, lesson.pk)])
        exercises = Table(
            "exercises",
            _("Exercises, in the lesson's order"),
            ANSWER_COLUMNS + EXERCISE_EXTRA,
            report.exercises,
            first_label=_("Exercise"),
            context_label=_("Position and type"),
        )
        crumbs = [
            (course.title, reverse("admin:analytics_course", args=[course.pk])),
            (unit.title, reverse("admin:analytics_unit", args=[unit.pk])),
            (lesson.title, None),
        ]
        return self._render(
            request,
            form=form,
            period=period,
            report=report,
            tables=[summary, exercises],
            crumbs=crumbs,
            slug=lesson.slug,
            accuracy=charts.accuracy_chart(report.exercises),
        )

    def exercise_view(self, request, pk: int):
        exercise = get_object_or_404(Exercise.objects.select_related("course"), pk=pk)
        form, period = period_from(request.GET)
        report = selectors.exercise_report(exercise=exercise, period=period)
        lessons = Table(
            "lessons",
            _("In each lesson that uses it"),
            ANSWER_COLUMNS + EXERCISE_EXTRA[:1],
            report.lessons,
            _("Lesson"),
        )
        lessons.first_label = _("Lesson")
        wrong_rows = [
            selectors.Row(key=i, label=answer, figures=selectors.Figures(attempts=n))
            for i, (answer, n) in enumerate(report.wrong_answers, start=1)
        ]
        wrong = Table(
            "wrong",
            _("Most common wrong answers (normalised)"),
            [Column("count", _("Wrong answers like it"), lambda r: r.figures.attempts)],
            wrong_rows,
            first_label=_("Wrong answer"),
        )
        crumbs = [
            (exercise.course.title, reverse("admin:analytics_course", args=[exercise.course_id])),
            (exercise.slug, None),
        ]
        return self._render(
            request, form=form, period=period, report=report, tables=[lessons, wrong], crumbs=crumbs, slug=exercise.slug
        )

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _total_row(report: selectors.Report, key: int) -> selectors.Row:
        return selectors.Row(key=key, label=report.title, figures=report.total)

    @staticmethod
    def _tree_tables(report: selectors.Report, *, with_units: bool) -> list[Table]:
        tables = []
        if with_units:
            tables.append(
                Table(
                    "units",
                    _("Units"),
                    RUN_COLUMNS + ANSWER_COLUMNS,
                    report.units,
                    _("Unit"),
                    context_label=_("Section"),
                )
            )
        lessons = Table(
            "lessons", _("Lessons"), RUN_COLUMNS + ANSWER_COLUMNS, report.lessons, _("Lesson"), context_label=_("Unit")
        )
        lessons.notes.append(_("Marked hardest: the lessons of a unit with the highest error rate (see docs)."))
        tables.append(lessons)
        exercises = Table(
            "exercises",
            _("Exercises (highest error rate first)"),
            ANSWER_COLUMNS + EXERCISE_EXTRA[:1],
            report.exercises,
            _("Exercise"),
            context_label=_("Lesson"),
        )
        exercises.sort = "-error_rate"
        tables.append(exercises)
        return tables

    def _render(self, request, *, form, period, report, tables, crumbs, slug, accuracy=None) -> HttpResponse:
        for table in tables:
            table.sorted_by(request.GET.get(f"o_{table.name}") or table.sort)
            table.links(request.GET)
        wanted = request.GET.get("csv")
        if wanted:
            table = next((t for t in tables if t.name == wanted), None)
            if table is None:
                return HttpResponse(_("No such table."), status=404, content_type="text/plain")
            filename = f"analytics-{slugify(slug) or 'all'}-{table.name}-{period.start}-{period.end}.csv"
            return table.csv_response(filename)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Analytics: %(title)s") % {"title": report.title},
            "report": report,
            "summary": [(c.label, c.display(self._total_row(report, 0))) for c in RUN_COLUMNS + ANSWER_COLUMNS],
            "tables": tables,
            "form": form,
            "period": period,
            "crumbs": crumbs,
            "trend": charts.trend_chart(report.trend),
            "accuracy": accuracy,
            "query": request.GET.copy(),
        }
        return TemplateResponse(request, "admin/analytics/page.html", context)
