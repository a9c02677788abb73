"""The event log, the per-workshop seq counter and the idempotency records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain.events import SCHEMA_VERSION, Event, StoredEvent
from server.store.tables import commands, events, workshops


@dataclass(frozen=True)
class CommandOutcome:
    """What a command came to; a retry with the same id gets exactly this again."""

    command_id: str
    accepted: bool
    first_seq: int | None = None
    last_seq: int | None = None
    error_code: str | None = None
    error_params: dict[str, str | int] | None = None


@dataclass(frozen=True)
class LogPosition:
    last_seq: int
    epoch: str


async def lock_workshop(conn: AsyncConnection, workshop_id: str) -> LogPosition | None:
    """Take the workshop's write lock (a row lock on PostgreSQL; SQLite's is database-wide)."""
    q = sa.select(workshops.c.last_seq, workshops.c.epoch).where(workshops.c.id == workshop_id)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = (await conn.execute(q)).first()
    return None if row is None else LogPosition(row.last_seq, row.epoch)


async def position(conn: AsyncConnection, workshop_id: str) -> LogPosition | None:
    q = sa.select(workshops.c.last_seq, workshops.c.epoch).where(workshops.c.id == workshop_id)
    row = (await conn.execute(q)).first()
    return None if row is None else LogPosition(row.last_seq, row.epoch)


def _outcome(row: sa.Row[Any]) -> CommandOutcome:
    return CommandOutcome(
        command_id=row.command_id,
        accepted=row.outcome == "accepted",
        first_seq=row.first_seq,
        last_seq=row.last_seq,
        error_code=row.error_code,
        error_params=row.error_params,
    )


async def find_command(
    conn: AsyncConnection, workshop_id: str, command_id: str
) -> CommandOutcome | None:
    return (await find_commands(conn, workshop_id, [command_id])).get(command_id)


async def find_commands(
    conn: AsyncConnection, workshop_id: str, command_ids: list[str]
) -> dict[str, CommandOutcome]:
    """The outcomes already recorded for any of these ids, in one round trip."""
    q = sa.select(commands).where(
        commands.c.workshop_id == workshop_id, commands.c.command_id.in_(set(command_ids))
    )
    return {row.command_id: _outcome(row) for row in await conn.execute(q)}


async def record_commands(
    conn: AsyncConnection,
    workshop_id: str,
    outcomes: list[tuple[str, CommandOutcome]],
    now: datetime.datetime,
) -> None:
    """Each (actor id, outcome), in one round trip."""
    if not outcomes:
        return
    await conn.execute(
        sa.insert(commands),
        [
            {
                "workshop_id": workshop_id,
                "command_id": outcome.command_id,
                "actor_id": actor_id,
                "outcome": "accepted" if outcome.accepted else "rejected",
                "first_seq": outcome.first_seq,
                "last_seq": outcome.last_seq,
                "error_code": outcome.error_code,
                "error_params": outcome.error_params,
                "created_at": now,
            }
            for actor_id, outcome in outcomes
        ],
    )


async def allocate_seq(conn: AsyncConnection, workshop_id: str, n: int) -> int:
    """Reserve n seqs inside the transaction; returns the last. Rolled back with it: no gaps."""
    q = (
        sa.update(workshops)
        .where(workshops.c.id == workshop_id)
        .values(last_seq=workshops.c.last_seq + n)
        .returning(workshops.c.last_seq)
    )
    return int((await conn.execute(q)).scalar_one())


async def append_events(
    conn: AsyncConnection,
    workshop_id: str,
    first_seq: int,
    new_events: list[Event],
    actor_id: str | None,
    command_id: str | None,
    now: datetime.datetime,
) -> list[StoredEvent]:
    stored = [
        StoredEvent(workshop_id, first_seq + i, e.type, e.data, actor_id, command_id)
        for i, e in enumerate(new_events)
    ]
    await insert_events(conn, stored, now)
    return stored


async def insert_events(
    conn: AsyncConnection, stored: list[StoredEvent], now: datetime.datetime
) -> None:
    """Events whose seqs `allocate_seq` reserved, in one round trip."""
    await conn.execute(
        sa.insert(events),
        [
            {
                "workshop_id": s.workshop_id,
                "seq": s.seq,
                "type": s.type,
                "schema_version": SCHEMA_VERSION,
                "payload": s.data,
                "actor_id": s.actor_id,
                "command_id": s.command_id,
                "created_at": now,
            }
            for s in stored
        ],
    )


async def read_since(
    conn: AsyncConnection, workshop_id: str, since: int, limit: int | None = None
) -> list[StoredEvent]:
    q = (
        sa.select(events)
        .where(events.c.workshop_id == workshop_id, events.c.seq > since)
        .order_by(events.c.seq)
    )
    if limit is not None:
        q = q.limit(limit)
    return [
        StoredEvent(r.workshop_id, r.seq, r.type, r.payload, r.actor_id, r.command_id)
        for r in await conn.execute(q)
    ]
