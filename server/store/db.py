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


# SQLSTATE classes of a lost database: connection exceptions (08) and operator intervention
# (57P: shutting down, starting up, terminated by the administrator).
_LOST_SQLSTATES = ("08", "57P")


def connection_lost(exc: BaseException) -> bool:
    """Whether an error means the database went away (retry later), not that a statement was
    wrong: a network error, a connection the driver found closed, or the server going down."""
    if isinstance(exc, OSError):
        return True
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated or isinstance(exc.orig, OSError):
            return True
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return isinstance(state, str) and state.startswith(_LOST_SQLSTATES)
    return False


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
                url, pool_size=10, max_overflow=5, pool_pre_ping=True
            )
            # Snapshots read state and seq in two statements: they must see one moment. Reads
            # have their own pool: a burst of commands queued on a workshop's row lock holds
            # every write connection, and a reconnecting socket's identity check and replay
            # must not wait behind them (measured in tests/system/test_faults.py).
            self._read_engine = create_async_engine(
                url,
                pool_size=5,
                max_overflow=0,  # 20 connections per process in all, as docs/DEPLOY.md says
                pool_pre_ping=True,
                isolation_level="REPEATABLE READ",
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
        """A transaction; losing the database on the way, at the start, in a statement or at
        the commit, is StoreUnavailable, so the caller answers "try again" instead of dying.
        The transaction is rolled back with the connection, so nothing is half-applied, and a
        commit whose answer was lost is found by the retry's idempotency check."""
        try:
            conn_cm = engine.begin()
            conn = await conn_cm.__aenter__()
        except (
            OSError,
            sa.exc.OperationalError,
            sa.exc.InterfaceError,
            sa.exc.DBAPIError,
            sa.exc.TimeoutError,  # every connection of the pool busy for pool_timeout (30 s)
        ) as e:
            raise StoreUnavailable(str(e)) from e
        try:
            yield conn
        except BaseException as exc:
            try:
                await conn_cm.__aexit__(type(exc), exc, exc.__traceback__)
            except Exception as cleanup:  # the rollback on a lost connection
                if not isinstance(exc, Exception):
                    raise exc from cleanup  # a cancellation stays a cancellation
                if connection_lost(exc) or connection_lost(cleanup):
                    raise StoreUnavailable(str(exc)) from exc
                raise
            if isinstance(exc, Exception) and connection_lost(exc):
                raise StoreUnavailable(str(exc)) from exc
            raise
        else:
            try:
                await conn_cm.__aexit__(None, None, None)
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as e:
                raise StoreUnavailable(str(e)) from e
            except Exception as e:
                if connection_lost(e):
                    raise StoreUnavailable(str(e)) from e
                raise

    async def ping(self) -> bool:
        try:
            async with self.read() as conn:
                await conn.execute(sa.text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self._write_engine.dispose()
        await self._read_engine.dispose()
