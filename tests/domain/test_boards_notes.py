"""Notes: text and colour rules, edit conflicts, who may do what, locked boards, kicked
participants, the room screen, and ids that belong somewhere else."""

from __future__ import annotations

import pytest

from server.domain.boards import COLORS, DEFAULT_COLOR
from server.domain.commands import (
    Actor,
    AddCluster,
    AddComment,
    AddNote,
    ChangeBoardSettings,
    Command,
    DeleteComment,
    DeleteNote,
    EditNote,
    HideNote,
    KickParticipant,
    MergeNotes,
    MoveNote,
    ReactToNote,
    RemoveCluster,
    RenameCluster,
    TurnNoteAround,
)
from server.domain.decide import decide
from server.domain.errors import DomainError
from server.domain.text import clean_text
from server.domain.workshop import MAX_NOTE_LENGTH
from tests.domain.kit import FAC, MAIN, P1, P2, SCREEN, Session


def board_with_notes() -> Session:
    """p1 wrote n1 (with p1's comment c1), p2 wrote n2; cluster k1 in the main column."""
    s = Session()
    s.do(P1, AddNote("n1", "Min idé"))
    s.do(P2, AddNote("n2", "Bos idé"))
    s.do(P1, AddComment("n1", "c1", "Uddyb gerne"))
    s.do(FAC, AddCluster(MAIN, "k1", "Tema"))
    return s


# --- text and colour ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Flere\r\ncykelstier \n", "Flere\ncykelstier"),
        ("linje 1\rlinje 2", "linje 1\nlinje 2"),
        ("Cafe\u0301 på torvet", "Café på torvet"),  # NFC: one code point for é
        ("a\n\n\tb", "a\n\n\tb"),  # line breaks and tabs inside are kept
    ],
)
def test_note_text_is_normalised(raw: str, stored: str) -> None:
    s = Session()
    s.do(P1, AddNote("n1", raw))
    assert s.note("n1").text == stored


def test_500_characters_count_after_normalising() -> None:
    s = Session()
    decomposed = "e\u0301" * MAX_NOTE_LENGTH  # 1000 code points in, 500 after NFC
    s.do(P1, AddNote("n1", decomposed))
    assert len(s.note("n1").text) == MAX_NOTE_LENGTH


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "note.empty"),
        (" \r\n\t ", "note.empty"),
        ("x" * (MAX_NOTE_LENGTH + 1), "note.too_long"),
        ("a\x00b", "note.control_characters"),
        ("bip\x07", "note.control_characters"),
        ("\x1b[31mrød", "note.control_characters"),
        ("a\x7fb", "note.control_characters"),
        ("a\x85b", "note.control_characters"),
    ],
)
def test_bad_note_text_is_refused_on_add_edit_and_turn(text: str, code: str) -> None:
    s = Session()
    assert s.refused(P1, AddNote("n1", text)) == code
    s.do(P1, AddNote("n1", "ok"))
    assert s.refused(P1, EditNote("n1", 1, text=text)) == code
    neg = s.board("neg", "negative")
    s.do(P1, AddNote("n2", "ok", board_id="neg", column_id=neg[0]))
    assert s.refused(P1, TurnNoteAround("n2", "t1", text)) == code


def test_too_long_tells_the_limit() -> None:
    s = Session()
    with pytest.raises(DomainError) as e:
        decide(s.state, P1, AddNote("n1", "x" * 501))
    assert e.value.params == {"max": MAX_NOTE_LENGTH}


@pytest.mark.parametrize("color", COLORS)
def test_every_palette_colour_is_accepted(color: str) -> None:
    s = Session()
    s.do(P1, AddNote("n1", "x", color=color))
    assert s.note("n1").color == color


def test_default_colour_and_bad_colours() -> None:
    s = Session()
    s.do(P1, AddNote("n1", "x"))
    assert s.note("n1").color == DEFAULT_COLOR == "yellow"
    for bad in ("red", "Yellow", "#ffff00", ""):
        assert s.refused(P1, AddNote("n2", "x", color=bad)) == "note.bad_color"
        assert s.refused(P1, EditNote("n1", 1, color=bad)) == "note.bad_color"


def test_note_ids_are_unique() -> None:
    s = board_with_notes()
    assert s.refused(P2, AddNote("n1", "x")) == "note.exists"


# --- editing and versions -------------------------------------------------------------------


def test_edit_raises_the_version_and_keeps_what_is_not_named() -> None:
    s = board_with_notes()
    s.do(P1, EditNote("n1", 1, text=" Ny tekst "))
    assert (s.note("n1").text, s.note("n1").color, s.note("n1").version) == (
        "Ny tekst",
        "yellow",
        2,
    )
    s.do(P1, EditNote("n1", 2, color="blue"))
    assert (s.note("n1").text, s.note("n1").color, s.note("n1").version) == (
        "Ny tekst",
        "blue",
        3,
    )
    assert s.refused(P1, EditNote("n1", 3)) == "note.nothing_to_change"


def test_an_edit_from_a_stale_version_is_a_conflict_and_changes_nothing() -> None:
    s = board_with_notes()
    # Ida and the facilitator both open n1 at version 1; the facilitator saves first.
    s.do(FAC, EditNote("n1", 1, text="Facilitatorens tekst"))
    assert s.refused(P1, EditNote("n1", 1, text="Idas tekst")) == "note.edit_conflict"
    assert s.refused(P1, EditNote("n1", 1, color="pink")) == "note.edit_conflict"
    assert s.refused(P1, EditNote("n1", 3, text="fra fremtiden")) == "note.edit_conflict"
    assert (s.note("n1").text, s.note("n1").version) == ("Facilitatorens tekst", 2)
    s.do(P1, EditNote("n1", 2, text="Idas tekst"))  # reloaded, she saves on top
    assert s.note("n1").version == 3


# --- who may do what --------------------------------------------------------------------------


def test_the_facilitator_may_edit_hide_and_delete_any_note() -> None:
    s = board_with_notes()
    s.do(FAC, EditNote("n2", 1, text="Rettet", color="orange"))
    assert (s.note("n2").text, s.note("n2").color) == ("Rettet", "orange")
    s.do(FAC, HideNote("n2", hidden=True))
    assert s.note("n2").hidden
    s.do(FAC, EditNote("n2", 2, text="Stadig skjult"))
    s.do(FAC, HideNote("n2", hidden=False))
    assert not s.note("n2").hidden
    s.do(FAC, DeleteNote("n1"))
    assert "n1" not in s.state.notes
    assert "c1" not in s.state.comments  # a deleted note takes its comments along


def test_a_participant_may_not_edit_delete_or_hide_others_notes() -> None:
    s = board_with_notes()
    assert s.refused(P2, EditNote("n1", 1, text="Mit nu")) == "note.not_yours"
    assert s.refused(P2, DeleteNote("n1")) == "note.not_yours"
    assert s.refused(P2, HideNote("n1", hidden=True)) == "permission.facilitators_only"
    assert s.refused(P1, HideNote("n1", hidden=True)) == "permission.facilitators_only"


def test_a_hidden_note_is_kept_but_its_author_can_no_longer_change_it() -> None:
    s = board_with_notes()
    s.do(FAC, HideNote("n1", hidden=True))
    assert s.refused(P1, EditNote("n1", 1, text="Ændret")) == "note.hidden"
    assert s.refused(P1, DeleteNote("n1")) == "note.hidden"
    assert s.refused(P2, ReactToNote("n1")) == "note.unknown"  # others do not see it
    assert s.refused(P2, AddComment("n1", "c9", "hvad?")) == "note.unknown"


def test_moving_others_notes_depends_on_open_moves() -> None:
    s = board_with_notes()
    s.do(P2, MoveNote("n1", MAIN, 5))  # open by default
    assert s.ids_in(MAIN) == ["n2", "n1"]
    s.do(FAC, ChangeBoardSettings(MAIN, open_moves=False))
    assert s.refused(P2, MoveNote("n1", MAIN, 0)) == "note.not_yours"
    assert s.refused(P2, MoveNote("n1", MAIN, 0, cluster_id="k1")) == "note.not_yours"
    s.do(P2, MoveNote("n2", MAIN, 5))  # own notes always
    s.do(FAC, MoveNote("n1", MAIN, 0, cluster_id="k1"))  # the facilitator always
    assert s.ids_in(MAIN) == ["n2"]
    assert s.ids_in(MAIN, "k1") == ["n1"]


# --- locked boards, kicked participants, the room screen ----------------------------------------

# Each of these is allowed for p1 on an open board (they act on p1's own note and comment).
P1_COMMANDS: list[Command] = [
    AddNote("n9", "Ny"),
    EditNote("n1", 1, text="Ændret"),
    DeleteNote("n1"),
    MoveNote("n1", MAIN, 1),
    MoveNote("n1", MAIN, 0, cluster_id="k1"),
    ReactToNote("n1"),
    ReactToNote("n2"),
    AddComment("n1", "c9", "Enig"),
    AddComment("n2", "c9", "Enig"),
    DeleteComment("c1"),
]


@pytest.mark.parametrize("command", P1_COMMANDS, ids=repr)
def test_the_commands_work_on_an_open_board(command: Command) -> None:
    s = board_with_notes()
    s.do(P1, command)


@pytest.mark.parametrize("command", P1_COMMANDS, ids=repr)
def test_nobody_but_the_facilitator_acts_on_a_locked_board(command: Command) -> None:
    s = board_with_notes()
    s.do(FAC, ChangeBoardSettings(MAIN, locked=True))
    assert s.refused(P1, command) == "board.locked"
    s.do(FAC, command)  # the facilitator still may


def test_turning_around_on_a_locked_board() -> None:
    s = Session()
    fails, _ = s.board("neg", "negative")
    s.do(P1, AddNote("n1", "Ingen lytter", board_id="neg", column_id=fails))
    s.do(FAC, ChangeBoardSettings("neg", locked=True))
    assert s.refused(P1, TurnNoteAround("n1", "t1", "Alle lytter")) == "board.locked"
    s.do(FAC, TurnNoteAround("n1", "t1", "Alle lytter"))
    s.do(FAC, ChangeBoardSettings("neg", locked=False))
    s.do(P1, TurnNoteAround("n1", "t2", "Vi lytter"))


def test_a_lock_holds_on_its_own_board_only() -> None:
    s = board_with_notes()
    other = s.board("b2", "blank")
    s.do(FAC, ChangeBoardSettings("b2", locked=True))
    s.do(P1, AddNote("n8", "Stadig åben"))
    assert s.refused(P1, AddNote("n9", "Låst", board_id="b2", column_id=other[0])) == (
        "board.locked"
    )


@pytest.mark.parametrize("command", P1_COMMANDS, ids=repr)
def test_a_kicked_participant_cannot_act(command: Command) -> None:
    s = board_with_notes()
    s.do(FAC, KickParticipant(P1.id))
    assert s.refused(P1, command) == "participant.kicked"


@pytest.mark.parametrize("command", P1_COMMANDS, ids=repr)
def test_the_room_screen_cannot_write(command: Command) -> None:
    s = board_with_notes()
    assert s.refused(SCREEN, command) == "permission.read_only"


def test_the_room_screen_and_participants_cannot_run_the_board() -> None:
    s = board_with_notes()
    s.do(P2, AddNote("n3", "Dublet"))
    for actor in (SCREEN, P1):
        for command in (
            HideNote("n1", hidden=True),
            MergeNotes("n3", "n2"),
            AddCluster(MAIN, "k9", "X"),
            RenameCluster("k1", "X"),
            RemoveCluster("k1"),
            KickParticipant(P2.id),
        ):
            assert s.refused(actor, command) == (
                "permission.read_only" if actor.role == "screen" else "permission.facilitators_only"
            )


def test_unknown_participants_cannot_act() -> None:
    s = board_with_notes()
    assert s.refused(Actor("participant", "ghost"), ReactToNote("n1")) == "participant.unknown"


# --- ids from another workshop or board -----------------------------------------------------------


def test_ids_from_another_workshop_are_unknown() -> None:
    s = board_with_notes()
    other = Session("w2")
    other.do(P1, AddNote("foreign", "fra en anden workshop"))
    other.do(FAC, AddCluster(MAIN, "foreign-k", "Fremmed"))
    other.do(P1, AddComment("foreign", "foreign-c", "hej"))
    assert "foreign" not in s.state.notes
    for command in (
        EditNote("foreign", 1, text="x"),
        DeleteNote("foreign"),
        MoveNote("foreign", MAIN, 0),
        ReactToNote("foreign"),
        AddComment("foreign", "c9", "x"),
        MergeNotes("foreign", "n1"),
        MergeNotes("n1", "foreign"),
    ):
        actor = FAC if isinstance(command, MergeNotes) else P1
        assert s.refused(actor, command) == "note.unknown"
    assert s.refused(FAC, HideNote("foreign", hidden=True)) == "note.unknown"
    assert s.refused(P1, DeleteComment("foreign-c")) == "comment.unknown"
    assert s.refused(P1, MoveNote("n1", MAIN, 0, cluster_id="foreign-k")) == "cluster.unknown"
    assert s.refused(FAC, RenameCluster("foreign-k", "x")) == "cluster.unknown"
    assert s.refused(FAC, RemoveCluster("foreign-k")) == "cluster.unknown"
    assert s.refused(P1, AddNote("n9", "x", board_id="w2-board")) == "board.unknown"


def test_columns_and_clusters_of_another_board_are_unknown_here() -> None:
    s = board_with_notes()
    other_cols = s.board("b2", "idea_bank")
    s.do(FAC, AddCluster(other_cols[0], "k2", "Andet"))
    # A note cannot be added to, or moved into, a column of another board.
    assert s.refused(P1, AddNote("n9", "x", board_id=MAIN, column_id=other_cols[0])) == (
        "column.unknown"
    )
    assert s.refused(P1, MoveNote("n1", other_cols[0], 0)) == "column.unknown"
    assert s.refused(P1, MoveNote("n1", other_cols[0], 0, cluster_id="k2")) == "column.unknown"
    # Nor into a cluster of another board, or of another column, while naming this column.
    assert s.refused(P1, MoveNote("n1", MAIN, 0, cluster_id="k2")) == "cluster.unknown"
    s.do(P1, AddNote("n5", "x", board_id="b2", column_id=other_cols[1]))
    assert s.refused(P1, MoveNote("n5", other_cols[1], 0, cluster_id="k2")) == ("cluster.unknown")
    assert s.refused(P1, MoveNote("n1", MAIN, 0, cluster_id="nope")) == "cluster.unknown"
    assert s.refused(FAC, AddCluster("nope", "k9", "x")) == "column.unknown"
    assert s.refused(FAC, AddCluster(MAIN, "k1", "x")) == "cluster.exists"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\n", "\t"])
def test_a_single_line_title_refuses_every_line_break(separator: str) -> None:
    with pytest.raises(DomainError) as e:
        clean_text(f"Trafik{separator}og natur", field="column", max_length=80, multiline=False)
    assert e.value.code == "column.control_characters"
