"""JSON views of a task committee: its backlog, sprints, charts and d'Hondt allocation.

No anonymity here: the items are the group's shared work, so every viewer of the committee's
stream (facilitator, members, the room screen) gets the same view, and every event as stored,
plus what it changed as a snapshot after the batch would show it (`item`, `sprint`,
`backlog`), so a client never has to recompute totals, the over-capacity flag or the order.

Figures come from the state the events built, never from a client: a sprint's `planned_total`
against its `capacity` (and `over`), its `remaining` work, its `burndown` (the history `apply`
kept, `burndown.sprint_burndown`) and the committee's `velocity` (from the frozen reports). A
closed sprint's `report` is sent exactly as it was frozen.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from server.domain import dhondt
from server.domain import events as ev
from server.domain.backlog import (
    ITEM_STATUSES,
    TEST_GROUP_MAX,
    TEST_GROUP_MIN,
    BacklogItem,
    Committee,
    Sprint,
)
from server.domain.boards import can_see_note
from server.domain.burndown import committee_velocity, sprint_burndown
from server.domain.errors import DomainError
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer

# Events after which the backlog's membership or order changed: they carry its new order.
_BACKLOG_CHANGED = frozenset(
    (
        ev.BACKLOG_ITEM_ADDED,
        ev.BACKLOG_ITEMS_REORDERED,
        ev.BACKLOG_ITEM_REMOVED,
        ev.SPRINT_ITEM_PLANNED,
        ev.SPRINT_ITEM_UNPLANNED,
        ev.SPRINT_CLOSED,
    )
)
# Events about one item: they carry the item as it is after the batch.
_ABOUT_AN_ITEM = frozenset(
    (
        ev.BACKLOG_ITEM_ADDED,
        ev.BACKLOG_ITEM_EDITED,
        ev.SPRINT_ITEM_PLANNED,
        ev.SPRINT_ITEM_UNPLANNED,
        ev.SPRINT_ITEM_MOVED,
    )
)
BACKLOG_VIEW_EVENTS = ev.BACKLOG_EVENTS | {ev.NOTE_SENT_TO_BACKLOG}


# --- d'Hondt ---------------------------------------------------------------------------------


def quotient_json(q: Fraction) -> dict[str, Any]:
    """Exact ("13/6") for ties and comparisons, and a rounded value to show."""
    return {"quotient": str(q), "value": round(float(q), 4)}


def allocation_json(allocation: dhondt.Allocation) -> dict[str, Any]:
    """Seats per party (in the order given), each award in order with the quotient that won
    it, and the tie the numbers cannot settle (drawn by lot), if any."""
    tie = allocation.tie
    return {
        "seats": [{"party": p, "seats": n} for p, n in allocation.seats.items()],
        "decided": allocation.decided,
        "awards": [
            {
                "seat": a.seat,
                "party": a.party,
                **quotient_json(a.quotient),
                "tied_with": list(a.tied_with),
            }
            for a in allocation.awards
        ],
        "tie": None
        if tie is None
        else {"seats": tie.seats, "parties": list(tie.parties), **quotient_json(tie.quotient)},
    }


def committee_allocation(c: Committee) -> dhondt.Allocation | None:
    """The committee's d'Hondt allocation, or None when it has no parties or political seats."""
    if not c.parties or c.political_seats <= 0:
        return None
    try:
        return dhondt.allocate([(p.name, p.council_seats) for p in c.parties], c.political_seats)
    except DomainError:  # checked by the rule at set-up; a log from elsewhere shows none
        return None


# --- items and sprints -----------------------------------------------------------------------


def item_json(i: BacklogItem) -> dict[str, Any]:
    return {
        "id": i.id,
        "title": i.title,
        "description": i.description,
        "estimate": i.estimate,
        "owners": list(i.owners),
        "tags": list(i.tags),
        "position": i.position,
        "source": None
        if i.source is None
        else {"workshop_id": i.source.workshop_id, "note_id": i.source.note_id},
        "sprint_id": i.sprint_id,
        "status": i.status,
        "board_position": i.board_position,
    }


def _pairs(rows: Sequence[tuple[str, Any]]) -> list[list[Any]]:
    return [[a, b] for a, b in rows]


def sprint_json(c: Committee, s: Sprint) -> dict[str, Any]:
    """A sprint with its planned total against capacity (`over`: the total is above it, which
    only a committee that chose "warn" allows), its board's columns and its burndown."""
    total = c.planned_total(s.id)
    return {
        "id": s.id,
        "name": s.name,
        "goals": [
            {"id": g.id, "text": g.text, "evaluation": g.evaluation, "note": g.note}
            for g in s.goals
        ],
        "start": s.start,
        "end": s.end,
        "capacity": s.capacity,
        "position": s.position,
        "status": s.status,
        "planned": [i.id for i in c.planned(s.id)],
        "planned_total": total,
        "over": total > s.capacity,
        "remaining": c.remaining(s.id),
        "board": {status: [i.id for i in c.column(s.id, status)] for status in ITEM_STATUSES},
        "started_on": s.started_on,
        "closed_on": s.closed_on,
        "reopened": s.reopened,
        "reopenings": _pairs(s.reopenings),
        "burndown": _pairs(sprint_burndown(s)),
        "report": None if s.report is None else dict(s.report),
    }


def _items_in_order(c: Committee) -> list[BacklogItem]:
    """The backlog in priority order, then the planned items sprint by sprint."""
    planned = [i for s in c.sprints_in_order() for i in c.planned(s.id)]
    return [*c.backlog(), *planned]


def committee_json(state: WorkshopState, viewer: Viewer) -> dict[str, Any] | None:
    """The committee for any viewer of its stream (the same for all); None for a workshop."""
    c = state.committee
    if c is None:
        return None
    allocation = committee_allocation(c)
    seats = {} if allocation is None else allocation.seats
    running = c.running()
    return {
        "name": c.name,
        "unit": c.unit,
        "capacity_rule": c.capacity_rule,
        "test_group": c.test_group,
        "test_group_size": [TEST_GROUP_MIN, TEST_GROUP_MAX] if c.test_group else None,
        "members": len(state.voters()),
        "parties": [
            {"name": p.name, "council_seats": p.council_seats, "seats": seats.get(p.name, 0)}
            for p in c.parties
        ],
        "political_seats": c.political_seats,
        "allocation": None if allocation is None else allocation_json(allocation),
        "meetings": [
            {"workshop_id": m.workshop_id, "title": m.title, "date": m.date} for m in c.meetings
        ],
        "items": [item_json(i) for i in _items_in_order(c)],
        "backlog": [i.id for i in c.backlog()],
        "sprints": [sprint_json(c, s) for s in c.sprints_in_order()],
        "running": None if running is None else running.id,
        "velocity": [
            {"sprint_id": sid, "name": name, "done": done}
            for sid, name, done in committee_velocity(c)
        ],
    }


# --- events ----------------------------------------------------------------------------------


def _note_sent(e: StoredEvent, state: WorkshopState, viewer: Viewer) -> dict[str, Any] | None:
    """On a meeting's stream: only to whoever may see the note (as a note's other events)."""
    note = state.notes.get(e.data["note_id"])
    board = None if note is None else state.boards.get(note.board_id)
    if note is None or board is None:
        return None
    if not can_see_note(board, note, viewer.role, viewer.actor_id):
        return None
    return {"seq": e.seq, "type": e.type, "data": dict(e.data)}


def backlog_event_json(
    e: StoredEvent, state: WorkshopState, viewer: Viewer
) -> dict[str, Any] | None:
    """A committee event for any viewer: as stored, plus what it changed as it is after the
    batch: `item` (the item an event is about; null once gone), `sprint` (the sprint it is
    about, or the item's sprint), `sprints` (all of them, at a close) and `backlog` (its order,
    when its items or their order changed). `state` is the state after the batch."""
    if e.type == ev.NOTE_SENT_TO_BACKLOG:
        return _note_sent(e, state, viewer)
    data: dict[str, Any] = dict(e.data)
    c = state.committee
    if c is None:  # not a committee's stream: nothing to add
        return {"seq": e.seq, "type": e.type, "data": data}
    if e.type == ev.COMMITTEE_SET_UP:
        allocation = committee_allocation(c)
        data["allocation"] = None if allocation is None else allocation_json(allocation)
    sprint_id = data.get("sprint_id")
    if e.type in _ABOUT_AN_ITEM:
        item = c.items.get(data["item_id"])
        data["item"] = None if item is None else item_json(item)
        sprint_id = sprint_id or (None if item is None else item.sprint_id)
    if sprint_id is not None:  # its totals, board or status changed
        sprint = c.sprints.get(sprint_id)
        data["sprint"] = None if sprint is None else sprint_json(c, sprint)
    if e.type == ev.SPRINT_CLOSED:  # unfinished items may have gone on to other sprints
        data["sprints"] = [sprint_json(c, s) for s in c.sprints_in_order()]
    if e.type in _BACKLOG_CHANGED:
        data["backlog"] = [i.id for i in c.backlog()]
    return {"seq": e.seq, "type": e.type, "data": data}
