"""Migration 0008 on SQLite and PostgreSQL: a workshop stored before the hall existed (at 0007)
upgrades with no hall rows and loads as exactly the state its log replays to (the default hall,
empty), and the hall works on it; 0008 downgrades and upgrades again to the declared schema,
CHECK constraints included.
"""

from __future__ import annotations

import asyncio

from alembic import command

from server.domain.commands import (
    AddAsset,
    AddCard,
    AddRoom,
    AddStation,
    AnswerQuiz,
    EditRoom,
    EditStation,
    NextCard,
    StationContent,
)
from server.domain.hall import HALL, empty_hall
from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store import facilitators
from server.store.db import Database
from server.store.migrate import alembic_config, upgrade
from tests.store.migration_checks import down_and_up_again, table_names
from tests.store.twin import FAC, NOW, P1, Twin, new_twin

HALL_TABLES = {
    "hall_assets",
    "hall_rooms",
    "hall_stations",
    "hall_unlocks",
    "hall_calls",
    "hall_spotlights",
    "asset_blobs",
}


async def workshop_from_0007(database_url: str) -> tuple[Database, str]:
    """A workshop with a dilemma card on the screens, stored by the code of 0007 (whose
    projections of these events are the ones in use now), then the database at 0007 again and
    upgraded."""
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url)
    async with db.write() as conn:
        await facilitators.insert(
            conn, facilitator_id=FAC.id, name="anna", password_hash="x", now=NOW
        )
    twin = await new_twin(Service(db, MemoryBroker(), clock=lambda: NOW))
    await twin.do(FAC, AddCard("k1", "Over eller under?"))
    await twin.do(FAC, NextCard())
    await db.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0007")
    db = Database(database_url)
    names = set(await table_names(db))
    assert not names & HALL_TABLES and "dilemma_cards" in names
    await db.dispose()
    await asyncio.to_thread(upgrade, database_url)
    return Database(database_url), twin.workshop_id


async def test_a_workshop_from_0007_upgrades_with_the_default_hall_and_loads_as_replayed(
    database_url: str,
) -> None:
    db, workshop_id = await workshop_from_0007(database_url)
    try:
        twin = Twin(Service(db, MemoryBroker(), clock=lambda: NOW), workshop_id)
        state = await twin.assert_replay_equals_stored()
        assert state.hall == empty_hall() and state.shown_card_id == "k1"

        await twin.do(FAC, AddAsset("img", "image", "image/png", "sal.png", 10, 4, 3))
        await twin.do(FAC, EditRoom(HALL, "", "img", None))
        await twin.do(FAC, AddRoom("g1", "Gruppe 1", "room"))
        await twin.do(FAC, AddStation("quiz", HALL, "quiz", "Quiz", 100, 200))
        quiz = (("Hvem?", ("KB", "Borgm."), 0),)
        await twin.do(
            FAC, EditStation("quiz", "Quiz", StationContent(quiz=quiz, target_room_id="g1"))
        )
        await twin.do(P1, AnswerQuiz("quiz", (0,)))
        state = await twin.assert_replay_equals_stored()
        assert state.hall.unlocked == {("g1", P1.id)}
        assert state.hall.rooms[HALL].picture_id == "img"
    finally:
        await db.dispose()


async def test_0008_downgrades_and_upgrades_to_the_declared_schema(database_url: str) -> None:
    declared = await down_and_up_again(database_url, "0007", "hall_stations")
    assert declared["hall_stations"] == {
        "ck_hall_stations_kind_values",
        "ck_hall_stations_xy_range",
        "ck_hall_stations_current_item_range",
    }
    assert declared["hall_rooms"] == {"ck_hall_rooms_kind_values"}
    assert declared["hall_assets"] == {"ck_hall_assets_kind_values", "ck_hall_assets_sizes"}
