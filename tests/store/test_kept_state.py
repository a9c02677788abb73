"""The state `Service` keeps between commands is always the one the tables hold, and a
process whose kept state is outdated (another process wrote since) reads the tables again."""

from __future__ import annotations

from server.domain.commands import Actor, AddNote, EditNote, EraseParticipant
from server.service import Service
from server.store import log, projections
from tests.report_seed import seed_workshop
from tests.store.twin import FAC


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
    state = await service.create_workshop(
        facilitator_id=FAC.id,
        title="To processer",
        date="2026-11-24",
        groups=["Borger"],
        board_title="Idébank",
    )
    other = Service(service.db, service.broker, clock=service.clock)  # a second process
    fac = Actor("facilitator", FAC.id)
    assert (await service.execute(state.id, fac, "c1", AddNote("kept-n1", "Første"))).ok
    # The other process adds a note this process has never seen...
    assert (await other.execute(state.id, fac, "c2", AddNote("kept-n2", "Anden"))).ok
    # ...and this process edits it: an outdated kept state would not know the note.
    edited = await service.execute(state.id, fac, "c3", EditNote("kept-n2", 1, text="Rettet"))
    assert edited.ok, edited.error_code
    await kept_equals_stored(service, state.id)
    async with service.db.read() as conn:
        stored = await projections.load_state(conn, state.id)
    assert stored is not None and stored.notes["kept-n2"].text == "Rettet"
