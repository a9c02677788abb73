"""How result figures are shown: numbers in the viewer's language, and the geometry of the
histogram the templates draw as inline SVG (no chart library, nothing computed in the browser)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

# The SVG's own coordinate system; CSS scales the drawing to the space it gets.
WIDTH = 480
HEIGHT = 240
TOP = 30  # room for the count above the tallest bar
BOTTOM = 56  # room for the values 0-10 and the axis title
SIDE = 14
BAR_SHARE = 0.74  # of each value's slot; the rest is the gap


def one_decimal(value: float | None, locale: str) -> str:
    """7.25 -> "7,3" in Danish, "7.3" in English (halves round up, as people expect); None -> "–"."""
    if value is None:
        return "–"
    rounded = Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format_decimal(rounded, format="#,##0.0", locale=locale)


@dataclass(frozen=True)
class Bar:
    value: int
    count: int
    x: float  # left edge
    y: float  # top edge
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - BOTTOM
    left: int = SIDE
    right: int = WIDTH - SIDE

    @property
    def value_y(self) -> int:
        return self.baseline + 22

    @property
    def axis_y(self) -> int:
        return self.height - 8


def chart(histogram: tuple[int, ...]) -> Chart:
    """Bars for the values 0..10, scaled so the tallest fills the plot."""
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - 2 * SIDE) / len(histogram)
    width = round(slot * BAR_SHARE, 1)
    tallest = max(max(histogram, default=0), 1)
    bars = []
    for value, count in enumerate(histogram):
        h = round(plot * count / tallest, 1)
        x = round(SIDE + slot * value + (slot - width) / 2, 1)
        bars.append(Bar(value, count, x, round(HEIGHT - BOTTOM - h, 1), width, h))
    return Chart(tuple(bars))
