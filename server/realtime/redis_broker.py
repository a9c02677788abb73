"""Redis pub/sub broker. Reconnects on its own and says so, since messages may be lost meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from server.realtime.broker import OnMessage, OnReconnect

logger = logging.getLogger(__name__)


class RedisBroker:
    def __init__(self, url: str) -> None:
        self.url = url
        # No silent retries: a reconnect we do not see is a window of lost messages we cannot heal.
        self._client = aioredis.from_url(url, retry=Retry(NoBackoff(), 0), socket_connect_timeout=2)
        self._channels: set[str] = set()
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._on_message: OnMessage | None = None
        self._on_reconnect: OnReconnect | None = None
        self._connected = asyncio.Event()
        self._lock = asyncio.Lock()

    def set_listener(self, on_message: OnMessage, on_reconnect: OnReconnect) -> None:
        self._on_message = on_message
        self._on_reconnect = on_reconnect

    async def connect(self) -> None:
        self._reader = asyncio.create_task(self._run(), name="redis-broker-reader")

    async def disconnect(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._close_pubsub()
        await self._client.aclose()

    async def _close_pubsub(self) -> None:
        ps, self._pubsub = self._pubsub, None
        if ps is not None:
            with contextlib.suppress(Exception):
                await ps.aclose()  # type: ignore[no-untyped-call]

    async def publish(self, channel: str, message: bytes) -> None:
        await self._client.publish(channel, message)

    async def subscribe(self, channel: str) -> None:
        async with self._lock:
            self._channels.add(channel)
            if self._pubsub is not None and self._connected.is_set():
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.subscribe(channel)

    async def unsubscribe(self, channel: str) -> None:
        async with self._lock:
            self._channels.discard(channel)
            if self._pubsub is not None and self._connected.is_set():
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.unsubscribe(channel)

    async def healthy(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self._client.ping(), 2)) and self._connected.is_set()
        except (RedisError, OSError, TimeoutError):
            return False

    async def _run(self) -> None:
        delay = 0.1
        first = True
        while True:
            try:
                async with self._lock:
                    self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
                    # A placeholder channel keeps the connection in subscribe mode even with no rooms.
                    await self._pubsub.subscribe("samskab:alive", *self._channels)
                    self._connected.set()
                if not first and self._on_reconnect is not None:
                    self._on_reconnect()
                first = False
                delay = 0.1
                while True:
                    msg = await self._pubsub.get_message(timeout=1.0)
                    if msg is None or msg.get("type") != "message":
                        continue
                    channel = msg["channel"]
                    if isinstance(channel, bytes):
                        channel = channel.decode()
                    if self._on_message is not None:
                        self._on_message(channel, msg["data"])
            except asyncio.CancelledError:
                raise
            except Exception as e:  # any failure: drop the connection, come back, say so
                self._connected.clear()
                logger.warning("redis broker connection lost (%s); reconnecting", e)
                await self._close_pubsub()
                first = False
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
