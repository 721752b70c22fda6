"""Server-rendered SVG chart geometry for the profile page (no JavaScript, no chart library)."""

from dataclasses import dataclass
from datetime import date

WIDTH = 420
HEIGHT = 180
TOP = 18  # room for the value labels above the bars
BOTTOM = 22  # room for the day labels below the axis
LEFT = 6
GAP = 8


@dataclass(frozen=True)
class Bar:
    day: date
    xp: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    is_today: bool


@dataclass(frozen=True)
class XpChart:
    bars: list[Bar]
    width: int
    height: int
    axis_y: float
    goal: int
    goal_y: float | None
    total: int
    best: int


def xp_chart(days: list[tuple[date, int]], *, goal: int, today: date) -> XpChart:
    """Bars for ``days`` (oldest first), scaled so the tallest bar or the daily goal fills the plot."""
    plot_height = HEIGHT - TOP - BOTTOM
    axis_y = HEIGHT - BOTTOM
    top_value = max([xp for _, xp in days] + [goal, 1])
    slot = (WIDTH - 2 * LEFT) / max(len(days), 1)
    bar_width = max(slot - GAP, 2)
    bars = []
    for i, (day, xp) in enumerate(days):
        height = round(plot_height * xp / top_value, 1)
        x = round(LEFT + i * slot + GAP / 2, 1)
        bars.append(
            Bar(
                day=day,
                xp=xp,
                x=x,
                y=round(axis_y - height, 1),
                width=round(bar_width, 1),
                height=height,
                label_x=round(x + bar_width / 2, 1),
                is_today=day == today,
            )
        )
    goal_y = round(axis_y - plot_height * goal / top_value, 1) if goal else None
    return XpChart(
        bars=bars,
        width=WIDTH,
        height=HEIGHT,
        axis_y=axis_y,
        goal=goal,
        goal_y=goal_y,
        total=sum(xp for _, xp in days),
        best=max([xp for _, xp in days] + [0]),
    )


RING_RADIUS = 26
RING_CIRCUMFERENCE = 2 * 3.141592653589793 * RING_RADIUS


@dataclass(frozen=True)
class GoalRing:
    """The daily-goal ring of the end screen and the profile: ``dash`` of the circle's
    ``circumference`` is drawn (an SVG ``stroke-dasharray`` attribute, so no inline style)."""

    xp: int
    goal: int
    met: bool
    percent: int  # of the goal, 0..100
    dash: float
    circumference: float
    radius: int = RING_RADIUS


def goal_ring(*, xp: int, goal: int, met: bool) -> GoalRing:
    """The ring for ``xp`` of ``goal`` today; full once met (a goal met stays met)."""
    percent = 100 if met or xp >= goal else min(100, xp * 100 // goal) if goal > 0 else 100
    return GoalRing(
        xp=xp,
        goal=goal,
        met=met or xp >= goal,
        percent=percent,
        dash=round(RING_CIRCUMFERENCE * percent / 100, 2),
        circumference=round(RING_CIRCUMFERENCE, 2),
    )
