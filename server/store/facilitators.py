"""Facilitator accounts (the only accounts Samskab has)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.store.tables import facilitators


@dataclass(frozen=True)
class FacilitatorRow:
    id: str
    name: str
    password_hash: str


async def insert(
    conn: AsyncConnection,
    *,
    facilitator_id: str,
    name: str,
    password_hash: str,
    now: datetime.datetime,
) -> None:
    await conn.execute(
        sa.insert(facilitators).values(
            id=facilitator_id, name=name, password_hash=password_hash, created_at=now
        )
    )


async def by_name(conn: AsyncConnection, name: str) -> FacilitatorRow | None:
    r = (await conn.execute(sa.select(facilitators).where(facilitators.c.name == name))).first()
    return None if r is None else FacilitatorRow(r.id, r.name, r.password_hash)


async def by_id(conn: AsyncConnection, facilitator_id: str) -> FacilitatorRow | None:
    r = (
        await conn.execute(sa.select(facilitators).where(facilitators.c.id == facilitator_id))
    ).first()
    return None if r is None else FacilitatorRow(r.id, r.name, r.password_hash)


async def update_password(conn: AsyncConnection, facilitator_id: str, password_hash: str) -> None:
    await conn.execute(
        sa.update(facilitators)
        .where(facilitators.c.id == facilitator_id)
        .values(password_hash=password_hash)
    )
