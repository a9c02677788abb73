"""Task committees and their sprints, as Lyngby-Taarbæk and Gentofte run them: every concrete
idea goes into the committee's backlog; at a sprint meeting the group picks what it can do with
the capacity it has; when the sprint starts its log closes; at the end the group evaluates
whether the goals were met, and the sprint's report is frozen.

A committee lives in its own stream (a workshop row whose state has `committee` set), so its
backlog and sprints span its meetings (the other workshops it groups), and its members join it
with its own join code and see the backlog live like any board.

Estimates are whole numbers in the committee's unit (points or hours). Dates are ISO strings
("2026-11-23") that the edge stamps on the events that need them (the domain reads no clock):
burndown and velocity are computed from those stamped events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

EstimateUnit = Literal["points", "hours"]
UNITS: tuple[EstimateUnit, ...] = ("points", "hours")
CapacityRule = Literal["refuse", "warn"]
CAPACITY_RULES: tuple[CapacityRule, ...] = ("refuse", "warn")
ItemStatus = Literal["todo", "doing", "done"]
ITEM_STATUSES: tuple[ItemStatus, ...] = ("todo", "doing", "done")
SprintStatus = Literal["planning", "running", "closed"]
Evaluation = Literal["met", "partly", "not_met"]
EVALUATIONS: tuple[Evaluation, ...] = ("met", "partly", "not_met")

MAX_ITEMS = 500
MAX_SPRINTS = 50
MAX_MEETINGS = 30
MAX_GOALS = 10
MAX_OWNERS = 6
MAX_TAGS = 8
MAX_ESTIMATE = 1000
MAX_CAPACITY = 10000
MAX_ITEM_TITLE = 120
MAX_DESCRIPTION = 2000
MAX_GOAL = 300
MAX_TAG = 30
MAX_NAME = 60  # an owner's name
HUNDRED_DAYS = 100  # Gentofte's test groups: one sprint of 100 days
TEST_GROUP_MIN = 2
TEST_GROUP_MAX = 4


@dataclass(frozen=True)
class Party:
    name: str
    council_seats: int


@dataclass(frozen=True)
class Meeting:
    """A workshop this committee groups (one of its meetings)."""

    workshop_id: str
    title: str
    date: str


@dataclass(frozen=True)
class Source:
    """The board note an item came from ("move to backlog"); the note links back."""

    workshop_id: str
    note_id: str


@dataclass(frozen=True)
class BacklogItem:
    id: str
    title: str
    description: str
    estimate: int | None  # None: not estimated yet (cannot be planned into a sprint)
    owners: tuple[str, ...]
    tags: tuple[str, ...]
    position: int  # priority order in the backlog (0 = top)
    source: Source | None = None
    sprint_id: str | None = None  # planned into this sprint
    status: ItemStatus = "todo"  # on the sprint board
    board_position: int = 0  # order within its sprint-board column


@dataclass(frozen=True)
class Goal:
    id: str
    text: str
    evaluation: Evaluation | None = None
    note: str = ""


@dataclass(frozen=True)
class Sprint:
    id: str
    name: str
    goals: tuple[Goal, ...]
    start: str  # ISO date
    end: str
    capacity: int
    position: int
    status: SprintStatus = "planning"
    reopened: int = 0  # how often the facilitator re-opened planning after the start
    # The report frozen at close (plain JSON, rendered as it is: never recomputed).
    report: Mapping[str, object] | None = None
    started_on: str | None = None  # the first start: a restart after re-opening keeps it
    closed_on: str | None = None
    # The burndown as it happened: (date, remaining) at the end of each day something changed
    # the remaining estimate, from the first start on (`burndown.days` fills the other days).
    history: tuple[tuple[str, int], ...] = ()
    reopenings: tuple[tuple[str, str], ...] = ()  # (date, reason) of each re-opened planning


@dataclass(frozen=True)
class Committee:
    name: str
    unit: EstimateUnit
    capacity_rule: CapacityRule
    parties: tuple[Party, ...]
    political_seats: int  # 0: not appointed by d'Hondt
    test_group: bool = False  # Gentofte's 100-day test group: one sprint, 2-4 members
    meetings: tuple[Meeting, ...] = ()
    items: Mapping[str, BacklogItem] = field(default_factory=lambda: MappingProxyType({}))
    sprints: Mapping[str, Sprint] = field(default_factory=lambda: MappingProxyType({}))

    def backlog(self) -> list[BacklogItem]:
        """Items not in a sprint, in priority order."""
        return sorted(
            (i for i in self.items.values() if i.sprint_id is None),
            key=lambda i: (i.position, i.id),
        )

    def planned(self, sprint_id: str) -> list[BacklogItem]:
        return sorted(
            (i for i in self.items.values() if i.sprint_id == sprint_id),
            key=lambda i: (i.position, i.id),
        )

    def planned_total(self, sprint_id: str) -> int:
        return sum(i.estimate or 0 for i in self.items.values() if i.sprint_id == sprint_id)

    def sprints_in_order(self) -> list[Sprint]:
        return sorted(self.sprints.values(), key=lambda s: (s.position, s.id))

    def column(self, sprint_id: str, status: ItemStatus) -> list[BacklogItem]:
        """One column of a sprint's board, in its order."""
        return sorted(
            (i for i in self.items.values() if i.sprint_id == sprint_id and i.status == status),
            key=lambda i: (i.board_position, i.id),
        )

    def remaining(self, sprint_id: str) -> int:
        """What is left to burn down: the estimates of the sprint's items not done."""
        return sum(
            i.estimate or 0
            for i in self.items.values()
            if i.sprint_id == sprint_id and i.status != "done"
        )

    def running(self) -> Sprint | None:
        """The sprint whose log is closed and whose board is in use (at most one)."""
        return next((s for s in self.sprints.values() if s.status == "running"), None)

    def source_item(self, workshop_id: str, note_id: str) -> BacklogItem | None:
        """The item that came from this board note, if one did."""
        want = Source(workshop_id, note_id)
        return next((i for i in self.items.values() if i.source == want), None)
