"""What every migration test checks the same way: the tables there are, and that going down one
revision and up again gives exactly the declared schema, CHECK constraints included (which
`compare_metadata` does not look at)."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.store.db import Database
from server.store.migrate import alembic_config, upgrade
from server.store.tables import metadata


async def table_names(db: Database) -> list[str]:
    async with db.read() as conn:
        return await conn.run_sync(lambda c: sa.inspect(c).get_table_names())


def check_constraints(conn: sa.Connection) -> dict[str, set[str | None]]:
    """Each table's CHECK constraint names as the database reports them."""
    inspector = sa.inspect(conn)
    return {
        t: {c["name"] for c in inspector.get_check_constraints(t)}
        for t in inspector.get_table_names()
    }


async def down_and_up_again(
    database_url: str, down_to: str, new_table: str
) -> dict[str, set[str | None]]:
    """Upgrade, go down to `down_to` (where `new_table` must be gone), up again, and compare
    with the declared schema. Returns the declared CHECK constraint names per table."""
    await asyncio.to_thread(upgrade, database_url)
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), down_to)
    db = Database(database_url)
    try:
        assert new_table not in await table_names(db)
        await asyncio.to_thread(upgrade, database_url)
        async with db.read() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), metadata)
            )
            checks = await conn.run_sync(check_constraints)
    finally:
        await db.dispose()
    assert diff == []
    declared: dict[str, set[str | None]] = {
        t.name: {str(c.name) for c in t.constraints if isinstance(c, sa.CheckConstraint)}
        for t in metadata.sorted_tables
    }
    assert {t: cs for t, cs in checks.items() if cs} == {
        t: names for t, names in declared.items() if names
    }
    return declared
