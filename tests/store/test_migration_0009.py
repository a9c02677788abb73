"""Migration 0009 on SQLite and PostgreSQL: a workshop stored before committees existed (at 0008)
upgrades with no committee rows, no committee of its own and notes linked to no backlog, and
loads as exactly the state its log replays to; it then becomes a committee's meeting and its
note moves to the backlog. 0009 downgrades and upgrades again to the declared schema, CHECK
constraints included.
"""

from __future__ import annotations

import asyncio

from alembic import command

from server.domain.backlog_commands import AddItem, AddMeeting, SendNoteToBacklog, SetUpCommittee
from server.domain.commands import Actor, AddNote
from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store import facilitators
from server.store.db import Database
from server.store.loading import committee_of
from server.store.migrate import alembic_config, upgrade
from tests.store.migration_checks import down_and_up_again, table_names
from tests.store.twin import FAC, NOW, P1, Twin, new_twin

BACKLOG_TABLES = {"committees", "committee_meetings", "sprints", "backlog_items"}


async def workshop_from_0008(database_url: str) -> tuple[Database, str]:
    """A workshop with a note, stored by the code of 0008 (whose projections of these events
    are the ones in use now, but for the new columns), then the database at 0008 again and
    upgraded."""
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url)
    async with db.write() as conn:
        await facilitators.insert(
            conn, facilitator_id=FAC.id, name="anna", password_hash="x", now=NOW
        )
    twin = await new_twin(Service(db, MemoryBroker(), clock=lambda: NOW))
    await twin.do(P1, AddNote("n1", "Et ungeråd"))
    await db.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0008")
    db = Database(database_url)
    names = set(await table_names(db))
    assert not names & BACKLOG_TABLES and "hall_rooms" in names
    await db.dispose()
    await asyncio.to_thread(upgrade, database_url)
    return Database(database_url), twin.workshop_id


async def test_a_workshop_from_0008_upgrades_as_no_committee_and_loads_as_replayed(
    database_url: str,
) -> None:
    db, workshop_id = await workshop_from_0008(database_url)
    try:
        service = Service(db, MemoryBroker(), clock=lambda: NOW)
        meeting = Twin(service, workshop_id)
        state = await meeting.assert_replay_equals_stored()
        assert state.committee is None and state.notes["n1"].backlog is None
        async with db.read() as conn:
            assert await committee_of(conn, workshop_id) is None

        people = tuple(Actor("participant", f"c{i}") for i in (1, 2, 3))
        committee = await new_twin(service, people)  # type: ignore[arg-type]
        await committee.do(FAC, SetUpCommittee("Udvalg", "points", "refuse", (), 0))
        await committee.do(FAC, AddMeeting(workshop_id, "Møde", "2026-11-22"))
        await committee.do(
            FAC, AddItem("i1", "Et ungeråd", source_workshop_id=workshop_id, source_note_id="n1")
        )
        await meeting.do(FAC, SendNoteToBacklog("n1", committee.workshop_id, "i1"))
        assert (await meeting.assert_replay_equals_stored()).notes["n1"].backlog == (
            committee.workshop_id,
            "i1",
        )
        state = await committee.assert_replay_equals_stored()
        assert state.committee is not None and set(state.committee.items) == {"i1"}
        async with db.read() as conn:
            assert await committee_of(conn, workshop_id) == committee.workshop_id
    finally:
        await db.dispose()


async def test_0009_downgrades_and_upgrades_to_the_declared_schema(database_url: str) -> None:
    declared = await down_and_up_again(database_url, "0008", "backlog_items")
    assert declared["backlog_items"] == {
        "ck_backlog_items_status_values",
        "ck_backlog_items_estimate_range",
        "ck_backlog_items_source_both",
    }
    assert declared["sprints"] == {
        "ck_sprints_status_values",
        "ck_sprints_capacity_range",
        "ck_sprints_dates",
    }
    assert declared["committees"] == {
        "ck_committees_unit_values",
        "ck_committees_capacity_rule_values",
        "ck_committees_political_seats_range",
    }
