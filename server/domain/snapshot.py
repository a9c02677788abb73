"""A position in a workshop's log, and the state at that position."""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.workshop import WorkshopState


@dataclass(frozen=True)
class Position:
    last_seq: int
    epoch: str


@dataclass(frozen=True)
class Snapshot:
    state: WorkshopState
    position: Position
