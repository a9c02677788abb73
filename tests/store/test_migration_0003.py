"""Migration 0003 on a database written before boards had columns, on SQLite and PostgreSQL:
the backfilled rows load as exactly the state their old log replays to, and new board commands
work on them. Also: 0003 downgrades and upgrades again to the declared schema.
"""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain.commands import (
    AddColumn,
    AddNote,
    CreateBoard,
    EditNote,
    MoveNote,
    ReactToNote,
    RemoveColumn,
)
from server.domain.events import Event
from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store import facilitators, log
from server.store.db import Database
from server.store.migrate import alembic_config, upgrade
from server.store.tables import metadata
from tests.store.twin import FAC, NOW, P1, P2, Twin

WID, BID = "w-old", "b-old"

# The state tables as revision 0002 had them, written as the projections of that time did.
_workshops = sa.table(
    "workshops",
    *(
        sa.column(c)
        for c in ("id", "join_code", "title", "date", "epoch", "facilitator_id", "created_at")
    ),
    sa.column("groups", sa.JSON),
    sa.column("last_seq", sa.BigInteger),
)
_boards = sa.table("boards", *(sa.column(c) for c in ("id", "workshop_id", "title", "position")))
_participants = sa.table(
    "participants",
    *(sa.column(c) for c in ("id", "workshop_id", "display_name", "group_name", "joined_seq")),
)
_notes = sa.table(
    "notes",
    *(
        sa.column(c)
        for c in ("id", "workshop_id", "board_id", "author_id", "author_name", "text", "seq")
    ),
)

# A log from before columns: `workshop.created` names no column, notes no column or position.
OLD_LOG: list[tuple[str, str, dict[str, Any]]] = [
    (
        "fac1",
        "workshop.created",
        {
            "workshop_id": WID,
            "board_id": BID,
            "board_title": "Idébank",
            "join_code": "OLD234",
            "title": "Gammel workshop",
            "date": "2026-01-05",
            "groups": ["Politiker", "Borger"],
            "facilitator_id": "fac1",
        },
    ),
    (
        "p1",
        "participant.joined",
        {"participant_id": "p1", "display_name": "Ida", "group": "Borger"},
    ),
    ("p2", "participant.joined", {"participant_id": "p2", "display_name": None, "group": "Borger"}),
    ("p1", "note.added", {"note_id": "n1", "author_id": "p1", "author_name": "Ida", "text": "én"}),
    (
        "fac1",
        "note.added",
        {"note_id": "n2", "author_id": "fac1", "author_name": None, "text": "to"},
    ),
    ("p2", "note.added", {"note_id": "n3", "author_id": "p2", "author_name": None, "text": "tre"}),
    (
        "p2",
        "participant.renamed",
        {"participant_id": "p2", "display_name": "Bo", "group": "Politiker"},
    ),
    ("p1", "note.deleted", {"note_id": "n1", "board_id": BID}),
    (
        "p1",
        "note.added",
        {"note_id": "n4", "author_id": "p1", "author_name": "Ida", "text": "fire"},
    ),
]


def _old_event(actor_id: str, type_: str, data: dict[str, Any]) -> Event:
    if type_ == "note.added":
        role = "facilitator" if actor_id == "fac1" else "participant"
        data = {**data, "board_id": BID, "author_role": role}
    return Event(type_, data)


async def _write_old_rows(conn: AsyncConnection, seq: int, e: Event) -> None:
    """What the 0002-era projections stored for each event."""
    d = e.data
    if e.type == "workshop.created":
        await conn.execute(
            sa.insert(_boards).values(id=BID, workshop_id=WID, title=d["board_title"], position=0)
        )
    elif e.type == "participant.joined":
        await conn.execute(
            sa.insert(_participants).values(
                id=d["participant_id"],
                workshop_id=WID,
                display_name=d["display_name"],
                group_name=d["group"],
                joined_seq=seq,
            )
        )
    elif e.type == "participant.renamed":
        await conn.execute(
            sa.update(_participants)
            .where(_participants.c.id == d["participant_id"])
            .values(display_name=d["display_name"], group_name=d["group"])
        )
    elif e.type == "note.added":
        await conn.execute(
            sa.insert(_notes).values(
                id=d["note_id"],
                workshop_id=WID,
                board_id=BID,
                author_id=d["author_id"],
                author_name=d["author_name"],
                text=d["text"],
                seq=seq,
            )
        )
    elif e.type == "note.deleted":
        await conn.execute(sa.delete(_notes).where(_notes.c.id == d["note_id"]))


async def write_old_workshop(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.write() as conn:
            await facilitators.insert(
                conn, facilitator_id="fac1", name="anna", password_hash="x", now=NOW
            )
            await conn.execute(
                sa.insert(_workshops).values(
                    id=WID,
                    join_code="OLD234",
                    title="Gammel workshop",
                    date="2026-01-05",
                    groups=["Politiker", "Borger"],
                    epoch="e" * 16,
                    last_seq=len(OLD_LOG),
                    facilitator_id="fac1",
                    created_at=NOW,
                )
            )
            for seq, (actor_id, type_, data) in enumerate(OLD_LOG, start=1):
                event = _old_event(actor_id, type_, data)
                await log.append_events(conn, WID, seq, [event], actor_id, None, NOW)
                await _write_old_rows(conn, seq, event)
    finally:
        await db.dispose()


async def test_rows_from_before_columns_load_as_their_old_log_replays(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url, "0002")
    await write_old_workshop(database_url)
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url)
    try:
        twin = Twin(Service(db, MemoryBroker(), clock=lambda: NOW), WID)
        state = await twin.assert_replay_equals_stored()
        board = state.boards[BID]
        assert [(c.id, c.title) for c in board.columns] == [(BID, "Idébank")]
        assert state.notes["n2"].by_facilitator and not state.notes["n3"].by_facilitator
        assert [n.id for n in state.notes_on(BID)] == ["n2", "n3", "n4"]
        # Today's commands on the migrated rows.
        await twin.do(P1, AddNote("n5", "fem"))
        await twin.do(FAC, MoveNote("n4", BID, 0))
        await twin.do(FAC, AddColumn(BID, "col2", "Senere"))
        await twin.do(P2, MoveNote("n3", "col2", 0))
        await twin.do(FAC, EditNote("n2", 1, color="pink"))
        await twin.do(P1, ReactToNote("n2"))
        await twin.do(FAC, RemoveColumn(BID, "col2"))
        await twin.do(FAC, CreateBoard("b-new", "Ny", "blank", ("b-new-c",), ("Noter",)))
        state = await twin.assert_replay_equals_stored()
        assert [n.id for n in state.notes_on(BID)] == ["n3", "n4", "n2", "n5"]
    finally:
        await db.dispose()


async def test_0003_downgrades_and_upgrades_to_the_declared_schema(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0002")
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url)
    try:
        async with db.read() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), metadata)
            )
        assert diff == []
    finally:
        await db.dispose()
