"""Two instances of Samskab, each a migrated database with the facilitator "fac1" and a
Service on it: `service` where workshops are seeded and exported, `target` a fresh one they are
imported into. On SQLite and on PostgreSQL (`database_url`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store import facilitators
from server.store.db import Database
from server.store.migrate import upgrade
from tests.store.twin import NOW


async def _instance(url: str) -> Service:
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    async with db.write() as conn:
        await facilitators.insert(
            conn, facilitator_id="fac1", name="anna", password_hash="x", now=NOW
        )
        await facilitators.insert(
            conn, facilitator_id="fac2", name="bo", password_hash="x", now=NOW
        )
    return Service(db, MemoryBroker(), clock=lambda: NOW)


@pytest.fixture
async def service(database_url: str) -> AsyncIterator[Service]:
    s = await _instance(database_url)
    try:
        yield s
    finally:
        await s.db.dispose()


@pytest.fixture
async def target(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Service]:
    """Another, empty instance on the same kind of database."""
    if database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path}/target.db"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(f"target_{uuid.uuid4().hex[:16]}")
    s = await _instance(url)
    try:
        yield s
    finally:
        await s.db.dispose()


@pytest.fixture
async def local(sqlite_url: str) -> AsyncIterator[Service]:
    """One instance on SQLite, for what does not depend on the database."""
    s = await _instance(sqlite_url)
    try:
        yield s
    finally:
        await s.db.dispose()
