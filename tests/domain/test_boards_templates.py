"""Boards: templates, the negative brainstorm's turn-around, settings and "bring everyone here"."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest

from server.domain import events as ev
from server.domain.boards import MAX_BOARDS, MAX_NOTES_PER_BOARD, TEMPLATES
from server.domain.commands import (
    AddCluster,
    AddNote,
    ChangeBoardSettings,
    CreateBoard,
    MoveNote,
    RemoveColumn,
    RenameBoard,
    ShowBoard,
    TurnNoteAround,
)
from tests.domain.kit import FAC, MAIN, P1, P2, P3, TITLES, Session, column_ids


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_each_template_creates_its_columns_in_order(template: str) -> None:
    s = Session()
    ids = s.board("b2", template, title="  Runde 2  ")
    board = s.state.boards["b2"]
    assert board.title == "Runde 2"
    assert board.template == template
    assert [c.id for c in board.columns] == list(ids)
    assert [c.title for c in board.columns] == list(TITLES[template])
    assert board.position == 1  # after the first board
    assert board.turn_column_id == (ids[1] if template == "negative" else None)


def test_templates_are_blank_idea_bank_negative_and_parking_lot() -> None:
    assert TEMPLATES == {
        "blank": ("notes",),
        "idea_bank": ("ideas", "semifinal", "final"),
        "negative": ("fails", "turned"),
        "parking_lot": ("parked", "answered"),
    }


def test_the_first_board_is_blank_with_one_column_and_boards_are_ordered() -> None:
    s = Session()
    assert s.state.main_board.id == MAIN
    assert s.state.main_board.template == "blank"
    assert [c.id for c in s.state.main_board.columns] == [MAIN]
    s.board("b2", "idea_bank")
    s.board("b3", "parking_lot")
    assert [b.id for b in s.state.boards_in_order()] == [MAIN, "b2", "b3"]


def test_unknown_template_or_wrong_number_of_columns_is_refused() -> None:
    s = Session()
    assert (
        s.refused(FAC, CreateBoard("b2", "T", "kanban", ("c1",), ("A",)))
        == "board.unknown_template"
    )
    assert (
        s.refused(FAC, CreateBoard("b2", "T", "negative", ("c1",), ("A",)))
        == "board.unknown_template"
    )
    assert (
        s.refused(FAC, CreateBoard("b2", "T", "negative", ("c1", "c2"), ("A",)))
        == "board.unknown_template"
    )


def test_only_the_facilitator_creates_and_renames_boards() -> None:
    s = Session()
    cmd = CreateBoard("b2", "T", "blank", ("c1",), ("A",))
    assert s.refused(P1, cmd) == "permission.facilitators_only"
    assert s.refused(P1, RenameBoard(MAIN, "Ny")) == "permission.facilitators_only"
    s.do(FAC, RenameBoard(MAIN, "  Ny titel "))
    assert s.state.boards[MAIN].title == "Ny titel"


def test_board_and_column_ids_must_be_new() -> None:
    s = Session()
    s.board("b2", "blank")
    assert s.refused(FAC, CreateBoard("b2", "T", "blank", ("c9",), ("A",))) == "board.exists"
    # A column id already used on another board (the first board's column is "b1").
    assert s.refused(FAC, CreateBoard("b3", "T", "blank", (MAIN,), ("A",))) == "column.exists"
    assert (
        s.refused(FAC, CreateBoard("b3", "T", "negative", ("c9", "c9"), ("A", "B")))
        == "column.exists"
    )


def test_at_most_max_boards() -> None:
    s = Session()
    for i in range(2, MAX_BOARDS + 1):
        s.board(f"b{i}", "blank")
    assert len(s.state.boards) == MAX_BOARDS
    assert s.refused(FAC, CreateBoard("bx", "T", "blank", ("cx",), ("A",))) == "board.too_many"


def test_column_titles_follow_the_single_line_text_rules() -> None:
    s = Session()
    assert (
        s.refused(FAC, CreateBoard("b2", "T", "negative", ("c1", "c2"), ("Ok", "a\nb")))
        == "column.control_characters"
    )
    assert s.refused(FAC, CreateBoard("b2", "T", "blank", ("c1",), ("   ",))) == "column.empty"


# --- the negative brainstorm ----------------------------------------------------------------


def negative_board() -> tuple[Session, str, str]:
    s = Session()
    fails, turned = s.board("neg", "negative")
    s.do(P1, AddNote("n1", "Ingen må tale", board_id="neg", color="pink"))
    return s, fails, turned


def test_turning_a_note_adds_one_linked_green_note_in_the_turned_column() -> None:
    s, fails, turned = negative_board()
    s.do(P2, AddNote("t0", "Allerede vendt", board_id="neg", column_id=turned))
    before = s.note("n1")
    events = s.do(P2, TurnNoteAround("n1", "t1", "  Alle får ordet  "))
    assert [e.type for e in events] == [ev.NOTE_ADDED]
    new = s.note("t1")
    assert (new.column_id, new.color, new.linked_note_id) == (turned, "green", "n1")
    assert new.text == "Alle får ordet"
    assert (new.author_id, new.author_name) == (P2.id, "Bo")  # whoever turned it
    assert s.ids_in(turned) == ["t0", "t1"]  # after the notes already there
    assert s.note("n1") == before  # the negative note stays as it was
    assert s.ids_in(fails) == ["n1"]


def test_any_note_in_the_first_column_can_be_turned_also_from_a_cluster() -> None:
    s, fails, _ = negative_board()
    s.do(FAC, AddCluster(fails, "k1", "Møder"))
    s.do(P1, MoveNote("n1", fails, 0, cluster_id="k1"))
    s.do(FAC, TurnNoteAround("n1", "t1", "Korte møder"))
    assert s.note("t1").linked_note_id == "n1"
    assert s.note("t1").cluster_id is None
    assert s.note("t1").by_facilitator


def test_a_note_already_in_the_turned_column_cannot_be_turned() -> None:
    s, _, turned = negative_board()
    s.do(P1, TurnNoteAround("n1", "t1", "Vendt"))
    assert s.refused(P1, TurnNoteAround("t1", "t2", "Igen")) == "note.cannot_turn"
    s.do(P1, AddNote("n2", "Skrevet direkte", board_id="neg", column_id=turned))
    assert s.refused(P1, TurnNoteAround("n2", "t3", "Igen")) == "note.cannot_turn"


def test_only_the_negative_brainstorm_turns_notes() -> None:
    s = Session()
    s.do(P1, AddNote("n1", "x"))
    assert s.refused(P1, TurnNoteAround("n1", "t1", "y")) == "note.cannot_turn"
    s.board("ideas", "idea_bank")
    s.do(P1, AddNote("n2", "x", board_id="ideas"))
    assert s.refused(P1, TurnNoteAround("n2", "t1", "y")) == "note.cannot_turn"


def test_without_its_turned_column_a_negative_board_cannot_turn() -> None:
    s, fails, turned = negative_board()
    s.do(FAC, RemoveColumn(turned, move_notes_to=fails))
    assert s.state.boards["neg"].turn_column_id is None
    assert s.refused(P1, TurnNoteAround("n1", "t1", "y")) == "note.cannot_turn"


def test_turned_text_follows_the_note_rules_and_ids_must_be_new() -> None:
    s, _, _ = negative_board()
    assert s.refused(P1, TurnNoteAround("n1", "t1", " \r\n ")) == "note.empty"
    assert s.refused(P1, TurnNoteAround("n1", "t1", "x" * 501)) == "note.too_long"
    assert s.refused(P1, TurnNoteAround("n1", "n1", "y")) == "note.exists"


def test_turning_respects_the_note_limit_of_a_board() -> None:
    s, _, _ = negative_board()
    template = s.note("n1")
    filler = {
        f"f{i}": replace(template, id=f"f{i}", position=i + 1, seq=1000 + i)
        for i in range(MAX_NOTES_PER_BOARD - 1)
    }
    s.state = replace(s.state, notes=MappingProxyType({**s.state.notes, **filler}))
    assert s.refused(P1, AddNote("n2", "x", board_id="neg")) == "board.full"
    assert s.refused(P1, TurnNoteAround("n1", "t1", "y")) == "board.full"


# --- settings and bringing everyone to a board ------------------------------------------------


def test_settings_change_only_what_is_named() -> None:
    s = Session()
    board = s.state.boards[MAIN]
    assert (board.show_authors, board.open_moves, board.locked) == (True, True, False)
    s.do(FAC, ChangeBoardSettings(MAIN, show_authors=False))
    board = s.state.boards[MAIN]
    assert (board.show_authors, board.open_moves, board.locked) == (False, True, False)
    s.do(FAC, ChangeBoardSettings(MAIN, open_moves=False, locked=True))
    board = s.state.boards[MAIN]
    assert (board.show_authors, board.open_moves, board.locked) == (False, False, True)
    assert s.refused(P1, ChangeBoardSettings(MAIN, locked=False)) == "permission.facilitators_only"


def test_authors_are_recorded_with_their_name_or_as_anonymous() -> None:
    s = Session()
    s.do(P1, AddNote("n1", "x"))
    s.do(P3, AddNote("n2", "y"))
    s.do(FAC, AddNote("n3", "z"))
    assert (s.note("n1").author_name, s.note("n1").by_facilitator) == ("Ida", False)
    assert s.note("n2").author_name is None  # joined without a name
    assert (s.note("n3").author_name, s.note("n3").by_facilitator) == (None, True)


def test_bringing_everyone_to_a_board_sends_new_notes_there() -> None:
    s = Session()
    assert s.state.current_board.id == MAIN
    ids = s.board("b2", "parking_lot")
    assert s.refused(P1, ShowBoard("b2")) == "permission.facilitators_only"
    assert s.refused(FAC, ShowBoard("nope")) == "board.unknown"
    s.do(FAC, ShowBoard("b2"))
    assert s.state.current_board.id == "b2"
    s.do(P1, AddNote("n1", "Hvad med budgettet?"))
    assert (s.note("n1").board_id, s.note("n1").column_id) == ("b2", ids[0])
    s.do(P1, AddNote("n2", "Besvaret", column_id=ids[1]))
    assert s.note("n2").column_id == ids[1]


def test_column_ids_are_named_after_the_board_and_template() -> None:
    assert column_ids("b9", "negative") == ("b9-fails", "b9-turned")
