"""Every board command through `Service.execute`, on SQLite and PostgreSQL: after each commit the
stored state equals the state before plus the events, and at the end the replayed log equals it.
Together with the question, timer, dot, dilemma, hall and committee scenarios
(`test_question_projections`, `test_timer_projections`, `test_dot_projections`,
`test_dilemma_projections`, `test_hall_projections`, `test_backlog_projections`) every event
type is stored.
"""

from __future__ import annotations

from server.domain import events as ev
from server.domain.backlog_commands import SendNoteToBacklog
from server.domain.boards import TEMPLATES
from server.domain.commands import (
    Actor,
    AddCluster,
    AddColumn,
    AddComment,
    AddNote,
    ChangeBoardSettings,
    CreateBoard,
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
    ShowBoard,
    StartPrivateWriting,
    TurnNoteAround,
    UpdateParticipant,
)
from server.domain.workshop import WorkshopState
from server.service import Service
from server.store import projections
from tests.store.test_backlog_projections import a_committee_and_its_sprints
from tests.store.test_dilemma_projections import dilemmas_and_a_reveal
from tests.store.test_dot_projections import dots_and_a_semifinal
from tests.store.test_erasure_projections import an_erasure
from tests.store.test_hall_projections import a_morning_in_the_hall
from tests.store.test_import_service import an_imported_workshop
from tests.store.test_question_projections import questions_and_votes
from tests.store.test_timer_projections import timers_and_a_question
from tests.store.twin import FAC, P1, P2, Twin, new_twin

# The other workshops' participants: ids are unique across workshops, as `new_id` makes them.
Q1, Q2, Q3 = (Actor("participant", f"q{i}") for i in (1, 2, 3))
R1, R2, R3 = (Actor("participant", f"r{i}") for i in (1, 2, 3))
S1, S2, S3 = (Actor("participant", f"s{i}") for i in (1, 2, 3))
D1, D2, D3 = (Actor("participant", f"d{i}") for i in (1, 2, 3))
K1, K2, K3 = (Actor("participant", f"k{i}") for i in (1, 2, 3))
H1, H2, H3 = (Actor("participant", f"h{i}") for i in (1, 2, 3))
U1, U2, U3 = (Actor("participant", f"u{i}") for i in (1, 2, 3))
V1, V2, V3 = (Actor("participant", f"v{i}") for i in (1, 2, 3))


def test_every_event_type_has_a_projection() -> None:
    assert set(projections.HANDLERS) == set(ev.EVENT_TYPES)


def board_command(board_id: str, template: str) -> CreateBoard:
    keys = TEMPLATES[template]
    return CreateBoard(
        board_id,
        f"Tavle {template}",
        template,
        tuple(f"{board_id}-{k}" for k in keys),
        tuple(k.capitalize() for k in keys),
    )


def loose(state: WorkshopState, column_id: str, cluster_id: str | None = None) -> list[str]:
    return [n.id for n in state.notes_in(column_id, cluster_id)]


async def test_create_workshop_stores_the_first_board_with_its_column(service: Service) -> None:
    twin = await new_twin(service)
    state = await twin.assert_replay_equals_stored()
    board = state.main_board
    assert [(c.id, c.title) for c in board.columns] == [(board.id, "Noter")]
    assert (board.template, board.position) == ("blank", 0)


async def boards_and_columns(service: Service) -> Twin:
    """Templates, columns, settings, lock, private writing, "bring everyone here", turning."""
    twin = await new_twin(service)
    main = (await twin.state()).main_board.id
    for board_id, template in (
        ("ib", "idea_bank"),
        ("neg", "negative"),
        ("park", "parking_lot"),
        ("blank2", "blank"),
    ):
        await twin.do(FAC, board_command(board_id, template))
    await twin.do(FAC, RenameBoard("ib", "Idébank 2"))
    await twin.do(FAC, AddColumn("ib", "ib-extra", "Ekstra"))
    await twin.do(FAC, RenameColumn("ib-extra", "Ekstra idéer"))
    await twin.do(FAC, MoveColumn("ib-extra", 0))
    await twin.do(FAC, MoveColumn("ib-final", 1))
    await twin.do(FAC, MoveColumn("ib-ideas", 99))
    await twin.do(FAC, ChangeBoardSettings("ib", show_authors=False, open_moves=False))
    await twin.do(FAC, ChangeBoardSettings("park", locked=True))
    await twin.refused(P1, AddNote("q0", "låst", board_id="park"), "board.locked")
    await twin.do(FAC, ChangeBoardSettings("park", locked=False, show_authors=False))
    await twin.do(FAC, StartPrivateWriting("park"))
    await twin.do(P1, AddNote("q1", "hemmelig", board_id="park"))
    await twin.do(P2, AddNote("q2", "også hemmelig", board_id="park", color="purple"))
    await twin.refused(P1, MoveNote("q2", "park-answered", 0), "note.unknown")
    await twin.do(FAC, RevealBoard("park"))
    await twin.do(FAC, ShowBoard("ib"))
    await twin.do(P1, AddNote("x1", "hvor havner jeg?"))  # on the board everyone was brought to
    await twin.do(FAC, ShowBoard(main))
    # Removing the negative board's turn column ends turning around there.
    await twin.do(P1, AddNote("f1", "det værste", board_id="neg"))
    await twin.do(P2, TurnNoteAround("f1", "t1", "det bedste"))
    await twin.do(FAC, RemoveColumn("neg-turned", "neg-fails"))
    await twin.refused(P2, TurnNoteAround("f1", "t2", "igen"), "note.cannot_turn")

    state = await twin.assert_replay_equals_stored()
    ib = state.boards["ib"]
    assert [c.id for c in ib.columns] == ["ib-extra", "ib-final", "ib-semifinal", "ib-ideas"]
    assert (ib.title, ib.show_authors, ib.open_moves, ib.locked) == (
        "Idébank 2",
        False,
        False,
        False,
    )
    assert state.notes["x1"].column_id == "ib-extra"
    assert state.current_board_id == main
    assert state.boards["neg"].turn_column_id is None
    assert loose(state, "neg-fails") == ["f1", "t1"]
    assert state.notes["t1"].linked_note_id == "f1" and state.notes["t1"].color == "green"
    assert not state.boards["park"].private
    return twin


async def notes_on_a_board(service: Service, p1: Actor, p2: Actor, p3: Actor) -> Twin:
    """Edits, hiding, clusters, moves, +1s, comments, merges, removals, deletes, a kick."""
    twin = await new_twin(service, (p1, p2, p3))
    main = (await twin.state()).main_board.id
    await twin.do(FAC, board_command("nb", "idea_bank"))
    # Notes in several columns, by participants and the facilitator.
    await twin.do(p1, AddNote("m1", "hej"))
    await twin.do(FAC, AddNote("m2", "fra facilitator", board_id=main, color="blue"))
    for note_id, actor, column in (
        ("i1", p1, "nb-ideas"),
        ("i2", p2, "nb-ideas"),
        ("i3", p3, "nb-ideas"),
        ("i4", p1, "nb-semifinal"),
        ("i5", FAC, "nb-final"),
        ("i6", p2, "nb-ideas"),
        ("i7", p3, "nb-ideas"),
        ("i8", p3, "nb-ideas"),
    ):
        await twin.do(actor, AddNote(note_id, f"idé {note_id}", board_id="nb", column_id=column))
    # Edits carry the version they started from; the second editor of version 1 lost the race.
    await twin.do(p1, EditNote("i1", 1, text="idé 1, bedre"))
    await twin.refused(FAC, EditNote("i1", 1, color="green"), "note.edit_conflict")
    await twin.do(FAC, EditNote("i1", 2, color="green"))
    await twin.do(FAC, HideNote("i2", True))
    await twin.refused(p3, ReactToNote("i2"), "note.unknown")
    await twin.do(FAC, HideNote("i2", False))
    await twin.do(FAC, HideNote("m1", True))
    # Clusters, and moves within and across columns and into and out of clusters.
    await twin.do(FAC, AddCluster("nb-ideas", "cl1", "Trafik"))
    await twin.do(FAC, AddCluster("nb-ideas", "cl2", "Natur"))
    await twin.do(FAC, RenameCluster("cl1", "Trafik og cykler"))
    await twin.do(p1, MoveNote("i1", "nb-ideas", 0, cluster_id="cl1"))
    await twin.do(p2, MoveNote("i2", "nb-ideas", 0, cluster_id="cl1"))
    await twin.do(p1, MoveNote("i3", "nb-ideas", 5, cluster_id="cl2"))  # open moves: not own
    await twin.do(FAC, MoveNote("i8", "nb-ideas", 0))  # within the loose notes
    await twin.do(p1, MoveNote("i4", "nb-ideas", 1))  # across columns
    await twin.do(p2, MoveNote("i2", "nb-final", 0))  # out of a cluster into another column
    await twin.do(FAC, MoveNote("i3", "nb-ideas", 0, cluster_id="cl1"))  # cluster to cluster
    await twin.do(FAC, MoveNote("i3", "nb-ideas", 1, cluster_id="cl1"))  # within a cluster
    await twin.do(FAC, MoveNote("i7", "nb-ideas", 0, cluster_id="cl2"))
    await twin.do(FAC, MoveNote("i1", "nb-ideas", 2))  # out of a cluster, same column
    state = await twin.state()
    assert loose(state, "nb-ideas") == ["i8", "i4", "i1", "i6"]
    assert loose(state, "nb-ideas", "cl1") == ["i3"]
    assert loose(state, "nb-final") == ["i2", "i5"]
    assert [n.position for n in state.notes_in("nb-ideas", None)] == [0, 1, 2, 3]
    # +1s on and off, comments, then merges that carry both along.
    for actor, note_id in ((p1, "i4"), (p2, "i4"), (FAC, "i4"), (p3, "i6"), (p1, "i6")):
        await twin.do(actor, ReactToNote(note_id))
    await twin.do(p3, ReactToNote("i6"))  # off again
    await twin.do(p3, ReactToNote("i6"))  # and on
    await twin.do(p2, AddComment("i6", "c1", "enig"))
    await twin.do(FAC, AddComment("i6", "c2", "godt"))
    await twin.do(p3, AddComment("i4", "c3", "hm"))
    await twin.do(p2, DeleteComment("c1"))
    await twin.refused(p1, DeleteComment("c3"), "comment.not_yours")
    await twin.do(FAC, MergeNotes("i6", "i4"))
    await twin.do(FAC, MergeNotes("i7", "i4"))
    state = await twin.state()
    merged = state.notes["i4"]
    assert merged.reactors == {p1.id, p2.id, p3.id, FAC.id}
    assert merged.merged == ("idé i6", "idé i7") and merged.version == 3
    assert [c.id for c in state.comments_on("i4")] == ["c2", "c3"]
    assert "i6" not in state.notes and "i7" not in state.notes
    # Removing a cluster keeps its notes after the loose ones; removing a column moves the
    # loose notes after the target's and the clusters along whole.
    await twin.do(FAC, MoveNote("i8", "nb-ideas", 0, cluster_id="cl2"))
    await twin.do(FAC, RemoveCluster("cl1"))
    await twin.do(p3, AddNote("s1", "semi", board_id="nb", column_id="nb-semifinal"))
    await twin.do(FAC, RemoveColumn("nb-ideas", "nb-semifinal"))
    state = await twin.state()
    assert loose(state, "nb-semifinal") == ["s1", "i4", "i1", "i3"]
    assert loose(state, "nb-semifinal", "cl2") == ["i8"]
    assert state.clusters["cl2"].column_id == "nb-semifinal"
    # Deleting a note takes its comments and +1s with it; a kicked participant cannot act.
    await twin.do(FAC, DeleteNote("i4"))
    await twin.do(p1, DeleteNote("i1"))
    await twin.do(FAC, SendNoteToBacklog("i5", "committee1", "item1"))  # "move to backlog"
    await twin.refused(FAC, SendNoteToBacklog("i5", "committee1", "item2"), "note.in_backlog")
    await twin.do(p3, UpdateParticipant("Eva", "Politiker"))
    await twin.do(FAC, KickParticipant(p3.id))
    await twin.refused(p3, AddNote("k1", "efter kick"), "participant.kicked")
    state = await twin.assert_replay_equals_stored()
    assert state.comments == {} and state.participants[p3.id].kicked
    assert state.participants[p3.id].display_name == "Eva"
    assert state.notes["i5"].backlog == ("committee1", "item1")
    return twin


async def test_every_board_command_keeps_the_tables_the_twin_of_the_domain(
    service: Service,
) -> None:
    """Nine workshops (a committee and its meeting among them) in one database, so none may disturb another's rows; between them they
    store every event type there is."""
    seen: set[str] = set()
    twins = [
        await boards_and_columns(service),
        await notes_on_a_board(service, Q1, Q2, Q3),
        await questions_and_votes(service, R1, R2, R3),
        await timers_and_a_question(service, S1, S2, S3),
        await dots_and_a_semifinal(service, D1, D2, D3),
        await dilemmas_and_a_reveal(service, K1, K2, K3),
        await a_morning_in_the_hall(service, H1, H2, H3),
        await an_imported_workshop(service),
        await an_erasure(service),
        *await a_committee_and_its_sprints(service, (U1, U2, U3), (V1, V2, V3)),
    ]
    for twin in twins:
        await twin.assert_replay_equals_stored()
        seen |= {e.type for e in await twin.log()}
    assert seen == set(ev.EVENT_TYPES)
