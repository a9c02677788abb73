"""The rules for boards, columns, notes, clusters and comments: commands in, events out.

Pure functions called by `decide`; each returns the events a command causes or raises
DomainError with a message-catalogue code. Nothing here mutates or does I/O.
"""

from __future__ import annotations

from server.domain import events as ev
from server.domain.boards import (
    COLORS,
    DEFAULT_COLOR,
    MAX_BOARDS,
    MAX_CLUSTER_TITLE_LENGTH,
    MAX_COLUMN_TITLE_LENGTH,
    MAX_COLUMNS,
    MAX_COMMENT_LENGTH,
    MAX_COMMENTS_PER_NOTE,
    MAX_MERGED,
    MAX_NOTES_PER_BOARD,
    TEMPLATES,
    TURN_TARGET,
    Board,
    Note,
    can_see_note,
)
from server.domain.commands import (
    Actor,
    AddCluster,
    AddColumn,
    AddComment,
    AddNote,
    ChangeBoardSettings,
    CreateBoard,
    DeleteComment,
    DeleteNote,
    EditNote,
    HideNote,
    MergeNotes,
    MoveColumn,
    MoveNote,
    ReactToNote,
    RemoveCluster,
    RemoveColumn,
    RenameBoard,
    RenameCluster,
    RenameColumn,
    RevealBoard,
    SendNoteToBacklog,
    ShowBoard,
    StartPrivateWriting,
    TurnNoteAround,
)
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.permissions import facilitator_only
from server.domain.text import clean_text
from server.domain.workshop import (
    MAX_NOTE_LENGTH,
    MAX_TITLE_LENGTH,
    WorkshopState,
    next_position,
)


def _acting_participant(state: WorkshopState, actor: Actor) -> None:
    """Anyone but the screen may write; a participant must be known and not removed."""
    if actor.role == "screen":
        raise DomainError("permission.read_only")
    if actor.role == "participant":
        p = state.participants.get(actor.id)
        if p is None:
            raise DomainError("participant.unknown")
        if p.kicked:
            raise DomainError("participant.kicked")


def _board(state: WorkshopState, board_id: str) -> Board:
    b = state.boards.get(board_id)
    if b is None:
        raise DomainError("board.unknown")
    return b


def _writable_board(state: WorkshopState, actor: Actor, board_id: str) -> Board:
    _acting_participant(state, actor)
    b = _board(state, board_id)
    if b.locked and actor.role != "facilitator":
        raise DomainError("board.locked")
    return b


def _visible_note(state: WorkshopState, actor: Actor, note_id: str) -> tuple[Note, Board]:
    """The note, if this actor may see it; an invisible note is reported as unknown, not as
    hidden, so its existence leaks no more than its content."""
    note = state.notes.get(note_id)
    if note is None:
        raise DomainError("note.unknown")
    board = state.boards[note.board_id]
    if not can_see_note(board, note, actor.role, actor.id):
        raise DomainError("note.unknown")
    return note, board


def _writable_note(state: WorkshopState, actor: Actor, note_id: str) -> tuple[Note, Board]:
    _acting_participant(state, actor)
    note, board = _visible_note(state, actor, note_id)
    if board.locked and actor.role != "facilitator":
        raise DomainError("board.locked")
    return note, board


def _own_note(state: WorkshopState, actor: Actor, note_id: str) -> tuple[Note, Board]:
    note, board = _writable_note(state, actor, note_id)
    if actor.role != "facilitator" and note.author_id != actor.id:
        raise DomainError("note.not_yours")
    if note.hidden and actor.role != "facilitator":
        raise DomainError("note.hidden")
    return note, board


def _column_title(title: str) -> str:
    return clean_text(title, field="column", max_length=MAX_COLUMN_TITLE_LENGTH, multiline=False)


def _cluster_title(title: str) -> str:
    return clean_text(title, field="cluster", max_length=MAX_CLUSTER_TITLE_LENGTH, multiline=False)


def _board_title(title: str) -> str:
    return clean_text(title, field="title", max_length=MAX_TITLE_LENGTH, multiline=False)


def _note_text(text: str) -> str:
    return clean_text(text, field="note", max_length=MAX_NOTE_LENGTH, multiline=True)


def _color(color: str | None) -> str:
    if color is None:
        return DEFAULT_COLOR
    if color not in COLORS:
        raise DomainError("note.bad_color")
    return color


def _author(state: WorkshopState, actor: Actor) -> dict[str, object]:
    p = state.participants.get(actor.id) if actor.role == "participant" else None
    return {
        "author_id": actor.id,
        "author_name": p.display_name if p is not None else None,
        "author_role": actor.role,
    }


# --- boards and columns ----------------------------------------------------------------------


def create_board(state: WorkshopState, actor: Actor, c: CreateBoard) -> list[Event]:
    facilitator_only(actor)
    if c.template not in TEMPLATES:
        raise DomainError("board.unknown_template")
    keys = TEMPLATES[c.template]
    if len(c.column_titles) != len(keys) or len(c.column_ids) != len(keys):
        raise DomainError("board.unknown_template")
    if c.board_id in state.boards:
        raise DomainError("board.exists")
    if len(set(c.column_ids)) != len(c.column_ids) or any(
        state.board_of_column(cid) is not None for cid in c.column_ids
    ):
        raise DomainError("column.exists")
    if len(state.boards) >= MAX_BOARDS:
        raise DomainError("board.too_many", max=MAX_BOARDS)
    columns = [
        {"id": cid, "title": _column_title(title)}
        for cid, title in zip(c.column_ids, c.column_titles, strict=True)
    ]
    turn = TURN_TARGET.get(c.template)
    position = max((b.position for b in state.boards.values()), default=-1) + 1
    return [
        Event(
            ev.BOARD_CREATED,
            {
                "board_id": c.board_id,
                "title": _board_title(c.title),
                "template": c.template,
                "columns": columns,
                "turn_column_id": None if turn is None else c.column_ids[turn],
                "position": position,
            },
        )
    ]


def rename_board(state: WorkshopState, actor: Actor, c: RenameBoard) -> list[Event]:
    facilitator_only(actor)
    b = _board(state, c.board_id)
    return [Event(ev.BOARD_RENAMED, {"board_id": b.id, "title": _board_title(c.title)})]


def change_board_settings(
    state: WorkshopState, actor: Actor, c: ChangeBoardSettings
) -> list[Event]:
    facilitator_only(actor)
    b = _board(state, c.board_id)
    return [
        Event(
            ev.BOARD_SETTINGS_CHANGED,
            {
                "board_id": b.id,
                "show_authors": b.show_authors if c.show_authors is None else c.show_authors,
                "open_moves": b.open_moves if c.open_moves is None else c.open_moves,
                "locked": b.locked if c.locked is None else c.locked,
            },
        )
    ]


def start_private_writing(
    state: WorkshopState, actor: Actor, c: StartPrivateWriting
) -> list[Event]:
    facilitator_only(actor)
    b = _board(state, c.board_id)
    if b.private:
        raise DomainError("board.already_private")
    return [Event(ev.BOARD_PRIVATE_STARTED, {"board_id": b.id})]


def reveal_board(state: WorkshopState, actor: Actor, c: RevealBoard) -> list[Event]:
    facilitator_only(actor)
    b = _board(state, c.board_id)
    if not b.private:
        raise DomainError("board.not_private")
    return [Event(ev.BOARD_REVEALED, {"board_id": b.id})]


def show_board(state: WorkshopState, actor: Actor, c: ShowBoard) -> list[Event]:
    facilitator_only(actor)
    b = _board(state, c.board_id)
    return [Event(ev.BOARD_SHOWN, {"board_id": b.id})]


def add_column(state: WorkshopState, actor: Actor, c: AddColumn) -> list[Event]:
    facilitator_only(actor)
    b = _board(state, c.board_id)
    if len(b.columns) >= MAX_COLUMNS:
        raise DomainError("column.too_many", max=MAX_COLUMNS)
    if state.board_of_column(c.column_id) is not None:
        raise DomainError("column.exists")
    return [
        Event(
            ev.COLUMN_ADDED,
            {"board_id": b.id, "column_id": c.column_id, "title": _column_title(c.title)},
        )
    ]


def _column_board(state: WorkshopState, column_id: str) -> Board:
    b = state.board_of_column(column_id)
    if b is None:
        raise DomainError("column.unknown")
    return b


def rename_column(state: WorkshopState, actor: Actor, c: RenameColumn) -> list[Event]:
    facilitator_only(actor)
    b = _column_board(state, c.column_id)
    return [
        Event(
            ev.COLUMN_RENAMED,
            {"board_id": b.id, "column_id": c.column_id, "title": _column_title(c.title)},
        )
    ]


def move_column(state: WorkshopState, actor: Actor, c: MoveColumn) -> list[Event]:
    facilitator_only(actor)
    b = _column_board(state, c.column_id)
    order = [col.id for col in b.columns if col.id != c.column_id]
    order.insert(max(0, min(c.index, len(order))), c.column_id)
    return [Event(ev.COLUMN_MOVED, {"board_id": b.id, "column_id": c.column_id, "order": order})]


def remove_column(state: WorkshopState, actor: Actor, c: RemoveColumn) -> list[Event]:
    facilitator_only(actor)
    b = _column_board(state, c.column_id)
    if c.move_notes_to == c.column_id or b.column(c.move_notes_to) is None:
        raise DomainError("column.bad_target")
    return [
        Event(
            ev.COLUMN_REMOVED,
            {"board_id": b.id, "column_id": c.column_id, "moved_to": c.move_notes_to},
        )
    ]


# --- notes ------------------------------------------------------------------------------------


def _room_for_a_note(state: WorkshopState, b: Board) -> None:
    if sum(1 for n in state.notes.values() if n.board_id == b.id) >= MAX_NOTES_PER_BOARD:
        raise DomainError("board.full", max=MAX_NOTES_PER_BOARD)


def add_note(state: WorkshopState, actor: Actor, c: AddNote) -> list[Event]:
    board_id = c.board_id or state.current_board.id
    b = _writable_board(state, actor, board_id)
    if c.note_id in state.notes:
        raise DomainError("note.exists")
    column_id = c.column_id or b.columns[0].id
    if b.column(column_id) is None:
        raise DomainError("column.unknown")
    _room_for_a_note(state, b)
    return [
        Event(
            ev.NOTE_ADDED,
            {
                "note_id": c.note_id,
                "board_id": b.id,
                "column_id": column_id,
                **_author(state, actor),
                "text": _note_text(c.text),
                "color": _color(c.color),
                "position": next_position(state, column_id, None),
            },
        )
    ]


def edit_note(state: WorkshopState, actor: Actor, c: EditNote) -> list[Event]:
    note, b = _own_note(state, actor, c.note_id)
    if c.text is None and c.color is None:
        raise DomainError("note.nothing_to_change")
    if c.version != note.version:
        # Someone else saved first: the server's order decides, and this editor is told.
        raise DomainError("note.edit_conflict")
    return [
        Event(
            ev.NOTE_EDITED,
            {
                "note_id": note.id,
                "board_id": b.id,
                "text": note.text if c.text is None else _note_text(c.text),
                "color": note.color if c.color is None else _color(c.color),
                "version": note.version + 1,
            },
        )
    ]


def delete_note(state: WorkshopState, actor: Actor, c: DeleteNote) -> list[Event]:
    note, b = _own_note(state, actor, c.note_id)
    return [Event(ev.NOTE_DELETED, {"note_id": note.id, "board_id": b.id})]


def hide_note(state: WorkshopState, actor: Actor, c: HideNote) -> list[Event]:
    facilitator_only(actor)
    note, b = _visible_note(state, actor, c.note_id)
    return [Event(ev.NOTE_HIDDEN, {"note_id": note.id, "board_id": b.id, "hidden": c.hidden})]


def move_note(state: WorkshopState, actor: Actor, c: MoveNote) -> list[Event]:
    note, b = _writable_note(state, actor, c.note_id)
    if (
        actor.role == "participant"
        and note.author_id != actor.id
        and (not b.open_moves or b.private)
    ):
        raise DomainError("note.not_yours")
    if b.column(c.column_id) is None:
        raise DomainError("column.unknown")  # notes stay on their board
    if c.cluster_id is not None:
        cl = state.clusters.get(c.cluster_id)
        if cl is None or cl.column_id != c.column_id:
            raise DomainError("cluster.unknown")
    order = _order_after_move(state, actor, b, note, c)
    return [
        Event(
            ev.NOTE_MOVED,
            {
                "note_id": note.id,
                "board_id": b.id,
                "column_id": c.column_id,
                "cluster_id": c.cluster_id,
                "order": order,
                "from_column_id": note.column_id,
            },
        )
    ]


def _order_after_move(
    state: WorkshopState, actor: Actor, b: Board, note: Note, c: MoveNote
) -> list[str]:
    """The target container's new order. `index` counts the notes the mover can see (a client
    is never sent hidden notes, nor others' notes during private writing): the note goes just
    before the visible note now at that place, or after the last visible one."""
    rest = [n for n in state.notes_in(c.column_id, c.cluster_id) if n.id != note.id]
    seen = [i for i, n in enumerate(rest) if can_see_note(b, n, actor.role, actor.id)]
    index = max(0, c.index)
    if index < len(seen):
        at = seen[index]
    else:
        at = seen[-1] + 1 if seen else len(rest)
    order = [n.id for n in rest]
    order.insert(at, note.id)
    return order


def turn_note_around(state: WorkshopState, actor: Actor, c: TurnNoteAround) -> list[Event]:
    note, b = _writable_note(state, actor, c.note_id)
    target = b.turn_column_id
    if target is None or b.column(target) is None:
        raise DomainError("note.cannot_turn")
    if note.column_id == target:
        raise DomainError("note.cannot_turn")
    if c.new_note_id in state.notes:
        raise DomainError("note.exists")
    _room_for_a_note(state, b)
    return [
        Event(
            ev.NOTE_ADDED,
            {
                "note_id": c.new_note_id,
                "board_id": b.id,
                "column_id": target,
                **_author(state, actor),
                "text": _note_text(c.text),
                "color": "green",
                "position": next_position(state, target, None),
                "linked_note_id": note.id,
            },
        )
    ]


def merge_notes(state: WorkshopState, actor: Actor, c: MergeNotes) -> list[Event]:
    facilitator_only(actor)
    if c.note_id == c.into_id:
        raise DomainError("note.merge_self")
    note, b = _visible_note(state, actor, c.note_id)
    into, b2 = _visible_note(state, actor, c.into_id)
    if b.id != b2.id:
        raise DomainError("note.merge_other_board")
    merged = [*into.merged, note.text, *note.merged]
    if len(merged) > MAX_MERGED:
        raise DomainError("note.merge_too_many", max=MAX_MERGED)
    return [
        Event(
            ev.NOTE_MERGED,
            {"note_id": note.id, "into_id": into.id, "board_id": b.id, "merged": merged},
        )
    ]


def react_to_note(state: WorkshopState, actor: Actor, c: ReactToNote) -> list[Event]:
    note, b = _writable_note(state, actor, c.note_id)
    return [
        Event(
            ev.NOTE_REACTED,
            {
                "note_id": note.id,
                "board_id": b.id,
                "reactor_id": actor.id,
                "on": actor.id not in note.reactors,
            },
        )
    ]


def add_comment(state: WorkshopState, actor: Actor, c: AddComment) -> list[Event]:
    note, b = _writable_note(state, actor, c.note_id)
    if c.comment_id in state.comments:
        raise DomainError("comment.exists")
    if len(state.comments_on(note.id)) >= MAX_COMMENTS_PER_NOTE:
        raise DomainError("comment.too_many", max=MAX_COMMENTS_PER_NOTE)
    text = clean_text(c.text, field="comment", max_length=MAX_COMMENT_LENGTH, multiline=True)
    return [
        Event(
            ev.COMMENT_ADDED,
            {
                "comment_id": c.comment_id,
                "note_id": note.id,
                "board_id": b.id,
                **_author(state, actor),
                "text": text,
            },
        )
    ]


def delete_comment(state: WorkshopState, actor: Actor, c: DeleteComment) -> list[Event]:
    _acting_participant(state, actor)
    comment = state.comments.get(c.comment_id)
    if comment is None:
        raise DomainError("comment.unknown")
    _writable_note(state, actor, comment.note_id)
    if actor.role != "facilitator" and comment.author_id != actor.id:
        raise DomainError("comment.not_yours")
    return [
        Event(
            ev.COMMENT_DELETED,
            {"comment_id": comment.id, "note_id": comment.note_id, "board_id": comment.board_id},
        )
    ]


# --- clusters ---------------------------------------------------------------------------------


def add_cluster(state: WorkshopState, actor: Actor, c: AddCluster) -> list[Event]:
    facilitator_only(actor)
    b = _column_board(state, c.column_id)
    if c.cluster_id in state.clusters:
        raise DomainError("cluster.exists")
    return [
        Event(
            ev.CLUSTER_ADDED,
            {
                "cluster_id": c.cluster_id,
                "board_id": b.id,
                "column_id": c.column_id,
                "title": _cluster_title(c.title),
            },
        )
    ]


def rename_cluster(state: WorkshopState, actor: Actor, c: RenameCluster) -> list[Event]:
    facilitator_only(actor)
    cl = state.clusters.get(c.cluster_id)
    if cl is None:
        raise DomainError("cluster.unknown")
    return [
        Event(
            ev.CLUSTER_RENAMED,
            {
                "cluster_id": cl.id,
                "board_id": cl.board_id,
                "column_id": cl.column_id,
                "title": _cluster_title(c.title),
            },
        )
    ]


def remove_cluster(state: WorkshopState, actor: Actor, c: RemoveCluster) -> list[Event]:
    facilitator_only(actor)
    cl = state.clusters.get(c.cluster_id)
    if cl is None:
        raise DomainError("cluster.unknown")
    return [
        Event(
            ev.CLUSTER_REMOVED,
            {"cluster_id": cl.id, "board_id": cl.board_id, "column_id": cl.column_id},
        )
    ]


def send_note_to_backlog(state: WorkshopState, actor: Actor, c: SendNoteToBacklog) -> list[Event]:
    """ "Move to backlog": the committee accepted the item first (its own stream); here the note
    links to it, once. The note stays on the board, so the link goes both ways."""
    facilitator_only(actor)
    note = state.notes.get(c.note_id)
    if note is None:
        raise DomainError("note.unknown")
    if note.backlog is not None:
        raise DomainError("note.in_backlog")
    return [
        Event(
            ev.NOTE_SENT_TO_BACKLOG,
            {
                "note_id": note.id,
                "board_id": note.board_id,
                "committee_id": c.committee_id,
                "item_id": c.item_id,
            },
        )
    ]
