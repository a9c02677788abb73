"""Workshop state and how events change it (`apply`), with no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TypeVar

from server.domain import events as ev
from server.domain.events import Event, StoredEvent

DEFAULT_GROUPS = ("Politiker", "Borger", "Medarbejder")
MAX_GROUPS = 12
MAX_GROUP_LENGTH = 40
MAX_TITLE_LENGTH = 200
MAX_NAME_LENGTH = 60
MAX_NOTE_LENGTH = 500


@dataclass(frozen=True)
class Participant:
    id: str
    display_name: str | None  # None: joined as "anonym"
    group: str


@dataclass(frozen=True)
class Note:
    id: str
    board_id: str
    author_id: str
    author_name: str | None
    text: str
    seq: int  # the seq of the event that added it; orders the board


@dataclass(frozen=True)
class Board:
    id: str
    title: str


@dataclass(frozen=True)
class WorkshopState:
    id: str
    title: str
    date: str  # ISO date, as the facilitator typed it
    groups: tuple[str, ...]
    join_code: str
    boards: Mapping[str, Board] = field(default_factory=lambda: MappingProxyType({}))
    participants: Mapping[str, Participant] = field(default_factory=lambda: MappingProxyType({}))
    notes: Mapping[str, Note] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def main_board(self) -> Board:
        return next(iter(self.boards.values()))

    def notes_on(self, board_id: str) -> list[Note]:
        return sorted(
            (n for n in self.notes.values() if n.board_id == board_id), key=lambda n: n.seq
        )


V = TypeVar("V")


def _with(mapping: Mapping[str, V], key: str, value: V | None) -> Mapping[str, V]:
    d = dict(mapping)
    if value is None:
        d.pop(key, None)
    else:
        d[key] = value
    return MappingProxyType(d)


def new_workshop(event: Event) -> WorkshopState:
    """The state right after `workshop.created`."""
    d = event.data
    board = Board(id=d["board_id"], title=d["board_title"])
    return WorkshopState(
        id=d["workshop_id"],
        title=d["title"],
        date=d["date"],
        groups=tuple(d["groups"]),
        join_code=d["join_code"],
        boards=MappingProxyType({board.id: board}),
    )


def apply(state: WorkshopState, event: Event, seq: int) -> WorkshopState:
    """Return the state after one event; the log replayed through this is the state."""
    d = event.data
    if event.type == ev.PARTICIPANT_JOINED:
        p = Participant(id=d["participant_id"], display_name=d["display_name"], group=d["group"])
        return replace(state, participants=_with(state.participants, p.id, p))
    if event.type == ev.PARTICIPANT_RENAMED:
        old = state.participants[d["participant_id"]]
        p = replace(old, display_name=d["display_name"], group=d["group"])
        return replace(state, participants=_with(state.participants, p.id, p))
    if event.type == ev.NOTE_ADDED:
        n = Note(
            id=d["note_id"],
            board_id=d["board_id"],
            author_id=d["author_id"],
            author_name=d["author_name"],
            text=d["text"],
            seq=seq,
        )
        return replace(state, notes=_with(state.notes, n.id, n))
    if event.type == ev.NOTE_DELETED:
        return replace(state, notes=_with(state.notes, d["note_id"], None))
    if event.type == ev.WORKSHOP_CREATED:
        return new_workshop(event)
    raise ValueError(f"unknown event type {event.type!r}")


def replay(log: list[StoredEvent]) -> WorkshopState:
    """The state a whole log describes; the stored projections must always equal it."""
    state = new_workshop(Event(log[0].type, log[0].data))
    for e in log[1:]:
        state = apply(state, Event(e.type, e.data), e.seq)
    return state
