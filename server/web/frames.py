"""One live connection's client frames, whatever carries them: a WebSocket, or the fallback's
HTTP POSTs (server/web/fallback.py). Rate limit, size cap, strict parsing, permissions and
execution live here once, so both transports answer every frame the same way."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from server.domain.commands import Actor, OpenStation, UpdateParticipant
from server.i18n import message
from server.realtime.client import CLOSE_FORBIDDEN, CLOSE_RATE, Client
from server.realtime.source import PresenceEntry
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
from server.web.security import TokenBucket
from server.web.state import Runtime

logger = logging.getLogger(__name__)

RATE_STRIKES_BEFORE_CLOSE = 200

# Where a frame's answer goes (the socket's queue, or an HTTP response).
Answer = Callable[[str], None]
# What a transport does with a `hello`; a close code ends the connection.
HelloHandler = Callable[[Hello], Awaitable[int | None]]
# Starts a command's coroutine (its close code, if any, ends the connection) and returns once
# it has taken its place in its workshop's queue; it may wait while too many are in flight.
Spawn = Callable[[Coroutine[Any, Any, int | None]], Awaitable[None]]


def dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def template_titles(locale: str) -> TemplateTitles:
    """A new board's column titles in this language (catalogue `template.<template>.<key>`)."""
    return template_titles_from(lambda key: message(key, locale))


def pong_frame(ping: Ping, server_ms: int) -> str:
    """The client's own time echoed (or null) with the server's: the client takes its offset
    from the server as server_ms - (t + now) / 2, with `now` its clock when the pong came."""
    return dumps({"type": "pong", "t": ping.t, "server_ms": server_ms})


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
    return dumps(body)


class Frames:
    """The frames of one live connection: its token bucket and strikes, its actor (the room
    screen included), and, when the connection lives on this process, its hub `client` (for
    presence: who edits which note, who is at which station)."""

    def __init__(
        self,
        rt: Runtime,
        workshop_id: str,
        actor: Actor,
        locale: str,
        client: Client | None,
        spawn: Spawn | None = None,
    ) -> None:
        """`spawn` runs a command without holding up the connection's next frames (the
        socket's); without it a command is answered before `handle` returns (an HTTP POST)."""
        s = rt.settings
        self.spawn = spawn
        self.rt = rt
        self.workshop_id = workshop_id
        self.actor = actor
        self.locale = locale
        self.client = client
        self.titles = template_titles(locale)
        self.bucket = TokenBucket(s.ws_rate_per_second, s.ws_rate_burst)
        self.strikes = 0

    async def handle(
        self, raw: str | bytes, answer: Answer, hello: HelloHandler | None
    ) -> int | None:
        """Answer one frame (or not: presence has no answer). Returns a close code when the
        connection must end. `hello` is None where a transport cannot attach (HTTP POST)."""
        rt = self.rt
        actor = self.actor
        locale = self.locale
        workshop_id = self.workshop_id
        if self.bucket.take():
            self.strikes = 0
        else:
            self.strikes += 1
            if self.strikes > RATE_STRIKES_BEFORE_CLOSE:
                return CLOSE_RATE
            answer(error_frame("wire.rate_limited", locale, command_id_of(raw)))
            return None
        if len(raw) > rt.settings.ws_max_message_bytes:
            answer(error_frame("wire.too_large", locale, None))
            return None
        try:
            parsed = parse_client_message(raw, new_id, self.titles, wall_clock_ms, copenhagen_today)
        except WireError as e:
            answer(error_frame(e.code, locale, e.command_id, e.field, e.params))
            return None
        if isinstance(parsed, Hello):
            if hello is None:  # a POST cannot attach: the stream's URL carries the hello
                answer(error_frame("fallback.hello_over_post", locale, None))
                return None
            return await hello(parsed)
        if isinstance(parsed, Ping):
            answer(pong_frame(parsed, wall_clock_ms()))
            return None
        if isinstance(parsed, Editing):
            if actor.role == "screen":  # the room screen shows; it does not edit
                answer(error_frame("permission.read_only", locale, None))
            elif self.client is not None:
                rt.hub.editing(workshop_id, self.client, parsed.note_id)
            return None
        if isinstance(parsed, Visiting):
            if actor.role == "screen":  # the room screen shows; it visits no station
                answer(error_frame("permission.read_only", locale, None))
                return None
            if self.client is not None:
                rt.hub.visiting(workshop_id, self.client, parsed.station_id)
            if actor.role == "participant" and parsed.station_id:
                _record_soon(_first_opening(rt, workshop_id, actor, parsed.station_id))
            return None
        assert isinstance(parsed, CommandRequest)
        if self.spawn is not None:
            await self.spawn(self.command(parsed, answer))
            return None
        return await self.command(parsed, answer)

    async def command(self, parsed: CommandRequest, answer: Answer) -> int | None:
        """Carry one command out and answer it; a close code if the workshop is gone."""
        rt = self.rt
        actor = self.actor
        locale = self.locale
        workshop_id = self.workshop_id
        try:
            result = await rt.service.execute(workshop_id, actor, parsed.command_id, parsed.command)
        except StoreUnavailable:
            answer(error_frame("server.try_again", locale, parsed.command_id))
            return None
        except UnknownWorkshop:
            return CLOSE_FORBIDDEN
        if result.ok and isinstance(parsed.command, UpdateParticipant):
            await _refresh_presence(rt, workshop_id, actor.id)
        if result.ok:
            answer(dumps({"type": "ack", "command_id": result.command_id, "seq": result.seq}))
        else:
            assert result.error_code is not None
            answer(
                error_frame(
                    result.error_code, locale, result.command_id, params=result.error_params
                )
            )
        return None


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


def command_id_of(raw: str | bytes) -> str | None:
    """The command id of a frame that will not be parsed (rate limited), if one is readable."""
    try:
        d = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    cid = d.get("command_id") if isinstance(d, dict) else None
    return cid if isinstance(cid, str) and len(cid) <= 64 else None
