"""A Hypothesis state machine over the pure domain: random command sequences from random actors.

Every step sends one command, valid or not, through `decide` and `apply` (as `kit.Session`
does, as the service does). The actors are the facilitator, three participants, a participant
the facilitator removed, one who never joined (a participant of another workshop) and the room
screen. Ids of new things are mostly fresh, as the edge makes them, and sometimes an existing
one; ids of things a command is about are drawn from what exists, or are unknown.

After every step:

- the log's seqs are 1..n with no gap, in the order the events were appended;
- one vote per person per question (`state.votes` holds one per voter and question, and exactly
  the pairs the log's `vote.cast` events name), one choice per person per dilemma card;
- replaying the log (and the log as it comes back from JSON, as the store keeps it) gives the
  state that was built step by step, and every event can be written as UTF-8;
- nothing points at what is gone (notes at boards, columns and clusters, comments and dots at
  notes), and dots stay within their round's limits;
- a refused command changed nothing, and its code is a key both catalogues translate, whose
  text takes the error's parameters.

Two machines: a workshop (boards, notes, questions, votes, timers, dots, the dilemma deck and
the hall) and a task committee's stream (backlog items and sprints). Each starts from a little
seeded content, so the first steps have something to act on; the commands mostly come from
someone who may send them, with fields that mostly pass, since Hypothesis picks among ~50
rules and a refusal at the first check tests little.

No shrinking by default (a failure prints every command it sent); SAMSKAB_FUZZ_SHRINK=1 turns
it on when debugging.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Sequence
from typing import ClassVar, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import note as show_step
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from server.domain import events as ev
from server.domain.backlog import EVALUATIONS, ITEM_STATUSES
from server.domain.boards import COLORS, TEMPLATES
from server.domain.commands import (
    Actor,
    AddAsset,
    AddCard,
    AddCluster,
    AddColumn,
    AddComment,
    AddItem,
    AddMeeting,
    AddNote,
    AddRoom,
    AddRoomParticipant,
    AddStation,
    AnswerQuiz,
    CallMe,
    CarryTopNotes,
    CastVote,
    ChangeBoardSettings,
    ChangeCapacityRule,
    ChooseSide,
    CloseQuestion,
    CloseSprint,
    Command,
    CreateBoard,
    CreateQuestion,
    CreateSprint,
    DeleteComment,
    DeleteNote,
    EditCard,
    EditItem,
    EditNote,
    EditQuestion,
    EditRoom,
    EditSprint,
    EditStation,
    EndDots,
    HideCards,
    HideNote,
    JoinWorkshop,
    KickParticipant,
    MergeNotes,
    MoveColumn,
    MoveItem,
    MoveNote,
    NextCard,
    OpenQuestion,
    PlaceDot,
    PlaceStation,
    PlanItem,
    ReactToNote,
    RemoveCard,
    RemoveCluster,
    RemoveColumn,
    RemoveDot,
    RemoveItem,
    RemoveRoom,
    RemoveStation,
    RenameBoard,
    RenameCluster,
    RenameColumn,
    ReopenPlanning,
    ReorderStation,
    ResolveCall,
    RevealBoard,
    RevealCard,
    RevealQuestion,
    SendNoteToBacklog,
    SetItemStatus,
    SetProgrammeItem,
    SetUpCommittee,
    ShowBoard,
    ShowCard,
    Spotlight,
    StartDots,
    StartPrivateWriting,
    StartSprint,
    StartTimer,
    StationContent,
    StopTimer,
    TurnNoteAround,
    UnplanItem,
    UpdateParticipant,
)
from server.domain.errors import DomainError
from server.domain.events import StoredEvent
from server.domain.hall import HALL, SPAN, STATION_KINDS
from server.domain.text import clean_text
from server.domain.workshop import WorkshopState, replay
from server.i18n import LOCALES, translations
from tests.domain.kit import FAC, MAIN, P1, P2, P3, SCREEN, TITLES, Session, column_ids

KICKED = Actor("participant", "p4")  # joined, then removed by the facilitator
STRANGER = Actor("participant", "p9")  # never joined this workshop (another workshop's)
ROOM = "r1"  # in the hall without a device: the facilitator votes for them
ACTORS: tuple[Actor, ...] = (FAC, P1, P2, P3, KICKED, STRANGER, SCREEN)
PEOPLE: tuple[Actor, ...] = (P1, P2, P3, FAC)  # who writes, votes and moves
GROUPS = ("Borger", "Politiker")
UNKNOWN = "nope"  # an id nothing has
IDEA_COLUMNS = column_ids("b2", "idea_bank")

T = TypeVar("T")


def mostly(good: st.SearchStrategy[T], bad: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """`good` seven times in eight, else `bad`: most commands should get past their checks."""
    return st.integers(0, 7).flatmap(lambda i: bad if i == 7 else good)


# Text as people type it, and as they should not: blank, too long, control characters,
# line breaks in one-line fields, combining marks, right-to-left, emoji, anything at all.
GOOD_TEXT = ["Cykelsti langs åen", "Flere bænke", "Ja", "e\u0301n idé", "🚲 og 🚌"]
# No lone surrogate ("\ud800"): clean_text lets it through (test_clean_text_refuses_...).
BAD_TEXT = [
    "",
    "   ",
    "x" * 5001,
    "a\x00b",
    "to\nlinjer",
    "\u202eomvendt",
    "\u2028",
    "\ufeff",
    "x\ud800y",
]
TEXT = mostly(st.sampled_from(GOOD_TEXT), st.one_of(st.sampled_from(BAD_TEXT), st.text()))
GOOD_SHORT = ["Tema", "Plan B", "Økonomi"]
SHORT_TEXT = mostly(
    st.sampled_from(GOOD_SHORT),
    st.one_of(st.sampled_from(["", " ", "y" * 301, "a\tb", "a\nb"]), st.text(max_size=8)),
)
INDEX = mostly(st.integers(0, 6), st.sampled_from([-1, 100_000, 2**63]))
GOOD_DATES = ["2026-11-02", "2026-11-08", "2026-11-20", "2027-02-09"]
DATES = mostly(st.sampled_from(GOOD_DATES), st.sampled_from(["2026-13-01", "", "2026-1-2"]))
VOTE = mostly(
    st.integers(0, 10),
    st.sampled_from([-1, 11, 7.0, 5.5, True, "5", None, 2**64, float("nan"), float("inf")]),
)


def _catalogued(code: str, params: dict[str, str | int]) -> None:
    """The code is a key both catalogues translate, and its text takes the parameters."""
    for locale in LOCALES:
        text = translations(locale).gettext(code)
        assert text != code, f"{code!r} has no {locale} translation"
        if params:
            assert isinstance(text % params, str)  # a parameter the error lacks: KeyError


def _json_round_trip(log: Sequence[StoredEvent]) -> list[StoredEvent]:
    """The log as the store gives it back: every payload through JSON."""
    return [
        StoredEvent(e.workshop_id, e.seq, e.type, json.loads(json.dumps(e.data)), e.actor_id)
        for e in log
    ]


class Stream(RuleBasedStateMachine):
    """One stream (a workshop, or a committee) driven through `kit.Session`."""

    stream_id: ClassVar[str] = "w1"

    def __init__(self) -> None:
        super().__init__()
        self.s = Session(self.stream_id)
        self.counter = itertools.count(100)  # the seeded things have smaller numbers
        self.stored: list[StoredEvent] = []  # the log as read back from the store (JSON)
        assert self.attempt(KICKED, JoinWorkshop(KICKED.id, "Gone", "Borger"))
        assert self.attempt(FAC, KickParticipant(KICKED.id))

    # --- driving ------------------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    def rarely(self, data: st.DataObject) -> bool:
        """True about one time in eight (Hypothesis leans to small numbers: 7 is the rare one)."""
        return data.draw(st.integers(0, 7)) == 7

    def new_id(self, data: st.DataObject, prefix: str, existing: Iterable[str]) -> str:
        """A new id, as the edge makes it; now and then one already in use."""
        taken = sorted(existing)
        if taken and self.rarely(data):
            return self.choose(data, taken)
        return self.fresh(prefix)

    def pick(self, data: st.DataObject, existing: Iterable[str]) -> str:
        """An id of something that exists; now and then (and when nothing does) one that
        does not."""
        ids = sorted(existing)
        if not ids or self.rarely(data):
            return UNKNOWN
        return self.choose(data, ids)

    def prefer(self, data: st.DataObject, likely: Iterable[str], existing: Iterable[str]) -> str:
        """Mostly one of the ids a command is likely to be accepted for; else any `pick`."""
        ids = sorted(likely)
        if ids and not self.rarely(data):
            return self.choose(data, ids)
        return self.pick(data, existing)

    def on_behalf(self, data: st.DataObject, actor: Actor) -> str | None:
        """Whom a vote or choice is for: the facilitator votes for someone in the room."""
        if self.rarely(data):
            return self.choose(data, [None, ROOM, P1.id, UNKNOWN])
        return ROOM if actor.role == "facilitator" else None

    def group(self, data: st.DataObject) -> str:
        return self.choose(data, ["Ukendt", "borger", ""] if self.rarely(data) else GROUPS)

    def choose(self, data: st.DataObject, options: Sequence[T]) -> T:
        return data.draw(st.sampled_from(options))

    def actor(self, data: st.DataObject, usual: Sequence[Actor] = (FAC,)) -> Actor:
        """Mostly someone who may send the command; now and then anyone at all."""
        return self.choose(data, ACTORS if self.rarely(data) else usual)

    def attempt(self, actor: Actor, command: Command) -> bool:
        """Decide and apply; a refusal must leave everything as it was."""
        before, length = self.s.state, len(self.s.log)
        try:
            self.s.do(actor, command)
        except DomainError as e:
            show_step(f"{actor.role} {actor.id}: {command!r} -> refused {e.code}")
            assert self.s.state is before, command
            assert len(self.s.log) == len(self.s.states) == length, command
            _catalogued(e.code, e.params)
            return False
        show_step(f"{actor.role} {actor.id}: {command!r} -> seq {self.s.seq}")
        return True

    @property
    def state(self) -> WorkshopState:
        return self.s.state

    # --- participants -------------------------------------------------------------------

    @rule(data=st.data(), name=st.one_of(st.none(), SHORT_TEXT))
    def join(self, data: st.DataObject, name: str | None) -> None:
        pid = self.new_id(data, "p", self.state.participants)
        group = self.group(data)
        self.attempt(Actor("participant", pid), JoinWorkshop(pid, name, group))

    @rule(data=st.data(), name=st.one_of(st.none(), SHORT_TEXT))
    def update_participant(self, data: st.DataObject, name: str | None) -> None:
        group = self.group(data)
        self.attempt(self.actor(data, PEOPLE), UpdateParticipant(name, group))

    @rule(data=st.data())
    def kick(self, data: st.DataObject) -> None:
        """Mostly someone who joined during the run: with p1-p3 gone, little else is tried."""
        regulars = {P1.id, P2.id, P3.id, ROOM}
        newcomers = [p for p in self.state.participants if p not in regulars]
        pid = self.prefer(data, newcomers, self.state.participants)
        self.attempt(self.actor(data), KickParticipant(pid))

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def seq_is_gap_free(self) -> None:
        assert [e.seq for e in self.s.log] == list(range(1, len(self.s.log) + 1))
        assert len(self.s.states) == len(self.s.log)

    @invariant()
    def replaying_the_log_gives_the_state(self) -> None:
        """Checked whenever the log grew (a refusal changes nothing, see `attempt`)."""
        log = self.s.log
        if len(self.stored) == len(log):
            return
        for e in log[len(self.stored) :]:  # what the store writes: UTF-8 JSON and text
            json.dumps(e.data, ensure_ascii=False).encode("utf-8")
        self.stored.extend(_json_round_trip(log[len(self.stored) :]))
        assert replay(log) == self.state
        assert replay(self.stored) == self.state

    @invariant()
    def one_vote_per_person_per_question(self) -> None:
        state = self.state
        for (question_id, voter_id), vote in state.votes.items():
            assert (vote.question_id, vote.voter_id) == (question_id, voter_id)
            assert question_id in state.questions
            assert voter_id in state.participants
        cast = {
            (e.data["question_id"], e.data["voter_id"])
            for e in self.s.log
            if e.type == ev.VOTE_CAST
        }
        assert set(state.votes) == cast
        for (card_id, chooser_id), choice in state.dilemma_choices.items():
            assert (choice.card_id, choice.chooser_id) == (card_id, chooser_id)
            assert card_id in state.dilemma_cards
            assert chooser_id in state.participants

    @invariant()
    def nothing_points_at_what_is_gone(self) -> None:
        state = self.state
        for n in state.notes.values():
            board = state.boards.get(n.board_id)
            assert board is not None, n
            assert board.column(n.column_id) is not None, n
            if n.cluster_id is not None:
                assert state.clusters[n.cluster_id].column_id == n.column_id, n
        for cluster in state.clusters.values():
            assert state.board_of_column(cluster.column_id) is not None, cluster
        for comment in state.comments.values():
            assert comment.note_id in state.notes, comment
        for (note_id, voter_id), count in state.dots.items():
            dotted = state.notes.get(note_id)
            assert dotted is not None and count > 0, (note_id, voter_id)
            round_ = state.dot_rounds.get(dotted.board_id)
            assert round_ is not None, note_id
            assert count <= round_.per_note, (note_id, voter_id, count)
        for board_id, round_ in state.dot_rounds.items():
            on_board = {n.id for n in state.notes.values() if n.board_id == board_id}
            spent: dict[str, int] = {}
            for (note_id, voter_id), count in state.dots.items():
                if note_id in on_board:
                    spent[voter_id] = spent.get(voter_id, 0) + count
            assert all(n <= round_.dots_per_person for n in spent.values()), (board_id, spent)
        for station in state.hall.stations.values():
            assert station.room_id in state.hall.rooms, station
        assert state.shown_card_id is None or state.shown_card_id in state.dilemma_cards


class Workshop(Stream):
    """Boards, notes, questions and votes, timers, dots, dilemma cards and the hall."""

    def __init__(self) -> None:
        """A workshop under way, so the first steps already have things to act on."""
        super().__init__()
        quiz = StationContent(quiz=(("Hvor?", ("Her", "Der"), 0),), target_room_id="room1")
        programme = StationContent(items=(("09:30", "Velkomst"), ("10:00", "Pause")))
        for actor, command in (
            (FAC, AddRoomParticipant(ROOM, "Karl uden telefon", "Politiker")),
            (FAC, CreateBoard("b2", "Idébank", "idea_bank", IDEA_COLUMNS, TITLES["idea_bank"])),
            (P1, AddNote("n1", "Cykelsti langs åen")),
            (P2, AddNote("n2", "Flere bænke")),
            (FAC, AddNote("n3", "Bedre busser", board_id="b2")),
            (P3, AddNote("n4", "Mere grønt", board_id="b2", column_id=IDEA_COLUMNS[1])),
            (FAC, AddCluster(MAIN, "g1", "Trafik")),
            (P2, AddComment("n1", "k1", "Enig")),
            (FAC, CreateQuestion("q1", "I hvilken grad kan visionen bruges?")),
            (FAC, OpenQuestion("q1")),
            (FAC, CreateQuestion("q2", "Hvor vigtigt er det?", ask_comment=True)),
            (FAC, AddCard("d1", "Skolen før vejen")),
            (FAC, AddCard("d2", "Park før parkering")),
            (FAC, ShowCard("d1")),
            (FAC, StartDots("b2", 3, 2, False)),
            (FAC, AddRoom("room1", "Byrum", "room")),
            (FAC, AddAsset("a1", "image", "image/png", "kort.png", 1234, 640, 480)),
            (FAC, AddStation("s1", HALL, "helpline", "Hjælp", 100, 100)),
            (FAC, EditStation("s1", "Hjælp", StationContent(phone="+45 12 34 56 78"))),
            (FAC, AddStation("s2", HALL, "quiz", "Quiz", 200, 200)),
            (FAC, EditStation("s2", "Quiz", quiz)),
            (FAC, AddStation("s3", "room1", "programme", "Program", 300, 300)),
            (FAC, EditStation("s3", "Program", programme)),
        ):
            assert self.attempt(actor, command), command

    # --- boards and columns -------------------------------------------------------------

    def columns(self) -> list[str]:
        return [c.id for b in self.state.boards.values() for c in b.columns]

    @rule(data=st.data(), title=SHORT_TEXT)
    def create_board(self, data: st.DataObject, title: str) -> None:
        board_id = self.new_id(data, "b", self.state.boards)
        template = self.choose(data, [*TEMPLATES, "kanban"])
        ids = column_ids(board_id, template) if template in TEMPLATES else ()
        titles = TITLES.get(template, ())
        self.attempt(self.actor(data), CreateBoard(board_id, title, template, ids, titles))

    @rule(data=st.data(), title=SHORT_TEXT)
    def rename_board(self, data: st.DataObject, title: str) -> None:
        self.attempt(self.actor(data), RenameBoard(self.pick(data, self.state.boards), title))

    @rule(
        data=st.data(),
        show=st.one_of(st.none(), st.booleans()),
        moves=st.one_of(st.none(), st.booleans()),
        locked=st.one_of(st.none(), st.booleans()),
    )
    def board_settings(
        self, data: st.DataObject, show: bool | None, moves: bool | None, locked: bool | None
    ) -> None:
        board_id = self.pick(data, self.state.boards)
        self.attempt(self.actor(data), ChangeBoardSettings(board_id, show, moves, locked))

    @rule(data=st.data(), which=st.integers(0, 2))
    def private_reveal_show(self, data: st.DataObject, which: int) -> None:
        board_id = self.pick(data, self.state.boards)
        command = (StartPrivateWriting, RevealBoard, ShowBoard)[which](board_id)
        self.attempt(self.actor(data), command)

    @rule(data=st.data(), title=SHORT_TEXT)
    def add_column(self, data: st.DataObject, title: str) -> None:
        board_id = self.pick(data, self.state.boards)
        column_id = self.new_id(data, "c", self.columns())
        self.attempt(self.actor(data), AddColumn(board_id, column_id, title))

    @rule(data=st.data(), title=SHORT_TEXT)
    def rename_column(self, data: st.DataObject, title: str) -> None:
        self.attempt(self.actor(data), RenameColumn(self.pick(data, self.columns()), title))

    @rule(data=st.data(), index=INDEX)
    def move_column(self, data: st.DataObject, index: int) -> None:
        self.attempt(self.actor(data), MoveColumn(self.pick(data, self.columns()), index))

    @rule(data=st.data())
    def remove_column(self, data: st.DataObject) -> None:
        gone, target = self.pick(data, self.columns()), self.pick(data, self.columns())
        self.attempt(self.actor(data), RemoveColumn(gone, target))

    # --- notes, comments and clusters ---------------------------------------------------

    @rule(data=st.data(), text=TEXT)
    def add_note(self, data: st.DataObject, text: str) -> None:
        note_id = self.new_id(data, "n", self.state.notes)
        board_id = data.draw(st.one_of(st.none(), st.just(self.pick(data, self.state.boards))))
        column_id = data.draw(st.one_of(st.none(), st.just(self.pick(data, self.columns()))))
        color = self.choose(data, [None, *COLORS, "magenta"])
        self.attempt(self.actor(data, PEOPLE), AddNote(note_id, text, board_id, column_id, color))

    def own_notes(self, actor: Actor) -> list[str]:
        """The notes this actor may edit: their own (the facilitator's: all)."""
        notes = self.state.notes.values()
        return [n.id for n in notes if actor.role == "facilitator" or n.author_id == actor.id]

    @rule(data=st.data(), text=st.one_of(st.none(), TEXT))
    def edit_note(self, data: st.DataObject, text: str | None) -> None:
        actor = self.actor(data, PEOPLE)
        note_id = self.prefer(data, self.own_notes(actor), self.state.notes)
        note = self.state.notes.get(note_id)
        version = note.version if note is not None and not self.rarely(data) else 1
        color = self.choose(data, [None, None, *COLORS, "magenta"])
        self.attempt(actor, EditNote(note_id, version, text, color))

    @rule(data=st.data())
    def delete_note(self, data: st.DataObject) -> None:
        actor = self.actor(data, PEOPLE)
        note_id = self.prefer(data, self.own_notes(actor), self.state.notes)
        self.attempt(actor, DeleteNote(note_id))

    @rule(data=st.data(), hidden=st.booleans())
    def hide_note(self, data: st.DataObject, hidden: bool) -> None:
        self.attempt(self.actor(data), HideNote(self.pick(data, self.state.notes), hidden))

    @rule(data=st.data(), index=INDEX)
    def move_note(self, data: st.DataObject, index: int) -> None:
        note_id = self.pick(data, self.state.notes)
        note = self.state.notes.get(note_id)
        columns = self.columns()
        column_id = (
            note.column_id
            if note is not None and data.draw(st.booleans())
            else self.pick(data, columns)
        )
        cluster_id = self.choose(data, [None, None, *sorted(self.state.clusters), UNKNOWN])
        self.attempt(self.actor(data, PEOPLE), MoveNote(note_id, column_id, index, cluster_id))

    @rule(data=st.data(), text=TEXT)
    def turn_note_around(self, data: st.DataObject, text: str) -> None:
        boards = self.state.boards
        negative = [n.id for n in self.state.notes.values() if boards[n.board_id].turn_column_id]
        note_id = self.prefer(data, negative, self.state.notes)
        new_id = self.new_id(data, "n", self.state.notes)
        self.attempt(self.actor(data, PEOPLE), TurnNoteAround(note_id, new_id, text))

    @rule(data=st.data())
    def merge_notes(self, data: st.DataObject) -> None:
        notes = self.state.notes
        note_id = self.pick(data, notes)
        note = notes.get(note_id)
        neighbours = [
            n.id for n in notes.values() if note is not None and n.board_id == note.board_id
        ]
        into_id = self.prefer(data, [n for n in neighbours if n != note_id], notes)
        self.attempt(self.actor(data), MergeNotes(note_id, into_id))

    @rule(data=st.data())
    def react(self, data: st.DataObject) -> None:
        self.attempt(self.actor(data, PEOPLE), ReactToNote(self.pick(data, self.state.notes)))

    @rule(data=st.data(), text=TEXT)
    def add_comment(self, data: st.DataObject, text: str) -> None:
        note_id = self.pick(data, self.state.notes)
        comment_id = self.new_id(data, "k", self.state.comments)
        self.attempt(self.actor(data, PEOPLE), AddComment(note_id, comment_id, text))

    @rule(data=st.data())
    def delete_comment(self, data: st.DataObject) -> None:
        self.attempt(self.actor(data, PEOPLE), DeleteComment(self.pick(data, self.state.comments)))

    @rule(data=st.data(), title=SHORT_TEXT)
    def add_cluster(self, data: st.DataObject, title: str) -> None:
        column_id = self.pick(data, self.columns())
        cluster_id = self.new_id(data, "g", self.state.clusters)
        self.attempt(self.actor(data), AddCluster(column_id, cluster_id, title))

    @rule(data=st.data(), title=SHORT_TEXT)
    def rename_or_remove_cluster(self, data: st.DataObject, title: str) -> None:
        cluster_id = self.pick(data, self.state.clusters)
        command: Command = (
            RemoveCluster(cluster_id)
            if data.draw(st.booleans())
            else RenameCluster(cluster_id, title)
        )
        self.attempt(self.actor(data), command)

    @rule(data=st.data())
    def send_note_to_backlog(self, data: st.DataObject) -> None:
        note_id = self.pick(data, self.state.notes)
        self.attempt(self.actor(data), SendNoteToBacklog(note_id, "c1", self.fresh("i")))

    # --- questions and votes ------------------------------------------------------------

    @rule(data=st.data(), name=st.one_of(st.none(), SHORT_TEXT))
    def add_room_participant(self, data: st.DataObject, name: str | None) -> None:
        pid = self.new_id(data, "r", self.state.participants)
        group = self.group(data)
        self.attempt(self.actor(data), AddRoomParticipant(pid, name, group))

    @rule(
        data=st.data(),
        text=TEXT,
        low=st.one_of(st.none(), SHORT_TEXT),
        ask_comment=st.booleans(),
        anonymous=st.booleans(),
        min_group=mostly(st.one_of(st.none(), st.integers(1, 20)), st.integers(-1, 25)),
    )
    def create_or_edit_question(
        self,
        data: st.DataObject,
        text: str,
        low: str | None,
        ask_comment: bool,
        anonymous: bool,
        min_group: int | None,
    ) -> None:
        if data.draw(st.booleans()):
            question_id = self.new_id(data, "q", self.state.questions)
            command: Command = CreateQuestion(
                question_id, text, low, None, ask_comment, anonymous, min_group
            )
        else:
            question_id = self.pick(data, self.state.questions)
            command = EditQuestion(question_id, text, None, low, ask_comment, anonymous, min_group)
        self.attempt(self.actor(data), command)

    @rule(data=st.data(), which=st.integers(0, 2))
    def open_close_reveal(self, data: st.DataObject, which: int) -> None:
        question_id = self.pick(data, self.state.questions)
        command = (OpenQuestion, CloseQuestion, RevealQuestion)[which](question_id)
        self.attempt(self.actor(data), command)

    @rule(
        data=st.data(),
        value=VOTE,
        comment=mostly(st.none(), TEXT),
    )
    def cast_vote(self, data: st.DataObject, value: object, comment: str | None) -> None:
        open_ = [q.id for q in self.state.questions.values() if q.status == "open"]
        question_id = self.prefer(data, open_, self.state.questions)
        actor = self.actor(data, PEOPLE)
        command = CastVote(question_id, value, comment, self.on_behalf(data, actor))
        self.attempt(actor, command)

    # --- timers -------------------------------------------------------------------------

    @rule(
        data=st.data(),
        seconds=mostly(st.integers(5, 3600), st.sampled_from([0, 4, 3601, -5, 2**31])),
        label=st.one_of(st.none(), SHORT_TEXT),
    )
    def start_timer(self, data: st.DataObject, seconds: int, label: str | None) -> None:
        timer_id = self.new_id(data, "t", self.state.timers)
        close = self.choose(data, [None, None, *sorted(self.state.questions), UNKNOWN])
        now_ms = 1_795_000_000_000 + 1000 * len(self.s.log)
        self.attempt(self.actor(data), StartTimer(timer_id, seconds, label, close, now_ms))

    @rule(data=st.data())
    def stop_timer(self, data: st.DataObject) -> None:
        self.attempt(self.actor(data), StopTimer(self.pick(data, self.state.timers)))

    # --- dot voting ---------------------------------------------------------------------

    @rule(
        data=st.data(),
        per_person=mostly(st.integers(1, 5), st.integers(-1, 22)),
        per_note=mostly(st.integers(1, 2), st.integers(0, 5)),
        hidden=st.booleans(),
    )
    def start_dots(self, data: st.DataObject, per_person: int, per_note: int, hidden: bool) -> None:
        board_id = self.pick(data, self.state.boards)
        self.attempt(self.actor(data), StartDots(board_id, per_person, per_note, hidden))

    @rule(data=st.data())
    def place_or_remove_dot(self, data: st.DataObject) -> None:
        running = {b for b, r in self.state.dot_rounds.items() if r.running}
        dotted = [n.id for n in self.state.notes.values() if n.board_id in running]
        actor = self.actor(data, PEOPLE)
        if data.draw(st.booleans()):
            self.attempt(actor, PlaceDot(self.prefer(data, dotted, self.state.notes)))
        else:
            mine = [n for n, voter in self.state.dots if voter == actor.id]
            self.attempt(actor, RemoveDot(self.prefer(data, mine, self.state.notes)))

    @rule(data=st.data())
    def end_dots(self, data: st.DataObject) -> None:
        self.attempt(self.actor(data), EndDots(self.pick(data, self.state.boards)))

    @rule(data=st.data(), count=mostly(st.integers(1, 3), st.integers(-1, 60)), title=SHORT_TEXT)
    def carry_top_notes(self, data: st.DataObject, count: int, title: str) -> None:
        board_id = self.pick(data, self.state.boards)
        note_ids = tuple(self.fresh("n") for _ in range(max(0, count)))
        command = CarryTopNotes(
            board_id, count, self.fresh("b"), title, self.fresh("c"), "Noter", note_ids
        )
        self.attempt(self.actor(data), command)

    # --- the dilemma deck ---------------------------------------------------------------

    @rule(data=st.data(), text=TEXT)
    def add_or_edit_card(self, data: st.DataObject, text: str) -> None:
        if data.draw(st.booleans()):
            command: Command = AddCard(self.new_id(data, "d", self.state.dilemma_cards), text)
        else:
            command = EditCard(self.pick(data, self.state.dilemma_cards), text)
        self.attempt(self.actor(data), command)

    @rule(data=st.data(), which=st.integers(0, 4))
    def run_the_deck(self, data: st.DataObject, which: int) -> None:
        cards, shown = self.state.dilemma_cards, self.state.shown_card_id
        on_screen = [shown] if shown else []
        others = [c for c in cards if c != shown]
        commands: list[Command] = [
            ShowCard(self.prefer(data, others, cards)),
            NextCard(),
            HideCards(),
            RevealCard(self.prefer(data, on_screen, cards)),
            RemoveCard(self.prefer(data, others, cards)),
        ]
        self.attempt(self.actor(data), commands[which])

    @rule(data=st.data(), side=st.sampled_from(["over", "under", "over", "midt", "", 1]))
    def choose_side(self, data: st.DataObject, side: object) -> None:
        shown = self.state.shown_card_id
        card_id = self.prefer(data, [shown] if shown else [], self.state.dilemma_cards)
        actor = self.actor(data, PEOPLE)
        self.attempt(actor, ChooseSide(card_id, side, self.on_behalf(data, actor)))

    # --- the hall -----------------------------------------------------------------------

    def rooms(self) -> list[str]:
        return sorted(self.state.hall.rooms)

    def stations(self) -> list[str]:
        return sorted(self.state.hall.stations)

    def assets(self) -> list[str]:
        return sorted(self.state.hall.assets)

    @rule(data=st.data(), title=SHORT_TEXT)
    def add_or_edit_room(self, data: st.DataObject, title: str) -> None:
        if data.draw(st.booleans()):
            room_id = self.new_id(data, "room", self.rooms())
            kind = self.choose(data, ["room", "break", "hall", "cellar"])
            command: Command = AddRoom(room_id, title, kind)
        else:
            assets = [None, None, *self.assets(), UNKNOWN]
            command = EditRoom(
                self.pick(data, self.rooms()),
                title,
                self.choose(data, assets),
                self.choose(data, assets),
            )
        self.attempt(self.actor(data), command)

    @rule(data=st.data())
    def remove_room(self, data: st.DataObject) -> None:
        targets = {s.target_room_id for s in self.state.hall.stations.values()}
        free = [r for r in self.rooms() if r != HALL and r not in targets]
        self.attempt(self.actor(data), RemoveRoom(self.prefer(data, free, self.rooms())))

    @rule(
        data=st.data(),
        title=SHORT_TEXT,
        x=mostly(st.integers(0, SPAN), st.sampled_from([-1, SPAN + 1])),
        y=st.integers(0, SPAN),
    )
    def add_station(self, data: st.DataObject, title: str, x: int, y: int) -> None:
        station_id = self.new_id(data, "s", self.stations())
        room_id = self.pick(data, self.rooms())
        kind = self.choose(data, [*STATION_KINDS, "bar"])
        self.attempt(self.actor(data), AddStation(station_id, room_id, kind, title, x, y))

    def content_for(self, data: st.DataObject, kind: str) -> StationContent:
        """Mostly what a station of this kind shows; sometimes what it does not."""
        target = self.pick(data, self.rooms())
        item = data.draw(SHORT_TEXT)
        if data.draw(st.integers(0, 5)) == 0:
            kind = self.choose(data, STATION_KINDS)
        if kind == "programme":
            return StationContent(items=(("09:30", item), ("10:00", "Pause")))
        if kind in ("rules", "info"):
            return StationContent(body=data.draw(TEXT))
        if kind == "films":
            video = self.choose(data, [None, *self.assets()])
            return StationContent(links=(("Film", "https://example.dk/film"),), video_id=video)
        if kind == "plan":
            return StationContent(milestones=(("marts", item, False),))
        if kind == "maps":
            url = self.choose(data, ["https://kort.dk", "javascript:alert(1)"])
            return StationContent(links=(("Kort", url),), image_ids=tuple(self.assets()[:1]))
        if kind == "helpline":
            return StationContent(phone=self.choose(data, ["+45 12 34 56 78", "ring mig"]))
        if kind == "board":
            return StationContent(board_id=self.pick(data, self.state.boards))
        if kind == "quiz":
            answer = data.draw(st.integers(-1, 2))
            quiz = ((item, ("Ja", "Nej")), ("Hvor?", ("Her", "Der", "Alle steder")))
            return StationContent(
                quiz=tuple((q, opts, answer) for q, opts in quiz[: data.draw(st.integers(0, 2))]),
                target_room_id=target,
            )
        return StationContent(target_room_id=target)

    @rule(data=st.data(), title=SHORT_TEXT)
    def edit_station(self, data: st.DataObject, title: str) -> None:
        station_id = self.pick(data, self.stations())
        station = self.state.hall.stations.get(station_id)
        content = self.content_for(data, station.kind if station is not None else "info")
        self.attempt(self.actor(data), EditStation(station_id, title, content))

    @rule(
        data=st.data(), x=mostly(st.integers(0, SPAN), st.sampled_from([-1, SPAN + 1])), index=INDEX
    )
    def place_reorder_remove_station(self, data: st.DataObject, x: int, index: int) -> None:
        station_id = self.pick(data, self.stations())
        commands: list[Command] = [
            PlaceStation(station_id, x, 50),
            ReorderStation(station_id, index),
            RemoveStation(station_id),
        ]
        self.attempt(self.actor(data), self.choose(data, commands))

    @rule(data=st.data(), item=st.one_of(st.none(), st.integers(-1, 3)))
    def programme_and_spotlight(self, data: st.DataObject, item: int | None) -> None:
        station_id = self.pick(data, self.stations())
        commands: list[Command] = [
            SetProgrammeItem(station_id, item),
            Spotlight(station_id),
            Spotlight(None),
        ]
        self.attempt(self.actor(data), self.choose(data, commands))

    @rule(data=st.data(), answers=st.lists(st.integers(-1, 3), max_size=3))
    def answer_quiz(self, data: st.DataObject, answers: list[int]) -> None:
        quizzes = [s.id for s in self.state.hall.stations.values() if s.quiz]
        station_id = self.prefer(data, quizzes, self.stations())
        station = self.state.hall.stations.get(station_id)
        if station is not None and station.quiz and data.draw(st.booleans()):
            answers = [q.answer for q in station.quiz]  # all right
        self.attempt(self.actor(data, PEOPLE), AnswerQuiz(station_id, tuple(answers)))

    @rule(data=st.data(), message=st.one_of(SHORT_TEXT, st.just("")))
    def call_me(self, data: st.DataObject, message: str) -> None:
        helplines = [s.id for s in self.state.hall.stations.values() if s.kind == "helpline"]
        station_id = self.prefer(data, helplines, self.stations())
        call_id = self.new_id(data, "call", self.state.hall.calls)
        self.attempt(self.actor(data, PEOPLE), CallMe(station_id, call_id, message))

    @rule(data=st.data())
    def resolve_call(self, data: st.DataObject) -> None:
        calls = self.state.hall.calls
        open_ = [c.id for c in calls.values() if not c.resolved]
        self.attempt(self.actor(data), ResolveCall(self.prefer(data, open_, calls)))

    @rule(data=st.data())
    def add_asset(self, data: st.DataObject) -> None:
        asset_id = self.new_id(data, "a", self.assets())
        kind = self.choose(data, ["image", "audio", "video", "captions", "pdf"])
        self.attempt(
            self.actor(data), AddAsset(asset_id, kind, "image/png", "kort.png", 1234, 640, 480)
        )


class CommitteeStream(Stream):
    """A task committee's stream: its backlog, its sprints and their closed log."""

    stream_id = "c1"

    @initialize(
        rule_=st.sampled_from(["refuse", "warn"]),
        parties=st.sampled_from([(), (("C", 13), ("A", 2), ("V", 1))]),
        started=st.booleans(),
    )
    def set_up(self, rule_: str, parties: tuple[tuple[str, int], ...], started: bool) -> None:
        seats = 5 if parties else 0
        goals = ("Høring af unge", "Forslag til byrådet")
        for actor, command in (
            (FAC, SetUpCommittee("Opgaveudvalg om Ungepolitik", "points", rule_, parties, seats)),
            (P1, AddItem("i1", "Spørg elevrådene", estimate=3)),
            (P2, AddItem("i2", "Skriv forslaget", estimate=5)),
            (P1, AddItem("i3", "Find et lokale")),
            (
                FAC,
                CreateSprint(
                    "s1", "Sprint 1", goals, ("s1g1", "s1g2"), GOOD_DATES[0], GOOD_DATES[1], 10
                ),
            ),
            (P1, PlanItem("s1", "i1")),
            (
                FAC,
                CreateSprint(
                    "s2", "Sprint 2", goals[:1], ("s2g1",), GOOD_DATES[2], GOOD_DATES[3], 20
                ),
            ),
        ):
            assert self.attempt(actor, command), command
        if started:
            assert self.attempt(FAC, StartSprint("s1", GOOD_DATES[0]))

    def items(self) -> list[str]:
        committee = self.state.committee
        return sorted(committee.items) if committee is not None else []

    def sprints(self, *statuses: str) -> list[str]:
        """The sprints' ids (only those in one of `statuses`, if any are named)."""
        committee = self.state.committee
        if committee is None:
            return []
        return sorted(
            k for k, v in committee.sprints.items() if not statuses or v.status in statuses
        )

    def items_in(self, sprint_ids: Sequence[str | None]) -> list[str]:
        committee = self.state.committee
        if committee is None:
            return []
        return sorted(i.id for i in committee.items.values() if i.sprint_id in sprint_ids)

    @rule(data=st.data())
    def set_up_again_or_change_rule(self, data: st.DataObject) -> None:
        command: Command = (
            ChangeCapacityRule(self.choose(data, ["refuse", "warn", "ignore"]))
            if data.draw(st.booleans())
            else SetUpCommittee("Igen", "points", "warn", (), 0)
        )
        self.attempt(self.actor(data), command)

    @rule(data=st.data(), title=SHORT_TEXT)
    def add_meeting(self, data: st.DataObject, title: str) -> None:
        workshop_id = self.choose(data, ["w7", "w8", self.stream_id])
        self.attempt(self.actor(data), AddMeeting(workshop_id, title, data.draw(DATES)))

    @rule(
        data=st.data(),
        title=SHORT_TEXT,
        estimate=mostly(st.integers(1, 8), st.sampled_from([None, -1, 0, 1001])),
        owners=st.lists(SHORT_TEXT, max_size=3),
        tags=st.lists(st.sampled_from(["Unge", "unge", "Skole", " "]), max_size=3),
    )
    def add_or_edit_item(
        self,
        data: st.DataObject,
        title: str,
        estimate: int | None,
        owners: list[str],
        tags: list[str],
    ) -> None:
        if data.draw(st.booleans()):
            source = self.choose(data, [(None, None), ("w7", "n1"), ("w7", None)])
            command: Command = AddItem(
                self.new_id(data, "i", self.items()),
                title,
                "Beskrivelse",
                estimate,
                tuple(owners),
                tuple(tags),
                *source,
            )
        else:
            item_id = self.pick(data, self.items())
            command = EditItem(item_id, title, "", estimate, tuple(owners), tuple(tags))
        self.attempt(self.actor(data, PEOPLE), command)

    @rule(data=st.data(), index=INDEX)
    def move_or_remove_item(self, data: st.DataObject, index: int) -> None:
        item_id = self.prefer(data, self.items_in([None]), self.items())
        if data.draw(st.booleans()):
            self.attempt(self.actor(data, PEOPLE), MoveItem(item_id, index))
        else:
            self.attempt(self.actor(data), RemoveItem(item_id))

    @rule(
        data=st.data(),
        name=SHORT_TEXT,
        goals=mostly(
            st.lists(st.sampled_from(GOOD_SHORT), min_size=1, max_size=3),
            st.lists(SHORT_TEXT, max_size=11),
        ),
        capacity=mostly(st.sampled_from([10, 20, 40]), st.sampled_from([0, 5, 10001])),
    )
    def create_or_edit_sprint(
        self, data: st.DataObject, name: str, goals: list[str], capacity: int
    ) -> None:
        goal_ids = tuple(self.fresh("goal") for _ in goals)
        start, end = data.draw(DATES), data.draw(DATES)
        if not self.rarely(data):
            start, end = sorted((start, end))
        if data.draw(st.booleans()):
            sprint_id = self.new_id(data, "s", self.sprints())
            command: Command = CreateSprint(
                sprint_id, name, tuple(goals), goal_ids, start, end, capacity
            )
        else:
            sprint_id = self.prefer(data, self.sprints("planning"), self.sprints())
            command = EditSprint(sprint_id, name, tuple(goals), goal_ids, start, end, capacity)
        self.attempt(self.actor(data), command)

    @rule(data=st.data())
    def plan_or_unplan(self, data: st.DataObject) -> None:
        planning = self.sprints("planning")
        if data.draw(st.booleans()):
            item_id = self.prefer(data, self.items_in([None]), self.items())
            command: Command = PlanItem(self.prefer(data, planning, self.sprints()), item_id)
        else:
            command = UnplanItem(self.prefer(data, self.items_in(planning), self.items()))
        self.attempt(self.actor(data, PEOPLE), command)

    @rule(data=st.data(), reason=SHORT_TEXT)
    def start_or_reopen(self, data: st.DataObject, reason: str) -> None:
        sprint_id = self.pick(data, self.sprints())
        on = data.draw(DATES)
        command: Command = (
            StartSprint(sprint_id, on)
            if data.draw(st.booleans())
            else ReopenPlanning(sprint_id, reason, on)
        )
        self.attempt(self.actor(data), command)

    @rule(data=st.data(), index=INDEX)
    def set_item_status(self, data: st.DataObject, index: int) -> None:
        item_id = self.prefer(data, self.items_in(self.sprints("running")), self.items())
        status = self.choose(data, [*ITEM_STATUSES, "blocked"])
        self.attempt(
            self.actor(data, PEOPLE), SetItemStatus(item_id, status, index, data.draw(DATES))
        )

    @rule(data=st.data())
    def close_sprint(self, data: st.DataObject) -> None:
        """Mostly a close the rules could accept: every unfinished item sent somewhere, every
        goal judged; sometimes one short."""
        sprint_id = self.prefer(data, self.sprints("running"), self.sprints())
        committee = self.state.committee
        sprint = committee.sprints.get(sprint_id) if committee is not None else None
        moves: list[tuple[str, str | None]] = []
        judged: list[tuple[str, str, str]] = []
        if committee is not None and sprint is not None:
            targets: list[str | None] = [None, *self.sprints("planning")]
            if self.rarely(data):
                targets.append(sprint_id)
            moves = [
                (i.id, self.choose(data, targets))
                for i in committee.planned(sprint_id)
                if i.status != "done"
            ]
            evaluations = [*EVALUATIONS, "great"]
            judged = [(g.id, self.choose(data, evaluations), "") for g in sprint.goals]
        if data.draw(st.integers(0, 5)) == 0:
            moves, judged = moves[1:], judged[:-1]
        command = CloseSprint(sprint_id, tuple(moves), tuple(judged), data.draw(DATES))
        self.attempt(self.actor(data), command)


# No shrinking unless asked for (SAMSKAB_FUZZ_SHRINK=1): a machine this size shrinks for
# minutes, past the test timeout. A failure prints every step it took, and how to reproduce it.
SHRINK = os.environ.get("SAMSKAB_FUZZ_SHRINK") == "1"
FAST = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    phases=[p for p in Phase if SHRINK or p is not Phase.shrink],
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

TestWorkshopFuzz = Workshop.TestCase
TestWorkshopFuzz.settings = FAST
TestCommitteeFuzz = CommitteeStream.TestCase
TestCommitteeFuzz.settings = FAST


@pytest.mark.parametrize("text", ["x\ud800y", "\udfff", "\udc00\ud800"])
def test_clean_text_refuses_lone_surrogates(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        clean_text(text, field="note", max_length=500, multiline=True)
    assert refused.value.code.startswith("note.")
