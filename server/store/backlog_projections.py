"""Projections of the committee's events: the rows `backlog_apply.apply_backlog` would change.

Positions are computed here exactly as `apply` computes them: the backlog's bottom is after its
last item, a sprint-board column's end after its last item, and an order carried by an event is
numbered from 0. A sprint's burndown history is noted with `burndown.record` from the remaining
work summed in SQL. `committee.meeting_added` also marks the meeting's own workshops row, so a
meeting's page finds its committee (that column is in no state).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.burndown import record
from server.domain.events import StoredEvent
from server.store.projection_types import Handler
from server.store.tables import (
    backlog_items,
    committee_meetings,
    committees,
    sprints,
    workshops,
)


def _item(e: StoredEvent, item_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(backlog_items.c.workshop_id == e.workshop_id, backlog_items.c.id == item_id)


def _sprint(e: StoredEvent, sprint_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(sprints.c.workshop_id == e.workshop_id, sprints.c.id == sprint_id)


async def _set_up(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(committees).values(
            workshop_id=e.workshop_id,
            name=d["name"],
            unit=d["unit"],
            capacity_rule=d["capacity_rule"],
            parties=d["parties"],
            political_seats=d["political_seats"],
            test_group=d["test_group"],
        )
    )


async def _capacity_rule_changed(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(committees)
        .where(committees.c.workshop_id == e.workshop_id)
        .values(capacity_rule=e.data["capacity_rule"])
    )


async def _meeting_added(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    count = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(committee_meetings)
        .where(committee_meetings.c.workshop_id == e.workshop_id)
    )
    await conn.execute(
        sa.insert(committee_meetings).values(
            workshop_id=e.workshop_id,
            meeting_id=d["workshop_id"],
            title=d["title"],
            date=d["date"],
            position=count or 0,
        )
    )
    await conn.execute(
        sa.update(workshops)
        .where(workshops.c.id == d["workshop_id"])
        .values(committee_id=e.workshop_id)
    )


async def _item_added(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(backlog_items).values(
            workshop_id=e.workshop_id,
            id=d["item_id"],
            title=d["title"],
            description=d["description"],
            estimate=d["estimate"],
            owners=d["owners"],
            tags=d["tags"],
            position=d["position"],
            source_workshop_id=d["source_workshop_id"],
            source_note_id=d["source_note_id"],
            sprint_id=None,
            status="todo",
            board_position=0,
        )
    )


async def _item_edited(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.update(backlog_items)
        .where(_item(e, d["item_id"]))
        .values(**{k: d[k] for k in ("title", "description", "estimate", "owners", "tags")})
    )


async def _renumber(conn: AsyncConnection, e: StoredEvent, column: str, order: list[str]) -> None:
    """Number the listed items 0, 1, ... in `column` (position or board_position)."""
    if not order:
        return
    await conn.execute(
        sa.update(backlog_items)
        .where(
            backlog_items.c.workshop_id == e.workshop_id,
            backlog_items.c.id == sa.bindparam("item_key"),
        )
        .values({column: sa.bindparam("new_position")}),
        [{"item_key": item_id, "new_position": i} for i, item_id in enumerate(order)],
    )


async def _items_reordered(conn: AsyncConnection, e: StoredEvent) -> None:
    await _renumber(conn, e, "position", e.data["order"])


async def _item_removed(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(sa.delete(backlog_items).where(_item(e, e.data["item_id"])))


def _goal_rows(goals: list[Any]) -> list[list[Any]]:
    """As the `goals` column keeps them: [[id, text, evaluation, note]]."""
    return [[goal_id, text, None, ""] for goal_id, text in goals]


async def _sprint_created(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(sprints).values(
            workshop_id=e.workshop_id,
            id=d["sprint_id"],
            name=d["name"],
            goals=_goal_rows(d["goals"]),
            start_date=d["start"],
            end_date=d["end"],
            capacity=d["capacity"],
            position=d["position"],
            status="planning",
            reopened=0,
            reopenings=[],
            started_on=None,
            closed_on=None,
            history=[],
            report=None,
        )
    )


async def _sprint_edited(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.update(sprints)
        .where(_sprint(e, d["sprint_id"]))
        .values(
            name=d["name"],
            goals=_goal_rows(d["goals"]),
            start_date=d["start"],
            end_date=d["end"],
            capacity=d["capacity"],
        )
    )


async def _item_planned(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.update(backlog_items)
        .where(_item(e, d["item_id"]))
        .values(sprint_id=d["sprint_id"], status="todo", board_position=d["board_position"])
    )


async def _item_unplanned(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.update(backlog_items)
        .where(_item(e, d["item_id"]))
        .values(sprint_id=None, status="todo", board_position=0, position=d["position"])
    )


async def _sprint_row(conn: AsyncConnection, e: StoredEvent, sprint_id: str) -> sa.Row[Any]:
    return (await conn.execute(sa.select(sprints).where(_sprint(e, sprint_id)))).one()


async def _burned(conn: AsyncConnection, e: StoredEvent, sprint_id: str, on: str) -> None:
    """`backlog_apply._burned`: note the remaining work at the end of `on`."""
    remaining = await conn.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(backlog_items.c.estimate), 0)).where(
            backlog_items.c.workshop_id == e.workshop_id,
            backlog_items.c.sprint_id == sprint_id,
            backlog_items.c.status != "done",
        )
    )
    row = await _sprint_row(conn, e, sprint_id)
    history = record(tuple((day, n) for day, n in row.history), on, int(remaining or 0))
    await conn.execute(
        sa.update(sprints)
        .where(_sprint(e, sprint_id))
        .values(history=[[day, n] for day, n in history])
    )


async def _started(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    row = await _sprint_row(conn, e, d["sprint_id"])
    await conn.execute(
        sa.update(sprints)
        .where(_sprint(e, d["sprint_id"]))
        .values(status="running", started_on=row.started_on or d["on"])
    )
    await _burned(conn, e, d["sprint_id"], d["on"])


async def _planning_reopened(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    row = await _sprint_row(conn, e, d["sprint_id"])
    await conn.execute(
        sa.update(sprints)
        .where(_sprint(e, d["sprint_id"]))
        .values(
            status="planning",
            reopened=row.reopened + 1,
            reopenings=[*row.reopenings, [d["on"], d["reason"]]],
        )
    )


async def _item_moved(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await _renumber(conn, e, "board_position", d["order"])
    await conn.execute(
        sa.update(backlog_items).where(_item(e, d["item_id"])).values(status=d["status"])
    )
    await _burned(conn, e, d["sprint_id"], d["on"])


async def _closed(conn: AsyncConnection, e: StoredEvent) -> None:
    """As `backlog_apply._closed`: the places of the items leaving are computed from the rows
    before any of them moves."""
    d = e.data
    sprint_id = d["sprint_id"]
    await _burned(conn, e, sprint_id, d["on"])
    row = await _sprint_row(conn, e, sprint_id)
    judged = {goal_id: (evaluation, note) for goal_id, evaluation, note in d["evaluations"]}
    await conn.execute(
        sa.update(sprints)
        .where(_sprint(e, sprint_id))
        .values(
            status="closed",
            closed_on=d["on"],
            goals=[[g[0], g[1], *judged[g[0]]] for g in row.goals],
            report=d["report"],
        )
    )
    mine = backlog_items.c.workshop_id == e.workshop_id
    bottom = await conn.scalar(
        sa.select(sa.func.coalesce(sa.func.max(backlog_items.c.position), -1)).where(
            mine, backlog_items.c.sprint_id.is_(None)
        )
    )
    next_position = int(bottom if bottom is not None else -1) + 1
    ends: dict[str, int] = {}
    for target in {t for _, t in d["unfinished_to"] if t is not None}:
        end = await conn.scalar(
            sa.select(sa.func.coalesce(sa.func.max(backlog_items.c.board_position), -1)).where(
                mine, backlog_items.c.sprint_id == target, backlog_items.c.status == "todo"
            )
        )
        ends[target] = int(end if end is not None else -1)
    for item_id, target in d["unfinished_to"]:
        values: dict[str, Any] = {"sprint_id": target, "status": "todo", "board_position": 0}
        if target is None:
            values["position"] = next_position
            next_position += 1
        else:
            ends[target] += 1
            values["board_position"] = ends[target]
        await conn.execute(sa.update(backlog_items).where(_item(e, item_id)).values(**values))


HANDLERS: dict[str, Handler] = {
    ev.COMMITTEE_SET_UP: _set_up,
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
