"""A committee for the backlog tests: `tests.domain.kit.Session` whose stream was set up as a
task committee, with small builders for items and sprints, and the burndown scenario the
burndown and report tests compute by hand."""

from __future__ import annotations

from server.domain.backlog import Committee
from server.domain.backlog_commands import (
    AddItem,
    ChangeCapacityRule,
    CloseSprint,
    CreateSprint,
    EditItem,
    PlanItem,
    ReopenPlanning,
    SetItemStatus,
    SetUpCommittee,
    StartSprint,
    UnplanItem,
)
from server.domain.commands import Actor
from tests.domain.kit import FAC, P1, P2, Session

COUNCIL = (("C", 13), ("A", 2), ("V", 1), ("B", 1), ("Ø", 1), ("F", 1))


def committee(
    *,
    capacity_rule: str = "refuse",
    test_group: bool = False,
    parties: tuple[tuple[str, int], ...] = COUNCIL,
    seats: int = 5,
) -> Session:
    """A committee (points) with p1, p2 and p3 as its members."""
    s = Session("c1")
    if test_group:
        parties, seats = (), 0
    s.do(
        FAC,
        SetUpCommittee(
            "Opgaveudvalg om Ungepolitik", "points", capacity_rule, parties, seats, test_group
        ),
    )
    return s


def committee_in(s: Session) -> Committee:
    """The session's committee (the stream was set up as one)."""
    assert s.state.committee is not None
    return s.state.committee


def item(s: Session, item_id: str, estimate: int | None, actor: Actor = P1) -> None:
    s.do(actor, AddItem(item_id, f"Opgave {item_id}", estimate=estimate))


def sprint(
    s: Session,
    sprint_id: str,
    start: str = "2026-11-02",
    end: str = "2026-11-08",
    capacity: int = 20,
    goals: tuple[str, ...] = ("Høring af unge", "Forslag til byrådet"),
) -> None:
    ids = tuple(f"{sprint_id}-g{i}" for i in range(len(goals)))
    s.do(FAC, CreateSprint(sprint_id, f"Sprint {sprint_id}", goals, ids, start, end, capacity))


def moved(s: Session, item_id: str, status: str, on: str, actor: Actor = P2) -> None:
    s.do(actor, SetItemStatus(item_id, status, 99, on))


def judged(s: Session, sprint_id: str, evaluation: str = "met") -> tuple[tuple[str, str, str], ...]:
    """Every goal of the sprint evaluated the same, with a note on the first."""
    goals = committee_in(s).sprints[sprint_id].goals
    return tuple((g.id, evaluation, "Godt arbejde" if i == 0 else "") for i, g in enumerate(goals))


def two_sprints() -> Session:
    """The burndown scenario (points), as the figures in the tests follow it:

    s1 (2026-11-02..08, capacity 20) plans a 3, b 5, c 2, d 8: 18, starts on the 2nd.
    3rd: a doing, a done (15). 4th: b done (10). 5th: planning re-opened, e (1) planned, c
    unplanned, e re-estimated to 2, started again: d 8 + e 2 = 10. 7th: d doing, e done (8);
    closed the 7th, d on to s2. Done: a 3 + b 5 + e 2 = 10.
    s2 (2026-11-09..12, capacity 10, warn) gets d 8 at the close and f 4: 12, over capacity,
    starts on the 9th; 10th: d done (4); closed the 14th, f back to the backlog. Done: 8.
    """
    s = committee()
    for item_id, estimate in (("a", 3), ("b", 5), ("c", 2), ("d", 8), ("e", 1), ("f", 4)):
        item(s, item_id, estimate)
    sprint(s, "s1")
    for item_id in "abcd":
        s.do(P1, PlanItem("s1", item_id))
    s.do(FAC, StartSprint("s1", "2026-11-02"))
    moved(s, "a", "doing", "2026-11-03")
    moved(s, "a", "done", "2026-11-03")
    moved(s, "b", "done", "2026-11-04")
    s.do(FAC, ReopenPlanning("s1", "Borgmesteren bad om e", "2026-11-05"))
    s.do(P2, PlanItem("s1", "e"))
    s.do(P2, UnplanItem("c"))
    s.do(P1, EditItem("e", "Opgave e", "", 2, (), ()))
    s.do(FAC, StartSprint("s1", "2026-11-05"))
    moved(s, "d", "doing", "2026-11-07")
    moved(s, "e", "done", "2026-11-07")
    sprint(s, "s2", "2026-11-09", "2026-11-12", capacity=10, goals=("Afslutte d",))
    s.do(FAC, CloseSprint("s1", (("d", "s2"),), judged(s, "s1"), "2026-11-07"))
    s.do(FAC, ChangeCapacityRule("warn"))
    s.do(P1, PlanItem("s2", "f"))
    s.do(FAC, StartSprint("s2", "2026-11-09"))
    moved(s, "d", "done", "2026-11-10")
    s.do(FAC, CloseSprint("s2", (("f", None),), judged(s, "s2", "partly"), "2026-11-14"))
    return s


S1_BURNDOWN = [
    ("2026-11-02", 18),
    ("2026-11-03", 15),
    ("2026-11-04", 10),
    ("2026-11-05", 10),
    ("2026-11-06", 10),
    ("2026-11-07", 8),
]
S2_BURNDOWN = [("2026-11-09", 12), ("2026-11-10", 4), ("2026-11-11", 4), ("2026-11-12", 4)]
