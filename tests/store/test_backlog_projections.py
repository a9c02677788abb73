"""Every committee command through `Service.execute`, on SQLite and PostgreSQL: after each commit
the stored state equals the state before plus the events, a refused command leaves it as it
was, and the replayed log equals it at the end. A meeting's row points at its committee, a note
moved to the backlog at its item, and the database holds the backlog to its rules too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from server.domain.backlog_commands import (
    AddItem,
    AddMeeting,
    ChangeCapacityRule,
    CloseSprint,
    CreateSprint,
    EditItem,
    EditSprint,
    MoveItem,
    PlanItem,
    RemoveItem,
    ReopenPlanning,
    SendNoteToBacklog,
    SetItemStatus,
    SetUpCommittee,
    StartSprint,
    UnplanItem,
)
from server.domain.burndown import burndown, velocity
from server.domain.commands import Actor, AddNote, JoinWorkshop
from server.service import Service
from server.store.loading import committee_of
from server.store.tables import backlog_items, sprints
from tests.domain.backlog_kit import COUNCIL, S1_BURNDOWN, S2_BURNDOWN
from tests.store.twin import FAC, P1, P2, P3, Twin, new_twin

M1, M2, M3 = (Actor("participant", f"m{i}") for i in (1, 2, 3))


def goals(twin_state: Any, sprint_id: str, evaluation: str) -> tuple[tuple[str, str, str], ...]:
    c = twin_state.committee
    return tuple(
        (g.id, evaluation, "Godt" if i == 0 else "")
        for i, g in enumerate(c.sprints[sprint_id].goals)
    )


async def a_committee_and_its_sprints(
    service: Service,
    people: tuple[Actor, Actor, Actor] = (P1, P2, P3),
    meeting_people: tuple[Actor, Actor, Actor] = (M1, M2, M3),
) -> tuple[Twin, Twin]:
    """A committee with a meeting whose note moves to the backlog, and the burndown scenario
    of `tests.domain.backlog_kit.two_sprints`, with refusals on the way. Returns the
    committee and the meeting."""
    p1, p2, _ = people
    note = f"note-{meeting_people[0].id}"  # note ids are unique across workshops
    meeting = await new_twin(service, meeting_people)
    await meeting.do(meeting_people[0], AddNote(note, "Et ungeråd"))
    twin = await new_twin(service, people)
    w = twin.workshop_id
    set_up = SetUpCommittee("Opgaveudvalg om Ungepolitik", "points", "refuse", COUNCIL, 5)
    await twin.refused(FAC, RemoveItem("x"), "committee.none")
    await twin.do(FAC, set_up)
    await twin.refused(FAC, set_up, "committee.exists")
    await twin.do(FAC, AddMeeting(meeting.workshop_id, "Møde 1", "2026-11-20"))
    await twin.refused(
        FAC, AddMeeting(meeting.workshop_id, "Igen", "2026-11-20"), "committee.meeting_exists"
    )

    # "Move to backlog": the item on the committee, then the link on the meeting.
    await twin.do(
        FAC,
        AddItem("n", "Et ungeråd", source_workshop_id=meeting.workshop_id, source_note_id=note),
    )
    await meeting.do(FAC, SendNoteToBacklog(note, w, "n"))
    await meeting.refused(FAC, SendNoteToBacklog(note, w, "n"), "note.in_backlog")

    for item_id, estimate in (("a", 3), ("b", 5), ("c", 2), ("d", 8), ("e", 1), ("f", 4)):
        await twin.do(p1, AddItem(item_id, f"Opgave {item_id}", estimate=estimate, tags=("unge",)))
    await twin.do(p2, EditItem("n", "Et ungeråd i Lyngby", "Med 15 unge", None, ("Ida", "Bo"), ()))
    await twin.do(p2, MoveItem("n", 3))
    await twin.do(p2, MoveItem("f", 0))
    ids = ("s1-g0", "s1-g1")
    await twin.do(
        FAC,
        CreateSprint("s1", "Sprint 1", ("Høring", "Forslag"), ids, "2026-11-02", "2026-11-07", 30),
    )
    await twin.do(
        FAC,
        EditSprint(
            "s1", "Sprint s1", ("Høring af unge", "Forslag"), ids, "2026-11-02", "2026-11-08", 20
        ),
    )
    for item_id in "abcd":
        await twin.do(p1, PlanItem("s1", item_id))
    await twin.refused(p1, PlanItem("s1", "f"), "sprint.over_capacity")  # 18 + 4 > 20
    await twin.refused(p1, PlanItem("s1", "n"), "backlog.not_estimated")
    await twin.do(FAC, StartSprint("s1", "2026-11-02"))
    await twin.refused(p1, PlanItem("s1", "e"), "sprint.log_closed")
    for item_id, status, on in (("a", "doing", "03"), ("a", "done", "03"), ("b", "done", "04")):
        await twin.do(p2, SetItemStatus(item_id, status, 0, f"2026-11-{on}"))
    await twin.do(FAC, ReopenPlanning("s1", "Borgmesteren bad om e", "2026-11-05"))
    await twin.do(p2, PlanItem("s1", "e"))
    await twin.do(p2, UnplanItem("c"))
    await twin.do(p1, EditItem("e", "Opgave e", "", 2, (), ()))
    await twin.do(FAC, StartSprint("s1", "2026-11-05"))
    await twin.do(p2, SetItemStatus("d", "doing", 0, "2026-11-07"))
    await twin.do(p2, SetItemStatus("e", "done", 9, "2026-11-07"))
    await twin.do(p2, SetItemStatus("a", "done", 0, "2026-11-07"))  # within Done: a first
    await twin.do(
        FAC,
        CreateSprint(
            "s2", "Sprint s2", ("Afslutte d",), ("s2-g0",), "2026-11-09", "2026-11-12", 10
        ),
    )
    await twin.do(p1, PlanItem("s2", "f"))  # f 4, then d 8 comes in at the close: 12 of 10
    state = await twin.state()
    await twin.refused(
        FAC, CloseSprint("s1", (), goals(state, "s1", "met"), "2026-11-07"), "sprint.unfinished"
    )
    await twin.do(FAC, CloseSprint("s1", (("d", "s2"),), goals(state, "s1", "met"), "2026-11-07"))
    await twin.do(FAC, ChangeCapacityRule("warn"))
    await twin.do(FAC, StartSprint("s2", "2026-11-09"))
    await twin.do(p1, SetItemStatus("d", "done", 0, "2026-11-10"))
    state = await twin.state()
    await twin.do(
        FAC, CloseSprint("s2", (("f", None),), goals(state, "s2", "partly"), "2026-11-14")
    )
    await twin.do(FAC, RemoveItem("c"))

    state = await twin.assert_replay_equals_stored()
    c = state.committee
    assert c is not None
    log = await twin.log()
    assert burndown(log, "s1") == S1_BURNDOWN and burndown(log, "s2") == S2_BURNDOWN
    assert velocity(log) == [("s1", "Sprint s1", 10), ("s2", "Sprint s2", 8)]
    assert c.sprints["s1"].report is not None
    assert c.sprints["s1"].report["burndown"] == [[d, r] for d, r in S1_BURNDOWN]
    assert [i.id for i in c.backlog()] == ["n", "f"]
    assert (c.items["d"].sprint_id, c.items["d"].status) == ("s2", "done")
    assert [i.id for i in c.column("s2", "done")] == ["d"]
    assert [i.id for i in c.column("s1", "done")] == ["a", "b", "e"]
    assert c.items["n"].owners == ("Ida", "Bo")
    meeting_state = await meeting.assert_replay_equals_stored()
    assert meeting_state.notes[note].backlog == (w, "n")
    return twin, meeting


async def rows(service: Service, table: sa.Table, workshop_id: str) -> list[Any]:
    async with service.db.read() as conn:
        q = sa.select(table).where(table.c.workshop_id == workshop_id)
        return list(await conn.execute(q))


async def test_every_committee_command_keeps_the_tables_the_twin_of_the_domain(
    service: Service,
) -> None:
    twin, meeting = await a_committee_and_its_sprints(service)
    async with service.db.read() as conn:
        assert await committee_of(conn, meeting.workshop_id) == twin.workshop_id
        assert await committee_of(conn, twin.workshop_id) is None
        assert await committee_of(conn, "nope") is None


async def test_the_stored_report_is_byte_identical_after_later_edits(service: Service) -> None:
    twin, _ = await a_committee_and_its_sprints(service)

    async def reports() -> dict[str, bytes]:
        out = {}
        for r in await rows(service, sprints, twin.workshop_id):
            out[r.id] = json.dumps(r.report, ensure_ascii=False, sort_keys=True).encode()
        return out

    before = await reports()
    await twin.do(P1, EditItem("a", "Nyt navn", "Ny tekst", 3, ("Eva",), ("x",)))
    await twin.do(P1, EditItem("d", "Også nyt", "", 8, (), ()))
    await twin.do(FAC, RemoveItem("f"))
    assert await reports() == before
    state = await twin.assert_replay_equals_stored()
    assert state.committee is not None and state.committee.sprints["s2"].report is not None
    assert json.dumps(dict(state.committee.sprints["s2"].report), sort_keys=True) == json.dumps(
        json.loads(before["s2"]), sort_keys=True
    )


async def test_two_committees_have_items_and_sprints_of_the_same_ids(service: Service) -> None:
    first, _ = await a_committee_and_its_sprints(service)
    people = tuple(Actor("participant", f"q{i}") for i in (1, 2, 3))
    meeting_people = tuple(Actor("participant", f"r{i}") for i in (1, 2, 3))
    second, _ = await a_committee_and_its_sprints(service, people, meeting_people)  # type: ignore[arg-type]
    one, two = await first.state(), await second.state()
    assert one.committee is not None and two.committee is not None
    assert one.committee.items.keys() == two.committee.items.keys()
    assert len(await rows(service, backlog_items, first.workshop_id)) == len(one.committee.items)


async def test_a_test_group_turns_a_fifth_member_away(service: Service) -> None:
    twin = await new_twin(service)  # three members
    await twin.do(FAC, SetUpCommittee("Testgruppe", "hours", "warn", (), 0, test_group=True))
    p4, p5 = Actor("participant", "p4"), Actor("participant", "p5")
    await twin.do(p4, JoinWorkshop(p4.id, "Dorte", "Borger"))
    await twin.refused(p5, JoinWorkshop(p5.id, "Erik", "Borger"), "committee.test_group_full")
    await twin.do(
        FAC, CreateSprint("s", "100 dage", ("Mål",), ("g",), "2026-11-02", "2027-02-09", 40)
    )
    state = await twin.assert_replay_equals_stored()
    assert state.committee is not None and state.committee.test_group


async def test_the_database_holds_the_backlog_to_its_rules(service: Service) -> None:
    """Written past the domain, straight into the tables: the schema holds the line too."""
    twin = await new_twin(service)
    await twin.do(FAC, SetUpCommittee("Udvalg", "points", "refuse", (), 0))
    await twin.do(FAC, AddItem("a", "A", source_workshop_id="w", source_note_id="n"))
    w = twin.workshop_id

    async def insert(table: sa.Table, row: dict[str, Any]) -> None:
        async with service.db.write() as conn:
            await conn.execute(sa.insert(table).values(workshop_id=w, **row))

    item = {
        "title": "T",
        "description": "",
        "estimate": 1,
        "owners": [],
        "tags": [],
        "position": 9,
        "source_workshop_id": None,
        "source_note_id": None,
        "sprint_id": None,
        "status": "todo",
        "board_position": 0,
    }
    for bad in (
        {"estimate": -1},
        {"estimate": 1001},
        {"status": "gone"},
        {"source_workshop_id": "w"},
        {"source_workshop_id": "w", "source_note_id": "n"},  # the note gave an item already
        {"sprint_id": "nope"},
    ):
        with pytest.raises(sa.exc.IntegrityError):
            await insert(backlog_items, {"id": "x", **item, **bad})
    await insert(backlog_items, {"id": "x", **item})  # and a good one goes in
    sprint = {
        "name": "S",
        "goals": [],
        "start_date": "2026-11-02",
        "end_date": "2026-11-08",
        "capacity": 5,
        "position": 0,
        "status": "planning",
        "reopened": 0,
        "reopenings": [],
        "history": [],
    }
    for bad in ({"capacity": 0}, {"status": "done"}, {"end_date": "2026-11-01"}):
        with pytest.raises(sa.exc.IntegrityError):
            await insert(sprints, {"id": "s", **sprint, **bad})
