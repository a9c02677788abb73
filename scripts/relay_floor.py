#!/usr/bin/env python3
"""The benchmark floor: a bare WebSocket broadcast relay on Samskab's stack, nothing more.

Starlette + uvicorn (``websockets`` implementation, the same settings as ``python -m server
serve``) + Redis pub/sub. A socket joins a room by its path (``/ws/{room}``, as a Samskab socket
joins a workshop; ``/ws`` is the room ``""``). Every text frame a client sends is published as it
is on its room's Redis channel; every process offers it to each of its own sockets in that room.
There is no validation, no database, no rendering and no session: what is left is the cost of
the stack.

Each socket has what Samskab's sockets have, a bounded queue and its own writer task, so one
slow reader cannot stall the others and the comparison isolates Samskab's own work. A socket
whose queue is full is closed with 4001, as Samskab evicts one.

    .venv/bin/python scripts/relay_floor.py --port 8100 --redis redis://127.0.0.1:6379/0

``scripts/bench`` starts two of these as configuration (c). ``GET /healthz`` answers once the
Redis subscription is up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

CHANNEL = "floor:relay:"  # + the room
QUEUE_SIZE = 256  # Samskab's WS_SEND_QUEUE default
CLOSE_RESYNC = 4001


class Socket:
    """One connected client: a bounded queue drained by its own writer task."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.closed = False
        self.writer = asyncio.create_task(self._write())

    def offer(self, text: str) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.closed = True
            self.writer.cancel()
            asyncio.create_task(self._close())  # noqa: RUF006 - fire and forget, like an eviction

    async def _close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(CLOSE_RESYNC), 5)

    async def _write(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                await self.ws.send_text(await self.queue.get())
        self.closed = True


class Relay:
    """The process-wide state: local sockets, one publisher, one subscriber task."""

    def __init__(self, redis_url: str) -> None:
        self.redis = aioredis.from_url(redis_url)
        self.rooms: dict[str, set[Socket]] = {}
        self.subscribed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def run_subscriber(self) -> None:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.psubscribe(CHANNEL + "*")
        self.subscribed.set()
        try:
            while True:
                msg = await pubsub.get_message(timeout=1.0)
                if msg is None or msg.get("type") != "pmessage":
                    continue
                channel, data = msg["channel"], msg["data"]
                room = (channel.decode() if isinstance(channel, bytes) else str(channel))[
                    len(CHANNEL) :
                ]
                text = data.decode() if isinstance(data, bytes) else str(data)
                for sock in list(self.rooms.get(room, ())):
                    sock.offer(text)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]


def create_app(redis_url: str) -> Starlette:
    """The relay as an ASGI app (the Redis connection is made in the lifespan)."""
    relay = Relay(redis_url)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        relay.task = asyncio.create_task(relay.run_subscriber())
        try:
            yield
        finally:
            relay.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await relay.task
            await relay.redis.aclose()

    async def healthz(request: Request) -> Response:
        ok = relay.subscribed.is_set()
        return JSONResponse({"status": "ok" if ok else "starting"}, status_code=200 if ok else 503)

    async def socket(ws: WebSocket) -> None:
        await ws.accept()
        room = str(ws.path_params.get("room", ""))
        sock = Socket(ws)
        relay.rooms.setdefault(room, set()).add(sock)
        try:
            while not sock.closed:
                msg = await ws.receive()
                if msg["type"] == "websocket.disconnect":
                    break
                text = msg.get("text")
                if text is None:
                    text = (msg.get("bytes") or b"").decode(errors="replace")
                await relay.redis.publish(CHANNEL + room, text)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            members = relay.rooms.get(room, set())
            members.discard(sock)
            if not members:
                relay.rooms.pop(room, None)
            sock.closed = True
            sock.writer.cancel()

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            WebSocketRoute("/ws", socket),
            WebSocketRoute("/ws/{room}", socket),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Bare broadcast relay (benchmark floor)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--redis", required=True, help="redis://host:port/db")
    args = parser.parse_args()
    uvicorn.run(
        create_app(args.redis),
        host=args.host,
        port=args.port,
        ws="websockets",
        ws_max_size=65536,
        ws_per_message_deflate=False,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        log_level="warning",
        server_header=False,
    )


if __name__ == "__main__":
    main()
