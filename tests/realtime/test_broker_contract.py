"""One contract for every broker backend: memory:// and a real redis-server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from server.realtime.broker import Broker, create_broker
from tests.services import RedisServer


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self.reconnects = 0
        self.changed = asyncio.Event()

    def on_message(self, channel: str, data: bytes) -> None:
        self.messages.append((channel, data))
        self.changed.set()

    def on_reconnect(self) -> None:
        self.reconnects += 1
        self.changed.set()

    async def wait(self, pred: object, timeout: float = 5.0) -> None:
        async def loop() -> None:
            while not pred():  # type: ignore[operator]
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(loop(), timeout)


@pytest.fixture(params=["memory", "redis"])
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Broker, Inbox]]:
    url = "memory://" if request.param == "memory" else request.getfixturevalue("redis_url")
    b = create_broker(url)
    inbox = Inbox()
    b.set_listener(inbox.on_message, inbox.on_reconnect)
    await b.connect()
    try:
        yield b, inbox
    finally:
        await b.disconnect()


async def settle(b: Broker) -> None:
    for _ in range(50):
        if await b.healthy():
            return
        await asyncio.sleep(0.1)


async def test_subscribed_channels_receive_bytes_and_others_do_not(
    broker: tuple[Broker, Inbox],
) -> None:
    b, inbox = broker
    await settle(b)
    await b.subscribe("samskab:w:one")
    await asyncio.sleep(0.1)
    await b.publish("samskab:w:one", b'{"x":1}')
    await b.publish("samskab:w:two", b"not for us")
    await inbox.wait(lambda: len(inbox.messages) >= 1)
    await asyncio.sleep(0.2)
    assert inbox.messages == [("samskab:w:one", b'{"x":1}')]
    await b.unsubscribe("samskab:w:one")
    await asyncio.sleep(0.1)
    await b.publish("samskab:w:one", b"after")
    await asyncio.sleep(0.2)
    assert len(inbox.messages) == 1
    assert await b.healthy()


async def test_redis_restart_is_reported_as_a_reconnect(
    redis_url: str, redis_server: RedisServer
) -> None:
    b = create_broker(redis_url)
    inbox = Inbox()
    b.set_listener(inbox.on_message, inbox.on_reconnect)
    await b.connect()
    try:
        await settle(b)
        await b.subscribe("samskab:w:one")
        redis_server.stop()
        await asyncio.sleep(0.5)
        assert not await b.healthy()
        redis_server.start()
        await inbox.wait(lambda: inbox.reconnects >= 1, timeout=10)
        await settle(b)
        await b.publish("samskab:w:one", b"back")
        await inbox.wait(lambda: ("samskab:w:one", b"back") in inbox.messages)
    finally:
        await b.disconnect()
