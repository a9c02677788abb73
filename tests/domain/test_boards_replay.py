"""Replaying the log is the state: a long workshop, every event type, checked at every step."""

from __future__ import annotations

from server.domain import events as ev
from server.domain.commands import (
    AddCluster,
    AddColumn,
    AddComment,
    AddNote,
    ChangeBoardSettings,
    DeleteComment,
    DeleteNote,
    EditNote,
    HideNote,
    KickParticipant,
    MergeNotes,
    MoveColumn,
    MoveNote,
    ReactToNote,
    RemoveCluster,
    RemoveColumn,
    RenameBoard,
    RenameCluster,
    RenameColumn,
    RevealBoard,
    SendNoteToBacklog,
    ShowBoard,
    StartPrivateWriting,
    TurnNoteAround,
    UpdateParticipant,
)
from server.domain.workshop import WorkshopState, fold, replay
from tests.domain.kit import FAC, MAIN, P1, P2, P3, Session, assert_dense_positions


def long_workshop() -> tuple[Session, list[WorkshopState]]:
    """A morning's workshop; returns the session and the state after every log entry, as
    built step by step by `decide` and `apply`."""
    s = Session()
    step = s.do

    step(P3, UpdateParticipant("Karen", "Politiker"))
    for i, text in enumerate(["Flere cykelstier", "Grønne tage", "Cykelstier ved skolen"]):
        step(P1 if i % 2 == 0 else P2, AddNote(f"m{i}", text))
    step(FAC, AddColumn(MAIN, "m-later", "Senere"))
    step(P2, MoveNote("m1", "m-later", 0))
    step(FAC, RenameColumn("m-later", "Til senere"))
    step(FAC, MoveColumn("m-later", 0))
    step(FAC, MergeNotes("m2", into_id="m0"))
    step(P3, ReactToNote("m0"))
    step(P2, ReactToNote("m0"))
    step(P3, ReactToNote("m0"))  # off again
    step(FAC, SendNoteToBacklog("m0", "committee1", "item1"))  # the committee took it

    _, turned = s.board("neg", "negative", title="Hvordan får vi ingen med?")
    step(FAC, ShowBoard("neg"))
    step(FAC, StartPrivateWriting("neg"))
    step(P1, AddNote("f1", "Hold mødet kl. 8 om morgenen"))
    step(P2, AddNote("f2", "Brug kun fagsprog", color="pink"))
    step(P3, AddNote("f3", "Ingen kaffe"))
    step(P1, EditNote("f1", 1, text="Hold mødet kl. 7"))
    step(FAC, RevealBoard("neg"))
    step(P2, TurnNoteAround("f1", "t1", "Hold mødet om aftenen"))
    step(P1, TurnNoteAround("f2", "t2", "Skriv i øjenhøjde"))
    step(FAC, AddCluster(turned, "k1", "Tid og sted"))
    step(P2, MoveNote("t1", turned, 0, cluster_id="k1"))
    step(FAC, RenameCluster("k1", "Tidspunkt"))
    step(P1, AddComment("t2", "c1", "Og uden forkortelser"))
    step(P2, AddComment("t2", "c2", "Enig"))
    step(P2, DeleteComment("c2"))
    step(FAC, HideNote("f3", hidden=True))
    step(FAC, ChangeBoardSettings("neg", show_authors=False, open_moves=False))
    step(FAC, KickParticipant(P3.id))
    step(FAC, AddColumn("neg", "neg-extra", "Måske"))
    step(FAC, AddCluster("neg-extra", "k2", "Løse idéer"))
    step(P1, AddNote("x1", "Kaffe", board_id="neg", column_id="neg-extra"))
    step(P1, MoveNote("x1", "neg-extra", 0, cluster_id="k2"))
    step(FAC, RemoveColumn("neg-extra", move_notes_to=turned))
    step(FAC, RemoveCluster("k1"))
    step(FAC, RenameBoard("neg", "Omvendt brainstorm"))
    step(FAC, ChangeBoardSettings("neg", locked=True))
    step(FAC, DeleteNote("f3"))
    step(FAC, ShowBoard(MAIN))
    return s, s.states


def test_the_scenario_uses_every_board_event_type_and_a_gap_free_log() -> None:
    s, states = long_workshop()
    board_types = {
        t
        for t in ev.EVENT_TYPES
        if not t.startswith(
            (
                *("question.", "vote.", "timer.", "dots.", "dot.", "dilemma.", "hall."),
                *("committee.", "backlog.", "sprint.", "report.", "workshop.imported"),
                "participant.erased",  # tests/domain/test_erasure.py
            )
        )
    }
    assert {e.type for e in s.log} == board_types
    assert [e.seq for e in s.log] == list(range(1, len(s.log) + 1))
    assert len(states) == len(s.log)


def test_replaying_the_whole_log_gives_the_state_built_step_by_step() -> None:
    s, _ = long_workshop()
    assert replay(s.log) == s.state
    assert_dense_positions(s.state)


def test_replaying_every_prefix_gives_the_state_at_that_point() -> None:
    s, states = long_workshop()
    for i in range(1, len(s.log) + 1):
        assert replay(s.log[:i]) == states[i - 1], s.log[i - 1]


def test_folding_the_rest_onto_any_snapshot_gives_the_same_state() -> None:
    s, states = long_workshop()
    for i in (1, 5, len(s.log) // 2, len(s.log) - 1):
        assert fold(states[i - 1], s.log[i:]) == s.state


def test_what_the_scenario_leaves_behind() -> None:
    s, _ = long_workshop()
    st = s.state
    assert st.current_board.id == MAIN
    assert [c.id for c in st.boards[MAIN].columns] == ["m-later", MAIN]
    assert s.ids_in(MAIN) == ["m0"]
    assert st.notes["m0"].merged == ("Cykelstier ved skolen",)
    assert st.notes["m0"].reactors == {P2.id}
    assert st.notes["m0"].backlog == ("committee1", "item1")
    neg = st.boards["neg"]
    assert (neg.title, neg.locked, neg.show_authors, neg.open_moves, neg.private) == (
        "Omvendt brainstorm",
        True,
        False,
        False,
        False,
    )
    assert [c.id for c in neg.columns] == ["neg-fails", "neg-turned"]
    assert set(st.clusters) == {"k2"}
    assert st.clusters["k2"].column_id == "neg-turned"
    assert s.ids_in("neg-turned", "k2") == ["x1"]
    assert s.ids_in("neg-turned") == ["t2", "t1"]  # t1 came out of the removed cluster last
    assert st.notes["t1"].linked_note_id == "f1"
    assert "f3" not in st.notes
    assert st.participants[P3.id].kicked
    assert st.participants[P3.id].display_name == "Karen"
    assert [c.id for c in st.comments_on("t2")] == ["c1"]
    assert s.refused(P1, AddNote("late", "For sent", board_id="neg")) == "board.locked"
