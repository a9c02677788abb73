"""The schema. Alembic migrations create exactly this (a test compares them)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

facilitators = sa.Table(
    "facilitators",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(60), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("join_code", sa.String(6), nullable=False, unique=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("groups", sa.JSON, nullable=False),
    sa.Column("epoch", sa.String(32), nullable=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("facilitator_id", sa.String(32), sa.ForeignKey("facilitators.id"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Where the facilitator brought everyone; no foreign key: boards already point here.
    sa.Column("current_board_id", sa.String(32), nullable=True),
    # The task committee this workshop is a meeting of (`committee.meeting_added`), so its page
    # finds its committee. Not in the meeting's state: the committee's stream owns the fact.
    # No foreign key: adding one would rebuild on SQLite the table every other points at.
    sa.Column("committee_id", sa.String(32), nullable=True),
    # The id inside the published report link (`report.published`); None: not published.
    sa.Column("report_link", sa.String(64), nullable=True),
    # What an imported workshop brought along (`workshop.imported`); None: not imported.
    sa.Column("archive", sa.JSON, nullable=True),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("workshop_id", sa.String(32), sa.ForeignKey("workshops.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("actor_id", sa.String(32), nullable=True),
    sa.Column("command_id", sa.String(64), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

commands = sa.Table(
    "commands",
    metadata,
    sa.Column("workshop_id", sa.String(32), sa.ForeignKey("workshops.id"), primary_key=True),
    sa.Column("command_id", sa.String(64), primary_key=True),
    sa.Column("actor_id", sa.String(32), nullable=False),
    sa.Column("outcome", sa.String(10), nullable=False),  # "accepted" | "rejected"
    sa.Column("first_seq", sa.BigInteger, nullable=True),
    sa.Column("last_seq", sa.BigInteger, nullable=True),
    sa.Column("error_code", sa.String(60), nullable=True),
    # The message's parameters ("at most 500 characters"), so a retry gets the same sentence.
    sa.Column("error_params", sa.JSON, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


def _workshop_id() -> sa.Column[str]:
    """Every state table names its workshop: a workshop's state is loaded by this index."""
    return sa.Column(
        "workshop_id", sa.String(32), sa.ForeignKey("workshops.id"), nullable=False, index=True
    )


boards = sa.Table(
    "boards",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("template", sa.String(20), nullable=False),
    sa.Column("show_authors", sa.Boolean, nullable=False),
    sa.Column("open_moves", sa.Boolean, nullable=False),
    sa.Column("private", sa.Boolean, nullable=False),
    sa.Column("locked", sa.Boolean, nullable=False),
    # No foreign key: board_columns already points at boards, and the domain clears it itself.
    sa.Column("turn_column_id", sa.String(32), nullable=True),
)

board_columns = sa.Table(
    "board_columns",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("board_id", sa.String(32), sa.ForeignKey("boards.id"), nullable=False),
    # 200, not the 80 a new column may have: migrated boards lent their title to their column.
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # order within the board, from 0
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("display_name", sa.String(60), nullable=True),
    sa.Column("group_name", sa.String(40), nullable=False),
    sa.Column("joined_seq", sa.BigInteger, nullable=False),
    sa.Column("kicked", sa.Boolean, nullable=False),
    # Added by the facilitator for someone in the hall without a device (votes recorded for them).
    sa.Column("in_room", sa.Boolean, nullable=False),
    # Their personal data erased (`participant.erased`): no name, shut out, figures kept.
    sa.Column("erased", sa.Boolean, nullable=False),
)

clusters = sa.Table(
    "clusters",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("board_id", sa.String(32), sa.ForeignKey("boards.id"), nullable=False),
    sa.Column("column_id", sa.String(32), sa.ForeignKey("board_columns.id"), nullable=False),
    sa.Column("title", sa.String(80), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
)

notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("board_id", sa.String(32), sa.ForeignKey("boards.id"), nullable=False),
    sa.Column("author_id", sa.String(32), nullable=False),
    sa.Column("author_name", sa.String(60), nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("column_id", sa.String(32), sa.ForeignKey("board_columns.id"), nullable=False),
    sa.Column("cluster_id", sa.String(32), sa.ForeignKey("clusters.id"), nullable=True),
    sa.Column("position", sa.Integer, nullable=False),  # order within its column or cluster
    sa.Column("color", sa.String(16), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("hidden", sa.Boolean, nullable=False),
    sa.Column("by_facilitator", sa.Boolean, nullable=False),
    # No foreign key: the negative note a turned note came from may be deleted later.
    sa.Column("linked_note_id", sa.String(32), nullable=True),
    sa.Column("merged", sa.JSON, nullable=False),  # texts of the duplicates merged into it
    # "Move to backlog": the committee and item this note became (both or neither). No foreign
    # key: the item is in another stream's tables and may be removed there.
    sa.Column("backlog_committee_id", sa.String(32), nullable=True),
    sa.Column("backlog_item_id", sa.String(32), nullable=True),
)

note_reactions = sa.Table(
    "note_reactions",
    metadata,
    sa.Column("note_id", sa.String(32), sa.ForeignKey("notes.id"), primary_key=True),
    # A participant's or the facilitator's id: both may give +1.
    sa.Column("actor_id", sa.String(32), primary_key=True),
    _workshop_id(),
)

comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("note_id", sa.String(32), sa.ForeignKey("notes.id"), nullable=False),
    sa.Column("board_id", sa.String(32), sa.ForeignKey("boards.id"), nullable=False),
    sa.Column("author_id", sa.String(32), nullable=False),
    sa.Column("author_name", sa.String(60), nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("by_facilitator", sa.Boolean, nullable=False),
)

questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("low_label", sa.String(40), nullable=False),
    sa.Column("high_label", sa.String(40), nullable=False),
    sa.Column("ask_comment", sa.Boolean, nullable=False),
    sa.Column("anonymous", sa.Boolean, nullable=False),
    sa.Column("min_group", sa.Integer, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # draft | open | closed | revealed
)

# One vote per participant per question, enforced by the database too: a changed vote
# replaces its row. The value is 0-10 here as well as in the domain.
votes = sa.Table(
    "votes",
    metadata,
    sa.Column("question_id", sa.String(32), sa.ForeignKey("questions.id"), primary_key=True),
    # The participant the vote is for (themselves, or someone in the room the facilitator added).
    sa.Column("voter_id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("value", sa.SmallInteger, nullable=False),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("group_name", sa.String(40), nullable=False),  # the voter's group when they voted
    sa.Column("by_facilitator", sa.Boolean, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.CheckConstraint("value >= 0 AND value <= 10", name="value_range"),
)

# Countdown timers, stopped ones too (every start adds one). Times are the server's wall clock
# in ms since the Unix epoch; `seq` (of `timer.started`) orders them.
timers = sa.Table(
    "timers",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("label", sa.String(60), nullable=True),
    sa.Column("seconds", sa.Integer, nullable=False),
    sa.Column("started_at_ms", sa.BigInteger, nullable=False),
    sa.Column("ends_at_ms", sa.BigInteger, nullable=False),
    # The question closed at zero (questions are never deleted).
    sa.Column("close_question_id", sa.String(32), sa.ForeignKey("questions.id"), nullable=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("stopped", sa.Boolean, nullable=False),
    sa.CheckConstraint("seconds >= 5 AND seconds <= 3600", name="seconds_range"),
)

# One dot round per board: the running one, or the last that ended (a new start replaces it).
dot_rounds = sa.Table(
    "dot_rounds",
    metadata,
    sa.Column("board_id", sa.String(32), sa.ForeignKey("boards.id"), primary_key=True),
    _workshop_id(),
    sa.Column("dots_per_person", sa.Integer, nullable=False),
    sa.Column("per_note", sa.Integer, nullable=False),
    sa.Column("hidden", sa.Boolean, nullable=False),
    sa.Column("running", sa.Boolean, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),  # of its `dots.started`
    sa.CheckConstraint("dots_per_person >= 1 AND dots_per_person <= 20", name="dots_range"),
    sa.CheckConstraint("per_note >= 1 AND per_note <= dots_per_person", name="per_note_range"),
)

# A voter's dots on one note, as a count: one row per (note, voter), never with 0 (the row
# goes). The per-person and per-note limits are the domain's, checked under the workshop lock.
dots = sa.Table(
    "dots",
    metadata,
    sa.Column("note_id", sa.String(32), sa.ForeignKey("notes.id"), primary_key=True),
    sa.Column("voter_id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("board_id", sa.String(32), sa.ForeignKey("boards.id"), nullable=False),
    sa.Column("placed", sa.Integer, nullable=False),  # how many of the voter's dots
    sa.CheckConstraint("placed >= 1 AND placed <= 20", name="placed_range"),
)

# The dilemma deck, one per workshop. `shown`: the card on everyone's screen (at most one per
# workshop; the domain keeps it so under the workshop's row lock).
dilemma_cards = sa.Table(
    "dilemma_cards",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # waiting | open | revealed
    sa.Column("shown", sa.Boolean, nullable=False),
    sa.CheckConstraint("status IN ('waiting', 'open', 'revealed')", name="status_values"),
)

# One choice per participant per card, enforced by the database too: a changed choice replaces
# its row. The side is "over" or "under" here as well as in the domain.
dilemma_choices = sa.Table(
    "dilemma_choices",
    metadata,
    sa.Column("card_id", sa.String(32), sa.ForeignKey("dilemma_cards.id"), primary_key=True),
    # The participant the choice is for (themselves, or someone in the room).
    sa.Column("chooser_id", sa.String(32), primary_key=True),
    _workshop_id(),
    sa.Column("side", sa.String(5), nullable=False),
    sa.Column("group_name", sa.String(40), nullable=False),  # the chooser's group when they chose
    sa.Column("by_facilitator", sa.Boolean, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.CheckConstraint("side IN ('over', 'under')", name="side_values"),
)

# The bytes of an uploaded hall file (picture, music, video, captions), beside the log: the
# `hall.asset_added` event carries its facts, and both are written in one transaction
# (`Service.execute(..., blobs=...)`). Images are stored as re-encoded, without metadata.
asset_blobs = sa.Table(
    "asset_blobs",
    metadata,
    sa.Column("workshop_id", sa.String(32), sa.ForeignKey("workshops.id"), primary_key=True),
    sa.Column("asset_id", sa.String(32), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

# --- The virtual council hall (server/domain/hall.py) ---------------------------------------
# Ids are a workshop's own (every workshop's hall is "hall"), so each hall table is keyed by
# (workshop_id, ...); the key's first column is the index a workshop's state is loaded by.


def _in_workshop() -> sa.Column[str]:
    return sa.Column("workshop_id", sa.String(32), sa.ForeignKey("workshops.id"), primary_key=True)


def _asset_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    """A file that a room or station shows; files are never removed, so the key always holds.
    Named here: the convention's name (from the first column, workshop_id) would repeat."""
    return sa.ForeignKeyConstraint(
        ["workshop_id", column],
        ["hall_assets.workshop_id", "hall_assets.id"],
        name=f"fk_{table}_{column}_hall_assets",
    )


_SPAN_CHECK = "x >= 0 AND x <= 10000 AND y >= 0 AND y <= 10000"  # hall.SPAN

# The facts of uploaded files; their bytes are in asset_blobs.
hall_assets = sa.Table(
    "hall_assets",
    metadata,
    _in_workshop(),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.CheckConstraint("kind IN ('image', 'audio', 'video', 'captions')", name="kind_values"),
    sa.CheckConstraint("size >= 0 AND width >= 0 AND height >= 0", name="sizes"),
)

# Rooms. The hall exists without an event, so it has a row only once edited (its picture or
# music); loading adds the default hall when there is none.
hall_rooms = sa.Table(
    "hall_rooms",
    metadata,
    _in_workshop(),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("title", sa.String(80), nullable=False),
    sa.Column("kind", sa.String(5), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("picture_id", sa.String(32), nullable=True),
    sa.Column("music_id", sa.String(32), nullable=True),
    _asset_fk("hall_rooms", "picture_id"),
    _asset_fk("hall_rooms", "music_id"),
    sa.CheckConstraint("kind IN ('hall', 'room', 'break')", name="kind_values"),
)

# Stations. No key to hall_rooms: the hall's own stations point at a room with no row. The
# list contents are JSON as in the `hall.station_edited` event: items [[time, text]],
# milestones [[when, text, done]], links [[title, url]], quiz [{text, options, answer}],
# image_ids [id].
hall_stations = sa.Table(
    "hall_stations",
    metadata,
    _in_workshop(),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("room_id", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("title", sa.String(80), nullable=False),
    sa.Column("x", sa.Integer, nullable=False),
    sa.Column("y", sa.Integer, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # reading order in its room
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("items", sa.JSON, nullable=False),
    sa.Column("current_item", sa.Integer, nullable=True),
    sa.Column("milestones", sa.JSON, nullable=False),
    sa.Column("links", sa.JSON, nullable=False),
    sa.Column("phone", sa.String(30), nullable=False),
    # Boards are never removed, so a board station's board always exists.
    sa.Column("board_id", sa.String(32), sa.ForeignKey("boards.id"), nullable=True),
    sa.Column("target_room_id", sa.String(32), nullable=True),
    sa.Column("quiz", sa.JSON, nullable=False),
    sa.Column("video_id", sa.String(32), nullable=True),
    sa.Column("captions_id", sa.String(32), nullable=True),
    sa.Column("image_ids", sa.JSON, nullable=False),
    _asset_fk("hall_stations", "video_id"),
    _asset_fk("hall_stations", "captions_id"),
    sa.CheckConstraint(
        "kind IN ('programme', 'rules', 'films', 'plan', 'maps', 'helpline', 'board', 'info',"
        " 'quiz', 'door')",
        name="kind_values",
    ),
    sa.CheckConstraint(_SPAN_CHECK, name="xy_range"),
    sa.CheckConstraint("current_item >= 0", name="current_item_range"),
)

# Who has unlocked which gated room (by answering its quiz right). Goes with its room.
hall_unlocks = sa.Table(
    "hall_unlocks",
    metadata,
    _in_workshop(),
    sa.Column("room_id", sa.String(32), primary_key=True),
    sa.Column("participant_id", sa.String(32), sa.ForeignKey("participants.id"), primary_key=True),
)

# Who has opened which station at least once (the report's "stations opened"). Goes with its
# station.
hall_opens = sa.Table(
    "hall_opens",
    metadata,
    _in_workshop(),
    sa.Column("station_id", sa.String(32), primary_key=True),
    sa.Column("participant_id", sa.String(32), sa.ForeignKey("participants.id"), primary_key=True),
)

# "Call me" requests at help-lines. They outlive their station: whoever asked still waits for
# the call after the facilitator removed the help-line.
hall_calls = sa.Table(
    "hall_calls",
    metadata,
    _in_workshop(),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("participant_id", sa.String(32), sa.ForeignKey("participants.id"), nullable=False),
    sa.Column("station_id", sa.String(32), nullable=False),
    sa.Column("message", sa.String(200), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("resolved", sa.Boolean, nullable=False),
)

# The spotlight: at most one row per workshop, there from the first `hall.spotlighted` on.
# `station_id` None: stopped (or its station went); `seq`: of the last `hall.spotlighted`.
# A table of its own rather than columns on workshops: creating it is the whole migration (no
# rebuild of the table every other one points at on SQLite), and a workshop that never used
# the spotlight has nothing.
hall_spotlights = sa.Table(
    "hall_spotlights",
    metadata,
    _in_workshop(),
    sa.Column("station_id", sa.String(32), nullable=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
)

# --- Task committees, their backlog and sprints (server/domain/backlog.py) -------------------
# A committee is a stream of its own (a workshops row); its tables are keyed by (workshop_id,
# ...) like the hall's. Lists are JSON as the events carry them.

# At most one row per stream: there once `committee.set_up` made the stream a committee.
committees = sa.Table(
    "committees",
    metadata,
    _in_workshop(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(6), nullable=False),
    sa.Column("capacity_rule", sa.String(6), nullable=False),
    sa.Column("parties", sa.JSON, nullable=False),  # [[party, council seats]], in order
    sa.Column("political_seats", sa.Integer, nullable=False),
    sa.Column("test_group", sa.Boolean, nullable=False),
    sa.CheckConstraint("unit IN ('points', 'hours')", name="unit_values"),
    sa.CheckConstraint("capacity_rule IN ('refuse', 'warn')", name="capacity_rule_values"),
    sa.CheckConstraint("political_seats >= 0", name="political_seats_range"),
)

# The workshops a committee groups, in the order added. A workshop is a meeting of one
# committee (the edge checks it; `workshops.committee_id` points back).
committee_meetings = sa.Table(
    "committee_meetings",
    metadata,
    _in_workshop(),
    sa.Column("meeting_id", sa.String(32), sa.ForeignKey("workshops.id"), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

# Sprints are never removed. goals: [[goal id, text, evaluation or null, note]]; history: the
# burndown's [[date, remaining]] as it happened; reopenings: [[date, reason]]; report: frozen
# at close, written once and never updated.
sprints = sa.Table(
    "sprints",
    metadata,
    _in_workshop(),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("goals", sa.JSON, nullable=False),
    sa.Column("start_date", sa.String(10), nullable=False),
    sa.Column("end_date", sa.String(10), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("reopened", sa.Integer, nullable=False),
    sa.Column("reopenings", sa.JSON, nullable=False),
    sa.Column("started_on", sa.String(10), nullable=True),
    sa.Column("closed_on", sa.String(10), nullable=True),
    sa.Column("history", sa.JSON, nullable=False),
    sa.Column("report", sa.JSON, nullable=True),
    sa.CheckConstraint("status IN ('planning', 'running', 'closed')", name="status_values"),
    sa.CheckConstraint("capacity >= 1 AND capacity <= 10000", name="capacity_range"),
    sa.CheckConstraint("end_date >= start_date", name="dates"),
)

# Backlog items; `sprint_id` set: planned into that sprint (with its place on the sprint's
# board). A board note gives at most one item (`source`; NULLs never clash).
backlog_items = sa.Table(
    "backlog_items",
    metadata,
    _in_workshop(),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("title", sa.String(120), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("estimate", sa.Integer, nullable=True),
    sa.Column("owners", sa.JSON, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # priority order in the backlog
    sa.Column("source_workshop_id", sa.String(32), nullable=True),
    sa.Column("source_note_id", sa.String(32), nullable=True),
    sa.Column("sprint_id", sa.String(32), nullable=True),
    sa.Column("status", sa.String(5), nullable=False),
    sa.Column("board_position", sa.Integer, nullable=False),  # order in its board column
    sa.ForeignKeyConstraint(
        ["workshop_id", "sprint_id"],
        ["sprints.workshop_id", "sprints.id"],
        name="fk_backlog_items_sprint_id_sprints",
    ),
    sa.UniqueConstraint(
        "workshop_id", "source_workshop_id", "source_note_id", name="uq_backlog_items_source"
    ),
    sa.CheckConstraint("status IN ('todo', 'doing', 'done')", name="status_values"),
    sa.CheckConstraint("estimate >= 0 AND estimate <= 1000", name="estimate_range"),
    sa.CheckConstraint(
        "(source_workshop_id IS NULL) = (source_note_id IS NULL)", name="source_both"
    ),
)
