"""Dot voting: starting, placing and taking back dots within the limits, ending, the ranked
list, what deleting and merging notes does to dots, carrying the top notes to a new board, and
replay. Pure: commands through `decide`, events through `apply`."""

from __future__ import annotations

import random

import pytest

from server.domain import events as ev
from server.domain.commands import (
    Actor,
    AddNote,
    CarryTopNotes,
    ChangeBoardSettings,
    DeleteNote,
    EndDots,
    HideNote,
    KickParticipant,
    MergeNotes,
    MoveNote,
    PlaceDot,
    RemoveDot,
    StartDots,
    StartPrivateWriting,
)
from server.domain.dots import (
    MAX_CARRY,
    MAX_DOTS,
    DotRound,
    dots_left,
    placed_by,
    ranking,
    totals,
)
from server.domain.errors import DomainError
from server.domain.workshop import replay
from tests.domain.kit import FAC, MAIN, P1, P2, P3, SCREEN, Session


def carry(count: int, board_id: str = MAIN, new: str = "semi", n_ids: int = 50) -> CarryTopNotes:
    return CarryTopNotes(
        board_id,
        count,
        new,
        "Semifinale",
        f"{new}c",
        "Noter",
        tuple(f"{new}n{i}" for i in range(n_ids)),
    )


def with_notes(*note_ids: str) -> Session:
    """A session whose main board holds the notes, p1 writing every one."""
    s = Session()
    for note_id in note_ids:
        s.do(P1, AddNote(note_id, f"idé {note_id}"))
    return s


def voting(n: int = 3, m: int = 2, hidden: bool = False) -> Session:
    s = with_notes("a", "b", "c", "d")
    s.do(FAC, StartDots(MAIN, n, m, hidden))
    return s


# --- starting and ending -------------------------------------------------------------------


def test_a_round_starts_with_its_limits_and_ends() -> None:
    s = with_notes("a")
    events = s.do(FAC, StartDots(MAIN, 5, 2, True))
    assert [(e.type, e.data) for e in events] == [
        (
            ev.DOTS_STARTED,
            {"board_id": MAIN, "dots_per_person": 5, "per_note": 2, "hidden": True},
        )
    ]
    assert s.state.dot_rounds == {MAIN: DotRound(MAIN, 5, 2, True, seq=s.seq)}
    assert s.refused(FAC, StartDots(MAIN, 5, 2, True)) == "dots.already_running"
    assert [e.type for e in s.do(FAC, EndDots(MAIN))] == [ev.DOTS_ENDED]
    assert not s.state.dot_rounds[MAIN].running
    assert s.refused(FAC, EndDots(MAIN)) == "dots.not_running"


def test_only_the_facilitator_starts_and_ends_a_round() -> None:
    s = with_notes("a")
    for actor in (P1, SCREEN):
        assert s.refused(actor, StartDots(MAIN, 3, 1, False)) == (
            "permission.read_only" if actor.role == "screen" else "permission.facilitators_only"
        )
    s.do(FAC, StartDots(MAIN, 3, 1, False))
    assert s.refused(P1, EndDots(MAIN)) == "permission.facilitators_only"
    assert s.refused(FAC, StartDots("nope", 3, 1, False)) == "board.unknown"
    assert s.refused(FAC, EndDots("nope")) == "board.unknown"


@pytest.mark.parametrize(
    ("n", "m", "code"),
    [
        (0, 1, "dots.bad_dots_per_person"),
        (MAX_DOTS + 1, 1, "dots.bad_dots_per_person"),
        (-3, 1, "dots.bad_dots_per_person"),
        (True, 1, "dots.bad_dots_per_person"),
        (3.0, 1, "dots.bad_dots_per_person"),
        (3, 0, "dots.bad_per_note"),
        (3, 4, "dots.bad_per_note"),
        (3, True, "dots.bad_per_note"),
    ],
)
def test_the_limits_are_checked(n: object, m: object, code: str) -> None:
    s = with_notes("a")
    assert s.refused(FAC, StartDots(MAIN, n, m, False)) == code  # type: ignore[arg-type]


def test_the_limits_at_their_edges_are_accepted() -> None:
    s = with_notes("a")
    s.do(FAC, StartDots(MAIN, 1, 1, False))
    s.do(FAC, EndDots(MAIN))
    s.do(FAC, StartDots(MAIN, MAX_DOTS, MAX_DOTS, False))


def test_a_new_round_after_an_end_clears_every_dot_on_that_board_only() -> None:
    s = voting()
    s.board("other", "blank")
    s.do(P2, AddNote("o1", "andet", board_id="other"))
    s.do(FAC, StartDots("other", 2, 2, False))
    s.do(P1, PlaceDot("a"))
    s.do(P2, PlaceDot("o1"))
    s.do(FAC, EndDots(MAIN))
    s.do(FAC, StartDots(MAIN, 4, 1, True))
    assert s.state.dots == {("o1", P2.id): 1}
    assert s.state.dot_rounds[MAIN] == DotRound(MAIN, 4, 1, True, seq=s.seq)
    assert dots_left(s.state, MAIN, P1.id) == 4


# --- placing and taking back ---------------------------------------------------------------


def test_dots_are_placed_and_taken_back_one_at_a_time() -> None:
    s = voting(3, 2)
    events = s.do(P1, PlaceDot("a"))
    assert [(e.type, e.data) for e in events] == [
        (ev.DOT_PLACED, {"board_id": MAIN, "note_id": "a", "voter_id": P1.id})
    ]
    s.do(P1, PlaceDot("a"))
    s.do(P2, PlaceDot("a"))
    assert s.state.dots == {("a", P1.id): 2, ("a", P2.id): 1}
    assert totals(s.state, MAIN) == {"a": 3}
    assert dots_left(s.state, MAIN, P1.id) == 1
    events = s.do(P1, RemoveDot("a"))
    assert [(e.type, e.data) for e in events] == [
        (ev.DOT_REMOVED, {"board_id": MAIN, "note_id": "a", "voter_id": P1.id})
    ]
    s.do(P2, RemoveDot("a"))
    assert s.state.dots == {("a", P1.id): 1}  # a count of 0 leaves no key
    assert s.refused(P2, RemoveDot("a")) == "dots.none_here"
    assert s.refused(P2, RemoveDot("b")) == "dots.none_here"


def test_at_most_n_dots_per_person_and_m_per_note() -> None:
    s = voting(3, 2)
    s.do(P1, PlaceDot("a"))
    s.do(P1, PlaceDot("a"))
    assert s.refused(P1, PlaceDot("a")) == "dots.note_full"
    s.do(P1, PlaceDot("b"))
    assert s.refused(P1, PlaceDot("c")) == "dots.none_left"
    assert s.refused(P1, PlaceDot("a")) == "dots.none_left"  # the first limit reached is said
    # Taking one back gives it back; others are not limited by p1's dots.
    s.do(P1, RemoveDot("a"))
    s.do(P1, PlaceDot("c"))
    for note_id in ("a", "a", "d"):
        s.do(P2, PlaceDot(note_id))
    assert placed_by(s.state, MAIN, P1.id) == {"a": 1, "b": 1, "c": 1}
    assert dots_left(s.state, MAIN, P1.id) == dots_left(s.state, MAIN, P2.id) == 0


def test_the_limits_hold_whatever_order_people_try_in() -> None:
    rng = random.Random(7)
    s = voting(4, 2)
    for _ in range(300):
        actor = rng.choice((P1, P2, P3))
        note = rng.choice("abcd")
        command = PlaceDot(note) if rng.random() < 0.75 else RemoveDot(note)
        try:
            s.do(actor, command)
        except DomainError as e:  # a refusal: the state stays as it was
            assert e.code in (
                "dots.none_left",
                "dots.note_full",
                "dots.none_here",
            )
        for p in (P1, P2, P3):
            mine = placed_by(s.state, MAIN, p.id)
            assert sum(mine.values()) <= 4 and all(1 <= v <= 2 for v in mine.values())


def test_only_participants_who_may_see_the_note_place_dots_in_a_running_round() -> None:
    s = with_notes("a")
    assert s.refused(P1, PlaceDot("a")) == "dots.not_running"
    s.do(FAC, StartDots(MAIN, 3, 1, False))
    assert s.refused(FAC, PlaceDot("a")) == "permission.participants_only"
    assert s.refused(SCREEN, PlaceDot("a")) == "permission.read_only"
    assert s.refused(Actor("participant", "stranger"), PlaceDot("a")) == "participant.unknown"
    assert s.refused(P1, PlaceDot("nope")) == "note.unknown"
    s.do(P2, PlaceDot("a"))
    s.do(FAC, KickParticipant(P2.id))
    assert s.refused(P2, PlaceDot("a")) == "participant.kicked"
    assert s.refused(P2, RemoveDot("a")) == "participant.kicked"
    assert s.state.dots == {("a", P2.id): 1}  # a removed participant's dots still count
    # A note hidden by the facilitator is unknown to others and out of the vote for its author.
    s.do(FAC, HideNote("a", True))
    assert s.refused(P3, PlaceDot("a")) == "note.unknown"
    assert s.refused(P1, PlaceDot("a")) == "note.hidden"
    assert [n.id for n, _ in ranking(s.state, MAIN)] == []
    s.do(FAC, EndDots(MAIN))
    s.do(FAC, HideNote("a", False))
    assert s.refused(P1, PlaceDot("a")) == "dots.not_running"
    assert s.refused(P1, RemoveDot("a")) == "dots.not_running"


def test_during_private_writing_only_your_own_notes_take_your_dots() -> None:
    s = Session()
    s.do(FAC, StartPrivateWriting(MAIN))
    s.do(P1, AddNote("a", "min"))
    s.do(P2, AddNote("b", "din"))
    s.do(FAC, StartDots(MAIN, 2, 2, True))
    assert s.refused(P1, PlaceDot("b")) == "note.unknown"
    s.do(P1, PlaceDot("a"))


def test_a_locked_board_still_takes_dots() -> None:
    s = voting()
    s.do(FAC, ChangeBoardSettings(MAIN, locked=True))
    s.do(P1, PlaceDot("a"))
    s.do(P1, RemoveDot("a"))


def test_each_board_has_its_own_round_and_its_own_dots() -> None:
    s = voting(1, 1)
    s.board("other", "blank")
    s.do(P2, AddNote("o1", "andet", board_id="other"))
    assert s.refused(P1, PlaceDot("o1")) == "dots.not_running"
    s.do(FAC, StartDots("other", 1, 1, False))
    s.do(P1, PlaceDot("a"))
    s.do(P1, PlaceDot("o1"))  # N counts per board
    assert dots_left(s.state, MAIN, P1.id) == dots_left(s.state, "other", P1.id) == 0


# --- ranking --------------------------------------------------------------------------------


def test_the_ranking_is_by_dots_then_by_the_order_on_the_board() -> None:
    s = voting(3, 3)
    s.do(P1, MoveNote("d", MAIN, 0))  # board order now d, a, b, c
    for actor, note_id in ((P1, "c"), (P1, "c"), (P2, "b"), (P2, "c"), (P3, "a")):
        s.do(actor, PlaceDot(note_id))
    assert [(n.id, d) for n, d in ranking(s.state, MAIN)] == [
        ("c", 3),
        ("a", 1),  # a tie with b: a comes first on the board
        ("b", 1),
        ("d", 0),
    ]


# --- notes deleted or merged ----------------------------------------------------------------


def test_a_deleted_note_takes_its_dots_with_it_and_gives_them_back() -> None:
    s = voting(2, 2)
    s.do(P2, PlaceDot("a"))
    s.do(P2, PlaceDot("a"))
    assert s.refused(P2, PlaceDot("b")) == "dots.none_left"
    s.do(P1, DeleteNote("a"))
    assert s.state.dots == {}
    s.do(P2, PlaceDot("b"))


def test_a_merged_note_gives_its_dots_to_the_kept_note_capped_per_note() -> None:
    s = voting(4, 2)
    for actor, note_id in ((P1, "a"), (P1, "a"), (P1, "b"), (P2, "a"), (P3, "b"), (P3, "c")):
        s.do(actor, PlaceDot(note_id))
    s.do(FAC, MergeNotes("a", "b"))
    # p1: 2 + 1 capped at 2 (one dot back); p2: 1 moved; p3: 1 + 0 moved, c untouched.
    assert s.state.dots == {("b", P1.id): 2, ("b", P2.id): 1, ("b", P3.id): 1, ("c", P3.id): 1}
    assert dots_left(s.state, MAIN, P1.id) == 2
    assert totals(s.state, MAIN) == {"b": 4, "c": 1}


# --- carrying the top notes -----------------------------------------------------------------


def ranked_session() -> Session:
    s = Session()
    s.do(FAC, AddNote("f", "fra facilitator", color="blue"))
    for note_id, actor in (("a", P1), ("b", P2), ("c", P3), ("d", P1)):
        s.do(actor, AddNote(note_id, f"idé {note_id}", color="pink"))
    s.do(FAC, StartDots(MAIN, 3, 3, True))
    for actor, note_id in ((P1, "c"), (P1, "c"), (P2, "b"), (P2, "f"), (P3, "b"), (P3, "d")):
        s.do(actor, PlaceDot(note_id))
    return s  # ranking: b 2, c 2, f 1, d 1, a 0


def test_carrying_needs_an_ended_round() -> None:
    s = with_notes("a")
    assert s.refused(FAC, carry(3)) == "dots.not_ended"
    s.do(FAC, StartDots(MAIN, 3, 1, False))
    assert s.refused(FAC, carry(3)) == "dots.not_ended"
    s.do(FAC, EndDots(MAIN))
    assert s.refused(FAC, carry(3)) == "dots.nothing_to_carry"
    assert s.refused(P1, carry(3)) == "permission.facilitators_only"
    for count in (0, MAX_CARRY + 1, -1):
        assert s.refused(FAC, carry(count)) == "dots.bad_count"
    assert s.refused(FAC, carry(3, board_id="nope")) == "board.unknown"


def test_the_top_notes_go_to_a_new_board_linked_to_their_sources() -> None:
    s = ranked_session()
    s.do(FAC, EndDots(MAIN))
    events = s.do(FAC, carry(3))
    assert [e.type for e in events] == [ev.BOARD_CREATED] + [ev.NOTE_ADDED] * 3
    assert events[0].data == {
        "board_id": "semi",
        "title": "Semifinale",
        "template": "blank",
        "columns": [{"id": "semic", "title": "Noter"}],
        "turn_column_id": None,
        "position": 1,
    }
    assert events[1].data == {
        "note_id": "semin0",
        "board_id": "semi",
        "column_id": "semic",
        "author_id": P2.id,
        "author_name": "Bo",
        "author_role": "participant",
        "text": "idé b",
        "color": "pink",
        "position": 0,
        "linked_note_id": "b",
    }
    new = s.state.notes_on("semi")
    assert [(n.linked_note_id, n.text, n.author_id) for n in new] == [
        ("b", "idé b", P2.id),
        ("c", "idé c", P3.id),
        ("f", "fra facilitator", FAC.id),  # a tie with d: f is first on the board
    ]
    assert new[2].by_facilitator and new[2].color == "blue" and new[1].author_name is None
    # The source board and its dots stay; the new board has no round.
    assert len(s.state.notes_on(MAIN)) == 5 and "semi" not in s.state.dot_rounds
    assert s.refused(FAC, carry(3)) == "board.exists"


def test_fewer_notes_with_dots_than_asked_carries_those_only() -> None:
    s = ranked_session()
    s.do(FAC, EndDots(MAIN))
    s.do(FAC, carry(50))
    assert [n.linked_note_id for n in s.state.notes_on("semi")] == ["b", "c", "f", "d"]


def test_a_hidden_note_is_not_carried() -> None:
    s = ranked_session()
    s.do(FAC, EndDots(MAIN))
    s.do(FAC, HideNote("b", True))
    s.do(FAC, carry(2))
    assert [n.linked_note_id for n in s.state.notes_on("semi")] == ["c", "f"]


# --- replay ---------------------------------------------------------------------------------


def test_replaying_the_log_gives_the_same_dots() -> None:
    s = ranked_session()
    s.do(FAC, MergeNotes("f", "b"))
    s.do(P1, RemoveDot("c"))
    s.do(FAC, EndDots(MAIN))
    s.do(FAC, carry(2))
    s.do(FAC, StartDots(MAIN, 2, 1, False))
    s.do(P2, PlaceDot("a"))
    assert replay(s.log) == s.state
    for i, state in enumerate(s.states):
        assert replay(s.log[: i + 1]) == state
