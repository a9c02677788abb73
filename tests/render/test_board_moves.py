"""A moved note travels as itself: taken out and put back after the note that now comes before
it, instead of both columns with every note in them (a tablet on venue Wi-Fi got 50 KB a move
on a full board). Applied in order, the pieces give exactly the board's new order."""

from __future__ import annotations

import re

from server.domain.commands import AddNote, MoveNote
from server.realtime.source import Viewer
from server.render import board_html
from tests.domain.kit import FAC, MAIN, P1, Session

PARTIAL = re.compile(r'<hx-partial hx-target="#([^"]+)" hx-swap="([^"]+)">(.*?)</hx-partial>', re.S)
NOTE_ID = re.compile(r'<li id="note-([^"]+)"')


def apply(lists: dict[str, list[str]], html: str) -> None:
    """What htmx does with the pieces, on lists of note ids."""
    for target, swap, body in PARTIAL.findall(html):
        if swap == "delete":
            for ids in lists.values():
                if target.removeprefix("note-") in ids:
                    ids.remove(target.removeprefix("note-"))
            continue
        new = NOTE_ID.findall(body)
        assert len(new) == 1, body
        if swap == "afterbegin":
            lists[target].insert(0, new[0])
        elif swap == "afterend":
            ids = next(ids for ids in lists.values() if target.removeprefix("note-") in ids)
            ids.insert(ids.index(target.removeprefix("note-")) + 1, new[0])
        else:
            raise AssertionError(f"unexpected swap {swap} on {target}")


def test_moves_send_only_the_moved_notes_and_land_in_the_new_order() -> None:
    s = Session()
    for n in "abcdef":
        s.do(P1, AddNote(n, f"Idé nummer {n} " + "lang tekst " * 20))
    first = s.state.boards[MAIN].columns[0].id
    lists = {f"notes-{first}-loose": list("abcdef")}
    start = len(s.log)
    s.do(P1, MoveNote("e", first, 0))
    s.do(FAC, MoveNote("a", first, 5))
    s.do(P1, MoveNote("c", first, 1))
    batch = s.log[start:]
    html = board_html.events_html(batch, s.state, Viewer("participant", "html", "da"))
    apply(lists, html)
    assert lists[f"notes-{first}-loose"] == [n.id for n in s.state.notes_in(first, None)]
    assert lists[f"notes-{first}-loose"] == ["e", "c", "b", "d", "f", "a"]
    for unmoved in "bdf":
        assert f"Idé nummer {unmoved}" not in html  # only the moved notes travel
