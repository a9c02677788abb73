"""Reading what an export needs from the store, in one read transaction: the workshop's state,
its committee's (if it is a meeting of one) and the bytes of its hall files."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from server.domain.workshop import WorkshopState
from server.exchange.export import Doc, document, workshop_part
from server.store import assets, loading
from server.store.db import Database


@dataclass(frozen=True)
class Stored:
    state: WorkshopState
    committee: WorkshopState | None
    blobs: dict[str, bytes]


async def load(db: Database, workshop_id: str, *, files: bool = True) -> Stored | None:
    """None for an unknown workshop. `files`: read the hall's files (the JSON export only)."""
    async with db.read() as conn:
        state = await loading.load_state(conn, workshop_id)
        if state is None:
            return None
        committee_id = await loading.committee_of(conn, workshop_id)
        committee = None
        if committee_id is not None:
            committee = await loading.load_state(conn, committee_id)
        blobs: dict[str, bytes] = {}
        for asset_id in state.hall.assets if files else ():
            data = await assets.load_blob(conn, workshop_id, asset_id)
            blobs[asset_id] = b"" if data is None else data
    return Stored(state, committee, blobs)


def export_document(stored: Stored, now: datetime.datetime) -> Doc:
    return document(workshop_part(stored.state, stored.committee, stored.blobs), now)
