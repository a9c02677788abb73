"""Private writing and hidden notes: who may see (and so act on) which note."""

from __future__ import annotations

import itertools

import pytest

from server.domain.boards import Board, Column, Note, can_see_note
from server.domain.commands import (
    AddComment,
    AddNote,
    DeleteNote,
    EditNote,
    HideNote,
    MoveNote,
    ReactToNote,
    RevealBoard,
    StartPrivateWriting,
    TurnNoteAround,
)
from tests.domain.kit import FAC, MAIN, P1, P2, SCREEN, Session


def private_board() -> Session:
    """Private writing on the main board: p1 wrote n1, p2 wrote n2, the facilitator f1."""
    s = Session()
    s.do(FAC, StartPrivateWriting(MAIN))
    s.do(P1, AddNote("n1", "Idas hemmelighed"))
    s.do(P2, AddNote("n2", "Bos hemmelighed"))
    s.do(FAC, AddNote("f1", "Facilitatorens"))
    return s


def visible_ids(s: Session, role: str, viewer: str | None) -> set[str]:
    boards = s.state.boards
    return {
        n.id for n in s.state.notes.values() if can_see_note(boards[n.board_id], n, role, viewer)
    }


def test_during_private_writing_each_participant_sees_only_their_own_notes() -> None:
    s = private_board()
    assert s.state.boards[MAIN].private
    assert visible_ids(s, "participant", P1.id) == {"n1"}
    assert visible_ids(s, "participant", P2.id) == {"n2"}
    assert visible_ids(s, "screen", SCREEN.id) == set()
    assert visible_ids(s, "facilitator", FAC.id) == {"n1", "n2", "f1"}


def test_during_private_writing_anothers_note_is_unknown_not_forbidden() -> None:
    s = private_board()
    for command in (
        EditNote("n1", 1, text="x"),
        DeleteNote("n1"),
        MoveNote("n1", MAIN, 0),
        ReactToNote("n1"),
        AddComment("n1", "c1", "x"),
        ReactToNote("f1"),
    ):
        assert s.refused(P2, command) == "note.unknown"
    # Their own notes they may still change, move, +1 and comment on.
    s.do(P1, EditNote("n1", 1, text="Idas ændrede hemmelighed"))
    s.do(P1, MoveNote("n1", MAIN, 0))
    s.do(P1, ReactToNote("n1"))
    s.do(P1, AddComment("n1", "c1", "Note til mig selv"))


def test_private_writing_turnaround_is_private_too() -> None:
    s = Session()
    fails, _ = s.board("neg", "negative")
    s.do(FAC, StartPrivateWriting("neg"))
    s.do(P1, AddNote("n1", "Dårlig idé", board_id="neg", column_id=fails))
    assert s.refused(P2, TurnNoteAround("n1", "t1", "God idé")) == "note.unknown"
    s.do(P1, TurnNoteAround("n1", "t1", "God idé"))
    assert visible_ids(s, "participant", P2.id) == set()


def test_private_writing_forbids_moving_others_notes_even_with_open_moves() -> None:
    s = private_board()
    assert s.state.boards[MAIN].open_moves
    assert s.refused(P2, MoveNote("n1", MAIN, 0)) == "note.unknown"
    s.do(FAC, MoveNote("n1", MAIN, 0))  # the facilitator sorts


def test_after_reveal_everyone_sees_and_may_act_on_the_notes() -> None:
    s = private_board()
    s.do(FAC, RevealBoard(MAIN))
    assert not s.state.boards[MAIN].private
    assert visible_ids(s, "participant", P2.id) == {"n1", "n2", "f1"}
    assert visible_ids(s, "screen", SCREEN.id) == {"n1", "n2", "f1"}
    s.do(P2, ReactToNote("n1"))
    s.do(P2, AddComment("n1", "c1", "God pointe"))
    s.do(P2, MoveNote("n1", MAIN, 99))  # open moves again
    assert s.ids_in(MAIN)[-1] == "n1"
    assert s.refused(P2, EditNote("n1", 1, text="x")) == "note.not_yours"


def test_private_writing_can_start_again_after_a_reveal() -> None:
    s = private_board()
    s.do(FAC, RevealBoard(MAIN))
    s.do(FAC, StartPrivateWriting(MAIN))
    s.do(P2, AddNote("n3", "Runde 2"))
    assert visible_ids(s, "participant", P1.id) == {"n1"}


def test_starting_and_revealing_are_the_facilitators_and_happen_once() -> None:
    s = Session()
    assert s.refused(FAC, RevealBoard(MAIN)) == "board.not_private"
    assert s.refused(P1, StartPrivateWriting(MAIN)) == "permission.facilitators_only"
    s.do(FAC, StartPrivateWriting(MAIN))
    assert s.refused(FAC, StartPrivateWriting(MAIN)) == "board.already_private"
    assert s.refused(P1, RevealBoard(MAIN)) == "permission.facilitators_only"
    assert s.refused(FAC, RevealBoard("nope")) == "board.unknown"


def test_private_writing_is_per_board() -> None:
    s = private_board()
    cols = s.board("b2", "blank")
    s.do(P2, AddNote("open", "Alle ser denne", board_id="b2", column_id=cols[0]))
    board2 = s.state.boards["b2"]
    assert can_see_note(board2, s.note("open"), "participant", P1.id)
    s.do(P1, ReactToNote("open"))


def test_hidden_notes_are_unknown_to_other_participants_until_shown_again() -> None:
    s = Session()
    s.do(P1, AddNote("n1", "Upassende"))
    s.do(FAC, HideNote("n1", hidden=True))
    assert visible_ids(s, "participant", P2.id) == set()
    assert visible_ids(s, "participant", P1.id) == {"n1"}  # the author still sees it
    assert s.refused(P2, ReactToNote("n1")) == "note.unknown"
    assert s.refused(P2, MoveNote("n1", MAIN, 0)) == "note.unknown"
    s.do(FAC, HideNote("n1", hidden=False))
    s.do(P2, ReactToNote("n1"))


def _note(author: str, hidden: bool) -> Note:
    return Note(
        id="n",
        board_id="b",
        column_id="c",
        author_id=author,
        author_name=None,
        text="x",
        seq=1,
        position=0,
        hidden=hidden,
    )


def _board(private: bool, locked: bool, open_moves: bool, show_authors: bool) -> Board:
    return Board(
        id="b",
        title="B",
        template="blank",
        columns=(Column("c", "C"),),
        position=0,
        private=private,
        locked=locked,
        open_moves=open_moves,
        show_authors=show_authors,
    )


BOARD_FLAGS = list(itertools.product([False, True], repeat=4))


@pytest.mark.parametrize(("private", "locked", "open_moves", "show_authors"), BOARD_FLAGS)
def test_can_see_note_never_shows_a_hidden_note_to_anyone_but_author_and_facilitator(
    private: bool, locked: bool, open_moves: bool, show_authors: bool
) -> None:
    board = _board(private, locked, open_moves, show_authors)
    hidden = _note("p1", hidden=True)
    assert can_see_note(board, hidden, "facilitator", "fac1")
    assert can_see_note(board, hidden, "participant", "p1")
    for role, viewer in (
        ("participant", "p2"),
        ("participant", None),
        ("participant", ""),
        ("screen", "scr"),
        ("screen", "p1"),  # the screen is never an author, whatever id it carries
        ("screen", None),
    ):
        assert not can_see_note(board, hidden, role, viewer)
    shown = _note("p1", hidden=False)
    assert can_see_note(board, shown, "participant", "p2") is not private
    assert can_see_note(board, shown, "screen", "scr") is not private
    assert can_see_note(board, shown, "participant", "p1")
