"""Retention: `python -m server purge` deletes workshops with no activity for RETENTION_DAYS,
everything that hangs on them included, keeps the others whole, and with --dry-run only lists."""

from __future__ import annotations

import asyncio
import datetime
import os
import sys

import sqlalchemy as sa

from server.service import Service
from server.store.tables import metadata, workshops
from tests.report_seed import seed_workshop
from tests.store.twin import FAC

OLD = datetime.datetime(2023, 3, 1, 9, 0, tzinfo=datetime.UTC)


async def purge(database_url: str, *args: str, days: str = "365") -> str:
    """`python -m server purge ...` as an operator runs it; its output."""
    env = {**os.environ, "DATABASE_URL": database_url, "RETENTION_DAYS": days}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "purge",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()
    return out.decode()


async def rows_of(service: Service, workshop_id: str) -> int:
    """How many rows of any table belong to this workshop."""
    n = 0
    async with service.db.read() as conn:
        for table in metadata.sorted_tables:
            if "workshop_id" in table.c:
                q = sa.select(sa.func.count()).select_from(table)
                n += (await conn.execute(q.where(table.c.workshop_id == workshop_id))).scalar_one()
        q = sa.select(sa.func.count()).select_from(workshops).where(workshops.c.id == workshop_id)
        n += (await conn.execute(q)).scalar_one()
    return n


async def test_purge_deletes_the_stale_and_keeps_the_rest(
    service: Service,
    database_url: str,
) -> None:
    old_service = Service(service.db, service.broker, clock=lambda: OLD)
    old = await seed_workshop(old_service, FAC.id, title="Gammelt værksted")  # with its committee
    recent = await seed_workshop(service, FAC.id, title="Nyt værksted")
    assert await rows_of(service, old.workshop_id) > 50
    before = {w: await rows_of(service, w) for w in (recent.workshop_id, recent.committee_id)}
    listed = await purge(database_url, "--dry-run")
    assert "Gammelt værksted" in listed and "Opgaveudvalg for mobilitet" in listed
    assert "Nyt værksted" not in listed and "2 workshop(s)" in listed and "dry run" in listed
    assert await rows_of(service, old.workshop_id) > 50  # a dry run deletes nothing

    assert "2 workshop(s) older than 365 days deleted" in await purge(database_url)
    for gone in (old.workshop_id, old.committee_id):
        assert await rows_of(service, gone) == 0
    for kept, n in before.items():
        assert await rows_of(service, kept) == n


async def test_a_committee_in_use_keeps_its_old_meetings(
    service: Service,
    database_url: str,
) -> None:
    old_service = Service(service.db, service.broker, clock=lambda: OLD)
    old = await seed_workshop(old_service, FAC.id, title="Første møde")
    from server.domain.backlog_commands import AddItem
    from server.domain.commands import Actor

    # The committee is still at work today: its old meeting stays with it.
    result = await service.execute(
        old.committee_id, Actor("facilitator", FAC.id), "item-today", AddItem("i-today", "Nyt")
    )
    assert result.ok
    assert "0 workshop(s)" in await purge(database_url, "--days", "365", days="30")
    assert await rows_of(service, old.workshop_id) > 50
