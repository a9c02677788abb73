"""What the committee templates ask about the state, answered for one viewer.

Everyone in a committee's stream sees the same backlog and sprints (the items are the group's
work, not anyone's secret), so the only differences are what a role may do: members and the
facilitator edit, order, plan and move items; only the facilitator sets sprints up, starts,
re-opens and closes them; the room screen only watches. The server checks every command
anyway: a control left out is convenience, never permission.

A closed sprint's report is read from its frozen JSON alone (`ReportView`): never from the
items as they are now, so it says what the sprint was when it closed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from babel.dates import format_date

from server.domain.backlog import (
    ITEM_STATUSES,
    MAX_CAPACITY,
    MAX_DESCRIPTION,
    MAX_ESTIMATE,
    MAX_GOAL,
    MAX_ITEM_TITLE,
    MAX_TAG,
    TEST_GROUP_MAX,
    TEST_GROUP_MIN,
    BacklogItem,
    Committee,
    ItemStatus,
    Sprint,
)
from server.domain.burndown import committee_velocity, sprint_burndown
from server.domain.workshop import WorkshopState
from server.i18n import message
from server.realtime.source import Viewer
from server.realtime.wire_fields import copenhagen_today
from server.render.backlog_charts import (
    BurndownChart,
    VelocityChart,
    burndown_chart,
    velocity_chart,
)
from server.render.backlog_views import committee_allocation
from server.render.figures import one_decimal

DEFAULT_SPRINT_DAYS = 14  # the create form's suggested length: two weeks, end included


def long_date(iso: str, locale: str) -> str:
    """ "2. nov. 2026" in Danish, "Nov 2, 2026" in English; text that is no date, as it is."""
    try:
        day = datetime.date.fromisoformat(iso)
    except ValueError:
        return iso
    return format_date(day, format="medium", locale=locale)


def _number(value: float, locale: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if locale == "da" else text


# --- a frozen report --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportGoal:
    text: str
    evaluation: str  # met, partly, not_met
    note: str


@dataclass(frozen=True)
class ReportItem:
    title: str
    estimate: int | None
    status: str


def _text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _int(data: Mapping[str, object], key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) else 0


def _rows(data: Mapping[str, object], key: str) -> list[object]:
    value = data.get(key)
    return list(value) if isinstance(value, list) else []


@dataclass(frozen=True)
class ReportView:
    """A closed sprint's report exactly as it was frozen (`backlog_report.freeze`)."""

    data: Mapping[str, object]
    locale: str

    @property
    def sprint_id(self) -> str:
        return _text(self.data, "sprint_id")

    @property
    def name(self) -> str:
        return _text(self.data, "name")

    @property
    def unit(self) -> str:
        return _text(self.data, "unit")

    @property
    def capacity(self) -> int:
        return _int(self.data, "capacity")

    @property
    def planned_total(self) -> int:
        return _int(self.data, "planned_total")

    @property
    def done_total(self) -> int:
        return _int(self.data, "done_total")

    @property
    def reopened(self) -> int:
        return _int(self.data, "reopened")

    @property
    def end(self) -> str:
        return _text(self.data, "end")

    def date(self, key: str) -> str:
        """One of the report's dates (start, end, started_on, closed_on), in words."""
        return long_date(_text(self.data, key), self.locale)

    def goals(self) -> list[ReportGoal]:
        out = []
        for g in _rows(self.data, "goals"):
            if isinstance(g, Mapping):
                out.append(ReportGoal(_text(g, "text"), _text(g, "evaluation"), _text(g, "note")))
        return out

    def items(self) -> list[ReportItem]:
        out = []
        for i in _rows(self.data, "items"):
            if isinstance(i, Mapping):
                estimate = i.get("estimate")
                out.append(
                    ReportItem(
                        _text(i, "title"),
                        estimate if isinstance(estimate, int) else None,
                        _text(i, "status"),
                    )
                )
        return out

    def reopenings(self) -> list[tuple[str, str]]:
        out = []
        for row in _rows(self.data, "reopenings"):
            if isinstance(row, list) and len(row) == 2:
                out.append((long_date(str(row[0]), self.locale), str(row[1])))
        return out

    def burndown(self) -> list[tuple[str, int]]:
        out = []
        for row in _rows(self.data, "burndown"):
            if isinstance(row, list) and len(row) == 2 and isinstance(row[1], int):
                out.append((str(row[0]), row[1]))
        return out

    def burndown_rows(self) -> list[tuple[str, int]]:
        """The burndown's table: each day in words with its remaining work."""
        return [(long_date(day, self.locale), left) for day, left in self.burndown()]

    def chart(self) -> BurndownChart | None:
        return burndown_chart(self.burndown(), self.end, self.locale)


# --- d'Hondt ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatRow:
    party: str
    council_seats: int
    committee_seats: int


@dataclass(frozen=True)
class AwardRow:
    seat: int
    party: str
    quotient: str  # "13 / 2 = 6,50"
    shared: str  # "(tied with A, who also got a seat)" or ""


@dataclass(frozen=True)
class AllocationView:
    summary: str  # "C 4, A 1": the parties with seats
    intro: str
    seats: tuple[SeatRow, ...]
    awards: tuple[AwardRow, ...]
    outcome: str  # no tie, or the tie drawn by lot explained
    tie: bool


def allocation_view(c: Committee, locale: str) -> AllocationView | None:
    """The committee's political seats by d'Hondt, seat by seat with the quotient that won
    each, and a tie the numbers cannot settle explained (the same words as the set-up form)."""
    allocation = committee_allocation(c)
    if allocation is None:
        return None
    base = {p.name: p.council_seats for p in c.parties}
    won = dict.fromkeys(base, 0)
    awards = []
    for a in allocation.awards:
        won[a.party] += 1
        quotient = f"{base[a.party]} / {won[a.party]} = {_number(float(a.quotient), locale)}"
        shared = ""
        if a.tied_with:
            shared = message("committee.award_shared", locale, parties=", ".join(a.tied_with))
        awards.append(AwardRow(a.seat, a.party, quotient, shared))
    tie = allocation.tie
    if tie is None:
        outcome = message("committee.no_tie", locale)
    else:
        outcome = message(
            "committee.tie",
            locale,
            seats=tie.seats,
            parties=", ".join(tie.parties),
            quotient=_number(float(tie.quotient), locale),
        )
    summary = ", ".join(f"{p} {n}" for p, n in allocation.seats.items() if n)
    return AllocationView(
        summary=summary,
        intro=message("committee.allocation_intro", locale, seats=c.political_seats),
        seats=tuple(
            SeatRow(p.name, p.council_seats, allocation.seats.get(p.name, 0)) for p in c.parties
        ),
        awards=tuple(awards),
        outcome=outcome,
        tie=tie is not None,
    )


# --- the committee page -----------------------------------------------------------------------


@dataclass(frozen=True)
class SourceView:
    """Where an item came from: a note on one of the committee's meetings' boards."""

    meeting: str | None  # the meeting's title, if it is one of the committee's meetings
    href: str | None  # a link to the note on the meeting's board (its facilitator's page)


@dataclass(frozen=True)
class BacklogView:
    state: WorkshopState
    viewer: Viewer
    today: str = field(default_factory=copenhagen_today)

    limits: ClassVar[dict[str, int]] = {
        "title": MAX_ITEM_TITLE,
        "description": MAX_DESCRIPTION,
        "estimate": MAX_ESTIMATE,
        "capacity": MAX_CAPACITY,
        "goal": MAX_GOAL,
        "tag": MAX_TAG,
    }
    statuses: ClassVar[tuple[ItemStatus, ...]] = ITEM_STATUSES
    test_group_min: ClassVar[int] = TEST_GROUP_MIN
    test_group_max: ClassVar[int] = TEST_GROUP_MAX

    @property
    def committee(self) -> Committee:
        c = self.state.committee
        assert c is not None, "a committee page for a stream that is no committee"
        return c

    @property
    def locale(self) -> str:
        return self.viewer.locale

    @property
    def facilitator(self) -> bool:
        return self.viewer.role == "facilitator"

    @property
    def writer(self) -> bool:
        """Members and the facilitator work on the backlog; the room screen only watches."""
        return self.viewer.role in ("facilitator", "participant")

    def date(self, iso: str | None) -> str:
        return "" if iso is None else long_date(iso, self.locale)

    # --- the committee ---

    def members(self) -> int:
        """Members as the test group counts them: participants not removed."""
        return sum(1 for p in self.state.participants.values() if not p.kicked)

    def allocation(self) -> AllocationView | None:
        return allocation_view(self.committee, self.locale)

    def meetings(self) -> list[tuple[str, str, str]]:
        """(workshop id, title, date in words) of each meeting, in the order they were added."""
        return [(m.workshop_id, m.title, self.date(m.date)) for m in self.committee.meetings]

    def meeting_href(self, workshop_id: str) -> str | None:
        """Meetings are the facilitator's workshops: only their page is linked (a member joins a
        meeting with its own code, which the committee's stream does not hold)."""
        return f"/f/workshops/{workshop_id}" if self.facilitator else None

    # --- the backlog ---

    def backlog(self) -> list[BacklogItem]:
        return self.committee.backlog()

    def source(self, item: BacklogItem) -> SourceView | None:
        if item.source is None:
            return None
        wid, nid = item.source.workshop_id, item.source.note_id
        meeting = next((m.title for m in self.committee.meetings if m.workshop_id == wid), None)
        href = f"/f/workshops/{wid}#note-{nid}" if self.facilitator else None
        return SourceView(meeting, href)

    def estimate_locked(self, item: BacklogItem) -> bool:
        """An item in a sprint that has started keeps its estimate (the burndown counts it)."""
        s = self.committee.sprints.get(item.sprint_id or "")
        return s is not None and s.status != "planning"

    # --- sprints ---

    def sprints(self) -> list[Sprint]:
        return self.committee.sprints_in_order()

    def planning(self) -> list[Sprint]:
        return [s for s in self.sprints() if s.status == "planning"]

    def running(self) -> Sprint | None:
        return self.committee.running()

    def can_create_sprint(self) -> bool:
        """A test group has its one 100-day sprint from the start."""
        return self.facilitator and not (self.committee.test_group and self.committee.sprints)

    def default_end(self) -> str:
        day = datetime.date.fromisoformat(self.today)
        return (day + datetime.timedelta(days=DEFAULT_SPRINT_DAYS - 1)).isoformat()

    def goals_text(self, sprint: Sprint) -> str:
        return "\n".join(g.text for g in sprint.goals)

    def planned(self, sprint: Sprint) -> list[BacklogItem]:
        return self.committee.planned(sprint.id)

    def planned_total(self, sprint: Sprint) -> int:
        return self.committee.planned_total(sprint.id)

    def over(self, sprint: Sprint) -> int:
        """How far the planned total is above the capacity (0: within it)."""
        return max(0, self.planned_total(sprint) - sprint.capacity)

    def reopenings(self, sprint: Sprint) -> list[tuple[str, str]]:
        return [(self.date(day), reason) for day, reason in sprint.reopenings]

    # --- the sprint board ---

    def column(self, sprint: Sprint, status: ItemStatus) -> list[BacklogItem]:
        return self.committee.column(sprint.id, status)

    def neighbour(self, status: str, step: int) -> str | None:
        """The column to the left (-1) or right (+1) of `status`, if there is one."""
        i = ITEM_STATUSES.index(status) + step
        return ITEM_STATUSES[i] if 0 <= i < len(ITEM_STATUSES) else None

    def remaining(self, sprint: Sprint) -> int:
        return self.committee.remaining(sprint.id)

    def unfinished(self, sprint: Sprint) -> list[BacklogItem]:
        """What the close form asks about: the sprint's items not done, in planned order."""
        return [i for i in self.planned(sprint) if i.status != "done"]

    def close_targets(self, sprint: Sprint) -> list[Sprint]:
        """Where an unfinished item may go besides the backlog: a sprint being planned."""
        return [s for s in self.planning() if s.id != sprint.id]

    def burndown(self, sprint: Sprint) -> BurndownChart | None:
        """The running sprint's burndown so far: from the state, cut at today."""
        return burndown_chart(sprint_burndown(sprint, self.today), sprint.end, self.locale)

    def burndown_rows(self, sprint: Sprint) -> list[tuple[str, int]]:
        return [(self.date(d), left) for d, left in sprint_burndown(sprint, self.today)]

    # --- after the sprints ---

    def reports(self) -> list[ReportView]:
        """The closed sprints' frozen reports, in the sprints' order."""
        return [ReportView(s.report, self.locale) for s in self.sprints() if s.report is not None]

    def velocity(self) -> VelocityChart | None:
        return velocity_chart(committee_velocity(self.committee))

    def mean(self, value: float) -> str:
        return one_decimal(value, self.locale)
