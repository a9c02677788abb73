"""State tables kept in step with the log, inside the same transaction as the events."""

from __future__ import annotations

import datetime
from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.workshop import Board, Note, Participant, WorkshopState
from server.store.tables import boards, notes, participants, workshops


async def project(conn: AsyncConnection, event: StoredEvent, now: datetime.datetime) -> None:
    """Apply one stored event to the state tables (the SQL twin of `domain.workshop.apply`)."""
    d = event.data
    wid = event.workshop_id
    if event.type == ev.WORKSHOP_CREATED:
        await conn.execute(
            sa.insert(boards).values(
                id=d["board_id"], workshop_id=wid, title=d["board_title"], position=0
            )
        )
    elif event.type == ev.PARTICIPANT_JOINED:
        await conn.execute(
            sa.insert(participants).values(
                id=d["participant_id"],
                workshop_id=wid,
                display_name=d["display_name"],
                group_name=d["group"],
                joined_seq=event.seq,
            )
        )
    elif event.type == ev.PARTICIPANT_RENAMED:
        await conn.execute(
            sa.update(participants)
            .where(participants.c.id == d["participant_id"], participants.c.workshop_id == wid)
            .values(display_name=d["display_name"], group_name=d["group"])
        )
    elif event.type == ev.NOTE_ADDED:
        await conn.execute(
            sa.insert(notes).values(
                id=d["note_id"],
                workshop_id=wid,
                board_id=d["board_id"],
                author_id=d["author_id"],
                author_name=d["author_name"],
                text=d["text"],
                seq=event.seq,
            )
        )
    elif event.type == ev.NOTE_DELETED:
        await conn.execute(
            sa.delete(notes).where(notes.c.id == d["note_id"], notes.c.workshop_id == wid)
        )
    else:
        raise ValueError(f"no projection for {event.type!r}")


async def load_state(conn: AsyncConnection, workshop_id: str) -> WorkshopState | None:
    w = (await conn.execute(sa.select(workshops).where(workshops.c.id == workshop_id))).first()
    if w is None:
        return None
    board_rows = await conn.execute(
        sa.select(boards)
        .where(boards.c.workshop_id == workshop_id)
        .order_by(boards.c.position, boards.c.id)
    )
    part_rows = await conn.execute(
        sa.select(participants)
        .where(participants.c.workshop_id == workshop_id)
        .order_by(participants.c.joined_seq)
    )
    note_rows = await conn.execute(
        sa.select(notes).where(notes.c.workshop_id == workshop_id).order_by(notes.c.seq)
    )
    return WorkshopState(
        id=w.id,
        title=w.title,
        date=w.date,
        groups=tuple(w.groups),
        join_code=w.join_code,
        boards=MappingProxyType({r.id: Board(r.id, r.title) for r in board_rows}),
        participants=MappingProxyType(
            {r.id: Participant(r.id, r.display_name, r.group_name) for r in part_rows}
        ),
        notes=MappingProxyType(
            {
                r.id: Note(r.id, r.board_id, r.author_id, r.author_name, r.text, r.seq)
                for r in note_rows
            }
        ),
    )
