"""What the hub needs from storage, as a protocol: it reads the log but never talks SQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from server.domain.events import StoredEvent
from server.domain.snapshot import Position, Snapshot

__all__ = [
    "EventSource",
    "Format",
    "Position",
    "PresenceEntry",
    "Renderer",
    "Snapshot",
    "ViewerRole",
]

Format = Literal["html", "json"]
ViewerRole = Literal["facilitator", "participant", "screen"]


class EventSource(Protocol):
    async def read_since(self, workshop_id: str, since: int, limit: int) -> list[StoredEvent]: ...

    async def positions(self, workshop_ids: Iterable[str]) -> dict[str, Position]: ...

    async def snapshot(self, workshop_id: str) -> Snapshot | None: ...


@dataclass(frozen=True)
class PresenceEntry:
    participant_id: str
    display_name: str | None
    group: str


class Renderer(Protocol):
    """Turns events into the text one kind of viewer receives; called once per (batch, role, format)."""

    def events(
        self, events: list[StoredEvent], epoch: str, role: ViewerRole, fmt: Format, locale: str
    ) -> str: ...

    def snapshot(self, snap: Snapshot, role: ViewerRole, fmt: Format, locale: str) -> str: ...

    def presence(
        self, online: list[PresenceEntry], role: ViewerRole, fmt: Format, locale: str
    ) -> str: ...
