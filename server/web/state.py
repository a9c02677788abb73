"""What every endpoint needs, born in the lifespan and reached through `request.app.state`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection

from server.realtime.hub import Hub
from server.service import Service
from server.settings import Settings
from server.store.db import Database
from server.store.source import StoreEventSource
from server.web.security import KeyedLimiter


@dataclass
class Runtime:
    settings: Settings
    db: Database
    service: Service
    hub: Hub
    source: StoreEventSource  # the hub reads the log through the same object
    join_limiter: KeyedLimiter


def runtime(conn: HTTPConnection) -> Runtime:
    rt: Runtime = conn.app.state.runtime
    return rt


def session_participant(session: dict[str, Any], workshop_id: str) -> str | None:
    parts = session.get("participants")
    if isinstance(parts, dict):
        pid = parts.get(workshop_id)
        if isinstance(pid, str):
            return pid
    return None


def set_session_participant(
    session: dict[str, Any], workshop_id: str, participant_id: str | None
) -> None:
    parts = session.get("participants")
    parts = dict(parts) if isinstance(parts, dict) else {}
    if participant_id is None:
        parts.pop(workshop_id, None)
    else:
        parts[workshop_id] = participant_id
    session["participants"] = parts


def session_facilitator(session: dict[str, Any]) -> str | None:
    fid = session.get("facilitator_id")
    return fid if isinstance(fid, str) else None


def session_locale(conn: HTTPConnection) -> str:
    loc = conn.session.get("locale")
    rt = runtime(conn)
    return loc if loc in ("da", "en") else rt.settings.default_locale
