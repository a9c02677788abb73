"""A move's index as the mover's screen means it, through the real write path."""

from __future__ import annotations

from server.domain.boards import can_see_note
from server.domain.commands import AddNote, HideNote, JoinWorkshop, MoveNote
from server.domain.workshop import WorkshopState
from server.service import Service
from tests.store.twin import FAC, P1, P2, Twin


def seen_by(state: WorkshopState, viewer_id: str, column_id: str) -> list[str]:
    board = state.main_board
    return [
        n.text
        for n in state.notes_in(column_id, None)
        if can_see_note(board, n, "participant", viewer_id)
    ]


async def test_a_move_index_counts_only_the_notes_the_mover_can_see(service: Service) -> None:
    """A client (static/app.js `indexIn`) counts only the notes it was sent; hidden notes, and
    others' notes during private writing, never are. p1 sees [A, B] (H between them is hidden)
    and moves A down: A must land after B, not between H and B where p1 would see no change."""
    state = await service.create_workshop(
        facilitator_id="fac1", title="V", date="2026-11-22", groups=["Borger"], board_title="T"
    )
    twin = Twin(service, state.id)
    column = state.main_board.columns[0].id
    await twin.do(P1, JoinWorkshop(P1.id, "Ida", "Borger"))
    await twin.do(P2, JoinWorkshop(P2.id, "Bo", "Borger"))
    await twin.do(P1, AddNote("a", "A"))
    await twin.do(P2, AddNote("h", "H"))
    await twin.do(P1, AddNote("b", "B"))
    await twin.do(FAC, HideNote("h", True))
    assert seen_by(await twin.state(), P1.id, column) == ["A", "B"]
    await twin.do(P1, MoveNote("a", column, 1))  # "move down" as app.js sends it
    assert seen_by(await twin.state(), P1.id, column) == ["B", "A"]
