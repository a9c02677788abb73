"""A task committee in JSON: the same for every viewer of its stream (no anonymity: items are
the group's work); totals, the over-capacity flag, the board's columns, burndown and velocity
as the state holds them, equal to the figures the burndown tests compute by hand; the frozen
report sent exactly as frozen; and every committee event carrying what it changed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.domain import events as ev
from server.domain.backlog_commands import (
    AddItem,
    EditItem,
    MoveItem,
    PlanItem,
    RemoveItem,
    SetUpCommittee,
)
from server.domain.burndown import burndown, velocity
from server.domain.commands import AddNote, HideNote, SendNoteToBacklog, StartPrivateWriting
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.backlog_views import allocation_json, backlog_event_json, committee_json
from server.render.live import LiveRenderer
from server.render.views import event_json, state_json
from tests.domain.backlog_kit import (
    COUNCIL,
    S1_BURNDOWN,
    S2_BURNDOWN,
    committee,
    item,
    sprint,
    two_sprints,
)
from tests.domain.kit import FAC, MAIN, P1, P2, SCREEN, Session

FACILITATOR = Viewer("facilitator", "json", "da", FAC.id)
IDA = Viewer("participant", "json", "da", P1.id)
BO = Viewer("participant", "json", "da", P2.id)
SCREEN_VIEW = Viewer("screen", "json", "da", SCREEN.id)
EVERYONE = (FACILITATOR, IDA, BO, SCREEN_VIEW)


def view(state: WorkshopState, viewer: Viewer = IDA) -> dict[str, Any]:
    c = committee_json(state, viewer)
    assert c is not None
    return c


def sprint_view(state: WorkshopState, sprint_id: str) -> dict[str, Any]:
    (s,) = [s for s in view(state)["sprints"] if s["id"] == sprint_id]
    out: dict[str, Any] = s
    return out


def events_after(s: Session, start: int) -> list[StoredEvent]:
    return [e for e in s.log if e.seq > start]


def shown(s: Session, start: int, viewer: Viewer = IDA) -> list[dict[str, Any]]:
    """The events since `start` as `viewer` gets them (the state after each one's batch)."""
    out = []
    for e in events_after(s, start):
        j = event_json(e, s.states[e.seq - 1], viewer)
        assert j is not None
        out.append(j)
    return out


# --- the snapshot -----------------------------------------------------------------------------


def test_a_plain_workshop_has_no_committee() -> None:
    s = Session()
    for viewer in EVERYONE:
        assert state_json(s.state, viewer)["committee"] is None


def test_every_viewer_gets_the_same_committee() -> None:
    s = two_sprints()
    views = [json.dumps(state_json(s.state, v)["committee"], sort_keys=True) for v in EVERYONE]
    assert len(set(views)) == 1


def test_the_committee_view_is_plain_json() -> None:
    s = two_sprints()
    c = view(s.state)
    assert json.loads(json.dumps(c)) == c


def test_burndown_and_velocity_equal_the_figures_computed_by_hand_and_from_the_log() -> None:
    s = two_sprints()
    c = view(s.state)
    s1, s2 = c["sprints"]
    assert [tuple(d) for d in s1["burndown"]] == S1_BURNDOWN == burndown(s.log, "s1")
    assert [tuple(d) for d in s2["burndown"]] == S2_BURNDOWN == burndown(s.log, "s2")
    assert c["velocity"] == [
        {"sprint_id": "s1", "name": "Sprint s1", "done": 10},
        {"sprint_id": "s2", "name": "Sprint s2", "done": 8},
    ]
    assert [(v["sprint_id"], v["name"], v["done"]) for v in c["velocity"]] == velocity(s.log)


def test_a_closed_sprint_s_report_is_sent_as_frozen_and_never_changes() -> None:
    s = two_sprints()
    frozen = s.state.committee.sprints["s1"].report  # type: ignore[union-attr]
    before = json.dumps(sprint_view(s.state, "s1")["report"], ensure_ascii=False)
    assert sprint_view(s.state, "s1")["report"] == dict(frozen)  # type: ignore[arg-type]
    s.do(P1, EditItem("a", "Omdøbt efter lukningen", "Ny tekst", 3, ("Ida",), ("unge",)))
    s.do(FAC, RemoveItem("c"))
    after = json.dumps(sprint_view(s.state, "s1")["report"], ensure_ascii=False)
    assert after == before
    assert "Omdøbt" not in after


def test_planned_total_against_capacity_with_the_over_flag_of_a_warned_committee() -> None:
    s = committee(capacity_rule="warn")
    for item_id, estimate in (("a", 8), ("b", 5), ("c", None)):
        item(s, item_id, estimate)
    sprint(s, "s1", capacity=10)
    s.do(P1, PlanItem("s1", "a"))
    v = sprint_view(s.state, "s1")
    assert (v["planned"], v["planned_total"], v["capacity"], v["over"]) == (["a"], 8, 10, False)
    s.do(P2, PlanItem("s1", "b"))
    v = sprint_view(s.state, "s1")
    assert (v["planned"], v["planned_total"], v["over"], v["status"]) == (
        ["a", "b"],
        13,
        True,
        "planning",
    )
    assert v["board"] == {"todo": ["a", "b"], "doing": [], "done": []}
    assert v["remaining"] == 13 and v["burndown"] == [] and v["report"] is None
    c = view(s.state)
    assert c["backlog"] == ["c"] and c["running"] is None
    assert [i["id"] for i in c["items"]] == ["c", "a", "b"]  # the backlog, then sprint by sprint
    assert {i["id"]: i["sprint_id"] for i in c["items"]} == {"a": "s1", "b": "s1", "c": None}


def test_the_committee_s_facts_and_its_d_hondt_allocation_with_the_tie() -> None:
    s = committee(seats=14)  # C 13, A 2, V 1, B 1, Ø 1, F 1
    c = view(s.state)
    assert (c["name"], c["unit"], c["capacity_rule"], c["test_group"]) == (
        "Opgaveudvalg om Ungepolitik",
        "points",
        "refuse",
        False,
    )
    assert c["members"] == 3 and c["test_group_size"] is None
    assert [(p["name"], p["council_seats"], p["seats"]) for p in c["parties"]] == [
        ("C", 13, 12),
        ("A", 2, 1),
        ("V", 1, 0),
        ("B", 1, 0),
        ("Ø", 1, 0),
        ("F", 1, 0),
    ]
    a = c["allocation"]
    assert a["decided"] == 13 and len(a["awards"]) == 13
    assert a["awards"][0] == {
        "seat": 1,
        "party": "C",
        "quotient": "13",
        "value": 13.0,
        "tied_with": [],
    }
    assert a["awards"][6] == {
        "seat": 7,
        "party": "A",
        "quotient": "2",
        "value": 2.0,
        "tied_with": [],
    }
    assert a["awards"][5]["quotient"] == "13/6" and a["awards"][5]["value"] == 2.1667
    assert a["tie"] == {
        "seats": 1,
        "parties": ["C", "A", "V", "B", "Ø", "F"],
        "quotient": "1",
        "value": 1.0,
    }


def test_a_committee_without_parties_has_no_allocation_and_a_test_group_says_its_size() -> None:
    s = committee(test_group=True)
    c = view(s.state)
    assert c["parties"] == [] and c["political_seats"] == 0 and c["allocation"] is None
    assert c["test_group"] is True and c["test_group_size"] == [2, 4]


def test_awards_shared_at_a_tie_that_the_seats_cover_name_each_other() -> None:
    from server.domain.dhondt import allocate

    a = allocation_json(allocate([("A", 2), ("B", 2)], 2))
    assert a["tie"] is None
    assert [(w["party"], w["tied_with"]) for w in a["awards"]] == [("A", ["B"]), ("B", ["A"])]


# --- events -----------------------------------------------------------------------------------


def test_every_committee_event_reaches_every_viewer_as_stored_plus_what_it_changed() -> None:
    s = two_sprints()
    for viewer in EVERYONE:
        for e in s.log:
            if e.type not in ev.BACKLOG_EVENTS:
                continue
            j = event_json(e, s.states[e.seq - 1], viewer)
            assert j is not None and j["seq"] == e.seq and j["type"] == e.type
            assert {k: j["data"][k] for k in e.data} == e.data


def test_the_set_up_event_carries_the_allocation() -> None:
    s = committee(seats=14)
    (j,) = [j for j in shown(s, 0) if j["type"] == ev.COMMITTEE_SET_UP]
    assert j["data"]["allocation"]["tie"]["parties"] == ["C", "A", "V", "B", "Ø", "F"]
    assert j["data"]["parties"] == [[p, n] for p, n in COUNCIL]


def test_item_events_carry_the_item_and_the_backlog_s_order() -> None:
    s = committee()
    start = s.seq
    s.do(P1, AddItem("a", "Ungeråd", estimate=3, owners=("Ida",), tags=("unge",)))
    s.do(P2, AddItem("b", "Skatepark", estimate=5))
    s.do(P2, MoveItem("b", 0))
    added, _, reordered = shown(s, start)
    assert added["data"]["item"] == {
        "id": "a",
        "title": "Ungeråd",
        "description": "",
        "estimate": 3,
        "owners": ["Ida"],
        "tags": ["unge"],
        "position": 0,
        "source": None,
        "sprint_id": None,
        "status": "todo",
        "board_position": 0,
    }
    assert added["data"]["backlog"] == ["a"]
    assert reordered["data"] == {"order": ["b", "a"], "backlog": ["b", "a"]}


def test_planning_events_carry_the_sprint_with_its_totals() -> None:
    s = committee()
    item(s, "a", 8)
    sprint(s, "s1", capacity=10)
    start = s.seq
    s.do(P1, PlanItem("s1", "a"))
    (planned,) = shown(s, start)
    d = planned["data"]
    assert (d["total"], d["capacity"], d["over"]) == (8, 10, False)
    assert d["sprint"]["planned"] == ["a"] and d["sprint"]["planned_total"] == 8
    assert d["item"]["sprint_id"] == "s1" and d["backlog"] == []


def test_a_close_carries_every_sprint_and_the_frozen_report() -> None:
    s = two_sprints()
    closes = [e for e in s.log if e.type == ev.SPRINT_CLOSED]
    j = backlog_event_json(closes[0], s.states[closes[0].seq - 1], BO)
    assert j is not None
    d = j["data"]
    assert d["report"] == closes[0].data["report"]
    assert [x["id"] for x in d["sprints"]] == ["s1", "s2"]
    assert d["sprint"]["status"] == "closed" and d["backlog"] == ["f", "c"]
    assert d["sprints"][1]["planned"] == ["d"]  # unfinished, on to the next sprint


def _meeting_with_a_note() -> Session:
    s = Session("m1")
    s.do(P1, AddNote("n1", "Et ungeråd i kommunen"))
    s.do(FAC, SendNoteToBacklog("n1", "c1", "i1"))
    return s


def test_a_note_links_to_its_backlog_item_for_whoever_sees_the_note() -> None:
    s = _meeting_with_a_note()
    for viewer in EVERYONE:
        (note,) = [n for n in state_json(s.state, viewer)["boards"][0]["notes"]]
        assert note["backlog"] == {"committee_id": "c1", "item_id": "i1"}
        j = event_json(s.log[-1], s.state, viewer)
        assert j is not None and j["type"] == ev.NOTE_SENT_TO_BACKLOG
        assert j["data"] == {
            "note_id": "n1",
            "board_id": MAIN,
            "committee_id": "c1",
            "item_id": "i1",
        }


@pytest.mark.parametrize("hide", ["private", "hidden"])
def test_the_link_of_a_note_a_viewer_may_not_see_is_not_sent_to_them(hide: str) -> None:
    s = Session("m1")
    if hide == "private":
        s.do(FAC, StartPrivateWriting(MAIN))
    s.do(P1, AddNote("n1", "Et ungeråd i kommunen"))
    if hide == "hidden":
        s.do(FAC, HideNote("n1", True))
    s.do(FAC, SendNoteToBacklog("n1", "c1", "i1"))
    sent = s.log[-1]
    assert event_json(sent, s.state, BO) is None
    assert event_json(sent, s.state, IDA) is not None  # her own note
    assert event_json(sent, s.state, FACILITATOR) is not None
    bo_notes = state_json(s.state, BO)["boards"][0]["notes"]
    assert all("backlog" not in n for n in bo_notes)  # redacted: only that a note is there
    assert "i1" not in json.dumps(state_json(s.state, BO))


def test_the_live_renderer_sends_committee_events_in_json() -> None:
    s = committee()
    start = s.seq
    s.do(P1, AddItem("a", "Ungeråd", estimate=3))
    out = json.loads(LiveRenderer().events(events_after(s, start), "ep", s.state, BO))
    (e,) = out["events"]
    assert e["type"] == ev.BACKLOG_ITEM_ADDED and e["data"]["item"]["title"] == "Ungeråd"


def test_set_up_committee_is_the_only_way_a_stream_becomes_one() -> None:
    s = Session("c9")
    assert state_json(s.state, IDA)["committee"] is None
    s.do(FAC, SetUpCommittee("Udvalg", "hours", "warn", (), 0))
    c = view(s.state)
    assert (c["unit"], c["capacity_rule"], c["items"], c["sprints"]) == ("hours", "warn", [], [])
    assert c["meetings"] == [] and c["velocity"] == [] and c["backlog"] == []
    assert c["members"] == 3  # p1, p2 and p3 (anonymous): participants not removed
