"""The bytes of uploaded hall files. Written only inside `Service.execute`'s transaction, with
the `hall.asset_added` event that makes the file known; read by the asset endpoints."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.store.tables import asset_blobs


async def save_blob(conn: AsyncConnection, workshop_id: str, asset_id: str, data: bytes) -> None:
    await conn.execute(
        sa.insert(asset_blobs).values(workshop_id=workshop_id, asset_id=asset_id, data=data)
    )


async def load_blob(conn: AsyncConnection, workshop_id: str, asset_id: str) -> bytes | None:
    row = (
        await conn.execute(
            sa.select(asset_blobs.c.data).where(
                asset_blobs.c.workshop_id == workshop_id, asset_blobs.c.asset_id == asset_id
            )
        )
    ).first()
    return None if row is None else bytes(row[0])


async def count_blobs(conn: AsyncConnection, workshop_id: str) -> int:
    n = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(asset_blobs)
        .where(asset_blobs.c.workshop_id == workshop_id)
    )
    return int(n or 0)
