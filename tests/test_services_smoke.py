"""The real-server fixtures work: Redis and PostgreSQL answer, restart on the same port."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.services import PostgresServer, RedisServer, port_open


async def _ping(url: str) -> bool:
    client = aioredis.from_url(url)
    try:
        return bool(await client.ping())
    finally:
        await client.aclose()


async def _scalar(url: str, sql: str) -> object:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar_one()
    finally:
        await engine.dispose()


async def test_redis_answers_ping(redis_url: str) -> None:
    assert redis_url.startswith("redis://127.0.0.1:")
    assert await _ping(redis_url)


async def test_redis_url_is_flushed(redis_server: RedisServer, redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    try:
        assert await client.dbsize() == 0
        await client.set("left-behind", "1")  # the next test's redis_url must not see it
    finally:
        await client.aclose()


async def test_redis_url_is_flushed_again(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    try:
        assert await client.dbsize() == 0
    finally:
        await client.aclose()


async def test_redis_survives_stop_and_start_on_same_port(
    redis_server: RedisServer, redis_url: str
) -> None:
    port = redis_server.port
    assert await _ping(redis_url)
    redis_server.stop()
    try:
        assert not redis_server.running
        assert not port_open(port)
    finally:
        redis_server.start()
    assert redis_server.port == port
    assert redis_server.url == redis_url
    assert await _ping(redis_url)


async def test_redis_comes_back_after_kill(redis_server: RedisServer, redis_url: str) -> None:
    old_pid = redis_server.pid
    redis_server.kill()
    assert not port_open(redis_server.port)
    redis_server.start()
    assert redis_server.pid != old_pid
    assert await _ping(redis_url)


async def test_postgres_answers_select_1(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql+asyncpg://postgres@127.0.0.1:")
    assert await _scalar(postgres_url, "SELECT 1") == 1


_seen_postgres_urls: list[str] = []
_TABLES = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"


@pytest.mark.parametrize("round_", [1, 2])
async def test_postgres_url_gives_a_new_empty_database(postgres_url: str, round_: int) -> None:
    assert postgres_url not in _seen_postgres_urls
    assert await _scalar(postgres_url, _TABLES) == 0
    engine = create_async_engine(postgres_url)
    try:
        async with engine.begin() as conn:  # leave something behind for the next round to miss
            await conn.execute(text("CREATE TABLE marker (id integer)"))
    finally:
        await engine.dispose()
    assert await _scalar(postgres_url, _TABLES) == 1
    _seen_postgres_urls.append(postgres_url)
    assert len(_seen_postgres_urls) == round_


def test_create_database_returns_distinct_urls(postgres_server: PostgresServer) -> None:
    first = postgres_server.create_database(f"smoke_{uuid.uuid4().hex[:12]}")
    second = postgres_server.create_database(f"smoke_{uuid.uuid4().hex[:12]}")
    assert first != second
    assert first.rsplit("/", 1)[0] == postgres_server.url().rsplit("/", 1)[0]


async def test_postgres_survives_stop_and_start_on_same_port(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    port = postgres_server.port
    assert await _scalar(postgres_url, "SELECT 1") == 1
    postgres_server.stop()
    try:
        assert not postgres_server.running
        assert not port_open(port)
    finally:
        postgres_server.start()
    assert postgres_server.port == port
    assert await _scalar(postgres_url, "SELECT 2") == 2


async def test_postgres_comes_back_after_kill(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    postgres_server.kill()
    assert not port_open(postgres_server.port)
    postgres_server.start()
    assert await _scalar(postgres_url, "SELECT 3") == 3


def test_sqlite_url(sqlite_url: str) -> None:
    assert sqlite_url.startswith("sqlite+aiosqlite:///")
    assert sqlite_url.endswith("/samskab.db")


async def test_database_url_works_on_both(database_url: str) -> None:
    assert await _scalar(database_url, "SELECT 1") == 1
