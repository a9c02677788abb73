"""The hub's view of storage: read the log, positions and consistent snapshots."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from server.domain.events import StoredEvent
from server.domain.snapshot import Position, Snapshot
from server.store import log, projections
from server.store.db import Database
from server.store.tables import workshops


class StoreEventSource:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def read_since(self, workshop_id: str, since: int, limit: int) -> list[StoredEvent]:
        async with self.db.read() as conn:
            return await log.read_since(conn, workshop_id, since, limit)

    async def positions(self, workshop_ids: Iterable[str]) -> dict[str, Position]:
        ids = list(workshop_ids)
        if not ids:
            return {}
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(workshops.c.id, workshops.c.last_seq, workshops.c.epoch).where(
                    workshops.c.id.in_(ids)
                )
            )
            return {r.id: Position(r.last_seq, r.epoch) for r in rows}

    async def snapshot(self, workshop_id: str) -> Snapshot | None:
        """State and seq from one read transaction, so they describe the same moment."""
        async with self.db.read() as conn:
            pos = await log.position(conn, workshop_id)
            state = await projections.load_state(conn, workshop_id)
        if pos is None or state is None:
            return None
        return Snapshot(state, Position(pos.last_seq, pos.epoch))
