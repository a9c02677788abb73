"""What each viewer receives about dot voting in JSON (invariant 5): while a hidden round runs a
participant learns only their own dots (not even that someone else placed one), the facilitator
the totals; a live or ended round's totals and ranking are for everyone. Nobody, the facilitator
included, is told who put a dot where."""

from __future__ import annotations

import random
from typing import Any

import pytest

from server.domain import events as ev
from server.domain.commands import (
    AddNote,
    EndDots,
    HideNote,
    MergeNotes,
    PlaceDot,
    RemoveDot,
    StartDots,
    StartPrivateWriting,
)
from server.domain.errors import DomainError
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.views import event_json, state_json
from tests.domain.kit import FAC, MAIN, P1, P2, P3, SCREEN, Session

FACILITATOR = Viewer("facilitator", "json", "da", FAC.id)
SCREEN_VIEW = Viewer("screen", "json", "da", SCREEN.id)


def participant(actor_id: str) -> Viewer:
    return Viewer("participant", "json", "da", actor_id)


EVERYONE = (FACILITATOR, SCREEN_VIEW, *(participant(p.id) for p in (P1, P2, P3)))


def round_with_dots(hidden: bool) -> Session:
    """Notes a, b, c on the main board; p1 puts 2 on a and 1 on b, p2 1 on b; 3 dots, 2 a note."""
    s = Session()
    for note_id in "abc":
        s.do(P3, AddNote(note_id, f"idé {note_id}"))
    s.do(FAC, StartDots(MAIN, 3, 2, hidden))
    for actor, note_id in ((P1, "a"), (P1, "a"), (P1, "b"), (P2, "b")):
        s.do(actor, PlaceDot(note_id))
    return s


def board(state: WorkshopState, v: Viewer) -> dict[str, Any]:
    found: dict[str, Any] = state_json(state, v)["boards"][0]
    return found


def note_dots(state: WorkshopState, v: Viewer) -> dict[str, Any]:
    return {n["id"]: n["dots"] for n in board(state, v)["notes"]}


def walk_keys(obj: Any) -> set[str]:
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in walk_keys(v)}
    if isinstance(obj, list):
        return {k for v in obj for k in walk_keys(v)}
    return set()


def test_no_round_no_dots() -> None:
    s = Session()
    s.do(P1, AddNote("a", "x"))
    assert board(s.state, participant(P1.id))["dots"] is None
    assert note_dots(s.state, participant(P1.id)) == {"a": None}


def test_a_hidden_running_round_shows_participants_only_their_own_dots() -> None:
    s = round_with_dots(hidden=True)
    p1 = participant(P1.id)
    assert board(s.state, p1)["dots"] == {
        "dots_per_person": 3,
        "per_note": 2,
        "hidden": True,
        "running": True,
        "mine_left": 0,
    }
    assert note_dots(s.state, p1) == {
        "a": {"total": None, "mine": 2},
        "b": {"total": None, "mine": 1},
        "c": {"total": None, "mine": 0},
    }
    assert board(s.state, participant(P3.id))["dots"]["mine_left"] == 3
    for v in (SCREEN_VIEW, participant(P3.id)):
        assert "ranking" not in board(s.state, v)["dots"]
        assert all(d["total"] is None and d["mine"] == 0 for d in note_dots(s.state, v).values())


def test_the_facilitator_sees_totals_and_the_ranking_but_never_who() -> None:
    s = round_with_dots(hidden=True)
    dots = board(s.state, FACILITATOR)["dots"]
    assert dots["mine_left"] is None
    # a and b tie at 2: a comes first on the board
    assert dots["ranking"] == [
        {"note_id": "a", "dots": 2},
        {"note_id": "b", "dots": 2},
        {"note_id": "c", "dots": 0},
    ]
    assert note_dots(s.state, FACILITATOR)["a"] == {"total": 2, "mine": 0}
    for e in s.log:
        shown = event_json(e, s.state, FACILITATOR)
        assert shown is not None and "voter_id" not in shown["data"]
    assert P1.id not in str(board(s.state, FACILITATOR)["dots"])


@pytest.mark.parametrize("hidden", [True, False])
def test_after_the_end_everyone_sees_totals_and_the_ranking(hidden: bool) -> None:
    s = round_with_dots(hidden)
    s.do(FAC, EndDots(MAIN))
    for v in EVERYONE:
        dots = board(s.state, v)["dots"]
        assert dots["running"] is False
        assert [r["note_id"] for r in dots["ranking"]] == ["a", "b", "c"]
        assert note_dots(s.state, v)["b"]["total"] == 2
        ended = event_json(s.log[-1], s.state, v)
        assert ended is not None and ended["type"] == ev.DOTS_ENDED
        assert ended["data"]["round"]["ranking"] == dots["ranking"]


def test_a_live_round_shows_everyone_the_totals_as_they_grow() -> None:
    s = round_with_dots(hidden=False)
    for v in (SCREEN_VIEW, participant(P3.id)):
        assert note_dots(s.state, v)["a"] == {"total": 2, "mine": 0}
        assert board(s.state, v)["dots"]["ranking"][0] == {"note_id": "a", "dots": 2}
        shown = event_json(s.log[-1], s.state, v)
        assert shown is not None
        assert shown["data"] == {"board_id": MAIN, "note_id": "b", "total": 2}


def placed_events(s: Session) -> list[StoredEvent]:
    return [e for e in s.log if e.type in (ev.DOT_PLACED, ev.DOT_REMOVED)]


def test_in_a_hidden_round_others_dots_are_never_sent_to_participants() -> None:
    s = round_with_dots(hidden=True)
    s.do(P1, RemoveDot("b"))
    for e in placed_events(s):
        voter = e.data["voter_id"]
        for p in (P1, P2, P3):
            shown = event_json(e, s.state, participant(p.id))
            if p.id == voter:
                assert shown is not None
                assert set(shown["data"]) == {"board_id", "note_id", "mine", "mine_left"}
            else:
                assert shown is None, (e, p)
        assert event_json(e, s.state, SCREEN_VIEW) is None
        fac = event_json(e, s.state, FACILITATOR)
        assert fac is not None and set(fac["data"]) == {"board_id", "note_id", "total"}
    last = event_json(s.log[-1], s.state, participant(P1.id))
    assert last is not None
    assert last["data"] == {"board_id": MAIN, "note_id": "b", "mine": 0, "mine_left": 1}


def test_the_started_event_carries_the_round_as_each_viewer_sees_it() -> None:
    s = Session()
    s.do(P1, AddNote("a", "x"))
    s.do(FAC, StartDots(MAIN, 4, 2, True))
    mine = event_json(s.log[-1], s.state, participant(P1.id))
    assert mine is not None
    assert mine["data"] == {
        "board_id": MAIN,
        "dots_per_person": 4,
        "per_note": 2,
        "hidden": True,
        "round": {
            "dots_per_person": 4,
            "per_note": 2,
            "hidden": True,
            "running": True,
            "mine_left": 4,
        },
    }
    fac = event_json(s.log[-1], s.state, FACILITATOR)
    assert fac is not None and fac["data"]["round"]["ranking"] == [{"note_id": "a", "dots": 0}]


def test_notes_a_viewer_may_not_see_are_not_counted_out_to_them() -> None:
    s = Session()
    s.do(FAC, StartPrivateWriting(MAIN))
    s.do(P1, AddNote("a", "min"))
    s.do(P2, AddNote("b", "din"))
    s.do(FAC, StartDots(MAIN, 2, 2, False))
    s.do(P1, PlaceDot("a"))
    assert event_json(s.log[-1], s.state, participant(P2.id)) is None
    assert [r["note_id"] for r in board(s.state, participant(P2.id))["dots"]["ranking"]] == ["b"]
    s.do(FAC, HideNote("b", True))
    assert board(s.state, participant(P2.id))["dots"]["ranking"] == []


def test_a_merge_tells_each_viewer_the_kept_note_s_dots() -> None:
    s = round_with_dots(hidden=True)
    s.do(FAC, MergeNotes("a", "b"))
    mine = event_json(s.log[-1], s.state, participant(P1.id))
    other = event_json(s.log[-1], s.state, participant(P3.id))
    fac = event_json(s.log[-1], s.state, FACILITATOR)
    assert mine is not None and other is not None and fac is not None
    assert mine["data"]["into_dots"] == {"total": None, "mine": 2}  # 2 + 1 capped at 2
    assert other["data"]["into_dots"] == {"total": None, "mine": 0}
    assert fac["data"]["into_dots"] == {"total": 3, "mine": 0}


@pytest.mark.parametrize("seed", range(5))
def test_a_random_hidden_round_never_shows_a_participant_more_than_their_own(seed: int) -> None:
    rng = random.Random(seed)
    s = Session()
    for note_id in "abcd":
        s.do(P3, AddNote(note_id, f"idé {note_id}"))
    s.do(FAC, StartDots(MAIN, 4, 2, True))
    for _ in range(40):
        actor = rng.choice((P1, P2, P3))
        with_dot = [k[0] for k in s.state.dots if k[1] == actor.id]
        try:
            if with_dot and rng.random() < 0.3:
                s.do(actor, RemoveDot(rng.choice(with_dot)))
            else:
                s.do(actor, PlaceDot(rng.choice("abcd")))
        except DomainError:  # a refused dot: nothing to show
            continue
        e = s.log[-1]
        for p in (P1, P2, P3):
            v = participant(p.id)
            shown = [event_json(e, s.state, v), state_json(s.state, v)]
            assert "total" not in walk_keys(shown[0] or {})
            assert "ranking" not in walk_keys(shown)
            for d in note_dots(s.state, v).values():
                assert d["total"] is None
            own = {n: k for (n, who), k in s.state.dots.items() if who == p.id}
            assert {n: d["mine"] for n, d in note_dots(s.state, v).items() if d["mine"]} == own
