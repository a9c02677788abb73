"""State tables kept in step with the log, inside the same transaction as the events.

`project` is the SQL twin of `domain.workshop.apply`: for every event type it changes the rows
exactly as `apply` changes a `WorkshopState`, so `load_state` after a commit equals the state
before plus the events (a test checks this for every command on both databases). Boards and
columns live in `board_projections`, notes and what hangs on them in `note_projections`,
questions and votes in `question_projections`, timers in `timer_projections`, dot rounds and
dots in `dot_projections`, the dilemma deck in `dilemma_projections`, the hall in
`hall_projections`, task committees with their backlog and sprints in `backlog_projections`,
and reading the rows back in `loading`.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.store import (
    backlog_projections,
    board_projections,
    dilemma_projections,
    dot_projections,
    erasure,
    hall_projections,
    note_projections,
    question_projections,
    timer_projections,
)
from server.store.loading import load_state
from server.store.projection_types import Handler
from server.store.tables import participants, workshops

__all__ = ["HANDLERS", "load_state", "project"]


async def _participant_joined(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(participants).values(
            id=d["participant_id"],
            workshop_id=e.workshop_id,
            display_name=d["display_name"],
            group_name=d["group"],
            joined_seq=e.seq,
            kicked=False,
            in_room=d.get("in_room", False),
            erased=False,
        )
    )


async def _participant_renamed(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.update(participants)
        .where(
            participants.c.workshop_id == e.workshop_id, participants.c.id == d["participant_id"]
        )
        .values(display_name=d["display_name"], group_name=d["group"])
    )


async def _participant_kicked(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(participants)
        .where(
            participants.c.workshop_id == e.workshop_id,
            participants.c.id == e.data["participant_id"],
        )
        .values(kicked=True)
    )


async def _report_link(conn: AsyncConnection, e: StoredEvent) -> None:
    link = e.data["link_id"] if e.type == ev.REPORT_PUBLISHED else None
    await conn.execute(
        sa.update(workshops).where(workshops.c.id == e.workshop_id).values(report_link=link)
    )


async def _imported(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(workshops)
        .where(workshops.c.id == e.workshop_id)
        .values(archive=e.data["archive"])
    )


HANDLERS: dict[str, Handler] = {
    ev.PARTICIPANT_JOINED: _participant_joined,
    ev.PARTICIPANT_ERASED: erasure.participant_erased,
    ev.REPORT_PUBLISHED: _report_link,
    ev.REPORT_UNPUBLISHED: _report_link,
    ev.WORKSHOP_IMPORTED: _imported,
    ev.PARTICIPANT_RENAMED: _participant_renamed,
    ev.PARTICIPANT_KICKED: _participant_kicked,
    **board_projections.HANDLERS,
    **note_projections.HANDLERS,
    **question_projections.HANDLERS,
    **timer_projections.HANDLERS,
    **dot_projections.HANDLERS,
    **dilemma_projections.HANDLERS,
    **hall_projections.HANDLERS,
    **backlog_projections.HANDLERS,
}


async def project(conn: AsyncConnection, event: StoredEvent, now: datetime.datetime) -> None:
    """Apply one stored event to the state tables (the SQL twin of `domain.workshop.apply`)."""
    handler = HANDLERS.get(event.type)
    if handler is None:
        raise ValueError(f"no projection for {event.type!r}")
    await handler(conn, event)
