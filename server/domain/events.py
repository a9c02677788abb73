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
PARTICIPANT_KICKED = "participant.kicked"
BOARD_CREATED = "board.created"
BOARD_RENAMED = "board.renamed"
BOARD_SETTINGS_CHANGED = "board.settings_changed"
BOARD_PRIVATE_STARTED = "board.private_started"
BOARD_REVEALED = "board.revealed"
BOARD_SHOWN = "board.shown"
COLUMN_ADDED = "column.added"
COLUMN_RENAMED = "column.renamed"
COLUMN_MOVED = "column.moved"
COLUMN_REMOVED = "column.removed"
NOTE_EDITED = "note.edited"
NOTE_HIDDEN = "note.hidden"
NOTE_MOVED = "note.moved"
NOTE_MERGED = "note.merged"
NOTE_REACTED = "note.reacted"
COMMENT_ADDED = "comment.added"
COMMENT_DELETED = "comment.deleted"
CLUSTER_ADDED = "cluster.added"
CLUSTER_RENAMED = "cluster.renamed"
CLUSTER_REMOVED = "cluster.removed"
QUESTION_CREATED = "question.created"
QUESTION_EDITED = "question.edited"
QUESTION_OPENED = "question.opened"
QUESTION_CLOSED = "question.closed"
QUESTION_REVEALED = "question.revealed"
QUESTION_REOPENED = "question.reopened"
VOTE_CAST = "vote.cast"
TIMER_STARTED = "timer.started"
TIMER_STOPPED = "timer.stopped"
DOTS_STARTED = "dots.started"
DOT_PLACED = "dot.placed"
DOT_REMOVED = "dot.removed"
DOTS_ENDED = "dots.ended"
DILEMMA_CARD_ADDED = "dilemma.card_added"
DILEMMA_CARD_EDITED = "dilemma.card_edited"
DILEMMA_CARD_REMOVED = "dilemma.card_removed"
DILEMMA_SHOWN = "dilemma.shown"
DILEMMA_CHOSEN = "dilemma.chosen"
DILEMMA_REVEALED = "dilemma.revealed"
DILEMMA_HIDDEN = "dilemma.hidden"

EVENT_TYPES = (
    WORKSHOP_CREATED,
    PARTICIPANT_JOINED,
    PARTICIPANT_RENAMED,
    PARTICIPANT_KICKED,
    NOTE_ADDED,
    NOTE_DELETED,
    BOARD_CREATED,
    BOARD_RENAMED,
    BOARD_SETTINGS_CHANGED,
    BOARD_PRIVATE_STARTED,
    BOARD_REVEALED,
    BOARD_SHOWN,
    COLUMN_ADDED,
    COLUMN_RENAMED,
    COLUMN_MOVED,
    COLUMN_REMOVED,
    NOTE_EDITED,
    NOTE_HIDDEN,
    NOTE_MOVED,
    NOTE_MERGED,
    NOTE_REACTED,
    COMMENT_ADDED,
    COMMENT_DELETED,
    CLUSTER_ADDED,
    CLUSTER_RENAMED,
    CLUSTER_REMOVED,
    QUESTION_CREATED,
    QUESTION_EDITED,
    QUESTION_OPENED,
    QUESTION_CLOSED,
    QUESTION_REVEALED,
    QUESTION_REOPENED,
    VOTE_CAST,
    TIMER_STARTED,
    TIMER_STOPPED,
    DOTS_STARTED,
    DOT_PLACED,
    DOT_REMOVED,
    DOTS_ENDED,
    DILEMMA_CARD_ADDED,
    DILEMMA_CARD_EDITED,
    DILEMMA_CARD_REMOVED,
    DILEMMA_SHOWN,
    DILEMMA_CHOSEN,
    DILEMMA_REVEALED,
    DILEMMA_HIDDEN,
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
