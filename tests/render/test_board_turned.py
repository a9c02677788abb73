"""A negative brainstorm's note says "turned around" once a note on its board turns it, and
only that note says so."""

from __future__ import annotations

import re

from server.domain.commands import AddNote, TurnNoteAround
from server.realtime.source import Viewer
from server.render.board_view import BoardView
from server.render.templating import render
from tests.domain.kit import P1, P2, Session


def _note_html(s: Session, note_id: str) -> str:
    view = BoardView(s.state, Viewer("participant", "html", "da"))
    return render("partials/note.html", "da", note=s.note(note_id), view=view)


def test_only_the_turned_note_says_it_was_turned_around() -> None:
    s = Session()
    s.board("neg", "negative")
    s.do(P1, AddNote("n1", "Ingen må tale", board_id="neg"))
    s.do(P1, AddNote("n2", "Ingen lytter", board_id="neg"))
    assert "Vendt om" not in _note_html(s, "n1")
    s.do(P2, TurnNoteAround("n1", "t1", "Alle får ordet"))
    said = [n for n in ("n1", "n2") if re.search(r"Vendt om\s*✓", _note_html(s, n))]
    assert said == ["n1"]
