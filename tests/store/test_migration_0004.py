"""Migration 0004 on a database written at 0003, on SQLite and PostgreSQL: its participants
upgrade to `in_room` false and load as exactly the state their log replays to, and questions
and votes work on them. Also: 0004 downgrades and upgrades again to the declared schema, CHECK
constraints included (which `compare_metadata` does not look at).
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
    Actor,
    AddRoomParticipant,
    CastVote,
    Command,
    CreateQuestion,
    JoinWorkshop,
    KickParticipant,
    OpenQuestion,
    RevealQuestion,
    UpdateParticipant,
)
from server.domain.decide import create_workshop, decide
from server.domain.events import Event
from server.domain.workshop import WorkshopState, apply, new_workshop
from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store import facilitators, log
from server.store.db import Database
from server.store.migrate import alembic_config, upgrade
from server.store.tables import metadata
from tests.store.twin import FAC, NOW, P1, P2, P3, Twin

WID, BID = "w-0003", "b-0003"

# The state tables as revision 0003 had them, written as the projections of that time did.
_workshops = sa.table(
    "workshops",
    *(
        sa.column(c)
        for c in ("id", "join_code", "title", "date", "epoch", "facilitator_id", "created_at")
    ),
    sa.column("groups", sa.JSON),
    sa.column("last_seq", sa.BigInteger),
)
_boards = sa.table(
    "boards",
    *(sa.column(c) for c in ("id", "workshop_id", "title", "template", "turn_column_id")),
    sa.column("position", sa.Integer),
    *(sa.column(c, sa.Boolean) for c in ("show_authors", "open_moves", "private", "locked")),
)
_board_columns = sa.table(
    "board_columns",
    *(sa.column(c) for c in ("id", "workshop_id", "board_id", "title")),
    sa.column("position", sa.Integer),
)
_participants = sa.table(
    "participants",
    *(sa.column(c) for c in ("id", "workshop_id", "display_name", "group_name")),
    sa.column("joined_seq", sa.BigInteger),
    sa.column("kicked", sa.Boolean),
)

# Who did what before questions existed.
OLD_COMMANDS: list[tuple[str, Command]] = [
    (P1.id, JoinWorkshop(P1.id, "Ida", "Borger")),
    (P2.id, JoinWorkshop(P2.id, None, "Borger")),
    (P3.id, JoinWorkshop(P3.id, "Eva", "Politiker")),
    (P2.id, UpdateParticipant("Bo", "Politiker")),
    (FAC.id, KickParticipant(P3.id)),
]


def old_log() -> list[tuple[str, Event]]:
    """The events those commands made, each with its actor, after `workshop.created`."""
    first = create_workshop(
        workshop_id=WID,
        board_id=BID,
        join_code="OLD345",
        title="Workshop fra 0003",
        date="2026-03-01",
        groups=["Politiker", "Borger"],
        board_title="Idébank",
        facilitator_id=FAC.id,
        column_title="Noter",
    )
    out = [(FAC.id, first)]
    state: WorkshopState = new_workshop(first)
    for actor_id, c in OLD_COMMANDS:
        actor = FAC if actor_id == FAC.id else Actor("participant", actor_id)
        for e in decide(state, actor, c):
            state = apply(state, e, len(out) + 1)
            out.append((actor_id, e))
    return out


async def _write_old_rows(conn: AsyncConnection, seq: int, e: Event) -> None:
    """What the 0003-era projections stored for each event."""
    d = e.data
    if e.type == "workshop.created":
        await conn.execute(
            sa.insert(_boards).values(
                id=BID,
                workshop_id=WID,
                title=d["board_title"],
                position=0,
                template="blank",
                show_authors=True,
                open_moves=True,
                private=False,
                locked=False,
                turn_column_id=None,
            )
        )
        await conn.execute(
            sa.insert(_board_columns).values(
                id=d["column_id"],
                workshop_id=WID,
                board_id=BID,
                title=d["column_title"],
                position=0,
            )
        )
    elif e.type == "participant.joined":
        await conn.execute(
            sa.insert(_participants).values(
                id=d["participant_id"],
                workshop_id=WID,
                display_name=d["display_name"],
                group_name=d["group"],
                joined_seq=seq,
                kicked=False,
            )
        )
    elif e.type == "participant.renamed":
        await conn.execute(
            sa.update(_participants)
            .where(_participants.c.id == d["participant_id"])
            .values(display_name=d["display_name"], group_name=d["group"])
        )
    elif e.type == "participant.kicked":
        await conn.execute(
            sa.update(_participants)
            .where(_participants.c.id == d["participant_id"])
            .values(kicked=True)
        )
    else:
        raise AssertionError(e.type)


async def write_0003_workshop(database_url: str) -> None:
    events = old_log()
    db = Database(database_url)
    try:
        async with db.write() as conn:
            await facilitators.insert(
                conn, facilitator_id=FAC.id, name="anna", password_hash="x", now=NOW
            )
            first: dict[str, Any] = events[0][1].data
            await conn.execute(
                sa.insert(_workshops).values(
                    id=WID,
                    join_code=first["join_code"],
                    title=first["title"],
                    date=first["date"],
                    groups=first["groups"],
                    epoch="e" * 16,
                    last_seq=len(events),
                    facilitator_id=FAC.id,
                    created_at=NOW,
                )
            )
            for seq, (actor_id, event) in enumerate(events, start=1):
                await log.append_events(conn, WID, seq, [event], actor_id, None, NOW)
                await _write_old_rows(conn, seq, event)
    finally:
        await db.dispose()


async def migrated(database_url: str) -> Database:
    """A database written at 0003, then upgraded to the head revision."""
    await asyncio.to_thread(upgrade, database_url, "0003")
    await write_0003_workshop(database_url)
    await asyncio.to_thread(upgrade, database_url)
    return Database(database_url)


async def test_participants_from_0003_upgrade_out_of_the_room_and_load_as_replayed(
    database_url: str,
) -> None:
    db = await migrated(database_url)
    try:
        twin = Twin(Service(db, MemoryBroker(), clock=lambda: NOW), WID)
        state = await twin.assert_replay_equals_stored()
        assert list(state.participants) == [P1.id, P2.id, P3.id]
        assert not any(p.in_room for p in state.participants.values())
        assert state.participants[P3.id].kicked and state.questions == {} and state.votes == {}
    finally:
        await db.dispose()


async def test_questions_and_votes_work_on_migrated_participants(database_url: str) -> None:
    db = await migrated(database_url)
    try:
        twin = Twin(Service(db, MemoryBroker(), clock=lambda: NOW), WID)
        await twin.do(FAC, AddRoomParticipant("room1", "Karen", "Borger"))
        await twin.do(FAC, CreateQuestion("v1", "Kan visionen bruges?", ask_comment=True))
        await twin.do(FAC, OpenQuestion("v1"))
        await twin.do(P1, CastVote("v1", 8, comment="ja"))
        await twin.do(P2, CastVote("v1", 2))
        await twin.do(P2, CastVote("v1", 3))
        await twin.do(FAC, CastVote("v1", 6, on_behalf_of="room1"))
        await twin.refused(FAC, CastVote("v1", 6, on_behalf_of=P1.id), "vote.not_in_room")
        await twin.refused(P3, CastVote("v1", 6), "participant.kicked")
        await twin.do(FAC, RevealQuestion("v1"))
        state = await twin.assert_replay_equals_stored()
        assert [p.id for p in state.participants.values() if p.in_room] == ["room1"]
        assert {v.voter_id: v.value for v in state.votes_on("v1")} == {
            P1.id: 8,
            P2.id: 3,
            "room1": 6,
        }
    finally:
        await db.dispose()


def _check_constraints(conn: sa.Connection) -> dict[str, set[tuple[str | None, str]]]:
    """Each table's CHECK constraints as the database reports them: (name, SQL text)."""
    inspector = sa.inspect(conn)
    return {
        t: {(c["name"], " ".join(c["sqltext"].split())) for c in inspector.get_check_constraints(t)}
        for t in inspector.get_table_names()
    }


async def test_0004_downgrades_and_upgrades_to_the_declared_schema(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0003")
    db = Database(database_url)
    try:
        async with db.read() as conn:
            names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
            columns = await conn.run_sync(
                lambda c: [col["name"] for col in sa.inspect(c).get_columns("participants")]
            )
        assert "questions" not in names and "votes" not in names and "in_room" not in columns
        await asyncio.to_thread(upgrade, database_url)
        async with db.read() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), metadata)
            )
            checks = await conn.run_sync(_check_constraints)
        assert diff == []
        declared = {
            t.name: {c.name for c in t.constraints if isinstance(c, sa.CheckConstraint)}
            for t in metadata.sorted_tables
        }
        assert {t: {n for n, _ in cs} for t, cs in checks.items() if cs} == {
            t: names for t, names in declared.items() if names
        }
        assert declared["votes"] == {"ck_votes_value_range"}
    finally:
        await db.dispose()
