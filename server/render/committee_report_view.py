"""What the committee report's templates ask of a `CommitteeReport`, in the viewer's language.

The figures are the report's (`server.domain.committee_report`); this only words them: dates,
numbers with one decimal, the charts' geometry and the rows of the tables beside them, so a
chart and its table always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from server.domain.committee_report import (
    Amount,
    CommitteeReport,
    MeetingLine,
    RepeatedQuestion,
    Series,
)
from server.render.backlog_view import long_date
from server.render.figures import one_decimal
from server.render.line_chart import LineChart, line_chart

Audience = Literal["facilitator", "public"]
Place = Literal["backlog", "planned", "todo", "doing", "done", "closed"]
PLACES: tuple[Place, ...] = ("backlog", "planned", "todo", "doing", "done", "closed")


@dataclass(frozen=True)
class Cell:
    """One line's figure at one meeting, as the table shows it."""

    mean: str  # "7,3"; "" when there is none
    median: str
    n: int
    state: Literal["shown", "hidden", "none"]  # none: nobody in the line voted there


@dataclass(frozen=True)
class QuestionRow:
    number: int  # as under the chart's axis
    title: str
    date: str
    cells: tuple[Cell, ...]  # all voters, then each group shown, as `QuestionView.names`


@dataclass(frozen=True)
class QuestionView:
    anchor: str  # the section's id
    question: RepeatedQuestion
    chart: LineChart
    names: tuple[str | None, ...]  # the lines: None for all voters, then the groups
    rows: tuple[QuestionRow, ...]


@dataclass(frozen=True)
class CommitteeReportView:
    report: CommitteeReport
    locale: str
    audience: Audience = "facilitator"

    @property
    def public(self) -> bool:
        return self.audience == "public"

    def date(self, iso: str) -> str:
        return long_date(iso, self.locale) if iso else ""

    def number(self, value: float | None) -> str:
        return one_decimal(value, self.locale)

    # --- meetings ---

    def groups_text(self, m: MeetingLine) -> str:
        """ "Politiker 3, Borger 4": the groups someone joined, in the meeting's order."""
        return ", ".join(f"{g.group} {g.participants}" for g in m.groups if g.participants)

    def first_and_last(self) -> tuple[str, str] | None:
        ms = self.report.meetings
        return None if not ms else (self.date(ms[0].date), self.date(ms[-1].date))

    # --- repeated questions ---

    def _cell(self, series: Series, i: int) -> Cell:
        p = series.points[i]
        if p is not None and p.n > 0:
            return Cell(self.number(p.mean), self.number(p.median), p.n, "shown")
        state: Literal["hidden", "none"] = "hidden" if series.hidden(i) else "none"
        return Cell("", "", series.voters[i], state)

    def questions(self) -> list[QuestionView]:
        out = []
        meetings = self.report.meetings
        for n, q in enumerate(self.report.questions, start=1):
            lines = (q.everyone, *q.groups)
            chart = line_chart(
                [meetings[i].date for i in q.asked],
                [
                    (s.group, [None if p is None or p.n == 0 else p.mean for p in s.points])
                    for s in lines
                ],
                self.locale,
            )
            rows = tuple(
                QuestionRow(
                    number=k + 1,
                    title=meetings[i].title,
                    date=self.date(meetings[i].date),
                    cells=tuple(self._cell(s, k) for s in lines),
                )
                for k, i in enumerate(q.asked)
            )
            out.append(QuestionView(f"question-{n}", q, chart, tuple(s.group for s in lines), rows))
        return out

    # --- backlog progress ---

    def places(self) -> list[tuple[Place, Amount]]:
        p = self.report.progress
        return [(place, getattr(p, place)) for place in PLACES]

    def running(self) -> bool:
        return any(s.status == "running" for s in self.report.progress.sprints)
