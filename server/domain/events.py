"""Events: the facts a command produced, stored in the log and sent to clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

WORKSHOP_CREATED = "workshop.created"
PARTICIPANT_JOINED = "participant.joined"
PARTICIPANT_RENAMED = "participant.renamed"
NOTE_ADDED = "note.added"
NOTE_DELETED = "note.deleted"

EVENT_TYPES = (
    WORKSHOP_CREATED,
    PARTICIPANT_JOINED,
    PARTICIPANT_RENAMED,
    NOTE_ADDED,
    NOTE_DELETED,
)

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Event:
    """One fact. `data` is plain JSON so it can be stored and sent as it is."""

    type: str
    data: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class StoredEvent:
    """An event with its place in the workshop's log."""

    workshop_id: str
    seq: int
    type: str
    data: JSON
    actor_id: str | None = None
    command_id: str | None = None

    def to_json(self) -> JSON:
        return {"seq": self.seq, "type": self.type, "data": self.data}
