"""Columns: add, rename, move, remove (its notes and clusters go to a chosen column), limits."""

from __future__ import annotations

from server.domain import events as ev
from server.domain.boards import MAX_COLUMN_TITLE_LENGTH, MAX_COLUMNS
from server.domain.commands import (
    AddCluster,
    AddColumn,
    AddNote,
    MoveColumn,
    MoveNote,
    RemoveColumn,
    RenameColumn,
)
from tests.domain.kit import FAC, MAIN, P1, P2, Session, assert_dense_positions


def column_order(s: Session, board_id: str) -> list[str]:
    return [c.id for c in s.state.boards[board_id].columns]


def test_a_new_column_is_added_last_with_a_clean_title() -> None:
    s = Session()
    s.do(FAC, AddColumn(MAIN, "c2", "  Forslag \r\n"))
    board = s.state.boards[MAIN]
    assert column_order(s, MAIN) == [MAIN, "c2"]
    assert board.columns[-1].title == "Forslag"


def test_only_the_facilitator_changes_columns() -> None:
    s = Session()
    s.do(FAC, AddColumn(MAIN, "c2", "B"))
    for command in (
        AddColumn(MAIN, "c3", "C"),
        RenameColumn("c2", "X"),
        MoveColumn("c2", 0),
        RemoveColumn("c2", MAIN),
    ):
        assert s.refused(P1, command) == "permission.facilitators_only"


def test_column_ids_are_unique_in_the_workshop_and_titles_checked() -> None:
    s = Session()
    ids = s.board("b2", "idea_bank")
    assert s.refused(FAC, AddColumn(MAIN, ids[0], "X")) == "column.exists"
    assert s.refused(FAC, AddColumn(MAIN, MAIN, "X")) == "column.exists"
    assert s.refused(FAC, AddColumn("nope", "c9", "X")) == "board.unknown"
    assert s.refused(FAC, AddColumn(MAIN, "c9", " ")) == "column.empty"
    assert s.refused(FAC, AddColumn(MAIN, "c9", "a\tb")) == "column.control_characters"
    too_long = "x" * (MAX_COLUMN_TITLE_LENGTH + 1)
    assert s.refused(FAC, AddColumn(MAIN, "c9", too_long)) == "column.too_long"


def test_a_board_has_at_most_max_columns() -> None:
    s = Session()
    ids = s.board("b2", "idea_bank")
    for i in range(MAX_COLUMNS - len(ids)):
        s.do(FAC, AddColumn("b2", f"extra{i}", f"Kolonne {i}"))
    assert len(s.state.boards["b2"].columns) == MAX_COLUMNS
    assert s.refused(FAC, AddColumn("b2", "one-more", "X")) == "column.too_many"
    s.do(FAC, AddColumn(MAIN, "one-more", "X"))  # the limit is per board


def test_rename_column() -> None:
    s = Session()
    ids = s.board("b2", "parking_lot")
    s.do(FAC, RenameColumn(ids[1], " Svar "))
    assert [c.title for c in s.state.boards["b2"].columns] == ["Parkeret", "Svar"]
    assert s.refused(FAC, RenameColumn("nope", "X")) == "column.unknown"


def test_move_column_reorders_and_clamps_the_index() -> None:
    s = Session()
    a, b, c = s.board("b2", "idea_bank")
    s.do(FAC, MoveColumn(c, 0))
    assert column_order(s, "b2") == [c, a, b]
    s.do(FAC, MoveColumn(c, 1))
    assert column_order(s, "b2") == [a, c, b]
    s.do(FAC, MoveColumn(a, 99))
    assert column_order(s, "b2") == [c, b, a]
    s.do(FAC, MoveColumn(a, -3))
    assert column_order(s, "b2") == [a, c, b]
    titles = [col.title for col in s.state.boards["b2"].columns]
    assert titles == ["Idéer", "Finale", "Semifinale"]
    assert s.refused(FAC, MoveColumn("nope", 0)) == "column.unknown"


def test_removing_a_column_puts_its_notes_after_the_targets_notes_in_order() -> None:
    s = Session()
    ideas, semi, final = s.board("b2", "idea_bank")
    for note_id, column in (("a1", ideas), ("a2", ideas), ("s1", semi), ("s2", semi)):
        s.do(P1, AddNote(note_id, f"tekst {note_id}", board_id="b2", column_id=column))
    s.do(P1, AddNote("a3", "tekst a3", board_id="b2", column_id=ideas))
    s.do(P2, MoveNote("a3", ideas, 0))  # the removed column's order is a3, a1, a2
    events = s.do(FAC, RemoveColumn(ideas, move_notes_to=semi))
    assert [e.type for e in events] == [ev.COLUMN_REMOVED]
    assert column_order(s, "b2") == [semi, final]
    assert s.ids_in(semi) == ["s1", "s2", "a3", "a1", "a2"]
    assert s.ids_in(ideas) == []
    assert {n.id for n in s.state.notes_on("b2")} == {"a1", "a2", "a3", "s1", "s2"}
    assert_dense_positions(s.state)


def test_removing_a_column_moves_its_clusters_whole() -> None:
    s = Session()
    ideas, semi, _ = s.board("b2", "idea_bank")
    s.do(FAC, AddCluster(ideas, "k1", "Trafik"))
    s.do(FAC, AddCluster(semi, "k2", "Skole"))
    for note_id, column in (("a1", ideas), ("a2", ideas), ("a3", ideas), ("s1", semi)):
        s.do(P1, AddNote(note_id, note_id, board_id="b2", column_id=column))
    s.do(P1, MoveNote("a2", ideas, 0, cluster_id="k1"))
    s.do(P1, MoveNote("a1", ideas, 0, cluster_id="k1"))
    s.do(P1, MoveNote("s1", semi, 0, cluster_id="k2"))
    s.do(FAC, RemoveColumn(ideas, move_notes_to=semi))
    assert s.state.clusters["k1"].column_id == semi
    assert [c.id for c in s.state.clusters_in(semi)] == ["k1", "k2"]
    assert s.ids_in(semi, "k1") == ["a1", "a2"]  # the cluster keeps its notes and order
    assert s.ids_in(semi, "k2") == ["s1"]
    assert s.ids_in(semi) == ["a3"]
    assert_dense_positions(s.state)
    # The moved cluster is usable in its new column.
    s.do(P2, MoveNote("a3", semi, 5, cluster_id="k1"))
    assert s.ids_in(semi, "k1") == ["a1", "a2", "a3"]


def test_a_column_cannot_be_removed_into_itself_or_another_boards_column() -> None:
    s = Session()
    a, b = s.board("b2", "parking_lot")
    other = s.board("b3", "negative")
    assert s.refused(FAC, RemoveColumn(a, move_notes_to=a)) == "column.bad_target"
    assert s.refused(FAC, RemoveColumn(a, move_notes_to=other[0])) == "column.bad_target"
    assert s.refused(FAC, RemoveColumn(a, move_notes_to=MAIN)) == "column.bad_target"
    assert s.refused(FAC, RemoveColumn(a, move_notes_to="nope")) == "column.bad_target"
    assert s.refused(FAC, RemoveColumn("nope", move_notes_to=b)) == "column.unknown"
    # The only column of a board has nowhere to send its notes.
    assert s.refused(FAC, RemoveColumn(MAIN, move_notes_to=MAIN)) == "column.bad_target"


def test_after_removing_the_first_column_new_notes_go_to_the_new_first() -> None:
    s = Session()
    a, b = s.board("b2", "parking_lot")
    s.do(FAC, RemoveColumn(a, move_notes_to=b))
    s.do(P1, AddNote("n1", "x", board_id="b2"))
    assert s.note("n1").column_id == b
    assert s.refused(P1, AddNote("n2", "x", board_id="b2", column_id=a)) == "column.unknown"
