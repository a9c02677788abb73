"""Who a request or socket is, for one workshop: proven by the signed session cookie only.

The WebSocket handshake and the JSON API ask the same question; both answer it here, with two
indexed lookups rather than a snapshot of the whole workshop (reconnect storms hit this path).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from server.domain.commands import Actor
from server.realtime.source import PresenceEntry
from server.store import participants
from server.store import workshops as workshop_rows
from server.web.state import runtime, session_facilitator, session_participant


@dataclass(frozen=True)
class Identity:
    actor: Actor
    presence: PresenceEntry | None  # participants only: what the facilitator sees online


@dataclass(frozen=True)
class Lookup:
    workshop_exists: bool
    identity: Identity | None


async def identify(conn: HTTPConnection, workshop_id: str) -> Lookup:
    rt = runtime(conn)
    async with rt.db.read() as db:
        row = await workshop_rows.by_id(db, workshop_id)
        if row is None:
            return Lookup(False, None)
        fid = session_facilitator(conn.session)
        if fid is not None and fid == row.facilitator_id:
            return Lookup(True, Identity(Actor("facilitator", fid), None))
        pid = session_participant(conn.session, workshop_id)
        p = None if pid is None else await participants.find(db, workshop_id, pid)
    if p is None or p.kicked:  # removed by the facilitator: shut out, also on reconnect
        return Lookup(True, None)
    return Lookup(
        True, Identity(Actor("participant", p.id), PresenceEntry(p.id, p.display_name, p.group))
    )
