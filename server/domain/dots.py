"""Dot voting on a board's notes: each participant gets N dots and may put at most M on one note.

One round per board at a time. While a round runs participants place and take back dots; the
facilitator ends it, and the ranked list (`ranking`) is what the dots came to. A round may be
hidden (while it runs, each participant sees only their own dots, the facilitator the totals)
or live (everyone sees the totals as they grow). Dots are anonymous: nobody, the facilitator
included, is shown who put a dot where, only the voter their own.

The ranked list can be carried to a new board ("semifinal") in one action: the top notes are
copied there as new notes linked to the ones they came from.

Dots are kept per (note, voter) as a count. A deleted note's dots go with it; a note merged into
another gives its dots to the kept note, each voter's count capped at the round's per-note limit
(the dots over the cap go back to their voter, who may place them again while the round runs).
Starting a new round on a board clears every dot on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.domain.boards import Note

if TYPE_CHECKING:
    from server.domain.workshop import WorkshopState

MIN_DOTS, MAX_DOTS = 1, 20  # dots per person in a round
MIN_CARRY, MAX_CARRY = 1, 50  # notes carried to a new board

# (note id, voter id) -> how many dots that voter put on that note (never 0: the key goes)
Dots = Mapping[tuple[str, str], int]


@dataclass(frozen=True)
class DotRound:
    board_id: str
    dots_per_person: int  # N: dots each participant may place on the board
    per_note: int  # M: at most this many of one person's dots on one note
    hidden: bool  # while running, participants see only their own dots
    seq: int  # of its `dots.started`
    running: bool = True  # False once the facilitator ended it: the results are for everyone


def is_count(value: object, low: int, high: int) -> bool:
    """Exactly an integer from low to high: not a bool, a float or a string."""
    return type(value) is int and low <= value <= high


def board_notes(state: WorkshopState, board_id: str) -> list[Note]:
    """The notes dots may be on: every note on the board but the ones the facilitator hid."""
    return [n for n in state.notes_on(board_id) if not n.hidden]


def totals(state: WorkshopState, board_id: str) -> dict[str, int]:
    """note id -> all dots on it, for the notes of one board that have any."""
    out: dict[str, int] = {}
    for (note_id, _), count in state.dots.items():
        note = state.notes.get(note_id)
        if note is not None and note.board_id == board_id:
            out[note_id] = out.get(note_id, 0) + count
    return out


def placed_by(state: WorkshopState, board_id: str, voter_id: str) -> dict[str, int]:
    """note id -> one voter's dots on it, on one board."""
    out: dict[str, int] = {}
    for (note_id, who), count in state.dots.items():
        note = state.notes.get(note_id)
        if who == voter_id and note is not None and note.board_id == board_id:
            out[note_id] = count
    return out


def dots_left(state: WorkshopState, board_id: str, voter_id: str) -> int:
    r = state.dot_rounds.get(board_id)
    if r is None:
        return 0
    return max(0, r.dots_per_person - sum(placed_by(state, board_id, voter_id).values()))


def ranking(state: WorkshopState, board_id: str) -> list[tuple[Note, int]]:
    """The board's notes (hidden ones left out) with their dots, most dots first; ties keep the
    order the notes have on the board (column by column, clustered before loose, in order)."""
    count = totals(state, board_id)
    notes = board_notes(state, board_id)
    order = sorted(range(len(notes)), key=lambda i: (-count.get(notes[i].id, 0), i))
    return [(notes[i], count.get(notes[i].id, 0)) for i in order]


def without_note(dots: Dots, note_id: str) -> dict[tuple[str, str], int]:
    """The dots after a note is deleted: its dots go with it."""
    return {k: v for k, v in dots.items() if k[0] != note_id}


def merged_into(
    dots: Dots, gone: str, into: str, per_note: int | None
) -> dict[tuple[str, str], int]:
    """The dots after `gone` is merged into `into`: each voter's dots on the two add up, capped
    at the per-note limit (None: no round on the board, no cap)."""
    out = without_note(dots, gone)
    for (note_id, voter), count in dots.items():
        if note_id != gone:
            continue
        total = out.get((into, voter), 0) + count
        out[(into, voter)] = total if per_note is None else min(total, per_note)
    return out
