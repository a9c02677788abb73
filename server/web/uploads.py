"""Hall uploads and the asset endpoints.

An upload is read with a hard cap (the body is counted as it arrives, whatever Content-Length
claims), checked and re-encoded by `server.media`, and stored by `Service.execute` in the same
transaction as its `hall.asset_added` event, so a refused file leaves nothing behind.

Assets are served only to whoever `may_fetch` them: a facilitator, or a participant who may
enter a room that shows the file. Anyone else gets 404, as for an asset that does not exist,
so a break room's music is not reachable by guessing or sharing its URL. Bytes are read from
the database in slices, so a film's Range requests (Chromium seeks with them) never load the
whole film.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from server.domain.commands import AddAsset
from server.domain.hall import Asset, may_fetch
from server.i18n import message
from server.media import (
    LARGEST_UPLOAD,
    MAX_BYTES,
    UPLOAD_KINDS,
    CheckedFile,
    UploadError,
    check_upload,
    max_mb,
)
from server.service import UnknownWorkshop, new_id
from server.store import workshops as workshop_rows
from server.store.db import StoreUnavailable
from server.store.loading import load_hall
from server.store.tables import asset_blobs
from server.web.forms import BodyTooLarge, capped_file_form
from server.web.identity import Identity, identify
from server.web.join import normalise_code
from server.web.security import csrf_valid
from server.web.state import runtime, session_locale

KB = 1024
READ_CHUNK = 64 * KB  # read from the spooled upload a piece at a time
FORM_SLACK = 64 * KB  # multipart boundaries, headers and the small fields beside the file
SLICE = 1024 * KB  # bytes per database read when serving
CACHE = "private, max-age=3600"  # per person (access differs); an id's bytes never change


# --- uploading ---------------------------------------------------------------------------


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request", "").lower() == "true"


def _localised(locale: str, params: dict[str, Any]) -> dict[str, Any]:
    """Numbers as the reader writes them: "0,5 MB" in Danish."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, float) and locale == "da":
            out[key] = f"{value:g}".replace(".", ",")
        else:
            out[key] = value
    return out


def _refuse(request: Request, status: int, code: str, **params: Any) -> Response:
    """The catalogue's sentence, as a fragment the editor swaps in or as JSON."""
    locale = session_locale(request)
    text = message(code, locale, **_localised(locale, params))
    if _is_htmx(request):
        return HTMLResponse(
            f'<p class="upload-status error" role="alert" data-code="{html.escape(code)}">'
            f"{html.escape(text)}</p>",
            status_code=status,
        )
    return JSONResponse({"code": code, "message": text}, status_code=status)


def _accepted(request: Request, asset_id: str, checked: CheckedFile) -> Response:
    if _is_htmx(request):
        text = message("upload.done", session_locale(request), name=checked.name)
        return HTMLResponse(
            f'<p class="upload-status ok" role="status" data-asset-id="{html.escape(asset_id)}"'
            f' data-asset-kind="{checked.kind}">{html.escape(text)}</p>'
        )
    return JSONResponse(
        {
            "asset_id": asset_id,
            "kind": checked.kind,
            "media_type": checked.media_type,
            "name": checked.name,
            "size": checked.size,
            "width": checked.width,
            "height": checked.height,
        }
    )


async def _read_capped(upload: UploadFile, cap: int) -> bytes:
    """At most `cap` bytes: one more than a kind allows is enough to refuse it."""
    parts: list[bytes] = []
    got = 0
    while got < cap:
        chunk = await upload.read(min(READ_CHUNK, cap - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


async def _facilitator(request: Request, workshop_id: str) -> Identity | Response:
    found = await identify(request, workshop_id)
    if not found.workshop_exists:
        return _refuse(request, 404, "workshop.not_found")
    if found.identity is None:
        return _refuse(request, 403, "permission.not_in_workshop")
    if found.identity.actor.role != "facilitator":
        return _refuse(request, 403, "permission.facilitators_only")
    return found.identity


async def _checked(request: Request, form: FormData) -> CheckedFile | Response:
    """The form's file, checked; or the refusal. Nothing has been stored either way."""
    kind = form.get("kind")
    if not isinstance(kind, str) or kind not in UPLOAD_KINDS:
        return _refuse(request, 400, "upload.kind")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return _refuse(request, 400, "upload.missing")
    data = await _read_capped(upload, MAX_BYTES[kind] + 1)
    try:
        return await run_in_threadpool(check_upload, kind, data, upload.filename or "")
    except UploadError as e:
        status = 413 if e.code == "upload.too_large" else 400
        return _refuse(request, status, e.code, **e.params)


async def upload_asset(request: Request) -> Response:
    """POST multipart: `csrf`, `kind` (image|audio|video|captions), `file`."""
    rt = runtime(request)
    workshop_id = request.path_params["workshop_id"][:64]
    who = await _facilitator(request, workshop_id)  # before reading a byte of the body
    if isinstance(who, Response):
        return who
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return _refuse(request, 400, "upload.missing")
    limit = LARGEST_UPLOAD + FORM_SLACK
    try:
        form = await capped_file_form(request, limit, max_fields=10)
    except BodyTooLarge:
        return _refuse(request, 413, "upload.too_large", max=max_mb("video"))
    except HTTPException:  # malformed multipart
        return _refuse(request, 400, "upload.missing")
    try:
        token = form.get("csrf")
        if not csrf_valid(request.session, token if isinstance(token, str) else None):
            return _refuse(request, 403, "form.csrf")
        checked = await _checked(request, form)
    finally:
        await form.close()
    if isinstance(checked, Response):
        return checked
    asset_id = new_id()
    command = AddAsset(
        asset_id=asset_id,
        kind=checked.kind,
        media_type=checked.media_type,
        name=checked.name,
        size=checked.size,
        width=checked.width,
        height=checked.height,
    )
    try:
        result = await rt.service.execute(
            workshop_id, who.actor, new_id(), command, blobs=[(asset_id, checked.data)]
        )
    except StoreUnavailable:
        return _refuse(request, 503, "server.try_again")
    except UnknownWorkshop:
        return _refuse(request, 404, "workshop.not_found")
    if not result.ok:
        assert result.error_code is not None
        status = 403 if result.error_code.startswith("permission.") else 422
        return _refuse(request, status, result.error_code, **(result.error_params or {}))
    return _accepted(request, asset_id, checked)


# --- serving -----------------------------------------------------------------------------


async def _blob_length(conn: AsyncConnection, workshop_id: str, asset_id: str) -> int | None:
    n = await conn.scalar(
        sa.select(sa.func.length(asset_blobs.c.data)).where(
            asset_blobs.c.workshop_id == workshop_id, asset_blobs.c.asset_id == asset_id
        )
    )
    return None if n is None else int(n)


async def _blob_slice(
    conn: AsyncConnection, workshop_id: str, asset_id: str, start: int, length: int
) -> bytes:
    """Bytes start..start+length-1, cut by the database (SQLite and PostgreSQL both count a
    blob's `substr` in bytes, from 1)."""
    data = await conn.scalar(
        sa.select(
            sa.func.substr(asset_blobs.c.data, start + 1, length, type_=sa.LargeBinary)
        ).where(asset_blobs.c.workshop_id == workshop_id, asset_blobs.c.asset_id == asset_id)
    )
    return b"" if data is None else bytes(data)


class _Unsatisfiable(Exception):
    pass


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def parse_range(header: str | None, total: int) -> tuple[int, int] | None:
    """The first..last byte a `Range` header asks for, or None to send everything (no header,
    one we do not understand, or several ranges, which a server may answer in full)."""
    if not header:
        return None
    m = _RANGE.fullmatch(header.strip().replace(" ", ""))
    if m is None:
        return None
    first, last = m.group(1), m.group(2)
    if not first:
        if not last:
            return None
        n = int(last)
        if n == 0:
            raise _Unsatisfiable
        return max(0, total - n), total - 1
    start = int(first)
    if last and int(last) < start:
        return None  # not a valid range: ignored, as RFC 9110 says
    if start >= total:
        raise _Unsatisfiable
    end = min(int(last), total - 1) if last else total - 1
    return start, end


def _content_type(asset: Asset) -> str:
    if asset.media_type.startswith("text/"):
        return asset.media_type + "; charset=utf-8"
    return asset.media_type


async def _serve(
    request: Request, workshop_id: str, asset_id: str, participant_id: str | None, facilitator: bool
) -> Response:
    rt = runtime(request)
    async with rt.db.read() as conn:
        hall = await load_hall(conn, workshop_id)
        if not may_fetch(hall, asset_id, participant_id, facilitator):
            return Response(status_code=404)
        asset = hall.assets[asset_id]
        total = await _blob_length(conn, workshop_id, asset_id)
    if not total:
        return Response(status_code=404)
    etag = f'"{asset_id}"'  # an asset's bytes never change
    headers = {
        "Cache-Control": CACHE,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline; filename*=UTF-8''" + quote(asset.name, safe=""),
        "Accept-Ranges": "bytes",
        "ETag": etag,
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range != etag:
        wanted = None  # the client holds other bytes: send the whole file
    try:
        span = parse_range(wanted, total)
    except _Unsatisfiable:
        headers["Content-Range"] = f"bytes */{total}"
        return Response(status_code=416, headers=headers)
    start, end = span if span is not None else (0, total - 1)
    status = 200
    if span is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{total}"
    length = end - start + 1
    headers["Content-Length"] = str(length)
    if length <= SLICE:
        async with rt.db.read() as conn:
            body = await _blob_slice(conn, workshop_id, asset_id, start, length)
        return Response(body, status_code=status, headers=headers, media_type=_content_type(asset))

    async def slices() -> AsyncIterator[bytes]:
        pos = start
        while pos <= end:
            n = min(SLICE, end - pos + 1)
            async with rt.db.read() as conn:
                chunk = await _blob_slice(conn, workshop_id, asset_id, pos, n)
            if not chunk:
                return
            yield chunk
            pos += len(chunk)

    return StreamingResponse(
        slices(), status_code=status, headers=headers, media_type=_content_type(asset)
    )


async def facilitator_asset(request: Request) -> Response:
    """For the editor, the facilitator's page and the room screen: any asset of the workshop."""
    workshop_id = request.path_params["workshop_id"][:64]
    found = await identify(request, workshop_id)
    if found.identity is None or found.identity.actor.role != "facilitator":
        return Response(status_code=404)
    return await _serve(request, workshop_id, request.path_params["asset_id"][:64], None, True)


async def participant_asset(request: Request) -> Response:
    """For a participant's page: only assets of rooms they may enter."""
    code = normalise_code(request.path_params["code"])
    async with runtime(request).db.read() as conn:
        row = await workshop_rows.by_join_code(conn, code)
    if row is None:
        return Response(status_code=404)
    found = await identify(request, row.id)
    if found.identity is None:
        return Response(status_code=404)
    actor = found.identity.actor
    asset_id = request.path_params["asset_id"][:64]
    if actor.role == "facilitator":  # the facilitator looking through the participants' door
        return await _serve(request, row.id, asset_id, None, True)
    return await _serve(request, row.id, asset_id, actor.id, False)
