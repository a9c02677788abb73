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
# participant_erased {participant_id, notes: "delete"|"anonymise", note_ids, comment_ids (the
#   deleted ones: their texts are scrubbed from the log too)}: their name goes everywhere
#   (the store also scrubs it from every earlier event of the log), they are shut out; with
#   "delete" their notes and comments went just before (note.deleted / comment.deleted in the
#   same command) and their vote comments and call messages go too.
PARTICIPANT_ERASED = "participant.erased"
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
# The hall (server/domain/hall.py). Payloads:
# room_added {room_id, title, kind, position} · room_edited {room_id, title, picture_id,
# music_id} · room_removed {room_id} (its stations go with it)
# station_added {station_id, room_id, kind, title, x, y, position}
# station_edited {station_id, title, body, items: [[time, text]], milestones: [[when, text,
#   done]], links: [[title, url]], phone, board_id, target_room_id, quiz: [{text, options,
#   answer}], video_id, captions_id, image_ids: [..]} (a programme keeps its current item while
#   it still exists)
# station_placed {station_id, x, y} · stations_reordered {room_id, order: [station ids]}
# station_removed {station_id} (a spotlight on it ends)
# programme_item_set {station_id, item} · spotlighted {station_id (or null)}
# room_unlocked {room_id, participant_id, station_id}
# call_requested {call_id, participant_id, station_id, message} · call_resolved {call_id}
# asset_added {asset_id, kind, media_type, name, size, width, height}
# station_opened {station_id, participant_id}: the first time a participant opened a station
#   (the report's "stations opened"; later visits are presence only)
HALL_ROOM_ADDED = "hall.room_added"
HALL_ROOM_EDITED = "hall.room_edited"
HALL_ROOM_REMOVED = "hall.room_removed"
HALL_STATION_ADDED = "hall.station_added"
HALL_STATION_EDITED = "hall.station_edited"
HALL_STATION_PLACED = "hall.station_placed"
HALL_STATIONS_REORDERED = "hall.stations_reordered"
HALL_STATION_REMOVED = "hall.station_removed"
HALL_PROGRAMME_ITEM_SET = "hall.programme_item_set"
HALL_SPOTLIGHTED = "hall.spotlighted"
HALL_ROOM_UNLOCKED = "hall.room_unlocked"
HALL_CALL_REQUESTED = "hall.call_requested"
HALL_CALL_RESOLVED = "hall.call_resolved"
HALL_ASSET_ADDED = "hall.asset_added"
HALL_STATION_OPENED = "hall.station_opened"
# Reports (server/domain/report.py). report_published {link_id}: the read-only link /r/<signed
# link id> works until report_unpublished {} (or the next publish, which replaces the id).
REPORT_PUBLISHED = "report.published"
REPORT_UNPUBLISHED = "report.unpublished"
# workshop_imported {format, version, archive: {..}}: the workshop was rebuilt from a JSON
# export (server/exchange); `archive` is what came along that no stream here owns (the
# committee's sprint outcomes), shown in its report as it was exported.
WORKSHOP_IMPORTED = "workshop.imported"
# A note sent to a committee's backlog (on the meeting's stream), after the item was added
# there: note_sent_to_backlog {note_id, board_id, committee_id, item_id}.
NOTE_SENT_TO_BACKLOG = "note.sent_to_backlog"
# Task committees, their backlog and sprints (server/domain/backlog.py), on the committee's own
# stream. Dates are ISO "YYYY-MM-DD" stamped by the edge. Payloads:
# committee.set_up {name, unit, capacity_rule, parties: [[party, council seats]],
#   political_seats, test_group} · committee.capacity_rule_changed {capacity_rule}
# committee.meeting_added {workshop_id, title, date} (the store also marks the meeting's row)
# backlog.item_added {item_id, title, description, estimate (int|null), owners: [..], tags:
#   [..], position, source_workshop_id, source_note_id (both null unless from a note)}
# backlog.item_edited {item_id, title, description, estimate, owners, tags}
# backlog.items_reordered {order: [the backlog's item ids, top first]}
# backlog.item_removed {item_id} (also from a sprint still planning)
# sprint.created {sprint_id, name, goals: [[goal id, text]], start, end, capacity, position}
# sprint.edited {sprint_id, name, goals: [[goal id, text]], start, end, capacity}
# sprint.item_planned {sprint_id, item_id, total, capacity, over, board_position}
# sprint.item_unplanned {sprint_id, item_id, position} (back to the bottom of the backlog)
# sprint.started {sprint_id, on, planned: [item ids], total}
# sprint.planning_reopened {sprint_id, reason, on}
# sprint.item_moved {sprint_id, item_id, status, order: [ids of that column], on}
# sprint.closed {sprint_id, on, unfinished_to: [[item id, sprint id|null]], evaluations:
#   [[goal id, met|partly|not_met, note]], report: {..} (backlog_report.freeze)}
COMMITTEE_SET_UP = "committee.set_up"
COMMITTEE_CAPACITY_RULE_CHANGED = "committee.capacity_rule_changed"
COMMITTEE_MEETING_ADDED = "committee.meeting_added"
BACKLOG_ITEM_ADDED = "backlog.item_added"
BACKLOG_ITEM_EDITED = "backlog.item_edited"
BACKLOG_ITEMS_REORDERED = "backlog.items_reordered"
BACKLOG_ITEM_REMOVED = "backlog.item_removed"
SPRINT_CREATED = "sprint.created"
SPRINT_EDITED = "sprint.edited"
SPRINT_ITEM_PLANNED = "sprint.item_planned"
SPRINT_ITEM_UNPLANNED = "sprint.item_unplanned"
SPRINT_STARTED = "sprint.started"
SPRINT_PLANNING_REOPENED = "sprint.planning_reopened"
SPRINT_ITEM_MOVED = "sprint.item_moved"
SPRINT_CLOSED = "sprint.closed"

EVENT_TYPES = (
    WORKSHOP_CREATED,
    PARTICIPANT_JOINED,
    PARTICIPANT_RENAMED,
    PARTICIPANT_KICKED,
    PARTICIPANT_ERASED,
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
    HALL_ROOM_ADDED,
    HALL_ROOM_EDITED,
    HALL_ROOM_REMOVED,
    HALL_STATION_ADDED,
    HALL_STATION_EDITED,
    HALL_STATION_PLACED,
    HALL_STATIONS_REORDERED,
    HALL_STATION_REMOVED,
    HALL_PROGRAMME_ITEM_SET,
    HALL_SPOTLIGHTED,
    HALL_ROOM_UNLOCKED,
    HALL_CALL_REQUESTED,
    HALL_CALL_RESOLVED,
    HALL_ASSET_ADDED,
    HALL_STATION_OPENED,
    REPORT_PUBLISHED,
    REPORT_UNPUBLISHED,
    WORKSHOP_IMPORTED,
    NOTE_SENT_TO_BACKLOG,
    COMMITTEE_SET_UP,
    COMMITTEE_CAPACITY_RULE_CHANGED,
    COMMITTEE_MEETING_ADDED,
    BACKLOG_ITEM_ADDED,
    BACKLOG_ITEM_EDITED,
    BACKLOG_ITEMS_REORDERED,
    BACKLOG_ITEM_REMOVED,
    SPRINT_CREATED,
    SPRINT_EDITED,
    SPRINT_ITEM_PLANNED,
    SPRINT_ITEM_UNPLANNED,
    SPRINT_STARTED,
    SPRINT_PLANNING_REOPENED,
    SPRINT_ITEM_MOVED,
    SPRINT_CLOSED,
)

HALL_EVENTS = frozenset(t for t in EVENT_TYPES if t.startswith("hall."))
BACKLOG_EVENTS = frozenset(
    t for t in EVENT_TYPES if t.startswith(("committee.", "backlog.", "sprint."))
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
