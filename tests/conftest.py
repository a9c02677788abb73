"""Shared fixtures: real Redis and PostgreSQL servers, and database URLs for the store tests.

The servers start lazily, once per session, only when a test asks for them. Tests that use
them are marked ``redis`` / ``postgres`` automatically, so ``-m "not postgres"`` skips them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import PostgresServer, RedisServer

_REDIS_FIXTURES = {"redis_server", "redis_url"}
_POSTGRES_FIXTURES = {"postgres_server", "postgres_url"}


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the whole session; tests may stop, kill and start it again."""
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throw-away PostgreSQL cluster for the session; tests may stop and start it."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """``redis://127.0.0.1:P/0`` of a running, empty Redis."""
    redis_server.start()  # a no-op unless an earlier test left it stopped
    redis_server.flushall()
    return redis_server.url


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """SQLAlchemy URL (asyncpg) of a new, empty database made for this test only."""
    postgres_server.start()  # a no-op unless an earlier test left it stopped
    return postgres_server.create_database(f"test_{uuid.uuid4().hex[:16]}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL (aiosqlite) of a database file in this test's temp directory."""
    return f"sqlite+aiosqlite:///{tmp_path}/samskab.db"


@pytest.fixture(params=["sqlite", "postgres"], ids=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on SQLite and then on PostgreSQL."""
    kind: str = request.param
    url: str = request.getfixturevalue(f"{kind}_url")
    return url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the real servers they need."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        if names & _REDIS_FIXTURES:
            item.add_marker(pytest.mark.redis)
        if names & _POSTGRES_FIXTURES or params.get("database_url") == "postgres":
            item.add_marker(pytest.mark.postgres)
