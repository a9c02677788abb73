"""The dilemma deck in HTML, per viewer (invariant 5): before the reveal a participant's
rendering holds the shown card, the count and their own side only, never anyone else's side or
the split; shared renderings (one per role, `live.audience`) hold nobody's side; after the
reveal everyone gets the split in counts, per group (small groups hidden); the deck is the
facilitator's."""

from __future__ import annotations

import re

from server.domain.commands import AddCard, ChooseSide, NextCard, RevealCard, ShowCard
from server.realtime.source import Viewer
from server.render import dilemma_html
from server.render.dilemma_view import DilemmaView
from server.render.live import LiveRenderer
from server.render.templating import render
from tests.domain.kit import FAC, P1, P2, P3, Session

STORY = "Skal kommunen lukke svømmehallen om søndagen?"
LATER = "Må borgerne selv male bænkene i parken?"
SIDE = re.compile(
    r"Dit valg:|aria-pressed=\"true\"|Over stregen: \d|Under stregen: \d|dilemma-split"
)


def html(role: str, actor_id: str = "") -> Viewer:
    return Viewer(role, "html", "da", actor_id)  # type: ignore[arg-type]


def section(s: Session, v: Viewer) -> str:
    return render("partials/dilemma.html", "da", dv=DilemmaView(s.state, v))


def deck_with_choices() -> Session:
    """Two cards; the first shown; p1 chose over, p2 under; p3 has not chosen."""
    s = Session()
    s.do(FAC, AddCard("c1", STORY))
    s.do(FAC, AddCard("c2", LATER))
    s.do(FAC, ShowCard("c1"))
    s.do(P1, ChooseSide("c1", "over"))
    s.do(P2, ChooseSide("c1", "under"))
    return s


def test_before_the_reveal_a_participant_sees_the_card_the_count_and_only_their_own_side() -> None:
    s = deck_with_choices()
    p1 = section(s, html("participant", P1.id))
    assert STORY in p1 and "2 af 3 har valgt" in p1
    assert "Dit valg: over stregen" in p1 and "Dit valg: under" not in p1
    assert p1.count('aria-pressed="true"') == 1
    assert re.search(r'value="over">\s*<button[^>]*aria-pressed="true"', p1)
    assert "Over stregen: " not in p1 and "Under stregen: " not in p1
    assert "dilemma-split" not in p1 and LATER not in p1  # no split, no deck
    p2 = section(s, html("participant", P2.id))
    assert "Dit valg: under stregen" in p2 and "Dit valg: over" not in p2
    p3 = section(s, html("participant", P3.id))
    assert not SIDE.search(p3) and "2 af 3 har valgt" in p3
    assert p3.count("Over stregen") == 1 and p3.count("Under stregen") == 1  # the two buttons
    screen = section(s, html("screen"))
    assert not SIDE.search(screen) and STORY in screen and "<form" not in screen
    fac = section(s, html("facilitator", FAC.id))
    assert not SIDE.search(fac) and LATER in fac and "2 af 3 har valgt" in fac


def test_a_choice_reaches_others_only_as_the_count() -> None:
    s = deck_with_choices()
    batch = s.log[-1:]  # p2 chose under
    r = LiveRenderer()
    personal = r.personal(batch, s.state)
    assert personal == {P2.id}
    for pid in (P1.id, P2.id, P3.id):
        v = r.audience(html("participant", pid), personal)
        out = dilemma_html.events_html(batch, s.state, v)
        if pid == P2.id:
            assert re.findall(r'hx-target="([^"]+)"', out) == ["#dilemma", "#dilemma-choices"]
            assert "Dit valg: under stregen" in out and "Dit valg: over" not in out
        else:
            assert re.findall(r'hx-target="([^"]+)"', out) == ["#dilemma-count"]
            assert "2 af 3 har valgt" in out and not SIDE.search(out)
    for role in ("screen", "facilitator"):
        out = dilemma_html.events_html(batch, s.state, r.audience(html(role, "x"), personal))
        assert not SIDE.search(out) and "under" not in out.replace("Under stregen", "")


def test_the_reveal_shows_everyone_the_split_and_each_chooser_their_own() -> None:
    s = deck_with_choices()
    s.do(P3, ChooseSide("c1", "over"))
    s.do(FAC, RevealCard("c1"))
    batch = s.log[-1:]
    r = LiveRenderer()
    personal = r.personal(batch, s.state)
    assert personal == {P1.id, P2.id, P3.id}  # everyone who chose: their section is re-rendered
    shared = dilemma_html.events_html(batch, s.state, html("participant"))
    assert "Over stregen: 2" in shared and "Under stregen: 1" in shared
    assert "Dit valg" not in shared and "<form" not in shared  # choices are closed
    assert "For få valg til at vise" in shared  # 1 in Politiker, 2 in Borger: both hidden
    assert "Fordelingen vises." in shared
    p1 = dilemma_html.events_html(batch, s.state, r.audience(html("participant", P1.id), personal))
    assert "Dit valg: over stregen" in p1 and "Over stregen: 2" in p1
    for v in (html("screen"), html("facilitator")):
        out = dilemma_html.events_html(batch, s.state, v)
        assert "Over stregen: 2" in out and "Dit valg" not in out


def test_the_next_card_starts_afresh() -> None:
    s = deck_with_choices()
    s.do(FAC, RevealCard("c1"))
    s.do(FAC, NextCard())
    batch = s.log[-1:]
    out = dilemma_html.events_html(batch, s.state, html("participant"))
    assert LATER in out and STORY not in out and "0 af 3 har valgt" in out
    assert not SIDE.search(out) and 'value="dilemma.choose"' in out
    assert "Et nyt dilemmakort vises." in out


def test_a_deck_change_is_the_facilitators_only() -> None:
    s = Session()
    s.do(FAC, AddCard("c1", STORY))
    batch = s.log[-1:]
    assert dilemma_html.events_html(batch, s.state, html("participant")) == ""
    assert dilemma_html.events_html(batch, s.state, html("screen")) == ""
    fac = dilemma_html.events_html(batch, s.state, html("facilitator"))
    assert STORY in fac and 'value="dilemma.show"' in fac
    assert 'id="dilemma"' in section(s, html("participant")) and " hidden>" in section(
        s, html("participant")
    )
