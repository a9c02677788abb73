"""Participant rows, looked up one at a time (the handshake must not load a whole workshop)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain.workshop import Participant
from server.store.loading import participant_from_row
from server.store.tables import participants


async def find(conn: AsyncConnection, workshop_id: str, participant_id: str) -> Participant | None:
    q = sa.select(participants).where(
        participants.c.workshop_id == workshop_id, participants.c.id == participant_id
    )
    r = (await conn.execute(q)).first()
    return None if r is None else participant_from_row(r)
