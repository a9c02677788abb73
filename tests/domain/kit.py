"""A small workshop driver for the board tests: commands go through `decide`, events through
`apply`, and every accepted event is kept in a log with its seq, as the store would keep it.

It mirrors `workshop()`, `run()` and `joined()` in test_decide.py, plus the log for `replay`.
"""

from __future__ import annotations

import pytest

from server.domain.boards import TEMPLATES, Note
from server.domain.commands import Actor, Command, CreateBoard, JoinWorkshop
from server.domain.decide import create_workshop, decide
from server.domain.errors import DomainError
from server.domain.events import Event, StoredEvent
from server.domain.workshop import WorkshopState, apply, new_workshop

FAC = Actor("facilitator", "fac1")
P1 = Actor("participant", "p1")
P2 = Actor("participant", "p2")
P3 = Actor("participant", "p3")
SCREEN = Actor("screen", "scr")

# The first board of every workshop: blank, one column whose id is the board's id.
MAIN = "b1"

# Column titles as the web layer would send them for each template, in the template's order.
TITLES: dict[str, tuple[str, ...]] = {
    "blank": ("Noter",),
    "idea_bank": ("Idéer", "Semifinale", "Finale"),
    "negative": ("Det værste", "Vendt om"),
    "parking_lot": ("Parkeret", "Besvaret"),
}


def column_ids(board_id: str, template: str) -> tuple[str, ...]:
    """The ids `Session.board` gives a template's columns: `<board>-<key>`."""
    return tuple(f"{board_id}-{key}" for key in TEMPLATES[template])


class Session:
    """One workshop with participants p1 (Ida), p2 (Bo) and p3 (anonymous) joined."""

    def __init__(self, workshop_id: str = "w1") -> None:
        first = create_workshop(
            workshop_id=workshop_id,
            board_id=MAIN,
            join_code="ABC234",
            title="Visionen",
            date="2026-11-22",
            groups=["Politiker", "Borger"],
            board_title="Idébank",
            facilitator_id=FAC.id,
        )
        self.workshop_id = workshop_id
        self.state: WorkshopState = new_workshop(first)
        self.log: list[StoredEvent] = [StoredEvent(workshop_id, 1, first.type, first.data)]
        self.states: list[WorkshopState] = [self.state]  # the state after each log entry
        for actor, name, group in ((P1, "Ida", "Borger"), (P2, "Bo", "Politiker")):
            self.do(actor, JoinWorkshop(actor.id, name, group))
        self.do(P3, JoinWorkshop(P3.id, None, "Borger"))

    @property
    def seq(self) -> int:
        return self.log[-1].seq

    def do(self, actor: Actor, command: Command) -> list[Event]:
        """Decide and apply, as the service does; raises DomainError if refused."""
        events = decide(self.state, actor, command)
        for e in events:
            seq = self.seq + 1
            self.state = apply(self.state, e, seq)
            self.log.append(StoredEvent(self.workshop_id, seq, e.type, e.data, actor.id))
            self.states.append(self.state)
        return events

    def refused(self, actor: Actor, command: Command) -> str:
        """The error code `command` is refused with; the state and log stay as they were."""
        before, length = self.state, len(self.log)
        with pytest.raises(DomainError) as e:
            self.do(actor, command)
        assert self.state is before
        assert self.state == before
        assert len(self.log) == len(self.states) == length
        return e.value.code

    def board(self, board_id: str, template: str, title: str = "Tavle") -> tuple[str, ...]:
        """Create a board from a template; return its column ids in order."""
        ids = column_ids(board_id, template)
        self.do(FAC, CreateBoard(board_id, title, template, ids, TITLES[template]))
        return ids

    def note(self, note_id: str) -> Note:
        return self.state.notes[note_id]

    def ids_in(self, column_id: str, cluster_id: str | None = None) -> list[str]:
        return [n.id for n in self.state.notes_in(column_id, cluster_id)]

    def texts_in(self, column_id: str, cluster_id: str | None = None) -> list[str]:
        return [n.text for n in self.state.notes_in(column_id, cluster_id)]


def containers(state: WorkshopState) -> dict[tuple[str, str | None], list[Note]]:
    """Every non-empty container (column loose notes, or one cluster) with its notes in order."""
    out: dict[tuple[str, str | None], list[Note]] = {}
    for n in state.notes.values():
        out.setdefault((n.column_id, n.cluster_id), []).append(n)
    return {k: state.notes_in(*k) for k in out}


def assert_dense_positions(state: WorkshopState) -> None:
    """Each container's positions are exactly 0..n-1, and every note sits where it may."""
    for (column_id, cluster_id), notes in containers(state).items():
        assert [n.position for n in notes] == list(range(len(notes))), (column_id, cluster_id)
        board = state.boards[notes[0].board_id]
        assert board.column(column_id) is not None
        if cluster_id is not None:
            assert state.clusters[cluster_id].column_id == column_id
