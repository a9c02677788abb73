"""Workshop state and how events change it (`apply`), with no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TypeVar

from server.domain import events as ev
from server.domain.backlog import Committee
from server.domain.backlog_apply import apply_backlog
from server.domain.boards import (
    DEFAULT_COLOR,
    Board,
    Cluster,
    Column,
    Comment,
    Note,
    order_key,
)
from server.domain.dilemmas import Card, CardStatus, Choice, without_card
from server.domain.dots import DotRound, merged_into, without_note
from server.domain.events import JSON, Event, StoredEvent
from server.domain.hall import Hall, empty_hall
from server.domain.hall_apply import apply_hall
from server.domain.questions import Question, Status, Vote
from server.domain.timers import Timer

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
    kicked: bool = False  # removed by the facilitator: cannot act or reconnect
    in_room: bool = False  # added by the facilitator for someone in the hall without a device
    erased: bool = False  # their personal data erased: nameless, shut out, figures kept


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
    clusters: Mapping[str, Cluster] = field(default_factory=lambda: MappingProxyType({}))
    comments: Mapping[str, Comment] = field(default_factory=lambda: MappingProxyType({}))
    current_board_id: str | None = None  # where the facilitator brought everyone
    questions: Mapping[str, Question] = field(default_factory=lambda: MappingProxyType({}))
    # (question id, voter id) -> the vote: one per participant per question
    votes: Mapping[tuple[str, str], Vote] = field(default_factory=lambda: MappingProxyType({}))
    timers: Mapping[str, Timer] = field(default_factory=lambda: MappingProxyType({}))
    # board id -> its dot round (the running one, or the last that ended)
    dot_rounds: Mapping[str, DotRound] = field(default_factory=lambda: MappingProxyType({}))
    # (note id, voter id) -> that voter's dots on that note, for notes with any
    dots: Mapping[tuple[str, str], int] = field(default_factory=lambda: MappingProxyType({}))
    # the dilemma deck: card id -> card, and (card id, chooser id) -> the choice
    dilemma_cards: Mapping[str, Card] = field(default_factory=lambda: MappingProxyType({}))
    dilemma_choices: Mapping[tuple[str, str], Choice] = field(
        default_factory=lambda: MappingProxyType({})
    )
    shown_card_id: str | None = None  # the dilemma card on everyone's screen
    hall: Hall = field(default_factory=empty_hall)  # the virtual council hall
    # Set (by `committee.set_up`) when this stream is a task committee rather than a workshop.
    committee: Committee | None = None
    # The id inside the published report link (None: not published, or revoked).
    report_link: str | None = None
    # Set when the workshop was imported from a JSON export: what came along that no stream
    # here owns (the committee's sprint outcomes), kept as exported (plain JSON).
    archive: Mapping[str, object] | None = None

    @property
    def main_board(self) -> Board:
        return self.boards_in_order()[0]

    @property
    def current_board(self) -> Board:
        b = self.boards.get(self.current_board_id or "")
        return b if b is not None else self.main_board

    def boards_in_order(self) -> list[Board]:
        return sorted(self.boards.values(), key=lambda b: (b.position, b.id))

    def notes_on(self, board_id: str) -> list[Note]:
        """Every note on a board: column by column, then clustered before loose, in order."""
        board = self.boards.get(board_id)
        if board is None:
            return []
        out: list[Note] = []
        for col in board.columns:
            for cl in self.clusters_in(col.id):
                out.extend(self.notes_in(col.id, cl.id))
            out.extend(self.notes_in(col.id, None))
        return out

    def notes_in(self, column_id: str, cluster_id: str | None) -> list[Note]:
        """The notes of one container (a column's loose notes, or one cluster), in order."""
        return sorted(
            (
                n
                for n in self.notes.values()
                if n.column_id == column_id and n.cluster_id == cluster_id
            ),
            key=order_key,
        )

    def clusters_in(self, column_id: str) -> list[Cluster]:
        return sorted(
            (c for c in self.clusters.values() if c.column_id == column_id), key=lambda c: c.seq
        )

    def comments_on(self, note_id: str) -> list[Comment]:
        return sorted(
            (c for c in self.comments.values() if c.note_id == note_id), key=lambda c: c.seq
        )

    def questions_in_order(self) -> list[Question]:
        return sorted(self.questions.values(), key=lambda q: (q.position, q.id))

    def votes_on(self, question_id: str) -> list[Vote]:
        return sorted(
            (v for v in self.votes.values() if v.question_id == question_id), key=lambda v: v.seq
        )

    def current_timer(self) -> Timer | None:
        """The latest started timer that is not stopped (one that reached zero still counts:
        the screens show 0:00 until the facilitator stops it or starts the next)."""
        running = [t for t in self.timers.values() if not t.stopped]
        return max(running, key=lambda t: t.seq) if running else None

    def voters(self) -> list[Participant]:
        """Everyone who may vote: every participant the facilitator has not removed."""
        return [p for p in self.participants.values() if not p.kicked]

    def board_of_column(self, column_id: str) -> Board | None:
        return next((b for b in self.boards.values() if b.column(column_id) is not None), None)

    def group_label(self, participant_id: str) -> str:
        """ "Borger 3": the participant's group and their place among its members, by join order."""
        p = self.participants.get(participant_id)
        if p is None:
            return ""
        n = 0
        for q in self.participants.values():
            if q.group == p.group:
                n += 1
            if q.id == participant_id:
                break
        return f"{p.group} {n}"


V = TypeVar("V")


def _erased(state: WorkshopState, pid: str, notes: str) -> WorkshopState:
    """No name left anywhere in the state; with "delete" (their notes and comments already
    gone) their vote comments go too. Their calls' messages always go: a call is contact."""
    p = replace(state.participants[pid], display_name=None, kicked=True, erased=True)
    own_notes = {
        k: replace(n, author_name=None) for k, n in state.notes.items() if n.author_id == pid
    }
    own_comments = {
        k: replace(c, author_name=None) for k, c in state.comments.items() if c.author_id == pid
    }
    votes = dict(state.votes)
    if notes == "delete":
        for k, v in votes.items():
            if v.voter_id == pid and v.comment is not None:
                votes[k] = replace(v, comment=None)
    calls = {
        k: replace(c, message="", resolved=True)
        for k, c in state.hall.calls.items()
        if c.participant_id == pid
    }
    return replace(
        state,
        participants=_with(state.participants, pid, p),
        notes=MappingProxyType({**state.notes, **own_notes}),
        comments=MappingProxyType({**state.comments, **own_comments}),
        votes=MappingProxyType(votes),
        hall=replace(state.hall, calls=MappingProxyType({**state.hall.calls, **calls})),
    )


def _with(mapping: Mapping[str, V], key: str, value: V | None) -> Mapping[str, V]:
    d = dict(mapping)
    if value is None:
        d.pop(key, None)
    else:
        d[key] = value
    return MappingProxyType(d)


def _first_board(d: JSON) -> Board:
    """The board every workshop starts with. Logs written before columns existed name no
    column: it then takes the board's id and title, as migration 0003 did for stored rows."""
    column = Column(d.get("column_id") or d["board_id"], d.get("column_title") or d["board_title"])
    return Board(
        id=d["board_id"],
        title=d["board_title"],
        template=d.get("template", "blank"),
        columns=(column,),
        position=0,
    )


def new_workshop(event: Event) -> WorkshopState:
    """The state right after `workshop.created`."""
    d = event.data
    board = _first_board(d)
    return WorkshopState(
        id=d["workshop_id"],
        title=d["title"],
        date=d["date"],
        groups=tuple(d["groups"]),
        join_code=d["join_code"],
        boards=MappingProxyType({board.id: board}),
    )


def _set_board(state: WorkshopState, board: Board) -> WorkshopState:
    return replace(state, boards=_with(state.boards, board.id, board))


def _set_note(state: WorkshopState, note: Note) -> WorkshopState:
    return replace(state, notes=_with(state.notes, note.id, note))


def _renumber(
    state: WorkshopState, order: list[str], column_id: str, cluster_id: str | None
) -> WorkshopState:
    """Put the listed notes into one container in exactly this order."""
    notes = dict(state.notes)
    for i, note_id in enumerate(order):
        n = notes.get(note_id)
        if n is not None:
            notes[note_id] = replace(n, column_id=column_id, cluster_id=cluster_id, position=i)
    return replace(state, notes=MappingProxyType(notes))


def next_position(state: WorkshopState, column_id: str, cluster_id: str | None) -> int:
    inside = state.notes_in(column_id, cluster_id)
    return inside[-1].position + 1 if inside else 0


def _drop_note(state: WorkshopState, note_id: str) -> WorkshopState:
    """A deleted note takes its comments, +1s and dots with it."""
    comments = {k: c for k, c in state.comments.items() if c.note_id != note_id}
    return replace(
        state,
        notes=_with(state.notes, note_id, None),
        comments=MappingProxyType(comments),
        dots=MappingProxyType(without_note(state.dots, note_id)),
    )


# The events each part handles after looking up the thing they are about: any other type is
# someone else's, so a new kind of event can never be taken for one of these.
_ON_A_BOARD = {
    ev.BOARD_RENAMED,
    ev.BOARD_SETTINGS_CHANGED,
    ev.BOARD_PRIVATE_STARTED,
    ev.BOARD_REVEALED,
    ev.COLUMN_ADDED,
    ev.COLUMN_RENAMED,
    ev.COLUMN_MOVED,
    ev.COLUMN_REMOVED,
}
_ON_A_NOTE = {
    ev.NOTE_EDITED,
    ev.NOTE_HIDDEN,
    ev.NOTE_REACTED,
    ev.NOTE_MOVED,
    ev.NOTE_MERGED,
    ev.NOTE_SENT_TO_BACKLOG,
}


def _apply_board(state: WorkshopState, t: str, d: JSON, seq: int) -> WorkshopState | None:
    """Board and column events; None if `t` is not one of them."""
    if t == ev.BOARD_CREATED:
        turn = d.get("turn_column_id")
        board = Board(
            id=d["board_id"],
            title=d["title"],
            template=d["template"],
            columns=tuple(Column(c["id"], c["title"]) for c in d["columns"]),
            position=d["position"],
            turn_column_id=turn,
        )
        return _set_board(state, board)
    if t == ev.BOARD_SHOWN:
        return replace(state, current_board_id=d["board_id"])
    if t not in _ON_A_BOARD:
        return None
    board = state.boards[d["board_id"]]
    if t == ev.BOARD_RENAMED:
        return _set_board(state, replace(board, title=d["title"]))
    if t == ev.BOARD_SETTINGS_CHANGED:
        return _set_board(
            state,
            replace(
                board,
                show_authors=d["show_authors"],
                open_moves=d["open_moves"],
                locked=d["locked"],
            ),
        )
    if t == ev.BOARD_PRIVATE_STARTED:
        return _set_board(state, replace(board, private=True))
    if t == ev.BOARD_REVEALED:
        return _set_board(state, replace(board, private=False))
    if t == ev.COLUMN_ADDED:
        col = Column(d["column_id"], d["title"])
        return _set_board(state, replace(board, columns=(*board.columns, col)))
    if t == ev.COLUMN_RENAMED:
        cols = tuple(
            Column(c.id, d["title"]) if c.id == d["column_id"] else c for c in board.columns
        )
        return _set_board(state, replace(board, columns=cols))
    if t == ev.COLUMN_MOVED:
        by_id = {c.id: c for c in board.columns}
        return _set_board(state, replace(board, columns=tuple(by_id[i] for i in d["order"])))
    if t == ev.COLUMN_REMOVED:
        gone, target = d["column_id"], d["moved_to"]
        cols = tuple(c for c in board.columns if c.id != gone)
        turn = board.turn_column_id if board.turn_column_id != gone else None
        state = _set_board(state, replace(board, columns=cols, turn_column_id=turn))
        # Clusters move along whole; loose notes go after the target's loose notes.
        clusters = {
            k: (replace(c, column_id=target) if c.column_id == gone else c)
            for k, c in state.clusters.items()
        }
        state = replace(state, clusters=MappingProxyType(clusters))
        loose = [n.id for n in state.notes_in(target, None)] + [
            n.id for n in state.notes_in(gone, None)
        ]
        notes = {
            k: (replace(n, column_id=target) if n.column_id == gone else n)
            for k, n in state.notes.items()
        }
        state = replace(state, notes=MappingProxyType(notes))
        return _renumber(state, loose, target, None)
    return None


def _apply_note(state: WorkshopState, t: str, d: JSON, seq: int) -> WorkshopState | None:
    """Note, comment and cluster events; None if `t` is not one of them."""
    if t == ev.NOTE_ADDED:
        board = state.boards[d["board_id"]]
        column_id = d.get("column_id") or board.columns[0].id
        cluster_id = d.get("cluster_id")
        n = Note(
            id=d["note_id"],
            board_id=d["board_id"],
            column_id=column_id,
            author_id=d["author_id"],
            author_name=d["author_name"],
            text=d["text"],
            seq=seq,
            position=d.get("position", seq),
            cluster_id=cluster_id,
            color=d.get("color", DEFAULT_COLOR),
            by_facilitator=d.get("author_role") == "facilitator",
            linked_note_id=d.get("linked_note_id"),
        )
        return _set_note(state, n)
    if t == ev.NOTE_DELETED:
        return _drop_note(state, d["note_id"])
    if t == ev.CLUSTER_ADDED:
        cl = Cluster(d["cluster_id"], d["board_id"], d["column_id"], d["title"], seq)
        return replace(state, clusters=_with(state.clusters, cl.id, cl))
    if t == ev.CLUSTER_RENAMED:
        cl = replace(state.clusters[d["cluster_id"]], title=d["title"])
        return replace(state, clusters=_with(state.clusters, cl.id, cl))
    if t == ev.CLUSTER_REMOVED:
        cl = state.clusters[d["cluster_id"]]
        loose = [n.id for n in state.notes_in(cl.column_id, None)]
        inside = [n.id for n in state.notes_in(cl.column_id, cl.id)]
        state = replace(state, clusters=_with(state.clusters, cl.id, None))
        return _renumber(state, loose + inside, cl.column_id, None)
    if t == ev.COMMENT_ADDED:
        c = Comment(
            id=d["comment_id"],
            note_id=d["note_id"],
            board_id=d["board_id"],
            author_id=d["author_id"],
            author_name=d["author_name"],
            text=d["text"],
            seq=seq,
            by_facilitator=d.get("author_role") == "facilitator",
        )
        return replace(state, comments=_with(state.comments, c.id, c))
    if t == ev.COMMENT_DELETED:
        return replace(state, comments=_with(state.comments, d["comment_id"], None))
    if t not in _ON_A_NOTE:
        return None
    note = state.notes[d["note_id"]]
    if t == ev.NOTE_EDITED:
        return _set_note(
            state, replace(note, text=d["text"], color=d["color"], version=d["version"])
        )
    if t == ev.NOTE_HIDDEN:
        return _set_note(state, replace(note, hidden=d["hidden"]))
    if t == ev.NOTE_SENT_TO_BACKLOG:
        return _set_note(state, replace(note, backlog=(d["committee_id"], d["item_id"])))
    if t == ev.NOTE_REACTED:
        who = d["reactor_id"]
        reactors = note.reactors | {who} if d["on"] else note.reactors - {who}
        return _set_note(state, replace(note, reactors=frozenset(reactors)))
    if t == ev.NOTE_MOVED:
        old_container = (note.column_id, note.cluster_id)
        state = _renumber(state, d["order"], d["column_id"], d.get("cluster_id"))
        if old_container != (d["column_id"], d.get("cluster_id")):
            rest = [n.id for n in state.notes_in(*old_container)]
            state = _renumber(state, rest, *old_container)
        return state
    if t == ev.NOTE_MERGED:
        into = state.notes[d["into_id"]]
        merged = replace(
            into,
            merged=tuple(d["merged"]),
            reactors=into.reactors | note.reactors,
            version=into.version + 1,
        )
        comments = {
            k: (replace(c, note_id=into.id) if c.note_id == note.id else c)
            for k, c in state.comments.items()
        }
        round_ = state.dot_rounds.get(note.board_id)
        dots = merged_into(
            state.dots, note.id, into.id, None if round_ is None else round_.per_note
        )
        state = replace(state, comments=MappingProxyType(comments), dots=MappingProxyType(dots))
        state = _set_note(state, merged)
        return replace(state, notes=_with(state.notes, note.id, None))
    return None


_QUESTION_STATUS: dict[str, Status] = {
    ev.QUESTION_OPENED: "open",
    ev.QUESTION_REOPENED: "open",
    ev.QUESTION_CLOSED: "closed",
    ev.QUESTION_REVEALED: "revealed",
}
_WORDING = ("text", "low_label", "high_label", "ask_comment", "anonymous", "min_group")


def _apply_question(state: WorkshopState, t: str, d: JSON, seq: int) -> WorkshopState | None:
    """Question and vote events; None if `t` is not one of them."""
    if t == ev.QUESTION_CREATED:
        q = Question(id=d["question_id"], position=d["position"], **{k: d[k] for k in _WORDING})
        return replace(state, questions=_with(state.questions, q.id, q))
    if t == ev.VOTE_CAST:
        v = Vote(
            question_id=d["question_id"],
            voter_id=d["voter_id"],
            value=d["value"],
            comment=d["comment"],
            group=d["group"],
            by_facilitator=d["by_facilitator"],
            seq=seq,
        )
        votes = dict(state.votes)
        votes[(v.question_id, v.voter_id)] = v
        return replace(state, votes=MappingProxyType(votes))
    if t == ev.QUESTION_EDITED:
        q = replace(state.questions[d["question_id"]], **{k: d[k] for k in _WORDING})
        return replace(state, questions=_with(state.questions, q.id, q))
    status = _QUESTION_STATUS.get(t)
    if status is not None:
        q = replace(state.questions[d["question_id"]], status=status)
        return replace(state, questions=_with(state.questions, q.id, q))
    return None


def _apply_timer(state: WorkshopState, t: str, d: JSON, seq: int) -> WorkshopState | None:
    """Timer events; None if `t` is not one of them."""
    if t == ev.TIMER_STARTED:
        timer = Timer(
            id=d["timer_id"],
            label=d["label"],
            seconds=d["seconds"],
            started_at_ms=d["started_at_ms"],
            ends_at_ms=d["ends_at_ms"],
            close_question_id=d["close_question_id"],
            seq=seq,
        )
        return replace(state, timers=_with(state.timers, timer.id, timer))
    if t == ev.TIMER_STOPPED:
        timer = replace(state.timers[d["timer_id"]], stopped=True)
        return replace(state, timers=_with(state.timers, timer.id, timer))
    return None


def _apply_dots(state: WorkshopState, t: str, d: JSON, seq: int) -> WorkshopState | None:
    """Dot voting events; None if `t` is not one of them."""
    if t == ev.DOTS_STARTED:
        board_id = d["board_id"]
        r = DotRound(board_id, d["dots_per_person"], d["per_note"], d["hidden"], seq)
        on_board = {n.id for n in state.notes.values() if n.board_id == board_id}
        dots = {k: v for k, v in state.dots.items() if k[0] not in on_board}
        return replace(
            state,
            dot_rounds=_with(state.dot_rounds, board_id, r),
            dots=MappingProxyType(dots),
        )
    if t == ev.DOTS_ENDED:
        r = replace(state.dot_rounds[d["board_id"]], running=False)
        return replace(state, dot_rounds=_with(state.dot_rounds, r.board_id, r))
    if t in (ev.DOT_PLACED, ev.DOT_REMOVED):
        key = (d["note_id"], d["voter_id"])
        count = state.dots.get(key, 0) + (1 if t == ev.DOT_PLACED else -1)
        dots = dict(state.dots)
        if count > 0:
            dots[key] = count
        else:
            dots.pop(key, None)
        return replace(state, dots=MappingProxyType(dots))
    return None


def _set_card_status(state: WorkshopState, card_id: str, status: CardStatus) -> WorkshopState:
    card = replace(state.dilemma_cards[card_id], status=status)
    return replace(state, dilemma_cards=_with(state.dilemma_cards, card.id, card))


def _apply_dilemma(state: WorkshopState, t: str, d: JSON, seq: int) -> WorkshopState | None:
    """Dilemma deck events; None if `t` is not one of them."""
    if t == ev.DILEMMA_CARD_ADDED:
        card = Card(id=d["card_id"], text=d["text"], position=d["position"])
        return replace(state, dilemma_cards=_with(state.dilemma_cards, card.id, card))
    if t == ev.DILEMMA_CARD_EDITED:
        card = replace(state.dilemma_cards[d["card_id"]], text=d["text"])
        return replace(state, dilemma_cards=_with(state.dilemma_cards, card.id, card))
    if t == ev.DILEMMA_CARD_REMOVED:
        return replace(
            state,
            dilemma_cards=_with(state.dilemma_cards, d["card_id"], None),
            dilemma_choices=MappingProxyType(without_card(state.dilemma_choices, d["card_id"])),
        )
    if t == ev.DILEMMA_SHOWN:
        card = state.dilemma_cards[d["card_id"]]
        if card.status == "waiting":
            state = _set_card_status(state, card.id, "open")
        return replace(state, shown_card_id=card.id)
    if t == ev.DILEMMA_HIDDEN:
        return replace(state, shown_card_id=None)
    if t == ev.DILEMMA_REVEALED:
        return _set_card_status(state, d["card_id"], "revealed")
    if t == ev.DILEMMA_CHOSEN:
        c = Choice(
            card_id=d["card_id"],
            chooser_id=d["chooser_id"],
            side=d["side"],
            group=d["group"],
            by_facilitator=d["by_facilitator"],
            seq=seq,
        )
        choices = dict(state.dilemma_choices)
        choices[(c.card_id, c.chooser_id)] = c
        return replace(state, dilemma_choices=MappingProxyType(choices))
    return None


def apply(state: WorkshopState, event: Event, seq: int) -> WorkshopState:
    """Return the state after one event; the log replayed through this is the state."""
    d = event.data
    t = event.type
    if t == ev.PARTICIPANT_JOINED:
        p = Participant(
            id=d["participant_id"],
            display_name=d["display_name"],
            group=d["group"],
            in_room=d.get("in_room", False),
        )
        return replace(state, participants=_with(state.participants, p.id, p))
    if t == ev.PARTICIPANT_RENAMED:
        old = state.participants[d["participant_id"]]
        p = replace(old, display_name=d["display_name"], group=d["group"])
        return replace(state, participants=_with(state.participants, p.id, p))
    if t == ev.PARTICIPANT_KICKED:
        p = replace(state.participants[d["participant_id"]], kicked=True)
        return replace(state, participants=_with(state.participants, p.id, p))
    if t == ev.PARTICIPANT_ERASED:
        return _erased(state, d["participant_id"], d["notes"])
    if t == ev.WORKSHOP_CREATED:
        return new_workshop(event)
    if t == ev.REPORT_PUBLISHED:
        return replace(state, report_link=d["link_id"])
    if t == ev.REPORT_UNPUBLISHED:
        return replace(state, report_link=None)
    if t == ev.WORKSHOP_IMPORTED:
        return replace(state, archive=MappingProxyType(dict(d["archive"])))
    parts = (
        _apply_question,
        _apply_timer,
        _apply_dots,
        _apply_dilemma,
        apply_hall,
        apply_backlog,
        _apply_board,
        _apply_note,
    )
    for part in parts:
        changed = part(state, t, d, seq)
        if changed is not None:
            return changed
    raise ValueError(f"unknown event type {t!r}")


def fold(state: WorkshopState, events: list[StoredEvent]) -> WorkshopState:
    """The state after stored events that follow `state`."""
    for e in events:
        state = apply(state, Event(e.type, e.data), e.seq)
    return state


def replay(log: list[StoredEvent]) -> WorkshopState:
    """The state a whole log describes; the stored projections must always equal it."""
    state = new_workshop(Event(log[0].type, log[0].data))
    for e in log[1:]:
        state = apply(state, Event(e.type, e.data), e.seq)
    return state
