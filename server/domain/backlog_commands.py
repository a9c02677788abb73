"""Commands for task committees, their backlog and sprints (server/domain/backlog.py).

Ids of new things and the dates a command happens on come from the edge: the domain makes no
ids and reads no clock. Every field a client typed is checked by the rule, not trusted here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SetUpCommittee:
    """The first command in a committee's stream, sent by the edge right after it is created."""

    name: str
    unit: str  # "points" | "hours"
    capacity_rule: str  # "refuse" | "warn"
    parties: tuple[tuple[str, int], ...]  # (party, council seats); may be empty
    political_seats: int  # 0 when there are no parties
    test_group: bool = False


@dataclass(frozen=True)
class ChangeCapacityRule:
    capacity_rule: str


@dataclass(frozen=True)
class AddMeeting:
    """Group a workshop into this committee; the edge checks it is the facilitator's own."""

    workshop_id: str
    title: str
    date: str


@dataclass(frozen=True)
class AddItem:
    item_id: str
    title: str
    description: str = ""
    estimate: int | None = None
    owners: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source_workshop_id: str | None = None  # "move to backlog" from a board note
    source_note_id: str | None = None


@dataclass(frozen=True)
class EditItem:
    item_id: str
    title: str
    description: str
    estimate: int | None
    owners: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class MoveItem:
    """Priority order: put a backlog item at `index` among the items not in a sprint."""

    item_id: str
    index: int


@dataclass(frozen=True)
class RemoveItem:
    item_id: str


@dataclass(frozen=True)
class CreateSprint:
    sprint_id: str
    name: str
    goals: tuple[str, ...]
    goal_ids: tuple[str, ...]  # as many as goals, from the edge
    start: str
    end: str
    capacity: int


@dataclass(frozen=True)
class EditSprint:
    """While planning only. Goals keep their ids by position; new ones take the new ids."""

    sprint_id: str
    name: str
    goals: tuple[str, ...]
    goal_ids: tuple[str, ...]
    start: str
    end: str
    capacity: int


@dataclass(frozen=True)
class PlanItem:
    sprint_id: str
    item_id: str


@dataclass(frozen=True)
class UnplanItem:
    item_id: str


@dataclass(frozen=True)
class StartSprint:
    """The sprint log closes: from now on no item comes in or goes out."""

    sprint_id: str
    on: str  # today, from the edge


@dataclass(frozen=True)
class ReopenPlanning:
    """The only way to change a started sprint's scope; recorded with its reason."""

    sprint_id: str
    reason: str
    on: str


@dataclass(frozen=True)
class SetItemStatus:
    """Move an item on the sprint board: to a column (todo, doing, done) at an index."""

    item_id: str
    status: str
    index: int
    on: str


@dataclass(frozen=True)
class CloseSprint:
    """Unfinished items go back to the backlog (None) or into a sprint still planning; every
    goal gets its evaluation and note; the report is frozen in the event."""

    sprint_id: str
    unfinished_to: tuple[tuple[str, str | None], ...]  # (item id, next sprint id or None)
    evaluations: tuple[tuple[str, str, str], ...]  # (goal id, met|partly|not_met, note)
    on: str


BACKLOG_COMMANDS = (
    SetUpCommittee,
    ChangeCapacityRule,
    AddMeeting,
    AddItem,
    EditItem,
    MoveItem,
    RemoveItem,
    CreateSprint,
    EditSprint,
    PlanItem,
    UnplanItem,
    StartSprint,
    ReopenPlanning,
    SetItemStatus,
    CloseSprint,
)


@dataclass(frozen=True)
class SendNoteToBacklog:
    """On a meeting's stream, after the committee accepted the item: the note links to it.
    Not a backlog command (it is decided on the meeting, not on the committee)."""

    note_id: str
    committee_id: str
    item_id: str
