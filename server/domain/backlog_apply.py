"""How the committee's events change a `WorkshopState` (the backlog part of `workshop.apply`).

Everything stays frozen: mappings are rebuilt as MappingProxyType and JSON lists from the log
become tuples, so a state replayed from the log, one built event by event and one loaded from
the tables compare equal. Positions are computed the same way the projections compute them
(`backlog_projections`): the backlog's bottom is after its last item, a column's end after
its last item, and an order carried by an event is numbered from 0.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from server.domain import events as ev
from server.domain.backlog import (
    BacklogItem,
    Committee,
    Goal,
    Meeting,
    Party,
    Source,
    Sprint,
)
from server.domain.burndown import record
from server.domain.events import JSON

if TYPE_CHECKING:  # workshop.py imports this module for `apply`
    from server.domain.workshop import WorkshopState


def parties(rows: list[Any]) -> tuple[Party, ...]:
    """`[[party, council seats]]` as the event and the `parties` column hold it."""
    return tuple(Party(name, seats) for name, seats in rows)


def goals(rows: list[Any]) -> tuple[Goal, ...]:
    """`[[goal id, text]]` from the sprint events, or `[[id, text, evaluation, note]]` as the
    `goals` column keeps them once evaluated."""
    return tuple(Goal(*row) for row in rows)


def history(rows: list[Any]) -> tuple[tuple[str, int], ...]:
    return tuple((day, remaining) for day, remaining in rows)


def reopenings(rows: list[Any]) -> tuple[tuple[str, str], ...]:
    return tuple((day, reason) for day, reason in rows)


def report(value: Mapping[str, Any] | None) -> Mapping[str, object] | None:
    """A copy of its own, as plain JSON (it is sent and serialised as it is); typed read-only,
    and nothing ever writes to it."""
    return None if value is None else copy.deepcopy(dict(value))


def _items(c: Committee, changed: Mapping[str, BacklogItem]) -> Committee:
    return replace(c, items=MappingProxyType({**c.items, **changed}))


def _sprint(c: Committee, s: Sprint) -> Committee:
    return replace(c, sprints=MappingProxyType({**c.sprints, s.id: s}))


def _capacity_rule_changed(c: Committee, d: JSON) -> Committee:
    return replace(c, capacity_rule=d["capacity_rule"])


def _meeting_added(c: Committee, d: JSON) -> Committee:
    meeting = Meeting(d["workshop_id"], d["title"], d["date"])
    return replace(c, meetings=(*c.meetings, meeting))


def _item_added(c: Committee, d: JSON) -> Committee:
    source = None
    if d["source_workshop_id"] is not None:
        source = Source(d["source_workshop_id"], d["source_note_id"])
    item = BacklogItem(
        id=d["item_id"],
        title=d["title"],
        description=d["description"],
        estimate=d["estimate"],
        owners=tuple(d["owners"]),
        tags=tuple(d["tags"]),
        position=d["position"],
        source=source,
    )
    return _items(c, {item.id: item})


def _item_edited(c: Committee, d: JSON) -> Committee:
    item = replace(
        c.items[d["item_id"]],
        title=d["title"],
        description=d["description"],
        estimate=d["estimate"],
        owners=tuple(d["owners"]),
        tags=tuple(d["tags"]),
    )
    return _items(c, {item.id: item})


def _items_reordered(c: Committee, d: JSON) -> Committee:
    return _items(c, {k: replace(c.items[k], position=i) for i, k in enumerate(d["order"])})


def _item_removed(c: Committee, d: JSON) -> Committee:
    items = {k: i for k, i in c.items.items() if k != d["item_id"]}
    return replace(c, items=MappingProxyType(items))


def _sprint_created(c: Committee, d: JSON) -> Committee:
    s = Sprint(
        id=d["sprint_id"],
        name=d["name"],
        goals=goals(d["goals"]),
        start=d["start"],
        end=d["end"],
        capacity=d["capacity"],
        position=d["position"],
    )
    return _sprint(c, s)


def _sprint_edited(c: Committee, d: JSON) -> Committee:
    s = replace(
        c.sprints[d["sprint_id"]],
        name=d["name"],
        goals=goals(d["goals"]),
        start=d["start"],
        end=d["end"],
        capacity=d["capacity"],
    )
    return _sprint(c, s)


def _item_planned(c: Committee, d: JSON) -> Committee:
    item = replace(
        c.items[d["item_id"]],
        sprint_id=d["sprint_id"],
        status="todo",
        board_position=d["board_position"],
    )
    return _items(c, {item.id: item})


def _item_unplanned(c: Committee, d: JSON) -> Committee:
    item = replace(
        c.items[d["item_id"]],
        sprint_id=None,
        status="todo",
        board_position=0,
        position=d["position"],
    )
    return _items(c, {item.id: item})


def _burned(c: Committee, sprint_id: str, on: str) -> Committee:
    """Note the sprint's remaining work at the end of `on` (`burndown.record`)."""
    s = c.sprints[sprint_id]
    return _sprint(c, replace(s, history=record(s.history, on, c.remaining(sprint_id))))


def _started(c: Committee, d: JSON) -> Committee:
    s = c.sprints[d["sprint_id"]]
    c = _sprint(c, replace(s, status="running", started_on=s.started_on or d["on"]))
    return _burned(c, s.id, d["on"])


def _planning_reopened(c: Committee, d: JSON) -> Committee:
    s = c.sprints[d["sprint_id"]]
    return _sprint(
        c,
        replace(
            s,
            status="planning",
            reopened=s.reopened + 1,
            reopenings=(*s.reopenings, (d["on"], d["reason"])),
        ),
    )


def _item_moved(c: Committee, d: JSON) -> Committee:
    changed = {k: replace(c.items[k], board_position=i) for i, k in enumerate(d["order"])}
    changed[d["item_id"]] = replace(changed[d["item_id"]], status=d["status"])
    return _burned(_items(c, changed), d["sprint_id"], d["on"])


def _closed(c: Committee, d: JSON) -> Committee:
    """The burndown's last figure, the evaluations and the frozen report; then the unfinished
    items leave, in the order named: to the bottom of the backlog, or to the end of the next
    sprint's To do column."""
    c = _burned(c, d["sprint_id"], d["on"])
    s = c.sprints[d["sprint_id"]]
    judged = {goal_id: (evaluation, note) for goal_id, evaluation, note in d["evaluations"]}
    closed = replace(
        s,
        status="closed",
        closed_on=d["on"],
        goals=tuple(Goal(g.id, g.text, *judged[g.id]) for g in s.goals),
        report=report(d["report"]),
    )
    c = _sprint(c, closed)
    bottom = max((i.position for i in c.backlog()), default=-1) + 1
    ends: dict[str, int] = {}
    changed: dict[str, BacklogItem] = {}
    for item_id, target in d["unfinished_to"]:
        item = replace(c.items[item_id], sprint_id=target, status="todo", board_position=0)
        if target is None:
            item = replace(item, position=bottom)
            bottom += 1
        else:
            if target not in ends:
                ends[target] = max((i.board_position for i in c.column(target, "todo")), default=-1)
            ends[target] += 1
            item = replace(item, board_position=ends[target])
        changed[item_id] = item
    return _items(c, changed)


_HANDLERS: dict[str, Callable[[Committee, JSON], Committee]] = {
    ev.COMMITTEE_CAPACITY_RULE_CHANGED: _capacity_rule_changed,
    ev.COMMITTEE_MEETING_ADDED: _meeting_added,
    ev.BACKLOG_ITEM_ADDED: _item_added,
    ev.BACKLOG_ITEM_EDITED: _item_edited,
    ev.BACKLOG_ITEMS_REORDERED: _items_reordered,
    ev.BACKLOG_ITEM_REMOVED: _item_removed,
    ev.SPRINT_CREATED: _sprint_created,
    ev.SPRINT_EDITED: _sprint_edited,
    ev.SPRINT_ITEM_PLANNED: _item_planned,
    ev.SPRINT_ITEM_UNPLANNED: _item_unplanned,
    ev.SPRINT_STARTED: _started,
    ev.SPRINT_PLANNING_REOPENED: _planning_reopened,
    ev.SPRINT_ITEM_MOVED: _item_moved,
    ev.SPRINT_CLOSED: _closed,
}


def apply_backlog(state: WorkshopState, t: str, d: JSON, seq: int) -> WorkshopState | None:
    """Committee, backlog and sprint events; None if `t` is not one of them."""
    if t == ev.COMMITTEE_SET_UP:
        committee = Committee(
            name=d["name"],
            unit=d["unit"],
            capacity_rule=d["capacity_rule"],
            parties=parties(d["parties"]),
            political_seats=d["political_seats"],
            test_group=d["test_group"],
        )
        return replace(state, committee=committee)
    handler = _HANDLERS.get(t)
    if handler is None:
        return None
    assert state.committee is not None
    return replace(state, committee=handler(state.committee, d))
