"""The geometry of a sprint's burndown and a committee's velocity, drawn by the templates as
inline SVG with a table beside it (as `figures.py` does for the 0-10 results).

Nothing is computed here but positions: the figures are the ones handed in (a sprint's
`sprint_burndown` or its frozen report's `burndown`, `committee_velocity`), so a chart and its
table always say the same, and tests can check both against the log.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from babel.dates import format_skeleton

# The SVG's own coordinate system; CSS scales the drawing to the space it gets.
WIDTH = 480
HEIGHT = 260
LEFT = 48  # room for the remaining-work labels
RIGHT = 32  # room for the last date's label
TOP = 18
BOTTOM = 52  # room for the dates and the axis title
MAX_X_TICKS = 5
BAR_SHARE = 0.6  # of each sprint's slot; the rest is the gap
MAX_BAR = 72  # a bar's widest, so one or two sprints do not look like a wall
LABEL_CHARS = 12  # a sprint's name under its bar, shortened (the table has it whole)
NAMED_BARS = 6  # more sprints than this: bars are numbered, the table names them


def short_date(iso: str, locale: str) -> str:
    """ "2. nov." in Danish, "Nov 2" in English: a chart's axis has little room."""
    return format_skeleton("MMMd", datetime.date.fromisoformat(iso), locale=locale)


@dataclass(frozen=True)
class Point:
    day: str  # ISO date
    remaining: int
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    at: float  # x for a date, y for a value
    label: str


@dataclass(frozen=True)
class BurndownChart:
    """The remaining work at the end of each day (`points`) on an axis from the first start to
    the planned end, or to the last figure if that is later; `ideal` runs from the first day's
    figure to nothing left at the planned end (the plan, drawn dashed: not a figure)."""

    points: tuple[Point, ...]
    ideal: tuple[float, float, float, float] | None  # x1, y1, x2, y2
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    top_value: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def date_y(self) -> int:
        return self.baseline + 20

    @property
    def axis_y(self) -> int:
        return self.height - 8

    @property
    def last(self) -> Point:
        return self.points[-1]


def _x_positions(count: int) -> list[float]:
    if count == 1:
        return [round((LEFT + WIDTH - RIGHT) / 2, 1)]
    span = WIDTH - RIGHT - LEFT
    return [round(LEFT + span * i / (count - 1), 1) for i in range(count)]


def _y(value: int, top_value: int) -> float:
    plot = HEIGHT - BOTTOM - TOP
    return round(TOP + plot * (1 - value / top_value), 1)


def _tick_indices(count: int) -> list[int]:
    """Days to label: evenly spaced (every `step` days), the first and the last always, and at
    most MAX_X_TICKS, so the labels never run into each other."""
    if count <= MAX_X_TICKS:
        return list(range(count))
    step = -(-(count - 1) // (MAX_X_TICKS - 1))  # ceiling
    out = list(range(0, count, step))
    if out[-1] != count - 1:
        if (count - 1) - out[-1] <= step / 2:
            out[-1] = count - 1  # too close to the last: the last instead
        else:
            out.append(count - 1)
    return out


def burndown_chart(
    figures: Sequence[Sequence[object]], end: str, locale: str
) -> BurndownChart | None:
    """`figures`: [(ISO date, remaining)] for consecutive days, as `burndown.days` makes them
    (a frozen report's JSON lists work too); `end`: the sprint's planned last day. None when
    there is nothing to draw (the sprint never started)."""
    rows = [(str(day), int(str(remaining))) for day, remaining in figures]
    if not rows:
        return None
    first = datetime.date.fromisoformat(rows[0][0])
    last = max(datetime.date.fromisoformat(rows[-1][0]), datetime.date.fromisoformat(end))
    count = (last - first).days + 1
    xs = _x_positions(count)
    top_value = max(max(r for _, r in rows), 1)
    points = tuple(
        Point(day, remaining, xs[i], _y(remaining, top_value))
        for i, (day, remaining) in enumerate(rows)
    )
    end_index = (datetime.date.fromisoformat(end) - first).days
    ideal = None
    if end_index > 0:
        ideal = (xs[0], _y(rows[0][1], top_value), xs[end_index], _y(0, top_value))
    x_ticks = tuple(
        Tick(xs[i], short_date((first + datetime.timedelta(days=i)).isoformat(), locale))
        for i in _tick_indices(count)
    )
    values = sorted({0, top_value // 2, top_value}) if top_value > 1 else [0, 1]
    y_ticks = tuple(Tick(_y(v, top_value), str(v)) for v in values)
    return BurndownChart(points, ideal, x_ticks, y_ticks, top_value)


@dataclass(frozen=True)
class Bar:
    sprint_id: str
    name: str
    label: str  # the name shortened to fit under the bar
    done: int
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class VelocityChart:
    """The work done in each closed sprint, in the sprints' order."""

    bars: tuple[Bar, ...]
    mean: float  # the average done per sprint: what a group can plan for next
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM

    @property
    def label_y(self) -> int:
        return self.baseline + 20

    @property
    def axis_y(self) -> int:
        return self.height - 8


def _label(name: str, number: int, count: int) -> str:
    if count > NAMED_BARS:
        return str(number)
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


def velocity_chart(velocity: Sequence[tuple[str, str, int]]) -> VelocityChart | None:
    """`velocity`: (sprint id, name, done) per closed sprint, as `committee_velocity` gives
    it. None before the first sprint closes."""
    if not velocity:
        return None
    slot = (WIDTH - RIGHT - LEFT) / len(velocity)
    width = round(min(slot * BAR_SHARE, MAX_BAR), 1)
    tallest = max(max(done for _, _, done in velocity), 1)
    plot = HEIGHT - BOTTOM - TOP
    bars = []
    for i, (sprint_id, name, done) in enumerate(velocity):
        h = round(plot * done / tallest, 1)
        x = round(LEFT + slot * i + (slot - width) / 2, 1)
        label = _label(name, i + 1, len(velocity))
        bars.append(Bar(sprint_id, name, label, done, x, round(HEIGHT - BOTTOM - h, 1), width, h))
    mean = sum(done for _, _, done in velocity) / len(velocity)
    return VelocityChart(tuple(bars), mean)
