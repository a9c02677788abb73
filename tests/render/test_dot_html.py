"""Dot voting in HTML, per viewer (invariant 5): while a hidden round runs a participant's
rendering holds only their own dots, never totals or anyone else's; shared renderings (one per
role, `live.audience`) hold nobody's own dots; the facilitator sees totals; a live or ended
round's totals and ranking are for everyone. Nobody is shown who put a dot where."""

from __future__ import annotations

import re

from server.domain.commands import AddNote, EndDots, PlaceDot, StartDots
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render import board_html
from server.render.board_view import BoardView
from server.render.live import LiveRenderer
from server.render.templating import render
from tests.domain.kit import FAC, MAIN, P1, P2, P3, SCREEN, Session

TOTAL = re.compile(r'class="dot-total"|class="dot-ranking"|\d+ prik(?:ker)?\b(?! tilbage)')


def html(role: str, actor_id: str = "") -> Viewer:
    return Viewer(role, "html", "da", actor_id)  # type: ignore[arg-type]


def round_with_dots(hidden: bool) -> Session:
    """Notes a, b, c on the main board; p1 puts 2 on a and 1 on b, p2 1 on b; 3 dots, 2 a note."""
    s = Session()
    for note_id in "abc":
        s.do(P3, AddNote(note_id, f"idé {note_id}"))
    s.do(FAC, StartDots(MAIN, 3, 2, hidden))
    for actor, note_id in ((P1, "a"), (P1, "a"), (P1, "b"), (P2, "b")):
        s.do(actor, PlaceDot(note_id))
    return s


def board_of(state: WorkshopState, v: Viewer) -> str:
    return render("partials/board.html", "da", board=state.boards[MAIN], view=BoardView(state, v))


def mine(fragment: str) -> list[str]:
    return re.findall(r"Dine prikker: (\d+)", fragment)


def totals(fragment: str) -> list[str]:
    return re.findall(r'class="dot-total">(\d+) prik', fragment)


def test_a_hidden_round_shows_a_participant_only_their_own_dots() -> None:
    s = round_with_dots(hidden=True)
    p1 = board_of(s.state, html("participant", P1.id))
    assert mine(p1) == ["2", "1", "0"]
    assert "Du har 0 af 3 prikker tilbage" in p1
    assert not totals(p1) and 'class="dot-ranking"' not in p1
    p2 = board_of(s.state, html("participant", P2.id))
    assert mine(p2) == ["0", "1", "0"]
    assert "Du har 2 af 3 prikker tilbage" in p2
    assert not totals(p2) and 'class="dot-ranking"' not in p2
    assert p2.count('data-dot="place"') == 3 and p2.count('data-dot="remove"') == 3


def test_shared_renderings_hold_nobodys_own_dots_and_totals_only_where_allowed() -> None:
    s = round_with_dots(hidden=True)
    anon = board_of(s.state, html("participant"))
    assert mine(anon) == ["0", "0", "0"] and "Du har 3 af 3 prikker tilbage" in anon
    assert not totals(anon)
    screen = board_of(s.state, html("screen", SCREEN.id))
    assert not mine(screen) and not totals(screen) and "data-dot" not in screen
    fac = board_of(s.state, html("facilitator", FAC.id))
    assert totals(fac) == ["2", "2", "0"] and not mine(fac) and "data-dot" not in fac
    assert re.findall(r"idé (\w)</span> – (\d+) prik", fac) == [("a", "2"), ("b", "2"), ("c", "0")]
    assert "Du har" not in fac


def test_a_dot_in_a_hidden_round_reaches_only_the_voter_and_the_facilitator() -> None:
    s = round_with_dots(hidden=True)
    batch = s.log[-1:]  # p2's dot on b
    r = LiveRenderer()
    personal = r.personal(batch, s.state)
    assert personal == {P1.id, P2.id}  # the voter, and everyone else with dots on the board
    for pid in (P1.id, P2.id, P3.id):
        v = r.audience(html("participant", pid), personal)
        out = board_html.events_html(batch, s.state, v)
        assert not TOTAL.search(out), pid
        if pid == P2.id:
            assert re.findall(r'hx-target="([^"]+)"', out) == ["#note-b", f"#dots-{MAIN}"]
            assert mine(out) == ["1"] and "Du har 2 af 3 prikker tilbage" in out
        else:
            assert out == ""  # not even that someone placed a dot
    fac = board_html.events_html(batch, s.state, r.audience(html("facilitator", FAC.id), personal))
    assert totals(fac) == ["2"] and not mine(fac)


def test_a_live_round_shows_everyone_the_totals_and_each_voter_their_own() -> None:
    s = round_with_dots(hidden=False)
    batch = s.log[-1:]
    r = LiveRenderer()
    personal = r.personal(batch, s.state)
    outs = {
        pid: board_html.events_html(batch, s.state, r.audience(html("participant", pid), personal))
        for pid in (P1.id, P2.id, P3.id)
    }
    for out in outs.values():
        assert totals(out) == ["2"]
        assert 'class="dot-ranking"' in out
    assert mine(outs[P1.id]) == ["1"] and mine(outs[P2.id]) == ["1"] and mine(outs[P3.id]) == ["0"]


def test_after_the_end_everyone_sees_the_ranking_and_no_one_their_own() -> None:
    s = round_with_dots(hidden=True)
    s.do(FAC, EndDots(MAIN))
    batch = s.log[-1:]
    r = LiveRenderer()
    assert r.personal(batch, s.state) == frozenset()
    for v in (html("participant"), html("screen"), html("facilitator", FAC.id)):
        out = board_html.events_html(batch, s.state, v)
        assert re.findall(r"idé (\w)</span> – (\d+) prik", out) == [
            ("a", "2"),
            ("b", "2"),
            ("c", "0"),
        ]
        assert "Prikafstemningen er slut" in out and "data-dot" not in out and not mine(out)
    fac = board_html.events_html(batch, s.state, html("facilitator", FAC.id))
    assert 'value="dots.carry"' in fac and 'value="Semifinale"' in fac


def test_the_facilitator_controls_follow_the_round() -> None:
    s = Session()
    s.do(P1, AddNote("a", "x"))
    fac = board_of(s.state, html("facilitator", FAC.id))
    assert 'value="dots.start"' in fac and 'value="dots.end"' not in fac
    assert 'name="hidden" value="true" data-unchecked="false" checked' in fac
    s.do(FAC, StartDots(MAIN, 5, 2, True))
    fac = board_of(s.state, html("facilitator", FAC.id))
    assert 'value="dots.end"' in fac and 'value="dots.start"' not in fac
    assert 'value="dots.carry"' not in fac
    part = board_of(s.state, html("participant", P1.id))
    assert "dots.start" not in part and "dots.end" not in part
