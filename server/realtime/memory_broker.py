"""In-process broker for the one-process default: delivery is a function call."""

from __future__ import annotations

from server.realtime.broker import OnMessage, OnReconnect


class MemoryBroker:
    def __init__(self) -> None:
        self._channels: set[str] = set()
        self._on_message: OnMessage | None = None

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._channels.clear()

    def set_listener(self, on_message: OnMessage, on_reconnect: OnReconnect) -> None:
        self._on_message = on_message

    async def publish(self, channel: str, message: bytes) -> None:
        if channel in self._channels and self._on_message is not None:
            self._on_message(channel, message)

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    async def healthy(self) -> bool:
        return True
