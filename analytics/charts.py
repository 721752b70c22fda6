"""Small SVG charts drawn on the server (no JavaScript, no chart library): the geometry here, the
markup in ``templates/admin/analytics/page.html``. Each chart has a title and a description for
screen readers, and its figures are also in the page's tables.

Every text a chart carries (legend, tooltips, axis dates, the description read to screen readers) is
written in the active language when the chart is built, dates and numbers in its formats
(docs/i18n.md): build charts inside the request, never at import time.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext

from .selectors import DayPoint, Row
from .tables import percent

WIDTH = 640
TREND_HEIGHT = 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 14, 28
BAR_ROW = 22
LABEL_WIDTH = 170


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    points: str  # "x,y x,y …" for <polyline>
    dots: list[tuple[float, float, str]]  # x, y, tooltip


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    series: list[Series]
    y_max: int
    axis: dict  # x0, x1, y0 (the baseline), y1 (the top)
    x_labels: list[tuple[float, str, str]]  # x, text, text-anchor
    description: str


def trend_chart(points: list[DayPoint]) -> TrendChart | None:
    """Lesson runs started and passed per day. None when the period has no run at all."""
    if not points or not any(p.started or p.passed for p in points):
        return None
    y_max = max(max(p.started, p.passed) for p in points)
    x0, x1 = PAD_LEFT, WIDTH - PAD_RIGHT
    y0, y1 = TREND_HEIGHT - PAD_BOTTOM, PAD_TOP
    step = (x1 - x0) / max(len(points) - 1, 1)

    def xy(i: int, value: int) -> tuple[float, float]:
        return round(x0 + i * step, 1), round(y0 - (y0 - y1) * value / y_max, 1)

    series = []
    for name, css, attr in (
        (gettext("Runs started"), "started", "started"),
        (gettext("Runs passed"), "passed", "passed"),
    ):
        coords = [xy(i, getattr(p, attr)) for i, p in enumerate(points)]
        series.append(
            Series(
                name=name,
                css_class=css,
                points=" ".join(f"{x},{y}" for x, y in coords),
                dots=[
                    (x, y, _tooltip(p.day, attr, getattr(p, attr))) for (x, y), p in zip(coords, points, strict=True)
                ],
            )
        )
    picks = sorted({0, len(points) // 2, len(points) - 1})
    last = len(points) - 1
    x_labels = [
        (xy(i, 0)[0], _short_day(points[i].day), "start" if i == 0 else "end" if i == last else "middle") for i in picks
    ]
    started, passed = sum(p.started for p in points), sum(p.passed for p in points)
    busiest = max(points, key=lambda p: p.started)
    description = ngettext(
        "From %(first)s to %(last)s: %(started)s run started and %(passed)s passed; the busiest day was "
        "%(busiest)s with %(busiest_started)s started.",
        "From %(first)s to %(last)s: %(started)s runs started and %(passed)s passed; the busiest day was "
        "%(busiest)s with %(busiest_started)s started.",
        started,
    ) % {
        "first": date_format(points[0].day, "DATE_FORMAT"),
        "last": date_format(points[-1].day, "DATE_FORMAT"),
        "started": number_format(started),
        "passed": number_format(passed),
        "busiest": date_format(busiest.day, "MONTH_DAY_FORMAT"),
        "busiest_started": number_format(busiest.started),
    }
    return TrendChart(
        width=WIDTH,
        height=TREND_HEIGHT,
        series=series,
        y_max=y_max,
        axis={"x0": x0, "x1": x1, "y0": y0, "y1": y1},
        x_labels=x_labels,
        description=description,
    )


def _short_day(day: date) -> str:
    """A day on the axis and in tooltips: day and short month in the active language ("3 Nov"; "3 nov" in Spanish)."""
    # Translators: the format of a short day-and-month date on a chart's axis, in Django's date format
    # characters (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date): "j b" for "3 nov".
    return date_format(day, gettext("j M"))


def _tooltip(day: date, attr: str, count: int) -> str:
    """A point's tooltip: the day and that day's count, as a sentence of the active language."""
    values = {"day": _short_day(day), "count": number_format(count)}
    if attr == "started":
        return ngettext("%(day)s: %(count)s run started", "%(day)s: %(count)s runs started", count) % values
    return ngettext("%(day)s: %(count)s run passed", "%(day)s: %(count)s runs passed", count) % values


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float
    width: float
    low: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    plot_width: int
    bars: list[Bar]
    description: str


def accuracy_chart(rows: list[Row]) -> BarChart | None:
    """First-try accuracy per exercise, one horizontal bar each (exercises not answered are left
    out). None when no exercise was answered."""
    answered = [r for r in rows if r.figures.first_try_accuracy is not None]
    if not answered:
        return None
    plot_width = WIDTH - LABEL_WIDTH - 60
    bars = []
    for i, row in enumerate(answered):
        accuracy = row.figures.first_try_accuracy or 0.0
        bars.append(
            Bar(
                label=row.label,
                value_text=percent(accuracy),
                y=i * BAR_ROW + 4,
                width=round(max(plot_width * accuracy, 1), 1),
                low=accuracy < 0.5,
            )
        )
    lowest = min(answered, key=lambda r: r.figures.first_try_accuracy or 0.0)
    description = ngettext(
        "%(count)s exercise; the lowest first-try accuracy is %(label)s at %(percent)s.",
        "%(count)s exercises; the lowest first-try accuracy is %(label)s at %(percent)s.",
        len(answered),
    ) % {
        "count": number_format(len(answered)),
        "label": lowest.label,
        "percent": percent(lowest.figures.first_try_accuracy or 0.0),
    }
    return BarChart(
        width=WIDTH,
        height=len(answered) * BAR_ROW + 8,
        label_width=LABEL_WIDTH,
        plot_width=plot_width,
        bars=bars,
        description=description,
    )
