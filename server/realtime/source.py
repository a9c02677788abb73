"""What the hub needs from storage, as a protocol: it reads the log but never talks SQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from server.domain.events import StoredEvent
from server.domain.snapshot import Position, Snapshot
from server.domain.workshop import WorkshopState

__all__ = [
    "EventSource",
    "Format",
    "Position",
    "PresenceEntry",
    "Renderer",
    "Snapshot",
    "Viewer",
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
    editing: str | None = None  # the note this participant has open in the editor
    station: str | None = None  # the hall station this participant has open


@dataclass
class Viewer:
    """Who is on the other end of a socket, as far as rendering is concerned."""

    role: ViewerRole
    fmt: Format
    locale: str
    actor_id: str = ""
    presence: PresenceEntry | None = None  # participants only


class Renderer(Protocol):
    """Turns events into the text one viewer receives. The hub renders once per
    (role, format, locale), and once per viewer only for those `personal` names."""

    def personal(self, events: list[StoredEvent], state: WorkshopState) -> frozenset[str]:
        """Actor ids who must get their own rendering of this batch (it shows them content
        others may not see, such as their own notes during private writing)."""
        ...

    def audience(self, viewer: Viewer, personal: frozenset[str]) -> Viewer:
        """Who a batch is rendered for: the person, or an anonymous member of their role and
        language (then rendered once for all of them, and it cannot show anyone's own things)."""
        ...

    def events(
        self, events: list[StoredEvent], epoch: str, state: WorkshopState, viewer: Viewer
    ) -> str:
        """`state` is the state after the batch."""
        ...

    def snapshot(self, snap: Snapshot, viewer: Viewer) -> str: ...

    def presence(self, online: list[PresenceEntry], state: WorkshopState, viewer: Viewer) -> str:
        """`state` is the room's current state: what the viewer may see of who is where (a
        station in a room they have not unlocked is not counted out to them)."""
        ...
