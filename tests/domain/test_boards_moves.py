"""Moving notes: within a container, across columns, into and out of clusters; and a property
test that any sequence of moves keeps every container numbered 0..n-1 and loses no note."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain import events as ev
from server.domain.boards import Note, can_see_note
from server.domain.commands import (
    Actor,
    AddCluster,
    AddNote,
    ChangeBoardSettings,
    HideNote,
    MoveNote,
    RemoveCluster,
    RenameCluster,
    StartPrivateWriting,
)
from server.domain.workshop import fold, replay
from tests.domain.kit import FAC, MAIN, P1, P2, SCREEN, Session, assert_dense_positions


def four_notes() -> Session:
    s = Session()
    for note_id in ("a", "b", "c", "d"):
        s.do(P1, AddNote(note_id, note_id.upper()))
    return s


def test_a_new_note_goes_last_in_its_column() -> None:
    s = four_notes()
    assert s.ids_in(MAIN) == ["a", "b", "c", "d"]
    assert [n.position for n in s.state.notes_in(MAIN, None)] == [0, 1, 2, 3]


def test_moving_within_a_column_puts_the_note_at_the_index() -> None:
    s = four_notes()
    s.do(P2, MoveNote("d", MAIN, 0))
    assert s.ids_in(MAIN) == ["d", "a", "b", "c"]
    s.do(P2, MoveNote("d", MAIN, 2))
    assert s.ids_in(MAIN) == ["a", "b", "d", "c"]
    s.do(P2, MoveNote("b", MAIN, 2))
    assert s.ids_in(MAIN) == ["a", "d", "b", "c"]
    s.do(P2, MoveNote("b", MAIN, 2))  # where it already is
    assert s.ids_in(MAIN) == ["a", "d", "b", "c"]
    assert_dense_positions(s.state)


def test_the_index_is_clamped() -> None:
    s = four_notes()
    s.do(P1, MoveNote("a", MAIN, 99))
    assert s.ids_in(MAIN) == ["b", "c", "d", "a"]
    s.do(P1, MoveNote("a", MAIN, -7))
    assert s.ids_in(MAIN) == ["a", "b", "c", "d"]
    s.do(P1, MoveNote("c", MAIN, 4))  # one past the end of the others: last
    assert s.ids_in(MAIN) == ["a", "b", "d", "c"]
    assert_dense_positions(s.state)


def test_the_move_event_carries_the_whole_new_order() -> None:
    s = four_notes()
    events = s.do(P2, MoveNote("d", MAIN, 1))
    assert [e.type for e in events] == [ev.NOTE_MOVED]
    assert events[0].data == {
        "note_id": "d",
        "board_id": MAIN,
        "column_id": MAIN,
        "cluster_id": None,
        "order": ["a", "d", "b", "c"],
        "from_column_id": MAIN,
    }


def test_moving_across_columns_closes_the_gap_it_leaves() -> None:
    s = Session()
    a, b = s.board("b2", "parking_lot")
    for note_id, column in (("a1", a), ("a2", a), ("a3", a), ("b1", b), ("b2", b)):
        s.do(P1, AddNote(note_id, note_id, board_id="b2", column_id=column))
    events = s.do(P2, MoveNote("a2", b, 1))
    assert events[0].data["from_column_id"] == a
    assert s.ids_in(a) == ["a1", "a3"]
    assert s.ids_in(b) == ["b1", "a2", "b2"]
    s.do(P2, MoveNote("a1", b, 50))
    assert s.ids_in(b) == ["b1", "a2", "b2", "a1"]
    assert s.ids_in(a) == ["a3"]
    assert_dense_positions(s.state)
    assert s.note("a1").board_id == "b2"


def test_moving_into_and_out_of_clusters() -> None:
    s = Session()
    a, b = s.board("b2", "parking_lot")
    s.do(FAC, AddCluster(a, "ka", "Klynge A"))
    s.do(FAC, AddCluster(b, "kb", "Klynge B"))
    for note_id in ("n1", "n2", "n3", "n4"):
        s.do(P1, AddNote(note_id, note_id, board_id="b2", column_id=a))
    s.do(P2, MoveNote("n2", a, 0, cluster_id="ka"))
    s.do(P2, MoveNote("n4", a, 0, cluster_id="ka"))
    assert s.ids_in(a, "ka") == ["n4", "n2"]
    assert s.ids_in(a) == ["n1", "n3"]
    s.do(P2, MoveNote("n4", b, 0, cluster_id="kb"))  # cluster to cluster, across columns
    assert s.ids_in(a, "ka") == ["n2"]
    assert (s.note("n4").column_id, s.note("n4").cluster_id) == (b, "kb")
    s.do(P2, MoveNote("n2", a, 1))  # out of the cluster, between n1 and n3
    assert s.ids_in(a) == ["n1", "n2", "n3"]
    assert s.ids_in(a, "ka") == []
    assert_dense_positions(s.state)
    # A cluster belongs to one column: naming another column is refused.
    assert s.refused(P2, MoveNote("n1", b, 0, cluster_id="ka")) == "cluster.unknown"


def test_removing_a_cluster_puts_its_notes_after_the_loose_ones() -> None:
    s = four_notes()
    s.do(FAC, AddCluster(MAIN, "k", "Tema"))
    s.do(P1, MoveNote("c", MAIN, 0, cluster_id="k"))
    s.do(P1, MoveNote("a", MAIN, 0, cluster_id="k"))
    s.do(FAC, RenameCluster("k", "  Nyt tema "))
    assert s.state.clusters["k"].title == "Nyt tema"
    assert s.refused(FAC, RenameCluster("k", "")) == "cluster.empty"
    s.do(FAC, RemoveCluster("k"))
    assert "k" not in s.state.clusters
    assert s.ids_in(MAIN) == ["b", "d", "a", "c"]
    assert_dense_positions(s.state)


def test_notes_on_lists_clusters_before_loose_notes_column_by_column() -> None:
    s = Session()
    a, b = s.board("b2", "parking_lot")
    s.do(FAC, AddCluster(a, "k", "K"))
    for note_id, column in (("x", a), ("y", a), ("z", b)):
        s.do(P1, AddNote(note_id, note_id, board_id="b2", column_id=column))
    s.do(P1, MoveNote("y", a, 0, cluster_id="k"))
    assert [n.id for n in s.state.notes_on("b2")] == ["y", "x", "z"]


# --- the property --------------------------------------------------------------------------------

AUTHORS = (P1, P2, FAC)
ACTORS = (FAC, P1, P2, SCREEN)


@dataclass(frozen=True)
class Move:
    actor: int
    note: int
    column: int
    into_cluster: bool
    index: int


@dataclass(frozen=True)
class Plan:
    template: str  # negative: 2 columns, idea_bank: 3
    notes: tuple[tuple[int, int], ...]  # (author, column) per note
    cluster_column: int
    hidden: frozenset[int]
    private: bool
    open_moves: bool
    locked: bool
    moves: tuple[Move, ...]


moves_st = st.builds(
    Move,
    actor=st.integers(0, len(ACTORS) - 1),
    note=st.integers(0, 9),
    column=st.integers(0, 2),
    into_cluster=st.booleans(),
    index=st.integers(-2, 12),
)

plans = st.builds(
    Plan,
    template=st.sampled_from(["negative", "idea_bank"]),
    notes=st.lists(
        st.tuples(st.integers(0, len(AUTHORS) - 1), st.integers(0, 2)), min_size=1, max_size=10
    ).map(tuple),
    cluster_column=st.integers(0, 2),
    hidden=st.frozensets(st.integers(0, 9), max_size=3),
    private=st.booleans(),
    open_moves=st.booleans(),
    locked=st.booleans(),
    moves=st.lists(moves_st, max_size=30).map(tuple),
)


def set_up(plan: Plan) -> tuple[Session, tuple[str, ...]]:
    s = Session()
    cols = s.board("b2", plan.template)
    s.do(FAC, AddCluster(cols[plan.cluster_column % len(cols)], "k", "Klynge"))
    for i, (author, column) in enumerate(plan.notes):
        s.do(
            AUTHORS[author],
            AddNote(f"n{i}", f"tekst {i}", board_id="b2", column_id=cols[column % len(cols)]),
        )
        if i in plan.hidden:
            s.do(FAC, HideNote(f"n{i}", hidden=True))
    if plan.private:
        s.do(FAC, StartPrivateWriting("b2"))
    s.do(FAC, ChangeBoardSettings("b2", open_moves=plan.open_moves, locked=plan.locked))
    return s, cols


def expected_refusal(s: Session, actor: Actor, note: Note, command: MoveNote) -> str | None:
    """What the rules say, written out independently of board_rules."""
    board = s.state.boards[note.board_id]
    own = note.author_id == actor.id
    if actor.role == "screen":
        return "permission.read_only"
    if actor.role == "participant":
        if not own and (note.hidden or board.private):
            return "note.unknown"
        if board.locked:
            return "board.locked"
        if not own and (not board.open_moves or board.private):
            return "note.not_yours"
    if command.cluster_id is not None:
        if s.state.clusters[command.cluster_id].column_id != command.column_id:
            return "cluster.unknown"
    return None


Container = tuple[str, str | None]


def model_of(s: Session, cols: tuple[str, ...]) -> dict[Container, list[str]]:
    out: dict[Container, list[str]] = {}
    for c in cols:
        out[(c, None)] = s.ids_in(c)
        out[(c, "k")] = s.ids_in(c, "k")
    return out


def unplaced(note: Note) -> Note:
    """The note without where it is: what no move may change."""
    return replace(note, column_id="", cluster_id=None, position=0)


def play(plan: Plan) -> tuple[Session, int]:
    """Set up and run every move, checking each against a model; return the session and
    the log length after set-up."""
    s, cols = set_up(plan)
    after_setup = len(s.log)
    model = model_of(s, cols)
    content = {k: unplaced(n) for k, n in s.state.notes.items()}
    cluster_column = s.state.clusters["k"].column_id
    for m in plan.moves:
        actor = ACTORS[m.actor]
        note = s.note(f"n{m.note % len(plan.notes)}")
        column = cols[m.column % len(cols)]
        command = MoveNote(note.id, column, m.index, cluster_id="k" if m.into_cluster else None)
        refusal = expected_refusal(s, actor, note, command)
        if refusal is not None:
            assert s.refused(actor, command) == refusal
        else:
            s.do(actor, command)
            model[(note.column_id, note.cluster_id)].remove(note.id)
            target = model[(column, command.cluster_id)]
            board = s.state.boards[note.board_id]
            seen = [
                i
                for i, other in enumerate(target)
                if can_see_note(board, s.state.notes[other], actor.role, actor.id)
            ]
            # The index counts what the mover sees: land just before the visible note at that
            # place, or just after the last visible one.
            index = max(0, m.index)
            if index < len(seen):
                target.insert(seen[index], note.id)
            else:
                target.insert(seen[-1] + 1 if seen else len(target), note.id)
            mine = [
                i
                for i in model[(column, command.cluster_id)]
                if can_see_note(board, s.state.notes[i], actor.role, actor.id)
            ]
            assert mine.index(note.id) == min(index, len(mine) - 1)
        assert model_of(s, cols) == model
        assert_dense_positions(s.state)
        assert {k: unplaced(n) for k, n in s.state.notes.items()} == content
        assert s.state.clusters["k"].column_id == cluster_column
    return s, after_setup


@settings(max_examples=200, deadline=None, database=None)
@given(plans)
def test_any_sequence_of_moves_keeps_containers_dense_and_notes_intact(plan: Plan) -> None:
    s, after_setup = play(plan)
    # Deterministic: the same commands give the same events and the same state ...
    again, _ = play(plan)
    assert again.state == s.state
    assert [(e.seq, e.type, e.data) for e in again.log] == [(e.seq, e.type, e.data) for e in s.log]
    # ... and applying the decided events, from the start or from after set-up, does too.
    assert replay(s.log) == s.state
    start, _ = set_up(plan)
    assert fold(start.state, s.log[after_setup:]) == s.state


def test_the_property_plan_is_playable_by_hand() -> None:
    """One fixed plan through the same code, so a failure here is easy to read."""
    plan = Plan(
        template="idea_bank",
        notes=((0, 0), (1, 0), (2, 1), (0, 2)),
        cluster_column=1,
        hidden=frozenset({1}),
        private=False,
        open_moves=False,
        locked=False,
        moves=(
            Move(actor=1, note=0, column=1, into_cluster=True, index=0),  # p1 own: ok
            Move(actor=2, note=0, column=0, into_cluster=False, index=0),  # p2 other's: no
            Move(actor=1, note=1, column=0, into_cluster=False, index=0),  # hidden: unknown
            Move(actor=0, note=1, column=1, into_cluster=True, index=9),  # facilitator: ok
            Move(actor=3, note=2, column=0, into_cluster=False, index=0),  # screen: no
            Move(actor=0, note=2, column=0, into_cluster=True, index=0),  # wrong column
        ),
    )
    s, _ = play(plan)
    assert s.ids_in("b2-semifinal", "k") == ["n0", "n1"]
    assert s.ids_in("b2-semifinal") == ["n2"]
    assert s.ids_in("b2-ideas") == []
