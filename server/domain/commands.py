"""Commands: what a user asks for, already parsed and typed at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["facilitator", "participant", "screen"]


@dataclass(frozen=True)
class Actor:
    """Who sends a command; the web layer proves it from the session."""

    role: Role
    id: str


@dataclass(frozen=True)
class JoinWorkshop:
    participant_id: str
    display_name: str | None
    group: str


@dataclass(frozen=True)
class UpdateParticipant:
    display_name: str | None
    group: str


@dataclass(frozen=True)
class AddNote:
    note_id: str
    text: str
    board_id: str | None = None


@dataclass(frozen=True)
class DeleteNote:
    note_id: str


Command = JoinWorkshop | UpdateParticipant | AddNote | DeleteNote
