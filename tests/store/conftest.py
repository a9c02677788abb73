"""A migrated database with one facilitator ("fac1") and a Service on it, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store import facilitators
from server.store.db import Database
from server.store.migrate import upgrade
from tests.store.twin import NOW


@pytest.fixture
async def service(database_url: str) -> AsyncIterator[Service]:
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url)
    async with db.write() as conn:
        await facilitators.insert(
            conn, facilitator_id="fac1", name="anna", password_hash="x", now=NOW
        )
    try:
        yield Service(db, MemoryBroker(), clock=lambda: NOW)
    finally:
        await db.dispose()
