"""The WebSocket endpoint: one per workshop. Checks the session and Origin at the handshake,
then hands every frame to `Frames` (server/web/frames.py), which the fallback transport shares:
each command is answered with an ack or an error, and bad input never ends the socket."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from server.domain.commands import Actor
from server.realtime.client import (
    CLOSE_BAD_ORIGIN,
    CLOSE_FORBIDDEN,
    Client,
    Viewer,
)
from server.realtime.source import Format
from server.realtime.wire import Hello
from server.store.db import StoreUnavailable
from server.web.frames import Frames, error_frame, pong_frame, template_titles
from server.web.identity import identify
from server.web.security import origin_allowed
from server.web.state import runtime, session_locale

COMMANDS_IN_FLIGHT = 32  # a socket's commands under way at once; more wait to be read

__all__ = ["error_frame", "pong_frame", "template_titles", "workshop_socket"]


async def workshop_socket(ws: WebSocket) -> None:
    rt = runtime(ws)
    s = rt.settings
    workshop_id = ws.path_params["workshop_id"][:64]
    scheme = "https" if ws.url.scheme == "wss" else "http"
    if not origin_allowed(
        ws.headers.get("origin"), ws.headers.get("host"), scheme, s.allowed_origins
    ):
        await ws.close(CLOSE_BAD_ORIGIN)  # before accept: the handshake is refused with 403
        return
    who = (await identify(ws, workshop_id)).identity
    if who is None:
        # Accept, then close with our code: a refused handshake looks like a network drop (1006)
        # to the browser, which would retry forever instead of telling the user to rejoin.
        await ws.accept()
        await ws.close(CLOSE_FORBIDDEN)
        return
    fmt: Format = "json" if ws.query_params.get("format") == "json" else "html"
    locale = session_locale(ws)
    actor = who.actor
    if ws.query_params.get("view") == "screen" and actor.role == "facilitator":
        # The room screen: opened by the facilitator, shown to the hall, read-only.
        actor = Actor("screen", actor.id)
    await ws.accept()

    async def send(text: str) -> None:
        await ws.send_text(text)

    async def close(code: int) -> None:
        await ws.close(code)

    presence = who.presence if actor.role == "participant" else None
    client = Client(
        Viewer(actor.role, fmt, locale, actor.id, presence), send, close, s.ws_send_queue
    )
    client.start()
    # A command waiting for its workshop's turn does not hold up the socket's next frames:
    # they join the same turn (server/turns.py) instead of waiting in the kernel. The order
    # holds: tasks start in the order they are made, and each queues for its turn first.
    in_flight: set[asyncio.Task[None]] = set()
    room = asyncio.Semaphore(COMMANDS_IN_FLIGHT)

    async def carry_out(work: Coroutine[Any, Any, int | None]) -> None:
        try:
            code = await work
            if code is not None:
                client.evict(code)
        finally:
            room.release()

    async def spawn(work: Coroutine[Any, Any, int | None]) -> None:
        await room.acquire()
        task = asyncio.create_task(carry_out(work))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)

    frames = Frames(rt, workshop_id, actor, locale, client, spawn)

    def answer(text: str) -> None:
        client.offer(text)

    async def attach(hello: Hello) -> int | None:
        try:
            await rt.hub.attach(client, workshop_id, hello.since, hello.epoch)
        except StoreUnavailable:
            client.offer(error_frame("server.try_again", locale, None))
        except KeyError:  # the workshop vanished since the handshake
            return CLOSE_FORBIDDEN
        return None

    try:
        while not client.closed:
            try:
                msg = await ws.receive()
            except (WebSocketDisconnect, RuntimeError):
                break
            if msg["type"] == "websocket.disconnect":
                break
            raw = msg.get("text")
            if raw is None:
                raw = msg.get("bytes") or b""
            code = await frames.handle(raw, answer, attach)
            if code is not None:
                client.evict(code)
                break
    finally:
        if in_flight:  # what was sent is carried out, as when commands waited in line
            await asyncio.wait(in_flight)
        await rt.hub.detach(client, workshop_id)
        await client.stop()
