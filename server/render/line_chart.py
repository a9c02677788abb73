"""The geometry of a line chart over meetings, drawn by the templates as inline SVG with a table
beside it (as `figures.py` does for the 0-10 histogram): x = the meetings in order, y = 0..10.

Each line (all voters, then each group whose figures are shown) has its own colour *and* its
own point shape and dash pattern, so the lines can be told apart without seeing colour, in
black-and-white print too; every point carries its value as a label. Nothing is computed here
but positions and the labels' text: the values are the ones handed in, so a chart and its table
always say the same. No chart library, nothing computed in the browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.render.backlog_charts import short_date
from server.render.figures import one_decimal

# The SVG's own coordinate system; CSS scales the drawing to the space it gets.
WIDTH = 560
HEIGHT = 300
LEFT = 40  # room for the values 0-10
RIGHT = 12
TOP = 14
BOTTOM = 58  # room for the meetings' numbers and dates, and the axis title
LOWEST, HIGHEST = 0, 10
Y_STEP = 2  # a grid line every 2
MARK = 5.5  # a point mark's half size
LABEL_GAP = 9  # from a point to its label
LINE_HEIGHT = 15  # labels at one meeting are kept this far apart
LABEL_CHAR = 7.5  # a label's width per character (12px bold digits), for its backing box
DODGE = 4  # lines are set this far apart sideways, so equal values at a meeting both show
DATED_MEETINGS = 8  # more meetings than this: numbers only under the axis (the table dates them)

SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "plus")
# Each at least 5.9:1 against white, so the value labels in the line's colour pass AA as text.
COLOURS = ("#1a1a1a", "#0b5394", "#a14a00", "#1b6e3a", "#7a2e8e", "#b3261e", "#005f73")
DASHES = ("", "8 4", "3 3", "10 4 3 4", "14 5", "2 5")
WIDTHS = (3.0, 2.5)  # all voters, a group


def marker(shape: str, x: float, y: float, r: float = MARK) -> str:
    """An SVG path for a point mark of `shape` centred on (x, y)."""

    def f(v: float) -> str:
        return f"{round(v, 1):g}"

    if shape == "circle":
        return f"M{f(x - r)},{f(y)}a{f(r)},{f(r)} 0 1,0 {f(2 * r)},0a{f(r)},{f(r)} 0 1,0 {f(-2 * r)},0Z"
    if shape == "square":
        s = r * 0.9
        return f"M{f(x - s)},{f(y - s)}H{f(x + s)}V{f(y + s)}H{f(x - s)}Z"
    if shape == "triangle":
        return f"M{f(x)},{f(y - r * 1.25)}L{f(x + r * 1.15)},{f(y + r * 0.85)}H{f(x - r * 1.15)}Z"
    if shape == "triangle-down":
        return f"M{f(x)},{f(y + r * 1.25)}L{f(x + r * 1.15)},{f(y - r * 0.85)}H{f(x - r * 1.15)}Z"
    if shape == "diamond":
        d = r * 1.3
        return f"M{f(x)},{f(y - d)}L{f(x + d)},{f(y)}L{f(x)},{f(y + d)}L{f(x - d)},{f(y)}Z"
    w, d = r * 0.4, r * 1.2  # a plus
    return (
        f"M{f(x - w)},{f(y - d)}H{f(x + w)}V{f(y - w)}H{f(x + d)}V{f(y + w)}H{f(x + w)}"
        f"V{f(y + d)}H{f(x - w)}V{f(y + w)}H{f(x - d)}V{f(y - w)}H{f(x - w)}Z"
    )


@dataclass(frozen=True)
class Style:
    colour: str
    shape: str
    dash: str  # "" for a solid line
    width: float

    @property
    def legend_mark(self) -> str:
        """The point mark for a legend swatch 36 × 16."""
        return marker(self.shape, 18, 8, 5)


def style(index: int) -> Style:
    """Line `index` (0: all voters): colours and shapes cycle out of step, so two lines share
    neither before 6 × 7 lines."""
    return Style(
        colour=COLOURS[index % len(COLOURS)],
        shape=SHAPES[(index + index // len(SHAPES)) % len(SHAPES)],
        dash=DASHES[index % len(DASHES)],
        width=WIDTHS[0] if index == 0 else WIDTHS[1],
    )


@dataclass(frozen=True)
class Mark:
    at: int  # the meeting's place on the x axis (0-based)
    value: float
    x: float
    y: float
    path: str
    label: str  # the value as the viewer reads it ("7,3")
    label_x: float
    label_y: float  # the text's baseline
    label_anchor: str  # "start" (right of the point) or "end" (left of it, at the right edge)
    # A white box behind the label, so a line passing under it does not cross the digits:
    box_x: float
    box_y: float
    box_width: float
    box_height: float


@dataclass(frozen=True)
class Line:
    name: str | None  # None: all voters
    style: Style
    marks: tuple[Mark, ...]
    # Runs of points at consecutive meetings: a meeting without a figure breaks the line, so no
    # line suggests a figure that is not there.
    runs: tuple[str, ...]  # SVG polyline points, one string per run of two points or more


@dataclass(frozen=True)
class XTick:
    x: float
    number: int  # 1-based, as the table numbers the meetings
    date: str  # "" when there is no room for dates


@dataclass(frozen=True)
class YTick:
    y: float
    value: int


@dataclass(frozen=True)
class LineChart:
    lines: tuple[Line, ...]
    x_ticks: tuple[XTick, ...]
    y_ticks: tuple[YTick, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM

    @property
    def number_y(self) -> int:
        return self.baseline + 18

    @property
    def date_y(self) -> int:
        return self.baseline + 33

    @property
    def axis_y(self) -> int:
        return self.height - 6


def _y(value: float) -> float:
    plot = HEIGHT - BOTTOM - TOP
    return round(TOP + plot * (1 - (value - LOWEST) / (HIGHEST - LOWEST)), 1)


def _x(i: int, count: int) -> float:
    slot = (WIDTH - RIGHT - LEFT) / count
    return round(LEFT + slot * (i + 0.5), 1)


def _date(iso: str, locale: str) -> str:
    try:
        return short_date(iso, locale)
    except ValueError:  # a date as typed that is no ISO date: as it is
        return iso


def _label_ys(ys: list[float]) -> list[float]:
    """Baselines for labels beside points at one meeting (y of each point, in any order): as
    near their points as they can be without running into each other or off the plot."""
    order = sorted(range(len(ys)), key=lambda i: (ys[i], i))
    out = [0.0] * len(ys)
    last = None
    for i in order:
        want = ys[i] + 4  # the text's middle on the point
        y = want if last is None else max(want, last + LINE_HEIGHT)
        out[i] = y
        last = y
    overflow = (max(out, default=0) if out else 0) - (HEIGHT - BOTTOM - 2)
    if overflow > 0:
        out = [round(y - overflow, 1) for y in out]
    return [round(y, 1) for y in out]


def _mark(
    at: int, value: float, x: float, side: float, st: Style, label_y: float, locale: str
) -> Mark:
    """A point at `x`; its label beside the meeting's outermost point (`side` away from `x`
    to the right), so no label covers another line's mark at the same meeting."""
    label = one_decimal(value, locale)
    width = round(len(label) * LABEL_CHAR + 4, 1)
    right = x + side + LABEL_GAP + width <= WIDTH - 2
    label_x = round(x + side + LABEL_GAP if right else x - side - LABEL_GAP, 1)
    return Mark(
        at=at,
        value=value,
        x=x,
        y=_y(value),
        path=marker(st.shape, x, _y(value)),
        label=label,
        label_x=label_x,
        label_y=label_y,
        label_anchor="start" if right else "end",
        box_x=round(label_x - 2 if right else label_x - width + 2, 1),
        box_y=round(label_y - 11.5, 1),
        box_width=width,
        box_height=LINE_HEIGHT - 1,
    )


def line_chart(
    meetings: Sequence[str],
    series: Sequence[tuple[str | None, Sequence[float | None]]],
    locale: str,
) -> LineChart:
    """`meetings`: each meeting's ISO date, in order; `series`: (name, the value at each
    meeting or None) per line, all voters first. Values are on the 0-10 scale."""
    count = max(len(meetings), 1)
    xs = [_x(i, count) for i in range(count)]
    styles = [style(i) for i in range(len(series))]
    points: list[list[tuple[int, float]]] = [
        [(i, float(v)) for i, v in enumerate(values) if v is not None] for _, values in series
    ]
    labels: dict[tuple[int, int], float] = {}  # (line, meeting) -> label baseline
    for m in range(count):
        here = [(k, v) for k, line in enumerate(points) for i, v in line if i == m]
        for (k, _), y in zip(here, _label_ys([_y(v) for _, v in here]), strict=True):
            labels[(k, m)] = y
    lines = []
    for k, ((name, _), st, line) in enumerate(zip(series, styles, points, strict=True)):
        spread = (len(series) - 1) / 2 * DODGE  # the outermost line's distance sideways
        shift = k * DODGE - spread
        marks = tuple(
            _mark(i, v, round(xs[i] + shift, 1), spread - shift, st, labels[(k, i)], locale)
            for i, v in line
        )
        runs: list[list[Mark]] = []
        for mark in marks:
            if runs and runs[-1][-1].at == mark.at - 1:
                runs[-1].append(mark)
            else:
                runs.append([mark])
        lines.append(
            Line(
                name=name,
                style=st,
                marks=marks,
                runs=tuple(" ".join(f"{m.x},{m.y}" for m in run) for run in runs if len(run) > 1),
            )
        )
    dated = len(meetings) <= DATED_MEETINGS
    x_ticks = tuple(
        XTick(xs[i], i + 1, _date(day, locale) if dated else "") for i, day in enumerate(meetings)
    )
    y_ticks = tuple(YTick(_y(v), v) for v in range(LOWEST, HIGHEST + 1, Y_STEP))
    return LineChart(tuple(lines), x_ticks, y_ticks)
