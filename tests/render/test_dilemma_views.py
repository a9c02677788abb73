"""What each viewer receives about the dilemma deck in JSON (invariant 5): the deck is the
facilitator's; participants and the screen see only the shown card. Before a reveal no side
reaches anyone, the facilitator included, but a participant's own; a choice reaches others only
as the count. After the reveal the split (counts, per group, small groups hidden) is for
everyone; who chose what never leaves the server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from server.domain import events as ev
from server.domain.commands import (
    AddCard,
    AddRoomParticipant,
    ChooseSide,
    EditCard,
    HideCards,
    NextCard,
    RemoveCard,
    RevealCard,
    ShowCard,
)
from server.domain.events import StoredEvent
from server.realtime.source import Viewer
from server.render.views import event_json, state_json
from tests.domain.kit import FAC, P1, P2, P3, SCREEN, Session

FACILITATOR = Viewer("facilitator", "json", "da", FAC.id)
SCREEN_VIEW = Viewer("screen", "json", "da", SCREEN.id)
STORY = "Skal kommunen lukke svømmehallen om søndagen?"  # no "over"/"under" in the words


def participant(actor_id: str) -> Viewer:
    return Viewer("participant", "json", "da", actor_id)


EVERYONE = (FACILITATOR, SCREEN_VIEW, *(participant(p.id) for p in (P1, P2, P3)))
SIDES = {"over", "under"}


def sides_in(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (key, side) anywhere in a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from sides_in(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from sides_in(v, key)
    elif isinstance(value, str) and value in SIDES:
        yield key, value


def deck_in_play() -> Session:
    """Three cards; the first shown; p1 over then under, p2 over, karl (in the room) under."""
    s = Session()
    for card_id in ("c1", "c2", "c3"):
        s.do(FAC, AddCard(card_id, f"{STORY} {card_id}"))
    s.do(FAC, EditCard("c3", "Ny historie"))
    s.do(FAC, NextCard())
    s.do(P1, ChooseSide("c1", "over"))
    s.do(P2, ChooseSide("c1", "over"))
    s.do(P1, ChooseSide("c1", "under"))
    s.do(FAC, AddRoomParticipant("karl", "Karl", "Borger"))
    s.do(FAC, ChooseSide("c1", "under", "karl"))
    return s


def test_before_the_reveal_no_side_reaches_anyone_but_the_chooser_their_own() -> None:
    s = deck_in_play()
    own = {P1.id: "under", P2.id: "over", P3.id: None}
    for viewer in EVERYONE:
        shown: list[Any] = [state_json(s.state, viewer)]
        for i, e in enumerate(s.log):
            shown.append(event_json(e, s.states[i], viewer))
        found = [pair for frame in shown for pair in sides_in(frame)]
        assert {k for k, _ in found} <= {"mine"}, viewer
        text = json.dumps(shown)
        assert "chooser_id" not in text and '"side"' not in text, viewer
        if viewer.role == "participant":
            state = state_json(s.state, viewer)["dilemmas"]
            assert state["shown"]["mine"] == own[viewer.actor_id]
            assert {v for _, v in found} <= {own[viewer.actor_id], "over"} - {None}
        else:
            assert found == []
    # The count is everyone's: 3 chose (p1, p2, karl) of 4 who may (p1, p2, p3, karl).
    for viewer in EVERYONE:
        card = state_json(s.state, viewer)["dilemmas"]["shown"]
        assert (card["id"], card["chosen"], card["eligible"], card["split"]) == ("c1", 3, 4, None)


def test_a_choice_reaches_others_only_as_the_count() -> None:
    s = deck_in_play()
    chosen = [e for e in s.log if e.type == ev.DILEMMA_CHOSEN]
    last = chosen[-1]  # karl's, recorded by the facilitator
    for viewer in EVERYONE:
        out = event_json(last, s.state, viewer)
        assert out == {
            "seq": last.seq,
            "type": ev.DILEMMA_CHOSEN,
            "data": {"card_id": "c1", "chosen": 3, "eligible": 4},
        }
    p1_change = chosen[2]
    assert event_json(p1_change, s.state, participant(P1.id))["data"]["mine"] == "under"  # type: ignore[index]
    assert "mine" not in event_json(p1_change, s.state, participant(P2.id))["data"]  # type: ignore[index]


def test_the_deck_is_the_facilitator_s() -> None:
    s = deck_in_play()
    fac = state_json(s.state, FACILITATOR)["dilemmas"]
    assert [c["id"] for c in fac["deck"]] == ["c1", "c2", "c3"]
    assert [c["status"] for c in fac["deck"]] == ["open", "waiting", "waiting"]
    for viewer in EVERYONE[1:]:
        view = state_json(s.state, viewer)["dilemmas"]
        assert "deck" not in view and view["shown"]["text"] == f"{STORY} c1"
        for e in s.log:
            if e.type in (ev.DILEMMA_CARD_ADDED, ev.DILEMMA_CARD_EDITED):
                assert event_json(e, s.state, viewer) is None
    s.do(FAC, RemoveCard("c2"))
    removed = s.log[-1]
    assert event_json(removed, s.state, participant(P1.id)) is None
    assert event_json(removed, s.state, FACILITATOR) is not None


def test_after_the_reveal_everyone_gets_the_split_and_small_groups_stay_hidden() -> None:
    s = deck_in_play()
    s.do(FAC, RevealCard("c1"))
    revealed = s.log[-1]
    for viewer in EVERYONE:
        out = event_json(revealed, s.state, viewer)
        assert out is not None
        split = out["data"]["card"]["split"]
        # Borger: p1 under, karl under (2 < 3: hidden); Politiker: p2 (1: hidden).
        assert split == {
            "n": 3,
            "over": 1,
            "under": 2,
            "groups": [
                {"group": "Politiker", "n": 1, "over": None, "under": None},
                {"group": "Borger", "n": 2, "over": None, "under": None},
            ],
        }
        assert "chooser_id" not in json.dumps(out)
        assert state_json(s.state, viewer)["dilemmas"]["shown"]["split"] == split


def test_the_next_card_and_hiding_reach_everyone_without_earlier_sides() -> None:
    s = deck_in_play()
    s.do(FAC, NextCard())
    shown = s.log[-1]
    for viewer in EVERYONE:
        out = event_json(shown, s.state, viewer)
        assert out is not None
        assert out["data"]["previous_id"] == "c1" and out["data"]["card"]["id"] == "c2"
        assert list(sides_in(out)) == []
        assert list(sides_in(state_json(s.state, viewer)["dilemmas"]["shown"])) == []
    s.do(FAC, HideCards())
    for viewer in EVERYONE:
        assert event_json(s.log[-1], s.state, viewer) == {
            "seq": s.seq,
            "type": ev.DILEMMA_HIDDEN,
            "data": {"card_id": "c2"},
        }
        assert state_json(s.state, viewer)["dilemmas"]["shown"] is None
    s.do(FAC, ShowCard("c1"))
    assert state_json(s.state, participant(P1.id))["dilemmas"]["shown"]["mine"] == "under"
    assert state_json(s.state, participant(P3.id))["dilemmas"]["shown"]["mine"] is None


def test_an_event_about_a_removed_card_is_dropped() -> None:
    s = deck_in_play()
    chosen = next(e for e in s.log if e.type == ev.DILEMMA_CHOSEN)
    s.do(FAC, HideCards())
    s.do(FAC, RemoveCard("c1"))
    stale = StoredEvent(chosen.workshop_id, chosen.seq, chosen.type, chosen.data)
    assert event_json(stale, s.state, participant(P1.id)) is None
