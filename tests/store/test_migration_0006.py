"""Migration 0006 on SQLite and PostgreSQL: a workshop stored before dot voting existed (at
0005) upgrades with no rounds and no dots and loads as exactly the state its log replays to,
and dot voting works on it; 0006 downgrades and upgrades again to the declared schema, CHECK
constraints included (which `compare_metadata` does not look at).
"""

from __future__ import annotations

import asyncio

from alembic import command

from server.domain.commands import (
    AddNote,
    CarryTopNotes,
    EndDots,
    MergeNotes,
    PlaceDot,
    StartDots,
    StartTimer,
)
from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store import facilitators
from server.store.db import Database
from server.store.migrate import alembic_config, upgrade
from tests.store.migration_checks import down_and_up_again, table_names
from tests.store.twin import FAC, NOW, P1, P2, Twin, new_twin

T0 = 1_790_000_000_000


async def workshop_from_0005(database_url: str) -> tuple[Database, str]:
    """A workshop with notes and a timer, stored by the code of 0005 (whose projections of
    these events are the ones in use now), then the database at 0005 again and upgraded."""
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url)
    async with db.write() as conn:
        await facilitators.insert(
            conn, facilitator_id=FAC.id, name="anna", password_hash="x", now=NOW
        )
    twin = await new_twin(Service(db, MemoryBroker(), clock=lambda: NOW))
    await twin.do(P1, AddNote("n1", "Bænke ved åen"))
    await twin.do(P2, AddNote("n2", "Flere cykelstier"))
    await twin.do(FAC, AddNote("n3", "Grønne tage"))
    await twin.do(FAC, StartTimer("t1", 120, "Prik", None, T0))
    await db.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0005")
    db = Database(database_url)
    names = await table_names(db)
    assert "dots" not in names and "dot_rounds" not in names and "timers" in names
    await db.dispose()
    await asyncio.to_thread(upgrade, database_url)
    return Database(database_url), twin.workshop_id


async def test_a_workshop_from_0005_upgrades_without_dots_and_loads_as_replayed(
    database_url: str,
) -> None:
    db, workshop_id = await workshop_from_0005(database_url)
    try:
        twin = Twin(Service(db, MemoryBroker(), clock=lambda: NOW), workshop_id)
        state = await twin.assert_replay_equals_stored()
        assert state.dot_rounds == {} and state.dots == {}
        main = state.main_board.id

        # Dot voting works on it, merges and carrying included.
        await twin.do(FAC, StartDots(main, 2, 1, True))
        for actor, note_id in ((P1, "n2"), (P1, "n3"), (P2, "n2"), (P2, "n1")):
            await twin.do(actor, PlaceDot(note_id))
        await twin.do(FAC, MergeNotes("n1", "n3"))
        await twin.do(FAC, EndDots(main))
        await twin.do(FAC, CarryTopNotes(main, 2, "semi", "Semi", "semic", "Noter", ("s1", "s2")))
        state = await twin.assert_replay_equals_stored()
        assert state.dots == {
            ("n2", P1.id): 1,
            ("n2", P2.id): 1,
            ("n3", P1.id): 1,
            ("n3", P2.id): 1,
        }
        assert [n.linked_note_id for n in state.notes_on("semi")] == ["n2", "n3"]
    finally:
        await db.dispose()


async def test_0006_downgrades_and_upgrades_to_the_declared_schema(database_url: str) -> None:
    declared = await down_and_up_again(database_url, "0005", "dots")
    assert declared["dots"] == {"ck_dots_placed_range"}
    assert declared["dot_rounds"] == {
        "ck_dot_rounds_dots_range",
        "ck_dot_rounds_per_note_range",
    }
