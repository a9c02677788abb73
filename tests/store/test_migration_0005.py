"""Migration 0005 on SQLite and PostgreSQL: a workshop stored before timers existed (at 0004)
upgrades with no timers and loads as exactly the state its log replays to, and timers work on
it; 0005 downgrades and upgrades again to the declared schema, CHECK constraints included
(which `compare_metadata` does not look at).
"""

from __future__ import annotations

import asyncio

from alembic import command

from server.domain.commands import (
    CastVote,
    CloseQuestion,
    CreateQuestion,
    OpenQuestion,
    StartTimer,
    StopTimer,
)
from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store import facilitators
from server.store.db import Database
from server.store.migrate import alembic_config, upgrade
from tests.store.migration_checks import down_and_up_again, table_names
from tests.store.twin import FAC, NOW, P1, P2, Twin, new_twin

T0 = 1_790_000_000_000


async def workshop_from_0004(database_url: str) -> tuple[Database, str]:
    """A workshop with participants, a question and votes, stored by the code of 0004 (whose
    projections of these events are the ones in use now), then the database at 0004 again and
    upgraded to the head revision."""
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url)
    async with db.write() as conn:
        await facilitators.insert(
            conn, facilitator_id=FAC.id, name="anna", password_hash="x", now=NOW
        )
    twin = await new_twin(Service(db, MemoryBroker(), clock=lambda: NOW))
    await twin.do(FAC, CreateQuestion("q1", "Kan visionen bruges?"))
    await twin.do(FAC, OpenQuestion("q1"))
    await twin.do(P1, CastVote("q1", 8))
    await twin.do(P2, CastVote("q1", 3))
    await db.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0004")
    db = Database(database_url)
    assert "timers" not in await table_names(db)
    assert "votes" in await table_names(db)
    await db.dispose()
    await asyncio.to_thread(upgrade, database_url)
    return Database(database_url), twin.workshop_id


async def test_a_workshop_from_0004_upgrades_without_timers_and_loads_as_replayed(
    database_url: str,
) -> None:
    db, workshop_id = await workshop_from_0004(database_url)
    try:
        twin = Twin(Service(db, MemoryBroker(), clock=lambda: NOW), workshop_id)
        state = await twin.assert_replay_equals_stored()
        assert state.timers == {} and state.current_timer() is None
        assert {v.voter_id: v.value for v in state.votes_on("q1")} == {P1.id: 8, P2.id: 3}

        # Timers work on it, and can close its question.
        await twin.do(FAC, StartTimer("t1", 120, "Tænk selv", None, T0))
        await twin.do(FAC, StartTimer("t2", 5, None, "q1", T0 + 120_000))
        await twin.do(FAC, CloseQuestion("q1"))
        await twin.do(FAC, StopTimer("t2"))
        state = await twin.assert_replay_equals_stored()
        assert [(t.id, t.stopped) for t in state.timers.values()] == [("t1", True), ("t2", True)]
        assert state.questions["q1"].status == "closed"
    finally:
        await db.dispose()


async def test_0005_downgrades_and_upgrades_to_the_declared_schema(database_url: str) -> None:
    declared = await down_and_up_again(database_url, "0004", "timers")
    assert declared["timers"] == {"ck_timers_seconds_range"}
