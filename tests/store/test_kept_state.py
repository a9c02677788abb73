"""The state `Service` keeps between commands is always the one the tables hold, and a
process whose kept state is outdated (another process wrote since) catches up from the log
or, far behind, reads the tables again."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain.commands import (
    Actor,
    AddNote,
    CastVote,
    CreateQuestion,
    EditNote,
    EraseParticipant,
    JoinWorkshop,
    OpenQuestion,
)
from server.domain.workshop import WorkshopState
from server.service import Result, Service
from server.store import log, projections
from tests.report_seed import seed_workshop
from tests.store.twin import FAC, new_workshop


async def kept_equals_stored(service: Service, workshop_id: str) -> None:
    async with service.db.read() as conn:
        pos = await log.position(conn, workshop_id)
        stored = await projections.load_state(conn, workshop_id)
    assert pos is not None
    assert service._kept(workshop_id, pos) == stored


async def test_the_kept_state_is_the_stored_one_after_every_kind_of_command(
    service: Service,
) -> None:
    seeded = await seed_workshop(service, FAC.id)  # something of everything, and a committee
    await kept_equals_stored(service, seeded.workshop_id)
    await kept_equals_stored(service, seeded.committee_id)
    dorte = seeded.people[3]
    await service.execute(
        seeded.workshop_id, dorte, "erase-d", EraseParticipant(dorte.id, "delete")
    )
    await kept_equals_stored(service, seeded.workshop_id)


async def test_another_process_writing_makes_this_one_read_the_tables(service: Service) -> None:
    wid = await new_workshop(service, "To processer", ("Borger",))
    other = Service(service.db, service.broker, clock=service.clock)  # a second process
    fac = Actor("facilitator", FAC.id)
    assert (await service.execute(wid, fac, "c1", AddNote("kept-n1", "Første"))).ok
    # The other process adds a note this process has never seen...
    assert (await other.execute(wid, fac, "c2", AddNote("kept-n2", "Anden"))).ok
    # ...and this process edits it: an outdated kept state would not know the note.
    edited = await service.execute(wid, fac, "c3", EditNote("kept-n2", 1, text="Rettet"))
    assert edited.ok, edited.error_code
    await kept_equals_stored(service, wid)
    async with service.db.read() as conn:
        stored = await projections.load_state(conn, wid)
    assert stored is not None and stored.notes["kept-n2"].text == "Rettet"


class TwoProcesses(Service):
    """Every other command goes to a second process on the same database: the case of a
    workshop whose sockets are spread over two server processes."""

    def __init__(self, service: Service) -> None:
        super().__init__(service.db, service.broker, clock=service.clock)
        self.other = Service(service.db, service.broker, clock=service.clock)
        self.turn = 0

    async def execute(self, *args: Any, **kwargs: Any) -> Result:
        self.turn += 1
        if self.turn % 2:
            return await self.other.execute(*args, **kwargs)
        return await super().execute(*args, **kwargs)


async def test_a_process_behind_catches_up_from_the_log_not_the_tables(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each process folds the few events the other wrote since its last command, through every
    kind of command (erasure included), and lands on exactly the stored state."""
    reads: list[str] = []
    load_state = projections.load_state

    async def counted(conn: AsyncConnection, workshop_id: str) -> WorkshopState | None:
        reads.append(workshop_id)
        return await load_state(conn, workshop_id)

    monkeypatch.setattr(projections, "load_state", counted)
    both = TwoProcesses(service)
    seeded = await seed_workshop(both, FAC.id)
    dorte = seeded.people[3]
    await both.execute(seeded.workshop_id, dorte, "erase-d", EraseParticipant(dorte.id, "delete"))
    fac = Actor("facilitator", FAC.id)
    for n, process in enumerate((both, both.other)):
        done = await Service.execute(  # this very process, not the alternation
            process, seeded.workshop_id, fac, f"last-{n}", AddNote(f"l{n}", "Sidst")
        )
        assert done.ok, done.error_code
        monkeypatch.setattr(projections, "load_state", load_state)
        await kept_equals_stored(process, seeded.workshop_id)
        monkeypatch.setattr(projections, "load_state", counted)
    # The second process read the tables once, when it first saw each workshop; never again.
    assert reads.count(seeded.workshop_id) <= 1, reads


async def test_a_burst_of_commands_on_one_workshop_queues_on_the_process_not_the_pool(
    service: Service,
) -> None:
    """300 votes at once on one process: each is answered (none "try again" for want of a
    database connection), the log has no gap, and each vote is stored once."""
    wid = await new_workshop(service, "Afstemning", ("Borger",))
    fac = Actor("facilitator", FAC.id)
    people = [Actor("participant", f"v{i:03d}") for i in range(300)]
    for p in people:
        assert (await service.execute(wid, p, f"j-{p.id}", JoinWorkshop(p.id, None, "Borger"))).ok
    assert (await service.execute(wid, fac, "q", CreateQuestion("q1", "Hvor godt?"))).ok
    assert (await service.execute(wid, fac, "o", OpenQuestion("q1"))).ok
    results = await asyncio.gather(
        *(
            service.execute(wid, p, f"v-{p.id}", CastVote("q1", i % 11))
            for i, p in enumerate(people)
        )
    )
    assert [r.error_code for r in results if not r.ok] == []
    async with service.db.read() as conn:
        stored = await projections.load_state(conn, wid)
        pos = await log.position(conn, wid)
        events = await log.read_since(conn, wid, 0)
    assert stored is not None and pos is not None
    assert [e.seq for e in events] == list(range(1, pos.last_seq + 1))
    assert len(stored.votes_on("q1")) == 300
