"""Migration 0007 on SQLite and PostgreSQL: a workshop stored before the dilemma deck existed
(at 0006) upgrades with no cards and no choices and loads as exactly the state its log replays
to, and the deck works on it; 0007 downgrades and upgrades again to the declared schema, CHECK
constraints included (which `compare_metadata` does not look at).
"""

from __future__ import annotations

import asyncio

from alembic import command

from server.domain.commands import (
    AddCard,
    AddNote,
    ChooseSide,
    NextCard,
    PlaceDot,
    RevealCard,
    StartDots,
)
from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store import facilitators
from server.store.db import Database
from server.store.migrate import alembic_config, upgrade
from tests.store.migration_checks import down_and_up_again, table_names
from tests.store.twin import FAC, NOW, P1, P2, Twin, new_twin


async def workshop_from_0006(database_url: str) -> tuple[Database, str]:
    """A workshop with notes and dots, stored by the code of 0006 (whose projections of these
    events are the ones in use now), then the database at 0006 again and upgraded."""
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url)
    async with db.write() as conn:
        await facilitators.insert(
            conn, facilitator_id=FAC.id, name="anna", password_hash="x", now=NOW
        )
    twin = await new_twin(Service(db, MemoryBroker(), clock=lambda: NOW))
    await twin.do(P1, AddNote("n1", "Bænke ved åen"))
    main = (await twin.state()).main_board.id
    await twin.do(FAC, StartDots(main, 2, 1, False))
    await twin.do(P2, PlaceDot("n1"))
    await db.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0006")
    db = Database(database_url)
    names = await table_names(db)
    assert "dilemma_cards" not in names and "dilemma_choices" not in names and "dots" in names
    await db.dispose()
    await asyncio.to_thread(upgrade, database_url)
    return Database(database_url), twin.workshop_id


async def test_a_workshop_from_0006_upgrades_without_a_deck_and_loads_as_replayed(
    database_url: str,
) -> None:
    db, workshop_id = await workshop_from_0006(database_url)
    try:
        twin = Twin(Service(db, MemoryBroker(), clock=lambda: NOW), workshop_id)
        state = await twin.assert_replay_equals_stored()
        assert state.dilemma_cards == {} and state.dilemma_choices == {}
        assert state.shown_card_id is None and state.dots == {("n1", P2.id): 1}

        await twin.do(FAC, AddCard("k1", "Over eller under?"))
        await twin.do(FAC, NextCard())
        await twin.do(P1, ChooseSide("k1", "over"))
        await twin.do(FAC, RevealCard("k1"))
        state = await twin.assert_replay_equals_stored()
        assert state.dilemma_choices[("k1", P1.id)].side == "over"
    finally:
        await db.dispose()


async def test_0007_downgrades_and_upgrades_to_the_declared_schema(database_url: str) -> None:
    declared = await down_and_up_again(database_url, "0006", "dilemma_cards")
    assert declared["dilemma_choices"] == {"ck_dilemma_choices_side_values"}
    assert declared["dilemma_cards"] == {"ck_dilemma_cards_status_values"}
