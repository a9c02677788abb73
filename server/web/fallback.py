"""The fallback transport, for networks whose firewall or proxy blocks WebSockets.

What the socket pushes comes as server-sent events on a stream (`GET .../events`); what the
page would send on the socket goes as one HTTP POST per frame (`POST .../events/{stream}`),
answered in the POST's response. The stream is an ordinary hub client (bounded queue, resync
from `since`, eviction with 4001), and every POSTed frame goes through the same `Frames` as a
socket frame, so seq, resync, idempotency and permissions are the socket's own.

A stream's id is a signed token naming the workshop and the actor it was opened for, with a
random part: any process can check a POST against the session, so a command works even when
the POST reaches another process than the stream (presence then waits for sticky routing).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from itsdangerous import BadData, URLSafeSerializer
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.domain.commands import Actor
from server.i18n import message
from server.realtime.client import (
    CLOSE_BAD_ORIGIN,
    CLOSE_FORBIDDEN,
    CLOSE_RATE,
    CLOSE_RESYNC,
    Client,
    Viewer,
)
from server.realtime.source import Format
from server.realtime.wire import Hello, WireError, parse_client_message
from server.service import new_id
from server.store.db import StoreUnavailable
from server.web.frames import Frames, dumps
from server.web.identity import Identity, identify
from server.web.security import origin_allowed
from server.web.state import Runtime, runtime, session_locale

KEEPALIVE_SECONDS = 10.0  # a named event, so the page can tell a silent stream from a dead one
SEND_TIMEOUT_SECONDS = 30.0  # a reader that takes no bytes for this long is cut off
FOREIGN_STREAMS = 10_000  # token buckets kept for streams that live on other processes
CLOSE_TRY_AGAIN = 1013  # the database did not answer the attach: reconnect and try again
_SALT = "samskab.fallback-stream"
_SINCE = re.compile(r"[0-9]{1,17}")


@dataclass(frozen=True)
class Owner:
    """Whom a stream was opened for: the room screen is its facilitator, read-only."""

    workshop_id: str
    role: str
    actor_id: str


class Streams:
    """This process's fallback connections by stream id: the live streams' `Frames` (with
    their hub client) and, bounded, `Frames` for streams on other processes, so their POSTs
    still share one token bucket here."""

    def __init__(self) -> None:
        self.local: dict[str, Frames] = {}
        self.foreign: OrderedDict[str, Frames] = OrderedDict()

    def frames_for(self, stream_id: str, make: Callable[[], Frames]) -> Frames:
        frames = self.local.get(stream_id) or self.foreign.get(stream_id)
        if frames is None:
            frames = self.foreign[stream_id] = make()
            if len(self.foreign) > FOREIGN_STREAMS:
                self.foreign.popitem(last=False)
        elif stream_id in self.foreign:
            self.foreign.move_to_end(stream_id)
        return frames


def streams(request: Request) -> Streams:
    """Born with the app on first use, never at import: one registry per app."""
    state = request.app.state
    found: Streams | None = getattr(state, "fallback_streams", None)
    if found is None:
        found = Streams()
        state.fallback_streams = found
    return found


def _signer(rt: Runtime) -> URLSafeSerializer:
    return URLSafeSerializer(rt.settings.secret_key, salt=_SALT)


def stream_id_for(rt: Runtime, workshop_id: str, actor: Actor) -> str:
    return str(_signer(rt).dumps([workshop_id, actor.role, actor.id, secrets.token_urlsafe(16)]))


def owner_of(rt: Runtime, stream_id: str) -> Owner | None:
    if len(stream_id) > 400:
        return None
    try:
        data = _signer(rt).loads(stream_id)
    except BadData:
        return None
    if not (isinstance(data, list) and len(data) == 4 and all(isinstance(x, str) for x in data)):
        return None
    return Owner(data[0], data[1], data[2])


def _error(
    request: Request, status: int, code: str, close: int | None, command_id: str | None = None
) -> JSONResponse:
    """An error the connection cannot go on from carries the close code the page acts on, as
    if its socket had been closed with it."""
    body: dict[str, Any] = {
        "type": "error",
        "command_id": command_id,
        "code": code,
        "message": message(code, session_locale(request)),
    }
    if close is not None:
        body["close"] = close
    return JSONResponse(body, status_code=status)


def _closed_stream(code: int) -> EventSourceResponse:
    """A refusal an EventSource can read (it cannot read a 403): like the socket that is
    accepted and closed at once, so the page stops instead of retrying forever."""

    async def once() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(dumps({"code": code}), event="close")

    return EventSourceResponse(once(), ping=0)


def _hello_of(params: QueryParams) -> Hello:
    """`since` and `epoch` from the query, checked by the parser that checks a `hello`."""
    body: dict[str, Any] = {"type": "hello"}
    since = params.get("since", "")
    if since:
        if not _SINCE.fullmatch(since):
            raise WireError("wire.wrong_type", "since")
        body["since"] = int(since)
    epoch = params.get("epoch", "")
    if epoch:
        body["epoch"] = epoch
    parsed = parse_client_message(dumps(body), new_id)
    assert isinstance(parsed, Hello)
    return parsed


async def _identity(request: Request, workshop_id: str) -> Identity | Response:
    """The session's identity, or the refusal; as the socket's handshake decides it."""
    streaming = "text/event-stream" in request.headers.get("accept", "")
    try:
        found = await identify(request, workshop_id)
    except StoreUnavailable:
        return _error(request, 503, "server.try_again", CLOSE_TRY_AGAIN)
    if found.identity is not None:
        return found.identity
    if streaming:
        return _closed_stream(CLOSE_FORBIDDEN)
    if not found.workshop_exists:
        return _error(request, 404, "workshop.not_found", CLOSE_FORBIDDEN)
    return _error(request, 403, "permission.not_in_workshop", CLOSE_FORBIDDEN)


def _origin_ok(request: Request, required: bool) -> bool:
    origin = request.headers.get("origin")
    if origin is None and not required:
        return True
    return origin_allowed(
        origin,
        request.headers.get("host"),
        request.url.scheme,
        runtime(request).settings.allowed_origins,
    )


async def event_stream(request: Request) -> Response:
    """`GET /ws/workshops/{workshop_id}/events?since=&epoch=&format=&view=`: what the socket
    would push, as server-sent events. The first event names the stream for the POSTs."""
    rt = runtime(request)
    workshop_id = request.path_params["workshop_id"][:64]
    if not _origin_ok(request, required=False):  # a same-origin EventSource sends none
        return _error(request, 403, "api.bad_origin", CLOSE_BAD_ORIGIN)
    who = await _identity(request, workshop_id)
    if isinstance(who, Response):
        return who
    try:
        hello = _hello_of(request.query_params)
    except WireError as e:
        return _error(request, 400, e.code, None)
    fmt: Format = "json" if request.query_params.get("format") == "json" else "html"
    locale = session_locale(request)
    actor = who.actor
    if request.query_params.get("view") == "screen" and actor.role == "facilitator":
        actor = Actor("screen", actor.id)  # the room screen, read-only, as on the socket
    presence = who.presence if actor.role == "participant" else None
    viewer = Viewer(actor.role, fmt, locale, actor.id, presence)
    return EventSourceResponse(
        _stream(rt, streams(request), workshop_id, actor, viewer, hello),
        ping=KEEPALIVE_SECONDS,
        ping_message_factory=lambda: ServerSentEvent("", event="keepalive"),
        send_timeout=SEND_TIMEOUT_SECONDS,
    )


async def _stream(
    rt: Runtime,
    registry: Streams,
    workshop_id: str,
    actor: Actor,
    viewer: Viewer,
    hello: Hello,
) -> AsyncIterator[ServerSentEvent]:
    """One hub client whose writer hands frames to this generator one at a time, so its
    bounded queue is the only buffer: a page that stops reading is evicted with 4001."""
    outbox: asyncio.Queue[str | int] = asyncio.Queue(maxsize=1)

    async def send(text: str) -> None:
        await outbox.put(text)

    async def close(code: int) -> None:
        # The writer is stopped before this runs; a frame it left behind is not needed, since
        # every close makes the page reconnect from what it applied (or stop).
        while not outbox.empty():
            outbox.get_nowait()
        outbox.put_nowait(code)

    client = Client(viewer, send, close, rt.settings.ws_send_queue)
    stream_id = stream_id_for(rt, workshop_id, actor)
    registry.local[stream_id] = Frames(rt, workshop_id, actor, viewer.locale, client)
    client.start()
    try:
        yield ServerSentEvent(dumps({"stream": stream_id}), event="stream")
        try:
            await rt.hub.attach(client, workshop_id, hello.since, hello.epoch)
        except StoreUnavailable:
            client.evict(CLOSE_TRY_AGAIN)
        except KeyError:  # the workshop vanished since the identity check
            client.evict(CLOSE_FORBIDDEN)
        while True:
            item = await outbox.get()
            if isinstance(item, int):
                yield ServerSentEvent(dumps({"code": item}), event="close")
                return
            yield ServerSentEvent(item)  # frames hold no raw newline; any would be split
    finally:
        registry.local.pop(stream_id, None)
        with anyio.CancelScope(shield=True):  # the page went away: still leave the room
            await rt.hub.detach(client, workshop_id)
            await client.stop()


def _status(frame: str) -> int:
    """HTTP statuses as the JSON API gives them; the page reads the frame either way."""
    answer = json.loads(frame)
    code = answer.get("code") if answer.get("type") == "error" else None
    if not isinstance(code, str):
        return 200
    if code == "wire.rate_limited":
        return 429
    if code == "wire.too_large":
        return 413
    if code.startswith("wire.") or code == "fallback.hello_over_post":
        return 400
    if code == "server.try_again":
        return 503
    if code.startswith("permission.") or code.endswith("not_yours"):
        return 403
    return 422


def _same_owner(owner: Owner, workshop_id: str, actor: Actor) -> bool:
    if owner.workshop_id != workshop_id or owner.actor_id != actor.id:
        return False
    return owner.role == actor.role or (owner.role == "screen" and actor.role == "facilitator")


async def post_frame(request: Request) -> Response:
    """`POST /ws/workshops/{workshop_id}/events/{stream_id}`: one frame, as if sent on the
    socket; its answer (ack, error or pong) is the response's body, 204 when it has none."""
    rt = runtime(request)
    workshop_id = request.path_params["workshop_id"][:64]
    stream_id = request.path_params["stream_id"]
    if not _origin_ok(request, required=True):
        return _error(request, 403, "api.bad_origin", CLOSE_BAD_ORIGIN)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _error(request, 415, "api.json_only", None)
    who = await _identity(request, workshop_id)
    if isinstance(who, Response):
        return who
    owner = owner_of(rt, stream_id)
    if owner is None or not _same_owner(owner, workshop_id, who.actor):
        # Not this session's stream (another tab joined as someone else, say): a new stream.
        return _error(request, 403, "fallback.not_your_stream", CLOSE_RESYNC)
    actor = Actor("screen", who.actor.id) if owner.role == "screen" else who.actor
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > rt.settings.ws_max_message_bytes:
            return _error(request, 413, "wire.too_large", None)
    registry = streams(request)
    frames = registry.frames_for(
        stream_id, lambda: Frames(rt, workshop_id, actor, session_locale(request), None)
    )
    answers: list[str] = []
    close = await frames.handle(body, answers.append, None)
    if close is not None:
        local = registry.local.get(stream_id)
        if local is not None and local.client is not None:
            local.client.evict(close)
        if close == CLOSE_RATE:
            return _error(request, 429, "wire.rate_limited", close)
        return _error(request, 404, "workshop.not_found", close)
    if not answers:
        return Response(status_code=204)
    text = answers[0]
    return Response(text, status_code=_status(text), media_type="application/json")
