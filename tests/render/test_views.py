"""What each viewer may receive in JSON: decided on the server, per viewer (invariant 5)."""

from __future__ import annotations

from server.domain.commands import AddNote, ChangeBoardSettings, StartPrivateWriting
from server.realtime.source import Viewer
from server.render.views import event_json, state_json
from tests.domain.kit import FAC, MAIN, P1, P2, Session


def viewer(actor_id: str, role: str = "participant") -> Viewer:
    return Viewer(role, "json", "da", actor_id)  # type: ignore[arg-type]


def test_on_an_anonymous_board_others_get_neither_name_nor_id_and_the_writer_knows_it() -> None:
    s = Session()
    s.do(FAC, ChangeBoardSettings(MAIN, show_authors=False))
    s.do(P1, AddNote("n1", "Cykelstier"))
    e = s.log[-1]
    other = event_json(e, s.state, viewer(P2.id))
    mine = event_json(e, s.state, viewer(P1.id))
    facilitator = event_json(e, s.state, viewer(FAC.id, "facilitator"))
    assert other is not None and mine is not None and facilitator is not None
    assert other["data"]["author_id"] is None and other["data"]["author_name"] is None
    assert other["data"]["mine"] is False and mine["data"]["mine"] is True
    assert facilitator["data"]["author_id"] == P1.id
    board = state_json(s.state, viewer(P2.id))["boards"][0]
    assert board["notes"][0]["author_id"] is None and board["notes"][0]["text"] == "Cykelstier"


def test_during_private_writing_others_get_a_redacted_note() -> None:
    s = Session()
    s.do(FAC, StartPrivateWriting(MAIN))
    s.do(P1, AddNote("n1", "Hemmelig idé"))
    e = s.log[-1]
    other = event_json(e, s.state, viewer(P2.id))
    assert other is not None
    assert other["data"] == {
        "note_id": "n1",
        "board_id": MAIN,
        "column_id": s.state.notes["n1"].column_id,
        "redacted": True,
    }
    assert "Hemmelig" not in str(state_json(s.state, viewer(P2.id)))
    assert "Hemmelig" in str(state_json(s.state, viewer(P1.id)))
