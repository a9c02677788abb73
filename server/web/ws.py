"""The WebSocket endpoint: one per workshop. Checks the session and Origin at the handshake,
parses every frame strictly, answers each command with an ack or an error, survives bad input."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from server.domain.commands import Actor, OpenStation, UpdateParticipant
from server.i18n import message
from server.realtime.client import (
    CLOSE_BAD_ORIGIN,
    CLOSE_FORBIDDEN,
    CLOSE_RATE,
    Client,
    Viewer,
)
from server.realtime.source import Format, PresenceEntry
from server.realtime.wire import (
    CommandRequest,
    Editing,
    Hello,
    Ping,
    TemplateTitles,
    Visiting,
    WireError,
    copenhagen_today,
    parse_client_message,
    template_titles_from,
    wall_clock_ms,
)
from server.service import UnknownWorkshop, new_id
from server.store import participants
from server.store.db import StoreUnavailable
from server.web.identity import identify
from server.web.security import TokenBucket, origin_allowed
from server.web.state import Runtime, runtime, session_locale

logger = logging.getLogger(__name__)

RATE_STRIKES_BEFORE_CLOSE = 200


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def template_titles(locale: str) -> TemplateTitles:
    """A new board's column titles in this language (catalogue `template.<template>.<key>`)."""
    return template_titles_from(lambda key: message(key, locale))


def pong_frame(ping: Ping, server_ms: int) -> str:
    """The client's own time echoed (or null) with the server's: the client takes its offset
    from the server as server_ms - (t + now) / 2, with `now` its clock when the pong came."""
    return _dumps({"type": "pong", "t": ping.t, "server_ms": server_ms})


def error_frame(
    code: str,
    locale: str,
    command_id: str | None,
    field: str | None = None,
    params: dict[str, str | int] | None = None,
) -> str:
    body: dict[str, Any] = {
        "type": "error",
        "command_id": command_id,
        "code": code,
        "message": message(code, locale, **(params or {})),
    }
    if field is not None:
        # The field may be the client's own key: a lone surrogate in it cannot be sent as UTF-8.
        body["field"] = field.encode("utf-8", "backslashreplace").decode("utf-8")
    return _dumps(body)


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
    titles = template_titles(locale)
    bucket = TokenBucket(s.ws_rate_per_second, s.ws_rate_burst)
    strikes = 0
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
            if bucket.take():
                strikes = 0
            else:
                strikes += 1
                if strikes > RATE_STRIKES_BEFORE_CLOSE:
                    client.evict(CLOSE_RATE)
                    break
                client.offer(error_frame("wire.rate_limited", locale, _command_id_of(raw)))
                continue
            if len(raw) > s.ws_max_message_bytes:
                client.offer(error_frame("wire.too_large", locale, None))
                continue
            try:
                parsed = parse_client_message(raw, new_id, titles, wall_clock_ms, copenhagen_today)
            except WireError as e:
                client.offer(error_frame(e.code, locale, e.command_id, e.field, e.params))
                continue
            if isinstance(parsed, Hello):
                try:
                    await rt.hub.attach(client, workshop_id, parsed.since, parsed.epoch)
                except StoreUnavailable:
                    client.offer(error_frame("server.try_again", locale, None))
                except KeyError:  # the workshop vanished since the handshake
                    client.evict(CLOSE_FORBIDDEN)
                    break
                continue
            if isinstance(parsed, Ping):
                client.offer(pong_frame(parsed, wall_clock_ms()))
                continue
            if isinstance(parsed, Editing):
                if actor.role == "screen":  # the room screen shows; it does not edit
                    client.offer(error_frame("permission.read_only", locale, None))
                else:
                    rt.hub.editing(workshop_id, client, parsed.note_id)
                continue
            if isinstance(parsed, Visiting):
                if actor.role == "screen":  # the room screen shows; it visits no station
                    client.offer(error_frame("permission.read_only", locale, None))
                else:
                    rt.hub.visiting(workshop_id, client, parsed.station_id)
                    if actor.role == "participant" and parsed.station_id:
                        _record_soon(_first_opening(rt, workshop_id, actor, parsed.station_id))
                continue
            assert isinstance(parsed, CommandRequest)
            try:
                result = await rt.service.execute(
                    workshop_id, actor, parsed.command_id, parsed.command
                )
            except StoreUnavailable:
                client.offer(error_frame("server.try_again", locale, parsed.command_id))
                continue
            except UnknownWorkshop:
                client.evict(CLOSE_FORBIDDEN)
                break
            if result.ok and isinstance(parsed.command, UpdateParticipant):
                await _refresh_presence(rt, workshop_id, actor.id)
            if result.ok:
                client.offer(
                    _dumps({"type": "ack", "command_id": result.command_id, "seq": result.seq})
                )
            else:
                assert result.error_code is not None
                client.offer(
                    error_frame(
                        result.error_code, locale, result.command_id, params=result.error_params
                    )
                )
    finally:
        await rt.hub.detach(client, workshop_id)
        await client.stop()


_recording: set[asyncio.Task[None]] = set()
OPENING_WAITS = 15  # checks of the hub's state for a station it does not know yet
OPENING_WAIT_SECONDS = 0.2


def _record_soon(work: Coroutine[Any, Any, None]) -> None:
    """Presence must not wait for a write: the opening is recorded beside the socket's loop
    (a reference is kept until it is done, so the task is not collected half-way)."""
    task = asyncio.create_task(work)
    _recording.add(task)
    task.add_done_callback(_recording.discard)


async def _first_opening(rt: Runtime, workshop_id: str, actor: Actor, station_id: str) -> None:
    """Record a participant's first opening of a station, for the report. Checked against the
    hub's state first, so later visits cost no write; a race between processes is settled by
    the command id (one per participant and station) and the domain's own check."""
    for _ in range(OPENING_WAITS):
        state = rt.hub.state_of(workshop_id)
        if state is not None and station_id in state.hall.stations:
            break
        # This process may not have the station yet (another process added it a moment
        # ago): wait for the hub to catch up rather than write a refusal for every unknown id.
        await asyncio.sleep(OPENING_WAIT_SECONDS)
    else:
        return
    if (station_id, actor.id) in state.hall.opened:
        return
    try:
        await rt.service.execute(
            workshop_id, actor, f"open:{station_id}:{actor.id}"[:64], OpenStation(station_id)
        )
    except (StoreUnavailable, UnknownWorkshop):
        logger.info("could not record the opening of station %s", station_id)
    except Exception:
        logger.exception("recording the opening of station %s failed", station_id)


async def _refresh_presence(rt: Runtime, workshop_id: str, participant_id: str) -> None:
    async with rt.db.read() as conn:
        p = await participants.find(conn, workshop_id, participant_id)
    if p is not None:
        rt.hub.participant_changed(workshop_id, PresenceEntry(p.id, p.display_name, p.group))


def _command_id_of(raw: str | bytes) -> str | None:
    try:
        d = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    cid = d.get("command_id") if isinstance(d, dict) else None
    return cid if isinstance(cid, str) and len(cid) <= 64 else None
