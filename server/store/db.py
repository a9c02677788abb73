"""Engines and transactions: one writer at a time on SQLite, row locks on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


class StoreUnavailable(Exception):
    """The database could not be reached; the command may be retried with the same id."""


def _sqlite_engine(url: str, *, immediate: bool) -> AsyncEngine:
    u = make_url(url)
    if u.database and u.database != ":memory:":
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url, pool_size=1 if immediate else 5, max_overflow=0 if immediate else 5
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is ours (SQLAlchemy recipe).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """Owns the engines. `write()` is the only way to change data; `read()` is consistent."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self._write_engine = _sqlite_engine(url, immediate=True)
            self._read_engine = _sqlite_engine(url, immediate=False)
        else:
            self._write_engine = create_async_engine(
                url, pool_size=10, max_overflow=10, pool_pre_ping=True
            )
            # Snapshots read state and seq in two statements: they must see one moment.
            self._read_engine = self._write_engine.execution_options(
                isolation_level="REPEATABLE READ"
            )
        self._write_lock = asyncio.Lock()

    @property
    def engine(self) -> AsyncEngine:
        return self._write_engine

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction; SQLite writers queue here instead of spinning on busy."""
        if self.is_sqlite:
            async with self._write_lock:
                async with self._begin(self._write_engine) as conn:
                    yield conn
        else:
            async with self._begin(self._write_engine) as conn:
                yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self._begin(self._read_engine) as conn:
            yield conn

    @asynccontextmanager
    async def _begin(self, engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
        try:
            conn_cm = engine.begin()
            conn = await conn_cm.__aenter__()
        except (OSError, sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DBAPIError) as e:
            raise StoreUnavailable(str(e)) from e
        try:
            yield conn
        except BaseException as exc:
            await conn_cm.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        else:
            try:
                await conn_cm.__aexit__(None, None, None)
            except (OSError, sa.exc.OperationalError, sa.exc.InterfaceError) as e:
                raise StoreUnavailable(str(e)) from e

    async def ping(self) -> bool:
        try:
            async with self.read() as conn:
                await conn.execute(sa.text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self._write_engine.dispose()
        if self.is_sqlite:
            await self._read_engine.dispose()
