"""The rules for dot voting: commands in, events out, or a DomainError whose code is a
message-catalogue key. Pure: the ids of a carried board and its notes come in the command."""

from __future__ import annotations

from server.domain import board_rules
from server.domain import events as ev
from server.domain.boards import Board, Note, can_see_note
from server.domain.commands import (
    Actor,
    CarryTopNotes,
    CreateBoard,
    EndDots,
    PlaceDot,
    RemoveDot,
    StartDots,
)
from server.domain.dots import (
    MAX_CARRY,
    MAX_DOTS,
    MIN_CARRY,
    MIN_DOTS,
    DotRound,
    is_count,
    placed_by,
    ranking,
)
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.permissions import facilitator_only
from server.domain.workshop import WorkshopState


def _board(state: WorkshopState, board_id: str) -> Board:
    b = state.boards.get(board_id)
    if b is None:
        raise DomainError("board.unknown")
    return b


def _voter(state: WorkshopState, actor: Actor) -> str:
    """Dots are the participants' own: the screen only shows, the facilitator runs the round."""
    if actor.role == "screen":
        raise DomainError("permission.read_only")
    if actor.role != "participant":
        raise DomainError("permission.participants_only")
    p = state.participants.get(actor.id)
    if p is None:
        raise DomainError("participant.unknown")
    if p.kicked:
        raise DomainError("participant.kicked")
    return p.id


def _dotted_note(state: WorkshopState, actor: Actor, note_id: str) -> tuple[Note, DotRound]:
    """The note, if the voter may see it, on a board whose round is running. A note the voter
    may not see is unknown, exactly like one that does not exist. A locked board still takes
    dots: locking freezes the notes, the round says whether dots are taken."""
    note = state.notes.get(note_id)
    if note is None:
        raise DomainError("note.unknown")
    board = state.boards[note.board_id]
    if not can_see_note(board, note, actor.role, actor.id):
        raise DomainError("note.unknown")
    round_ = state.dot_rounds.get(board.id)
    if round_ is None or not round_.running:
        raise DomainError("dots.not_running")
    if note.hidden:  # its author still sees it, but it is out of the vote
        raise DomainError("note.hidden")
    return note, round_


def start_dots(state: WorkshopState, actor: Actor, c: StartDots) -> list[Event]:
    facilitator_only(actor)
    b = _board(state, c.board_id)
    current = state.dot_rounds.get(b.id)
    if current is not None and current.running:
        raise DomainError("dots.already_running")
    if not is_count(c.dots_per_person, MIN_DOTS, MAX_DOTS):
        raise DomainError("dots.bad_dots_per_person", min=MIN_DOTS, max=MAX_DOTS)
    if not is_count(c.per_note, 1, c.dots_per_person):
        raise DomainError("dots.bad_per_note", min=1, max=c.dots_per_person)
    return [
        Event(
            ev.DOTS_STARTED,
            {
                "board_id": b.id,
                "dots_per_person": c.dots_per_person,
                "per_note": c.per_note,
                "hidden": bool(c.hidden),
            },
        )
    ]


def place_dot(state: WorkshopState, actor: Actor, c: PlaceDot) -> list[Event]:
    voter = _voter(state, actor)
    note, round_ = _dotted_note(state, actor, c.note_id)
    mine = placed_by(state, note.board_id, voter)
    if sum(mine.values()) >= round_.dots_per_person:
        raise DomainError("dots.none_left", max=round_.dots_per_person)
    if mine.get(note.id, 0) >= round_.per_note:
        raise DomainError("dots.note_full", max=round_.per_note)
    return [
        Event(ev.DOT_PLACED, {"board_id": note.board_id, "note_id": note.id, "voter_id": voter})
    ]


def remove_dot(state: WorkshopState, actor: Actor, c: RemoveDot) -> list[Event]:
    voter = _voter(state, actor)
    note, _ = _dotted_note(state, actor, c.note_id)
    if state.dots.get((note.id, voter), 0) <= 0:
        raise DomainError("dots.none_here")
    return [
        Event(ev.DOT_REMOVED, {"board_id": note.board_id, "note_id": note.id, "voter_id": voter})
    ]


def end_dots(state: WorkshopState, actor: Actor, c: EndDots) -> list[Event]:
    facilitator_only(actor)
    b = _board(state, c.board_id)
    current = state.dot_rounds.get(b.id)
    if current is None or not current.running:
        raise DomainError("dots.not_running")
    return [Event(ev.DOTS_ENDED, {"board_id": b.id})]


def carry_top_notes(state: WorkshopState, actor: Actor, c: CarryTopNotes) -> list[Event]:
    """A new blank board (the `board.created` that `board.create` makes) holding the top
    `count` notes of the ranking that got at least one dot, in ranked order, each a new note
    linked to its source with the same text and colour and the original author's name."""
    facilitator_only(actor)
    b = _board(state, c.board_id)
    round_ = state.dot_rounds.get(b.id)
    if round_ is None or round_.running:
        raise DomainError("dots.not_ended")
    if not is_count(c.count, MIN_CARRY, MAX_CARRY):
        raise DomainError("dots.bad_count", min=MIN_CARRY, max=MAX_CARRY)
    top = [note for note, dots in ranking(state, b.id) if dots > 0][: c.count]
    if not top:
        raise DomainError("dots.nothing_to_carry")
    if len(c.new_note_ids) < len(top) or len(set(c.new_note_ids)) != len(c.new_note_ids):
        raise DomainError("dots.bad_count", min=MIN_CARRY, max=MAX_CARRY)
    created = board_rules.create_board(
        state,
        actor,
        CreateBoard(c.new_board_id, c.title, "blank", (c.column_id,), (c.column_title,)),
    )
    if any(note_id in state.notes for note_id in c.new_note_ids):
        raise DomainError("note.exists")
    added = [
        Event(
            ev.NOTE_ADDED,
            {
                "note_id": new_id,
                "board_id": c.new_board_id,
                "column_id": c.column_id,
                "author_id": note.author_id,
                "author_name": note.author_name,
                "author_role": "facilitator" if note.by_facilitator else "participant",
                "text": note.text,
                "color": note.color,
                "position": i,
                "linked_note_id": note.id,
            },
        )
        for i, (new_id, note) in enumerate(zip(c.new_note_ids, top, strict=False))
    ]
    return [*created, *added]
