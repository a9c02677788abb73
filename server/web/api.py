"""The JSON API: the same commands as the WebSocket over HTTP POST, snapshots, the log, health."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.i18n import message
from server.realtime.source import Viewer
from server.realtime.wire import (
    CommandRequest,
    Editing,
    Visiting,
    WireError,
    copenhagen_today,
    parse_client_message,
    template_titles_from,
    wall_clock_ms,
)
from server.render.views import state_json
from server.service import UnknownWorkshop, new_id
from server.store.db import StoreUnavailable
from server.web.identity import Identity, identify
from server.web.security import origin_allowed
from server.web.state import runtime, session_locale


def _error(
    request: Request, status: int, code: str, command_id: str | None = None, **params: Any
) -> JSONResponse:
    return JSONResponse(
        {
            "type": "error",
            "command_id": command_id,
            "code": code,
            "message": message(code, session_locale(request), **params),
        },
        status_code=status,
    )


async def _identity(request: Request, workshop_id: str) -> Identity | Response:
    found = await identify(request, workshop_id)
    if not found.workshop_exists:
        return _error(request, 404, "workshop.not_found")
    if found.identity is None:
        return _error(request, 403, "permission.not_in_workshop")
    return found.identity


async def post_command(request: Request) -> Response:
    rt = runtime(request)
    workshop_id = request.path_params["workshop_id"][:64]
    origin = request.headers.get("origin")
    if origin is not None and not origin_allowed(
        origin, request.headers.get("host"), request.url.scheme, rt.settings.allowed_origins
    ):
        return _error(request, 403, "api.bad_origin")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _error(request, 415, "api.json_only")
    who = await _identity(request, workshop_id)
    if isinstance(who, Response):
        return who
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > rt.settings.ws_max_message_bytes:
            return _error(request, 413, "wire.too_large")
    try:
        locale = session_locale(request)
        titles = template_titles_from(lambda key: message(key, locale))
        parsed = parse_client_message(body, new_id, titles, wall_clock_ms, copenhagen_today)
    except WireError as e:
        return _error(request, 400, e.code, e.command_id, **e.params)
    if isinstance(
        parsed, Editing | Visiting
    ):  # presence of a live socket: nothing to say over HTTP
        return _error(request, 400, "api.socket_only")
    if not isinstance(parsed, CommandRequest):
        return _error(request, 400, "wire.unknown_type")
    try:
        result = await rt.service.execute(workshop_id, who.actor, parsed.command_id, parsed.command)
    except StoreUnavailable:
        return _error(request, 503, "server.try_again", parsed.command_id)
    except UnknownWorkshop:
        return _error(request, 404, "workshop.not_found", parsed.command_id)
    if result.ok:
        return JSONResponse({"type": "ack", "command_id": result.command_id, "seq": result.seq})
    assert result.error_code is not None
    status = (
        403
        if result.error_code.startswith("permission.") or result.error_code.endswith("not_yours")
        else 422
    )
    return _error(
        request, status, result.error_code, result.command_id, **(result.error_params or {})
    )


async def get_snapshot(request: Request) -> Response:
    rt = runtime(request)
    workshop_id = request.path_params["workshop_id"][:64]
    who = await _identity(request, workshop_id)
    if isinstance(who, Response):
        return who
    snap = await rt.source.snapshot(workshop_id)
    if snap is None:
        return _error(request, 404, "workshop.not_found")
    return JSONResponse(
        {
            "type": "snapshot",
            "epoch": snap.position.epoch,
            "seq": snap.position.last_seq,
            "state": state_json(
                snap.state, Viewer(who.actor.role, "json", session_locale(request), who.actor.id)
            ),
        }
    )


async def healthz(request: Request) -> Response:
    rt = runtime(request)
    db_ok = await rt.db.ping()
    broker_ok = await rt.hub.broker.healthy()
    status = 200 if db_ok and broker_ok else 503
    return JSONResponse(
        {
            "status": "ok" if status == 200 else "degraded",
            "database": "ok" if db_ok else "down",
            "broker": "ok" if broker_ok else "down",
            "broker_kind": "redis" if rt.settings.redis_url else "memory",
        },
        status_code=status,
    )
