"""Wire schemas: strict parsing of client messages and the doorbell between processes.

Client messages are parsed strictly: no NaN or Infinity, no duplicate keys, no unknown fields;
an integer must be a JSON integer (not a float, a boolean or a string), and a boolean a JSON
boolean (not a string or a number). Every failure is a `WireError` whose code is a
message-catalogue key, so the client gets a specific answer. The server makes the ids of what a
command creates (notes, comments, boards, columns, clusters, questions, participants added in
the room, timers, the board and notes a dot round's top notes are carried to); the client never
sends them. Nor does it send the time a timer starts: the
server's wall clock does (`now_ms`), and the day a sprint starts, re-opens or closes the server's
date in Copenhagen (`today`). The hall's messages are built in `wire_hall.py`, a committee's
backlog and sprints in `wire_backlog.py`; the field access every builder shares is in
`wire_fields.py`.

One exception to "types at the edge": a vote's `value` only has to be a JSON scalar. It goes to
the domain as it is, so every wrong value (7.5, 7.0, "7", true, 11, ...) gets the one answer
`vote.bad_value`, which tells the voter what to choose.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.domain.boards import TEMPLATES
from server.domain.commands import (
    AddCard,
    AddCluster,
    AddColumn,
    AddComment,
    AddNote,
    AddRoomParticipant,
    CarryTopNotes,
    CastVote,
    ChangeBoardSettings,
    ChooseSide,
    CloseQuestion,
    Command,
    CreateBoard,
    CreateQuestion,
    DeleteComment,
    DeleteNote,
    EditCard,
    EditNote,
    EditQuestion,
    EndDots,
    EraseParticipant,
    HideCards,
    HideNote,
    KickParticipant,
    MergeNotes,
    MoveColumn,
    MoveNote,
    NextCard,
    OpenQuestion,
    PlaceDot,
    ReactToNote,
    RemoveCard,
    RemoveCluster,
    RemoveColumn,
    RemoveDot,
    RenameBoard,
    RenameCluster,
    RenameColumn,
    RevealBoard,
    RevealCard,
    RevealQuestion,
    ShowBoard,
    ShowCard,
    StartDots,
    StartPrivateWriting,
    StartTimer,
    StopTimer,
    TurnNoteAround,
    UpdateParticipant,
)
from server.domain.dots import MAX_CARRY
from server.domain.events import StoredEvent
from server.domain.questions import MAX_MIN_GROUP
from server.realtime.wire_backlog import BACKLOG_BUILDERS
from server.realtime.wire_fields import (
    COMMAND_ID_RE,
    EPOCH_RE,
    MAX_CLIENT_MS,
    MAX_INDEX,
    MAX_RAW_COUNT,
    MAX_RAW_KEY,
    MAX_RAW_LABEL,
    MAX_RAW_NAME,
    MAX_RAW_SECONDS,
    MAX_RAW_TITLE,
    MAX_VERSION,
    Builder,
    Fields,
    req_bool,
    req_id,
    req_int,
    req_text,
)
from server.realtime.wire_fields import TemplateTitles as TemplateTitles
from server.realtime.wire_fields import WireError as WireError
from server.realtime.wire_fields import copenhagen_today as copenhagen_today
from server.realtime.wire_hall import HALL_BUILDERS


def wall_clock_ms() -> int:
    """The server's wall clock in ms since the Unix epoch: what timers and `pong` count in."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Hello:
    """Sent first on every (re)connect: the last seq the client applied and its epoch."""

    since: int | None
    epoch: str | None


@dataclass(frozen=True)
class Ping:
    """A heartbeat; `t` is the client's own clock (Date.now()), echoed in the `pong` next to
    the server's, so the client can work out its offset from the server."""

    t: int | None = None


@dataclass(frozen=True)
class CommandRequest:
    command_id: str
    type: str
    command: Command


@dataclass(frozen=True)
class Editing:
    """This socket opened the editor on a note (or closed it: None). Not a command: it only
    changes presence, is never stored and gets no ack."""

    note_id: str | None


@dataclass(frozen=True)
class Visiting:
    """This socket opened a station of the hall (or closed it: None). Like `Editing`, only
    presence: others see how many are at each station."""

    station_id: str | None


ClientMessage = Hello | Ping | Editing | Visiting | CommandRequest


def _reject_constant(name: str) -> Any:
    raise WireError("wire.not_a_number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise WireError("wire.duplicate_key", field=k)
        out[k] = v
    return out


def loads_strict(raw: str | bytes) -> Any:
    try:
        return json.loads(raw, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except WireError:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise WireError("wire.malformed_json") from None


def _key_titles(template: str) -> tuple[str, ...]:
    """Without a locale (tests, tools): the template's column keys stand in for titles."""
    return TEMPLATES.get(template, ())


def template_titles_from(translate: Callable[[str], str]) -> TemplateTitles:
    """Column titles for a new board from catalogue keys `template.<template>.<column key>`,
    given a function that translates a key in the sender's language."""

    def titles(template: str) -> tuple[str, ...]:
        keys = TEMPLATES.get(template, ())
        return tuple(translate(f"template.{template}.{key}") for key in keys)

    return titles


# --- participants ---------------------------------------------------------------------------


def _build_update_participant(f: Fields, b: Builder) -> Command:
    name = f.text("display_name", nullable=True, max_len=MAX_RAW_NAME)
    group = req_text(f, "group", MAX_RAW_NAME)
    return UpdateParticipant(display_name=name, group=group)


def _build_kick_participant(f: Fields, b: Builder) -> Command:
    return KickParticipant(participant_id=req_id(f, "participant_id"))


def _build_erase_participant(f: Fields, b: Builder) -> Command:
    return EraseParticipant(
        participant_id=req_id(f, "participant_id"), notes=req_text(f, "notes", 20)
    )


def _build_add_room_participant(f: Fields, b: Builder) -> Command:
    name = f.text("display_name", required=False, nullable=True, max_len=MAX_RAW_NAME)
    group = req_text(f, "group", MAX_RAW_NAME)
    return AddRoomParticipant(participant_id=b.make_id(), display_name=name, group=group)


# --- boards ---------------------------------------------------------------------------------


def _build_create_board(f: Fields, b: Builder) -> Command:
    title = req_text(f, "title", MAX_RAW_TITLE)
    template = req_text(f, "template", MAX_RAW_KEY)
    titles = b.titles(template) if template in TEMPLATES else ()
    return CreateBoard(
        board_id=b.make_id(),
        title=title,
        template=template,
        column_ids=tuple(b.make_id() for _ in titles),
        column_titles=titles,
    )


def _build_rename_board(f: Fields, b: Builder) -> Command:
    return RenameBoard(board_id=req_id(f, "board_id"), title=req_text(f, "title", MAX_RAW_TITLE))


def _build_board_settings(f: Fields, b: Builder) -> Command:
    board_id = req_id(f, "board_id")
    show_authors = f.boolean("show_authors", required=False)
    open_moves = f.boolean("open_moves", required=False)
    locked = f.boolean("locked", required=False)
    if show_authors is None and open_moves is None and locked is None:
        raise WireError("wire.no_settings", None, f.command_id)
    return ChangeBoardSettings(
        board_id=board_id, show_authors=show_authors, open_moves=open_moves, locked=locked
    )


def _build_private_board(f: Fields, b: Builder) -> Command:
    return StartPrivateWriting(board_id=req_id(f, "board_id"))


def _build_reveal_board(f: Fields, b: Builder) -> Command:
    return RevealBoard(board_id=req_id(f, "board_id"))


def _build_show_board(f: Fields, b: Builder) -> Command:
    return ShowBoard(board_id=req_id(f, "board_id"))


# --- columns --------------------------------------------------------------------------------


def _build_add_column(f: Fields, b: Builder) -> Command:
    return AddColumn(
        board_id=req_id(f, "board_id"),
        column_id=b.make_id(),
        title=req_text(f, "title", MAX_RAW_TITLE),
    )


def _build_rename_column(f: Fields, b: Builder) -> Command:
    return RenameColumn(column_id=req_id(f, "column_id"), title=req_text(f, "title", MAX_RAW_TITLE))


def _build_move_column(f: Fields, b: Builder) -> Command:
    return MoveColumn(
        column_id=req_id(f, "column_id"), index=req_int(f, "index", low=0, high=MAX_INDEX)
    )


def _build_remove_column(f: Fields, b: Builder) -> Command:
    return RemoveColumn(column_id=req_id(f, "column_id"), move_notes_to=req_id(f, "move_notes_to"))


# --- notes ----------------------------------------------------------------------------------


def _build_add_note(f: Fields, b: Builder) -> Command:
    text = req_text(f, "text")
    board_id = f.ident("board_id", required=False)
    column_id = f.ident("column_id", required=False)
    color = f.text("color", required=False, max_len=MAX_RAW_KEY)
    return AddNote(
        note_id=b.make_id(), text=text, board_id=board_id, column_id=column_id, color=color
    )


def _build_edit_note(f: Fields, b: Builder) -> Command:
    return EditNote(
        note_id=req_id(f, "note_id"),
        version=req_int(f, "version", low=1, high=MAX_VERSION),
        text=f.text("text", required=False),
        color=f.text("color", required=False, max_len=MAX_RAW_KEY),
    )


def _build_delete_note(f: Fields, b: Builder) -> Command:
    return DeleteNote(note_id=req_id(f, "note_id"))


def _build_hide_note(f: Fields, b: Builder) -> Command:
    return HideNote(note_id=req_id(f, "note_id"), hidden=req_bool(f, "hidden"))


def _build_move_note(f: Fields, b: Builder) -> Command:
    note_id = req_id(f, "note_id")
    column_id = req_id(f, "column_id")
    index = req_int(f, "index", low=0, high=MAX_INDEX)
    # Absent, null or "" (a loose-notes list's empty data-cluster-id): no cluster.
    cluster_id: str | None = None
    if f.data.get("cluster_id") == "":
        f.used.add("cluster_id")
    else:
        cluster_id = f.ident("cluster_id", required=False, nullable=True)
    return MoveNote(note_id=note_id, column_id=column_id, index=index, cluster_id=cluster_id)


def _build_turn_note(f: Fields, b: Builder) -> Command:
    return TurnNoteAround(
        note_id=req_id(f, "note_id"), new_note_id=b.make_id(), text=req_text(f, "text")
    )


def _build_merge_notes(f: Fields, b: Builder) -> Command:
    return MergeNotes(note_id=req_id(f, "note_id"), into_id=req_id(f, "into_id"))


def _build_react_to_note(f: Fields, b: Builder) -> Command:
    return ReactToNote(note_id=req_id(f, "note_id"))


# --- comments and clusters ------------------------------------------------------------------


def _build_add_comment(f: Fields, b: Builder) -> Command:
    return AddComment(
        note_id=req_id(f, "note_id"), comment_id=b.make_id(), text=req_text(f, "text")
    )


def _build_delete_comment(f: Fields, b: Builder) -> Command:
    return DeleteComment(comment_id=req_id(f, "comment_id"))


def _build_add_cluster(f: Fields, b: Builder) -> Command:
    return AddCluster(
        column_id=req_id(f, "column_id"),
        cluster_id=b.make_id(),
        title=req_text(f, "title", MAX_RAW_TITLE),
    )


def _build_rename_cluster(f: Fields, b: Builder) -> Command:
    return RenameCluster(
        cluster_id=req_id(f, "cluster_id"), title=req_text(f, "title", MAX_RAW_TITLE)
    )


def _build_remove_cluster(f: Fields, b: Builder) -> Command:
    return RemoveCluster(cluster_id=req_id(f, "cluster_id"))


# --- questions and votes --------------------------------------------------------------------


@dataclass(frozen=True)
class _Wording:
    """A question's words and switches, as `question.create` and `question.edit` carry them."""

    text: str
    low_label: str | None
    high_label: str | None
    ask_comment: bool
    anonymous: bool
    min_group: int | None


def _wording(f: Fields) -> _Wording:
    """Absent switches take the defaults: no comment asked, anonymous, the default `min_group`
    (the domain's, when None)."""
    text = req_text(f, "text")
    low_label = f.text("low_label", required=False, nullable=True, max_len=MAX_RAW_LABEL)
    high_label = f.text("high_label", required=False, nullable=True, max_len=MAX_RAW_LABEL)
    ask_comment = f.boolean("ask_comment", required=False)
    anonymous = f.boolean("anonymous", required=False)
    min_group = f.integer("min_group", low=1, high=MAX_MIN_GROUP, nullable=True)
    return _Wording(
        text=text,
        low_label=low_label,
        high_label=high_label,
        ask_comment=False if ask_comment is None else ask_comment,
        anonymous=True if anonymous is None else anonymous,
        min_group=min_group,
    )


def _build_create_question(f: Fields, b: Builder) -> Command:
    w = _wording(f)
    return CreateQuestion(
        question_id=b.make_id(),
        text=w.text,
        low_label=w.low_label,
        high_label=w.high_label,
        ask_comment=w.ask_comment,
        anonymous=w.anonymous,
        min_group=w.min_group,
    )


def _build_edit_question(f: Fields, b: Builder) -> Command:
    question_id = req_id(f, "question_id")
    w = _wording(f)
    return EditQuestion(
        question_id=question_id,
        text=w.text,
        low_label=w.low_label,
        high_label=w.high_label,
        ask_comment=w.ask_comment,
        anonymous=w.anonymous,
        min_group=w.min_group,
    )


def _build_open_question(f: Fields, b: Builder) -> Command:
    return OpenQuestion(question_id=req_id(f, "question_id"))


def _build_close_question(f: Fields, b: Builder) -> Command:
    return CloseQuestion(question_id=req_id(f, "question_id"))


def _build_reveal_question(f: Fields, b: Builder) -> Command:
    return RevealQuestion(question_id=req_id(f, "question_id"))


def _build_cast_vote(f: Fields, b: Builder) -> Command:
    return CastVote(
        question_id=req_id(f, "question_id"),
        value=f.scalar("value"),
        comment=f.text("comment", required=False, nullable=True),
        on_behalf_of=f.ident("on_behalf_of", required=False),
    )


# --- timers ---------------------------------------------------------------------------------


def _build_start_timer(f: Fields, b: Builder) -> Command:
    """The length only has to be a JSON integer here: the domain says what it may be."""
    return StartTimer(
        timer_id=b.make_id(),
        seconds=req_int(f, "seconds", low=-MAX_RAW_SECONDS, high=MAX_RAW_SECONDS),
        label=f.text("label", required=False, nullable=True, max_len=MAX_RAW_LABEL),
        close_question_id=f.ident("close_question_id", required=False, nullable=True),
        now_ms=b.now_ms(),
    )


def _build_stop_timer(f: Fields, b: Builder) -> Command:
    return StopTimer(timer_id=req_id(f, "timer_id"))


# --- dot voting -----------------------------------------------------------------------------


def _raw_count(f: Fields, name: str) -> int:
    """Only typed here, like a timer's length: the domain answers with the range it allows."""
    return req_int(f, name, low=-MAX_RAW_COUNT, high=MAX_RAW_COUNT)


def _build_start_dots(f: Fields, b: Builder) -> Command:
    return StartDots(
        board_id=req_id(f, "board_id"),
        dots_per_person=_raw_count(f, "dots_per_person"),
        per_note=_raw_count(f, "per_note"),
        hidden=req_bool(f, "hidden"),
    )


def _build_place_dot(f: Fields, b: Builder) -> Command:
    return PlaceDot(note_id=req_id(f, "note_id"))


def _build_remove_dot(f: Fields, b: Builder) -> Command:
    return RemoveDot(note_id=req_id(f, "note_id"))


def _build_end_dots(f: Fields, b: Builder) -> Command:
    return EndDots(board_id=req_id(f, "board_id"))


def _build_carry_dots(f: Fields, b: Builder) -> Command:
    """The new board is blank: its one column is titled as `board.create` titles a blank
    board's column, in the sender's language. One new note id per note that may be carried
    (none for a count the domain refuses)."""
    board_id = req_id(f, "board_id")
    count = _raw_count(f, "count")
    title = req_text(f, "title", MAX_RAW_TITLE)
    new_board_id, column_id = b.make_id(), b.make_id()
    (column_title,) = b.titles("blank")
    return CarryTopNotes(
        board_id=board_id,
        count=count,
        new_board_id=new_board_id,
        title=title,
        column_id=column_id,
        column_title=column_title,
        new_note_ids=tuple(b.make_id() for _ in range(max(0, min(count, MAX_CARRY)))),
    )


# --- the dilemma deck -----------------------------------------------------------------------


def _build_add_card(f: Fields, b: Builder) -> Command:
    return AddCard(card_id=b.make_id(), text=req_text(f, "text"))


def _build_edit_card(f: Fields, b: Builder) -> Command:
    return EditCard(card_id=req_id(f, "card_id"), text=req_text(f, "text"))


def _build_remove_card(f: Fields, b: Builder) -> Command:
    return RemoveCard(card_id=req_id(f, "card_id"))


def _build_show_card(f: Fields, b: Builder) -> Command:
    return ShowCard(card_id=req_id(f, "card_id"))


def _build_next_card(f: Fields, b: Builder) -> Command:
    return NextCard()


def _build_hide_cards(f: Fields, b: Builder) -> Command:
    return HideCards()


def _build_choose_side(f: Fields, b: Builder) -> Command:
    """The side only has to be a short string here: the domain says "over" or "under"."""
    return ChooseSide(
        card_id=req_id(f, "card_id"),
        side=req_text(f, "side", MAX_RAW_KEY),
        on_behalf_of=f.ident("on_behalf_of", required=False),
    )


def _build_reveal_card(f: Fields, b: Builder) -> Command:
    return RevealCard(card_id=req_id(f, "card_id"))


COMMAND_BUILDERS: dict[str, Callable[[Fields, Builder], Command]] = {
    "participant.update": _build_update_participant,
    "participant.kick": _build_kick_participant,
    "participant.erase": _build_erase_participant,
    "participant.add": _build_add_room_participant,
    "board.create": _build_create_board,
    "board.rename": _build_rename_board,
    "board.settings": _build_board_settings,
    "board.private": _build_private_board,
    "board.reveal": _build_reveal_board,
    "board.show": _build_show_board,
    "column.add": _build_add_column,
    "column.rename": _build_rename_column,
    "column.move": _build_move_column,
    "column.remove": _build_remove_column,
    "note.add": _build_add_note,
    "note.edit": _build_edit_note,
    "note.delete": _build_delete_note,
    "note.hide": _build_hide_note,
    "note.move": _build_move_note,
    "note.turn": _build_turn_note,
    "note.merge": _build_merge_notes,
    "note.react": _build_react_to_note,
    "comment.add": _build_add_comment,
    "comment.delete": _build_delete_comment,
    "cluster.add": _build_add_cluster,
    "cluster.rename": _build_rename_cluster,
    "cluster.remove": _build_remove_cluster,
    "question.create": _build_create_question,
    "question.edit": _build_edit_question,
    "question.open": _build_open_question,
    "question.close": _build_close_question,
    "question.reveal": _build_reveal_question,
    "vote.cast": _build_cast_vote,
    "timer.start": _build_start_timer,
    "timer.stop": _build_stop_timer,
    "dots.start": _build_start_dots,
    "dot.place": _build_place_dot,
    "dot.remove": _build_remove_dot,
    "dots.end": _build_end_dots,
    "dots.carry": _build_carry_dots,
    "dilemma.add": _build_add_card,
    "dilemma.edit": _build_edit_card,
    "dilemma.remove": _build_remove_card,
    "dilemma.show": _build_show_card,
    "dilemma.next": _build_next_card,
    "dilemma.hide": _build_hide_cards,
    "dilemma.choose": _build_choose_side,
    "dilemma.reveal": _build_reveal_card,
    **HALL_BUILDERS,
    **BACKLOG_BUILDERS,
}

CLIENT_MESSAGE_TYPES = ("hello", "ping", "note.editing", "station.visiting", *COMMAND_BUILDERS)
SERVER_MESSAGE_TYPES = ("ack", "error", "events", "snapshot", "presence", "pong")


def parse_client_message(
    raw: str | bytes,
    make_id: Callable[[], str],
    template_titles: TemplateTitles | None = None,
    now_ms: Callable[[], int] = wall_clock_ms,
    today: Callable[[], str] = copenhagen_today,
) -> ClientMessage:
    """One client frame as a typed message, or a WireError. `make_id` makes the ids of what a
    command creates; `template_titles` names a new board's columns in the sender's language
    (see `template_titles_from`; without it the column keys stand in); `now_ms` is the
    server's wall clock, read when a timer starts; `today` the date in Copenhagen, read when a
    sprint starts, re-opens or closes, or an item moves on its board."""
    data = loads_strict(raw)
    if not isinstance(data, dict):
        raise WireError("wire.not_an_object")
    raw_cid = data.get("command_id")
    command_id = raw_cid if isinstance(raw_cid, str) and COMMAND_ID_RE.match(raw_cid) else None
    mtype = data.get("type")
    if not isinstance(mtype, str):
        raise WireError(
            "wire.missing_field" if mtype is None else "wire.wrong_type", "type", command_id
        )
    f = Fields(data, command_id)
    if mtype == "hello":
        since = f.integer("since", low=0, high=2**53, nullable=True)
        epoch = f.text("epoch", nullable=True, required=False, max_len=64)
        if epoch is not None and not EPOCH_RE.match(epoch):
            raise WireError("wire.bad_id", "epoch")
        f.finish()
        return Hello(since=since, epoch=epoch)
    if mtype == "ping":
        t = f.integer("t", low=0, high=MAX_CLIENT_MS, nullable=True)
        f.finish()
        return Ping(t=t)
    if mtype == "note.editing":
        note_id = f.ident("note_id", nullable=True)
        f.finish()
        return Editing(note_id=note_id)
    if mtype == "station.visiting":
        station_id = f.optional_ident("station_id")
        f.finish()
        return Visiting(station_id=station_id)
    builder = COMMAND_BUILDERS.get(mtype)
    if builder is None:
        raise WireError("wire.unknown_type", "type", command_id)
    if "command_id" not in data:
        raise WireError("wire.missing_field", "command_id")
    if command_id is None:
        raise WireError("wire.bad_id", "command_id")
    command = builder(f, Builder(make_id, template_titles or _key_titles, now_ms, today))
    f.finish()
    return CommandRequest(command_id=command_id, type=mtype, command=command)


# --- between processes -------------------------------------------------------------------


@dataclass(frozen=True)
class Doorbell:
    epoch: str
    events: list[StoredEvent]

    @property
    def first_seq(self) -> int:
        return self.events[0].seq

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq


def encode_doorbell(epoch: str, events: list[StoredEvent]) -> bytes:
    return json.dumps(
        {
            "w": events[0].workshop_id,
            "epoch": epoch,
            "events": [[e.seq, e.type, e.data, e.actor_id, e.command_id] for e in events],
        },
        separators=(",", ":"),
    ).encode()


def decode_doorbell(raw: bytes) -> Doorbell:
    d = json.loads(raw)
    wid = d["w"]
    return Doorbell(
        epoch=d["epoch"],
        events=[StoredEvent(wid, s, t, data, a, c) for s, t, data, a, c in d["events"]],
    )
