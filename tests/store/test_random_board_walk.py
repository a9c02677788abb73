"""A seeded random walk of board and question commands, accepted or refused, through
`Service.execute`: it reaches orders of moves, merges, removals, votes and re-votes the written
scenarios do not, and after every one the stored state must still be the domain's (see
`twin.Twin`). Votes carry random values, many of them invalid (outside 0-10, or not an int).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from server.domain.boards import COLORS, TEMPLATES
from server.domain.commands import (
    Actor,
    AddCluster,
    AddColumn,
    AddComment,
    AddNote,
    AddRoomParticipant,
    CastVote,
    ChangeBoardSettings,
    CloseQuestion,
    Command,
    CreateBoard,
    CreateQuestion,
    DeleteComment,
    DeleteNote,
    EditNote,
    EditQuestion,
    HideNote,
    JoinWorkshop,
    KickParticipant,
    MergeNotes,
    MoveColumn,
    MoveNote,
    OpenQuestion,
    ReactToNote,
    RemoveCluster,
    RemoveColumn,
    RenameBoard,
    RenameCluster,
    RenameColumn,
    RevealBoard,
    RevealQuestion,
    ShowBoard,
    StartPrivateWriting,
    TurnNoteAround,
)
from server.domain.workshop import WorkshopState
from server.service import Service
from tests.store.twin import FAC, Twin

SCREEN = Actor("screen", "screen1")

STEPS = 200
GROUPS = ["Borger", "Politiker"]
# Vote values as they may arrive: 0-10, just outside, and things that are not an int at all.
ODD_VALUES: tuple[object, ...] = (-1, 11, 100, 7.0, 5.5, True, "5", None)


class Walker:
    """Picks a plausible next command from the current state; many are refused, which is fine."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.n = 0

    def new_id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def actor(self, s: WorkshopState) -> Actor:
        people = [Actor("participant", p) for p in s.participants]
        return self.rng.choice([FAC, FAC, *people])

    def pick(self, s: WorkshopState) -> tuple[Actor, Command]:
        r = self.rng
        makers: list[Callable[[WorkshopState], tuple[Actor, Command] | None]] = [
            self.add_note,
            self.add_note,
            self.add_note,
            self.move_note,
            self.move_note,
            self.move_note,
            self.note_change,
            self.note_change,
            self.comment,
            self.cluster,
            self.column,
            self.board,
            self.people,
            self.question,
            self.question,
            self.question,
            self.vote,
            self.vote,
            self.vote,
            self.vote,
            self.room,
        ]
        while True:
            made = r.choice(makers)(s)
            if made is not None:
                return made

    def add_note(self, s: WorkshopState) -> tuple[Actor, Command]:
        b = self.rng.choice(list(s.boards.values()))
        col = self.rng.choice([None, *(c.id for c in b.columns)])
        color = self.rng.choice([None, *COLORS])
        board_id = self.rng.choice([None, b.id])
        note = AddNote(self.new_id("n"), f"tekst {self.n}", board_id, col, color)
        return self.actor(s), note

    def move_note(self, s: WorkshopState) -> tuple[Actor, Command] | None:
        if not s.notes:
            return None
        n = self.rng.choice(list(s.notes.values()))
        col = self.rng.choice(s.boards[n.board_id].columns).id
        clusters = [c.id for c in s.clusters_in(col)]
        cluster = self.rng.choice([None, None, *clusters])
        index = self.rng.randint(0, len(s.notes_in(col, cluster)) + 1)
        return self.actor(s), MoveNote(n.id, col, index, cluster)

    def note_change(self, s: WorkshopState) -> tuple[Actor, Command] | None:
        if not s.notes:
            return None
        r = self.rng
        n = r.choice(list(s.notes.values()))
        if r.random() < 0.25:  # merges and turning around want a fitting second note or board
            same_board = [o.id for o in s.notes.values() if o.board_id == n.board_id]
            turnable = [o.id for o in s.notes.values() if s.boards[o.board_id].turn_column_id]
            if r.random() < 0.5 or not turnable:
                return FAC, MergeNotes(n.id, r.choice(same_board))
            return self.actor(s), TurnNoteAround(r.choice(turnable), self.new_id("t"), "vendt")
        commands: list[Command] = [
            EditNote(n.id, n.version - r.randint(0, 1), r.choice([None, "ny"]), r.choice(COLORS)),
            DeleteNote(n.id),
            HideNote(n.id, not n.hidden),
            ReactToNote(n.id),
            ReactToNote(n.id),
        ]
        return self.actor(s), r.choice(commands)

    def comment(self, s: WorkshopState) -> tuple[Actor, Command] | None:
        r = self.rng
        if s.comments and r.random() < 0.4:
            return self.actor(s), DeleteComment(r.choice(list(s.comments)))
        if not s.notes:
            return None
        return self.actor(s), AddComment(r.choice(list(s.notes)), self.new_id("c"), "kommentar")

    def cluster(self, s: WorkshopState) -> tuple[Actor, Command]:
        r = self.rng
        if s.clusters and r.random() < 0.5:
            cl = r.choice(list(s.clusters))
            changes: list[Command] = [RenameCluster(cl, "nyt navn"), RemoveCluster(cl)]
            return FAC, r.choice(changes)
        b = r.choice(list(s.boards.values()))
        return FAC, AddCluster(r.choice(b.columns).id, self.new_id("cl"), "klynge")

    def column(self, s: WorkshopState) -> tuple[Actor, Command]:
        r = self.rng
        b = r.choice(list(s.boards.values()))
        c = r.choice(b.columns).id
        commands: list[Command] = [
            AddColumn(b.id, self.new_id("col"), "kolonne"),
            RenameColumn(c, "omdøbt"),
            MoveColumn(c, r.randint(0, len(b.columns))),
            RemoveColumn(c, r.choice(b.columns).id),
            RemoveColumn(c, r.choice(b.columns).id),
        ]
        return FAC, r.choice(commands)

    def board(self, s: WorkshopState) -> tuple[Actor, Command]:
        r = self.rng
        b = r.choice(list(s.boards.values())).id
        template = r.choice(sorted(TEMPLATES))
        bid = self.new_id("b")
        keys = TEMPLATES[template]
        commands: list[Command] = [
            CreateBoard(bid, "tavle", template, tuple(f"{bid}{k}" for k in keys), keys),
            RenameBoard(b, "ny titel"),
            ChangeBoardSettings(
                b, r.choice([None, True, False]), r.choice([None, True, False]), r.random() < 0.3
            ),
            StartPrivateWriting(b),
            RevealBoard(b),
            ShowBoard(b),
        ]
        return FAC, r.choice(commands)

    def people(self, s: WorkshopState) -> tuple[Actor, Command]:
        if s.participants and self.rng.random() < 0.15:
            return FAC, KickParticipant(self.rng.choice(list(s.participants)))
        pid = self.new_id("p")
        return Actor("participant", pid), JoinWorkshop(pid, f"Navn {pid}", "Borger")

    def question(self, s: WorkshopState) -> tuple[Actor, Command]:
        r = self.rng
        actor = FAC if r.random() < 0.9 else self.actor(s)
        k = r.choice([None, None, 0, 1, 3, 20, 21])
        if len(s.questions) < 3 or r.random() < 0.15:
            ask = r.random() < 0.5
            return actor, CreateQuestion(
                self.new_id("q"), "spørgsmål", ask_comment=ask, min_group=k
            )
        q = r.choice([*s.questions, self.new_id("q")])  # mostly existing, some unknown
        commands: list[Command] = [
            CreateQuestion(q, "samme id", anonymous=r.random() < 0.5),
            EditQuestion(
                q, "rettet", r.choice([None, "", "lav"]), "høj", r.random() < 0.5, min_group=k
            ),
            OpenQuestion(q),
            OpenQuestion(q),
            CloseQuestion(q),
            RevealQuestion(q),
        ]
        return actor, r.choice(commands)

    def vote(self, s: WorkshopState) -> tuple[Actor, Command] | None:
        r = self.rng
        if not s.questions:
            return None
        open_ = [q.id for q in s.questions.values() if q.accepts_votes]
        q = r.choice(open_ if open_ and r.random() < 0.8 else list(s.questions))
        value = r.randint(0, 10) if r.random() < 0.7 else r.choice(ODD_VALUES)
        comment = r.choice([None, None, "  ", "kommentar"])
        if r.random() < 0.3 and s.participants:
            in_room = [p.id for p in s.participants.values() if p.in_room]
            voter = r.choice([*in_room, *in_room, *s.participants, None])
            return FAC, CastVote(q, value, comment, on_behalf_of=voter)
        actor = r.choice([*(Actor("participant", p) for p in s.participants), SCREEN, FAC])
        return actor, CastVote(q, value, comment)

    def room(self, s: WorkshopState) -> tuple[Actor, Command]:
        r = self.rng
        pid = self.new_id("rp")
        name = r.choice([None, "", "Karen"])
        return FAC, AddRoomParticipant(pid, name, r.choice([*GROUPS, "Ukendt"]))


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_random_walk_keeps_the_tables_the_twin_of_the_domain(
    service: Service, seed: int
) -> None:
    state = await service.create_workshop(
        facilitator_id="fac1",
        title="Vilkårlig",
        date="2026-11-22",
        groups=GROUPS,
        board_title="Tavle",
        column_title="Noter",
    )
    twin = Twin(service, state.id)
    walker = Walker(random.Random(seed))
    accepted = 0
    for _ in range(STEPS):
        actor, command = walker.pick(await twin.state())
        if await twin.attempt(actor, command):
            accepted += 1
    assert accepted > STEPS // 3
    state = await twin.assert_replay_equals_stored()
    assert state.votes, "the walk should have stored some votes"
