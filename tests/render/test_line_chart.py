"""The committee report's line chart geometry: values on the 0-10 scale where they belong, a
missing figure breaks its line, labels at one meeting never overlap or leave the drawing, and
lines differ in shape and dash as well as colour."""

from __future__ import annotations

import itertools

from server.render.line_chart import (
    HEIGHT,
    LINE_HEIGHT,
    SHAPES,
    WIDTH,
    LineChart,
    line_chart,
    style,
)

DATES = ["2026-10-01", "2026-11-05", "2026-12-15"]


def test_values_sit_on_the_scale_and_labels_read_in_the_viewer_s_language() -> None:
    chart = line_chart(DATES, [(None, [0.0, 10.0, 7.25])], "da")
    [line] = chart.lines
    assert [m.y for m in line.marks] == [chart.baseline, chart.top, line.marks[2].y]
    assert chart.top < line.marks[2].y < chart.baseline
    assert [m.label for m in line.marks] == ["0,0", "10,0", "7,3"]
    assert line_chart(DATES, [(None, [7.25, 1, 2])], "en").lines[0].marks[0].label == "7.3"
    assert [t.value for t in chart.y_ticks] == [0, 2, 4, 6, 8, 10]
    assert [(t.number, t.date) for t in chart.x_ticks] == [
        (1, "1. okt."),
        (2, "5. nov."),
        (3, "15. dec."),
    ]


def test_a_meeting_without_a_figure_breaks_the_line() -> None:
    chart = line_chart([*DATES, "2027-01-10"], [("Politiker", [5.0, None, 6.0, 7.0])], "da")
    [line] = chart.lines
    assert [m.at for m in line.marks] == [0, 2, 3]
    assert len(line.runs) == 1  # 2-3 joined; the point at 0 stands alone
    assert (
        line.runs[0] == f"{line.marks[1].x},{line.marks[1].y} {line.marks[2].x},{line.marks[2].y}"
    )


def labels_apart(chart: LineChart) -> bool:
    for at in range(len(chart.x_ticks)):
        ys = sorted(m.label_y for line in chart.lines for m in line.marks if m.at == at)
        if any(b - a < LINE_HEIGHT for a, b in itertools.pairwise(ys)):
            return False
    return True


def test_labels_of_equal_values_do_not_overlap_and_stay_inside() -> None:
    series = [(None, [6.0, 0.0, 10.0]), ("A", [6.0, 0.0, 10.0]), ("B", [6.1, 0.0, 9.9])]
    chart = line_chart(DATES, series, "da")
    assert labels_apart(chart)
    for m in (m for line in chart.lines for m in line.marks):
        assert 0 <= m.box_y and m.box_y + m.box_height <= HEIGHT
        assert 0 <= m.box_x and m.box_x + m.box_width <= WIDTH
    # Equal values at a meeting: the marks are set apart sideways, so each shows.
    assert len({line.marks[0].x for line in chart.lines}) == 3


def test_a_label_at_the_right_edge_turns_to_the_left() -> None:
    many = [f"2026-01-{d:02d}" for d in range(1, 13)]
    chart = line_chart(many, [(None, [10.0] * 12)], "da")
    last = chart.lines[0].marks[-1]
    assert last.label_anchor == "end" and last.label_x < last.x
    assert chart.lines[0].marks[0].label_anchor == "start"
    assert all(t.date == "" for t in chart.x_ticks)  # too many meetings to date under the axis


def test_lines_differ_in_shape_and_dash_not_only_colour() -> None:
    styles = [style(i) for i in range(len(SHAPES))]
    assert len({s.shape for s in styles}) == len(SHAPES)
    assert len({s.colour for s in styles}) == len(SHAPES)
    assert len({s.dash for s in styles}) == len(SHAPES)
    assert styles[0].dash == ""  # all voters: the solid line
