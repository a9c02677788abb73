"""Boards and what is on them: columns, notes, clusters and comments, plus who may see a note.

Pure data and pure rules; `workshop.apply` changes them, `decide` checks commands against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_BOARDS = 30
MAX_COLUMNS = 12
MAX_COLUMN_TITLE_LENGTH = 80
MAX_CLUSTER_TITLE_LENGTH = 80
MAX_COMMENT_LENGTH = 300
MAX_COMMENTS_PER_NOTE = 50
MAX_NOTES_PER_BOARD = 1000
MAX_MERGED = 20

# Board templates: the column keys each starts with. The web layer turns keys into titles in the
# facilitator's language (`template.<template>.<key>` in the catalogue).
TEMPLATES: dict[str, tuple[str, ...]] = {
    "blank": ("notes",),
    "idea_bank": ("ideas", "semifinal", "final"),
    "negative": ("fails", "turned"),
    "parking_lot": ("parked", "answered"),
}
# The negative brainstorm turns a note from its first column into a linked note in this one.
TURN_TARGET = {"negative": 1}

# Note colours: light backgrounds that keep dark text above 7:1 contrast (WCAG AAA for text).
COLORS = ("yellow", "blue", "green", "pink", "orange", "purple")
DEFAULT_COLOR = "yellow"


@dataclass(frozen=True)
class Column:
    id: str
    title: str


@dataclass(frozen=True)
class Board:
    id: str
    title: str
    template: str
    columns: tuple[Column, ...]
    position: int
    show_authors: bool = True
    open_moves: bool = True  # participants may move others' notes, not only their own
    private: bool = False  # private writing: each participant sees only their own notes
    locked: bool = False  # read-only for everyone but the facilitator
    turn_column_id: str | None = None  # negative brainstorm: where turned-around notes go

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.columns if c.id == column_id), None)


@dataclass(frozen=True)
class Note:
    id: str
    board_id: str
    column_id: str
    author_id: str
    author_name: str | None  # the name when written; None: anonym
    text: str
    seq: int  # the seq of the event that added it; breaks ties in ordering
    position: int  # order within its container (column, or cluster inside a column)
    cluster_id: str | None = None
    color: str = DEFAULT_COLOR
    version: int = 1  # raised by every edit: an edit based on an older version lost the race
    hidden: bool = False  # hidden by a facilitator: kept, but shown to facilitators only
    by_facilitator: bool = False
    linked_note_id: str | None = None  # the negative note this one turned around
    merged: tuple[str, ...] = ()  # texts of duplicates merged into this note
    reactors: frozenset[str] = field(default_factory=frozenset)  # who gave it +1
    backlog: tuple[str, str] | None = None  # (committee id, item id): sent to that backlog


@dataclass(frozen=True)
class Cluster:
    id: str
    board_id: str
    column_id: str
    title: str
    seq: int


@dataclass(frozen=True)
class Comment:
    id: str
    note_id: str
    board_id: str
    author_id: str
    author_name: str | None
    text: str
    seq: int
    by_facilitator: bool = False


def order_key(note: Note) -> tuple[int, int]:
    return (note.position, note.seq)


def can_see_note(board: Board, note: Note, role: str, viewer_id: str | None) -> bool:
    """Whether a viewer may receive a note's content: the server filters, never the browser."""
    if role == "facilitator":
        return True
    if note.author_id == viewer_id and role == "participant":
        return True  # your own note, even hidden or during private writing
    return not note.hidden and not board.private
