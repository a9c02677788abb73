"""Workshop rows: creation, lookup by join code, listing for a facilitator."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.store.tables import workshops


@dataclass(frozen=True)
class WorkshopRow:
    id: str
    join_code: str
    title: str
    date: str
    facilitator_id: str
    last_seq: int
    epoch: str


def _row(r: sa.Row[tuple[object, ...]]) -> WorkshopRow:
    m = r._mapping
    return WorkshopRow(
        id=str(m["id"]),
        join_code=str(m["join_code"]),
        title=str(m["title"]),
        date=str(m["date"]),
        facilitator_id=str(m["facilitator_id"]),
        last_seq=int(m["last_seq"]),
        epoch=str(m["epoch"]),
    )


async def insert_workshop(
    conn: AsyncConnection,
    *,
    workshop_id: str,
    join_code: str,
    title: str,
    date: str,
    groups: list[str],
    epoch: str,
    facilitator_id: str,
    now: datetime.datetime,
) -> None:
    await conn.execute(
        sa.insert(workshops).values(
            id=workshop_id,
            join_code=join_code,
            title=title,
            date=date,
            groups=groups,
            epoch=epoch,
            last_seq=0,
            facilitator_id=facilitator_id,
            created_at=now,
        )
    )


async def join_code_taken(conn: AsyncConnection, join_code: str) -> bool:
    q = sa.select(workshops.c.id).where(workshops.c.join_code == join_code)
    return (await conn.execute(q)).first() is not None


async def by_join_code(conn: AsyncConnection, join_code: str) -> WorkshopRow | None:
    r = (await conn.execute(sa.select(workshops).where(workshops.c.join_code == join_code))).first()
    return None if r is None else _row(r)


async def by_id(conn: AsyncConnection, workshop_id: str) -> WorkshopRow | None:
    r = (await conn.execute(sa.select(workshops).where(workshops.c.id == workshop_id))).first()
    return None if r is None else _row(r)


async def for_facilitator(conn: AsyncConnection, facilitator_id: str) -> list[WorkshopRow]:
    q = (
        sa.select(workshops)
        .where(workshops.c.facilitator_id == facilitator_id)
        .order_by(workshops.c.date.desc(), workshops.c.created_at.desc())
    )
    return [_row(r) for r in await conn.execute(q)]
