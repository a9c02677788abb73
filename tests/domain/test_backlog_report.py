"""The sprint report frozen at close: what it holds, that `freeze` is deterministic, and that it
stays byte for byte the same whatever happens to the sprint's items afterwards."""

from __future__ import annotations

import json
from collections.abc import Mapping

from server.domain.backlog_commands import (
    CloseSprint,
    EditItem,
    MoveItem,
    PlanItem,
    RemoveItem,
    SetItemStatus,
    StartSprint,
)
from server.domain.backlog_report import freeze
from server.domain.workshop import replay
from tests.domain.backlog_kit import S1_BURNDOWN, judged, sprint, two_sprints
from tests.domain.kit import FAC, P1, P2, Session


def frozen(report: Mapping[str, object] | None) -> bytes:
    assert report is not None
    return json.dumps(report, ensure_ascii=False, sort_keys=True).encode()


def report_of(s: Session, sprint_id: str) -> Mapping[str, object] | None:
    assert s.state.committee is not None
    return s.state.committee.sprints[sprint_id].report


def test_the_report_says_what_the_sprint_was_when_it_closed() -> None:
    s = two_sprints()
    assert dict(report_of(s, "s1") or {}) == {
        "committee": "Opgaveudvalg om Ungepolitik",
        "sprint_id": "s1",
        "name": "Sprint s1",
        "goals": [
            {"id": "s1-g0", "text": "Høring af unge", "evaluation": "met", "note": "Godt arbejde"},
            {"id": "s1-g1", "text": "Forslag til byrådet", "evaluation": "met", "note": ""},
        ],
        "start": "2026-11-02",
        "end": "2026-11-08",
        "started_on": "2026-11-02",
        "closed_on": "2026-11-07",
        "capacity": 20,
        "unit": "points",
        "reopened": 1,
        "reopenings": [["2026-11-05", "Borgmesteren bad om e"]],
        "items": [
            {"id": "a", "title": "Opgave a", "estimate": 3, "status": "done"},
            {"id": "b", "title": "Opgave b", "estimate": 5, "status": "done"},
            {"id": "d", "title": "Opgave d", "estimate": 8, "status": "doing"},
            {"id": "e", "title": "Opgave e", "estimate": 2, "status": "done"},
        ],
        "planned_total": 18,
        "done_total": 10,
        "burndown": [[d, r] for d, r in S1_BURNDOWN],
    }
    s2 = report_of(s, "s2")
    assert s2 is not None
    assert (s2["planned_total"], s2["done_total"], s2["capacity"]) == (12, 8, 10)
    assert s2["goals"] == [
        {"id": "s2-g0", "text": "Afslutte d", "evaluation": "partly", "note": "Godt arbejde"}
    ]


def test_freeze_is_deterministic() -> None:
    s = two_sprints()
    # Rebuild the state just before s2 closed, and freeze it twice, and from a replay.
    closing = next(
        i for i, e in enumerate(s.log) if e.type == "sprint.closed" and e.data["sprint_id"] == "s2"
    )
    before = s.states[closing - 1]
    assert before.committee is not None
    sp = before.committee.sprints["s2"]
    evaluations = [("s2-g0", "partly", "Godt arbejde")]
    one = freeze(before, sp, "2026-11-14", evaluations)
    two = freeze(replay(s.log[:closing]), sp, "2026-11-14", evaluations)
    assert frozen(one) == frozen(two) == frozen(s.log[closing].data["report"])
    assert frozen(one) == frozen(report_of(s, "s2"))


def test_the_report_never_changes_after_its_items_do() -> None:
    s = two_sprints()
    before = {k: frozen(report_of(s, k)) for k in ("s1", "s2")}
    # Items of the closed sprints renamed, re-described, re-tagged; one left behind finished
    # elsewhere; one removed from the backlog; the backlog reordered.
    s.do(P1, EditItem("a", "Helt ny titel", "Ny beskrivelse", 3, ("Ida",), ("unge",)))
    s.do(P2, EditItem("d", "Også ny", "", 8, (), ()))
    s.do(P1, MoveItem("f", 0))
    sprint(s, "s3", "2026-11-16", "2026-11-20", capacity=10)
    s.do(P1, PlanItem("s3", "f"))
    s.do(FAC, StartSprint("s3", "2026-11-16"))
    s.do(P1, SetItemStatus("f", "done", 0, "2026-11-17"))
    s.do(FAC, RemoveItem("c"))
    s.do(FAC, CloseSprint("s3", (), judged(s, "s3"), "2026-11-20"))
    after = {k: frozen(report_of(s, k)) for k in ("s1", "s2")}
    assert after == before
    assert replay(s.log) == s.state
