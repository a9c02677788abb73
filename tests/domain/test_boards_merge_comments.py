"""Merging duplicates, comments and +1."""

from __future__ import annotations

from server.domain import events as ev
from server.domain.boards import MAX_COMMENT_LENGTH, MAX_COMMENTS_PER_NOTE, MAX_MERGED
from server.domain.commands import (
    AddCluster,
    AddComment,
    AddNote,
    DeleteComment,
    DeleteNote,
    EditNote,
    HideNote,
    KickParticipant,
    MergeNotes,
    MoveNote,
    ReactToNote,
)
from tests.domain.kit import FAC, MAIN, P1, P2, P3, Session, assert_dense_positions


def duplicates() -> Session:
    """Two notes saying nearly the same, each with a +1 and a comment."""
    s = Session()
    s.do(P1, AddNote("a", "Flere cykelstier"))
    s.do(P2, AddNote("b", "Cykelstier til skolen"))
    s.do(P3, AddNote("c", "Bedre busser"))
    s.do(P1, ReactToNote("b"))
    s.do(P2, ReactToNote("a"))
    s.do(P3, ReactToNote("a"))
    s.do(P3, ReactToNote("b"))
    s.do(P2, AddComment("a", "ca", "Ja tak"))
    s.do(P1, AddComment("b", "cb", "Især om vinteren"))
    return s


# --- merge ------------------------------------------------------------------------------------


def test_merge_keeps_both_texts_unites_reactions_and_moves_comments() -> None:
    s = duplicates()
    events = s.do(FAC, MergeNotes("a", into_id="b"))
    assert [e.type for e in events] == [ev.NOTE_MERGED]
    assert "a" not in s.state.notes
    kept = s.note("b")
    assert kept.text == "Cykelstier til skolen"
    assert kept.merged == ("Flere cykelstier",)
    assert kept.reactors == {P1.id, P2.id, P3.id}  # p3's +1 on both counts once
    assert [c.id for c in s.state.comments_on("b")] == ["ca", "cb"]
    assert s.state.comments["ca"].note_id == "b"
    assert kept.author_id == P2.id  # the kept note stays its author's


def test_merging_a_merged_note_keeps_every_text() -> None:
    s = duplicates()
    s.do(FAC, MergeNotes("a", into_id="b"))
    s.do(FAC, MergeNotes("b", into_id="c"))
    assert s.note("c").text == "Bedre busser"
    assert s.note("c").merged == ("Cykelstier til skolen", "Flere cykelstier")
    assert set(s.state.notes) == {"c"}
    assert [c.id for c in s.state.comments_on("c")] == ["ca", "cb"]


def test_merge_raises_the_kept_notes_version_so_a_stale_edit_conflicts() -> None:
    s = duplicates()
    s.do(FAC, MergeNotes("a", into_id="b"))
    assert s.note("b").version == 2
    assert s.refused(P2, EditNote("b", 1, text="Gammel")) == "note.edit_conflict"
    s.do(P2, EditNote("b", 2, text="Cykelstier til alle skoler"))
    assert s.note("b").merged == ("Flere cykelstier",)  # editing keeps the merged texts


def test_merge_across_columns_and_from_a_cluster_leaves_the_rest_in_order() -> None:
    s = Session()
    a, b = s.board("b2", "parking_lot")
    s.do(FAC, AddCluster(a, "k", "K"))
    for note_id, column in (("x", a), ("y", a), ("z", b)):
        s.do(P1, AddNote(note_id, note_id, board_id="b2", column_id=column))
    s.do(P1, MoveNote("y", a, 0, cluster_id="k"))
    s.do(FAC, MergeNotes("y", into_id="z"))
    assert s.ids_in(a, "k") == []
    assert s.ids_in(a) == ["x"]
    assert s.ids_in(b) == ["z"]
    s.do(P1, MoveNote("x", a, 0, cluster_id="k"))
    assert_dense_positions(s.state)


def test_merge_refusals() -> None:
    s = duplicates()
    other = s.board("b2", "blank")
    s.do(P1, AddNote("o", "Andet sted", board_id="b2", column_id=other[0]))
    assert s.refused(FAC, MergeNotes("a", into_id="a")) == "note.merge_self"
    assert s.refused(FAC, MergeNotes("a", into_id="o")) == "note.merge_other_board"
    assert s.refused(FAC, MergeNotes("o", into_id="a")) == "note.merge_other_board"
    assert s.refused(FAC, MergeNotes("a", into_id="nope")) == "note.unknown"
    assert s.refused(FAC, MergeNotes("nope", into_id="a")) == "note.unknown"
    assert s.refused(P1, MergeNotes("a", into_id="b")) == "permission.facilitators_only"
    assert s.note("b").merged == ()


def test_a_note_holds_at_most_max_merged_texts() -> None:
    s = Session()
    s.do(P1, AddNote("keep", "Hovedidé"))
    for i in range(MAX_MERGED):
        s.do(P1, AddNote(f"d{i}", f"Dublet {i}"))
        s.do(FAC, MergeNotes(f"d{i}", into_id="keep"))
    assert len(s.note("keep").merged) == MAX_MERGED
    s.do(P1, AddNote("one-more", "Én til"))
    assert s.refused(FAC, MergeNotes("one-more", into_id="keep")) == "note.merge_too_many"


def test_the_facilitator_may_merge_a_hidden_note() -> None:
    s = duplicates()
    s.do(FAC, HideNote("a", hidden=True))
    s.do(FAC, MergeNotes("a", into_id="b"))
    assert s.note("b").merged == ("Flere cykelstier",)


# --- +1 -----------------------------------------------------------------------------------------


def test_plus_one_toggles_per_person() -> None:
    s = Session()
    s.do(P1, AddNote("n", "Idé"))
    events = s.do(P2, ReactToNote("n"))
    assert events[0].data == {"note_id": "n", "board_id": MAIN, "reactor_id": P2.id, "on": True}
    assert s.note("n").reactors == {P2.id}
    s.do(P1, ReactToNote("n"))  # one's own note too
    s.do(FAC, ReactToNote("n"))
    assert s.note("n").reactors == {P1.id, P2.id, FAC.id}
    events = s.do(P2, ReactToNote("n"))
    assert events[0].data["on"] is False
    assert s.note("n").reactors == {P1.id, FAC.id}
    s.do(P2, ReactToNote("n"))
    assert s.note("n").reactors == {P1.id, P2.id, FAC.id}


def test_a_kicked_participants_plus_one_stays_but_cannot_be_toggled() -> None:
    s = Session()
    s.do(P1, AddNote("n", "Idé"))
    s.do(P2, ReactToNote("n"))
    s.do(FAC, KickParticipant(P2.id))
    assert s.refused(P2, ReactToNote("n")) == "participant.kicked"
    assert s.note("n").reactors == {P2.id}


# --- comments -------------------------------------------------------------------------------------


def test_comments_are_cleaned_and_listed_in_order() -> None:
    s = Session()
    s.do(P1, AddNote("n", "Idé"))
    s.do(P2, AddComment("n", "c1", "  God idé\r\nmen dyr  "))
    s.do(P3, AddComment("n", "c2", "Enig"))
    s.do(FAC, AddComment("n", "c3", "Vi tager den op"))
    assert [c.id for c in s.state.comments_on("n")] == ["c1", "c2", "c3"]
    c1, c2, c3 = (s.state.comments[i] for i in ("c1", "c2", "c3"))
    assert (c1.text, c1.author_name) == ("God idé\nmen dyr", "Bo")
    assert c2.author_name is None  # anonymous participant
    assert c3.by_facilitator


def test_comment_text_rules_and_limits() -> None:
    s = Session()
    s.do(P1, AddNote("n", "Idé"))
    assert s.refused(P2, AddComment("n", "c", " \n ")) == "comment.empty"
    assert s.refused(P2, AddComment("n", "c", "x" * (MAX_COMMENT_LENGTH + 1))) == (
        "comment.too_long"
    )
    assert s.refused(P2, AddComment("n", "c", "a\x00")) == "comment.control_characters"
    s.do(P2, AddComment("n", "c", "x" * MAX_COMMENT_LENGTH))
    assert s.refused(P2, AddComment("n", "c", "igen")) == "comment.exists"
    for i in range(MAX_COMMENTS_PER_NOTE - 1):
        s.do(P2, AddComment("n", f"c{i}", f"kommentar {i}"))
    assert len(s.state.comments_on("n")) == MAX_COMMENTS_PER_NOTE
    assert s.refused(P3, AddComment("n", "last", "en til")) == "comment.too_many"
    s.do(P2, DeleteComment("c0"))
    s.do(P3, AddComment("n", "last", "nu er der plads"))


def test_only_ones_own_comment_may_be_deleted_the_facilitator_any() -> None:
    s = Session()
    s.do(P1, AddNote("n", "Idé"))
    s.do(P1, AddComment("n", "mine", "min"))
    s.do(P2, AddComment("n", "theirs", "Bos"))
    assert s.refused(P1, DeleteComment("theirs")) == "comment.not_yours"
    assert s.refused(P1, DeleteComment("nope")) == "comment.unknown"
    events = s.do(P1, DeleteComment("mine"))
    assert events[0].data == {"comment_id": "mine", "note_id": "n", "board_id": MAIN}
    s.do(FAC, DeleteComment("theirs"))
    assert s.state.comments_on("n") == []


def test_comments_go_with_their_note() -> None:
    s = Session()
    s.do(P1, AddNote("n", "Idé"))
    s.do(P2, AddComment("n", "c", "x"))
    s.do(P1, DeleteNote("n"))
    assert s.state.comments == {}
    assert s.refused(P2, DeleteComment("c")) == "comment.unknown"
