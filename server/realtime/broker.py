"""One small broker interface; the backend is chosen by URL and imported lazily.

Pub/sub is a doorbell, not a mailbox: messages may be lost. A backend calls `on_reconnect`
whenever it may have missed messages, so the hub reads the log to catch up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

OnMessage = Callable[[str, bytes], None]
OnReconnect = Callable[[], None]

CHANNEL_PREFIX = "samskab:w:"


def channel_for(workshop_id: str) -> str:
    """The one channel a workshop's doorbell rings on: the service publishes on it after
    commit and every hub subscribes to it. Both sides call this, so they cannot disagree."""
    return CHANNEL_PREFIX + workshop_id


class Broker(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def publish(self, channel: str, message: bytes) -> None: ...

    async def subscribe(self, channel: str) -> None: ...

    async def unsubscribe(self, channel: str) -> None: ...

    def set_listener(self, on_message: OnMessage, on_reconnect: OnReconnect) -> None:
        """Callbacks run on the event loop and must not block or await."""

    async def healthy(self) -> bool: ...


def create_broker(url: str) -> Broker:
    if url.startswith("memory://"):
        from server.realtime.memory_broker import MemoryBroker

        return MemoryBroker()
    if url.startswith(("redis://", "rediss://")):
        from server.realtime.redis_broker import RedisBroker

        return RedisBroker(url)
    raise ValueError(f"unsupported broker URL {url!r}")
