"""The export downloads (CSV per entity, the JSON export) and the JSON import, for the
facilitator who owns the workshop. Another facilitator's workshop answers 404, as one that does
not exist; without a facilitator session the answer is the login page.

The import's body is counted as it arrives (whatever Content-Length claims) and refused past
`MAX_IMPORT_BYTES`; a refused file is answered with the dashboard and the reason, and leaves
nothing behind (`Service.import_workshop` writes all or nothing).
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from server.domain.workshop import DEFAULT_GROUPS
from server.exchange.csv_export import Kind, export_csv
from server.exchange.errors import ImportProblem
from server.exchange.export import dumps, slug
from server.exchange.importer import import_file
from server.exchange.source import Stored, export_document, load
from server.i18n import message
from server.store import workshops as workshop_rows
from server.store.db import StoreUnavailable
from server.web.committees import dashboard_context
from server.web.forms import BodyTooLarge, capped_file_form, csrf_failed, page, redirect
from server.web.security import csrf_valid
from server.web.state import runtime, session_facilitator, session_locale

MB = 1024 * 1024
MAX_IMPORT_BYTES = 60 * MB  # the whole request: the file and the form around it


def _not_found(request: Request) -> Response:
    return HTMLResponse(message("workshop.not_found", session_locale(request)), status_code=404)


async def _owned(request: Request, *, files: bool) -> Stored | Response:
    """The workshop's stored state if the session's facilitator owns it (a task committee is
    not a workshop: it has no export of this kind)."""
    fid = session_facilitator(request.session)
    if fid is None:
        return redirect("/login")
    rt = runtime(request)
    workshop_id = request.path_params["workshop_id"][:64]
    async with rt.db.read() as conn:
        row = await workshop_rows.by_id(conn, workshop_id)
    if row is None or row.facilitator_id != fid:
        return _not_found(request)
    stored = await load(rt.db, row.id, files=files)
    if stored is None or stored.state.committee is not None:
        return _not_found(request)
    return stored


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


async def export_json(request: Request) -> Response:
    stored = await _owned(request, files=True)
    if isinstance(stored, Response):
        return stored
    now = datetime.datetime.now(datetime.UTC)

    def build() -> bytes:
        return dumps(export_document(stored, now))

    body = await asyncio.to_thread(build)
    return _download(body, "application/json", f"{slug(stored.state.title)}-samskab.json")


async def _csv(request: Request, kind: Kind) -> Response:
    stored = await _owned(request, files=False)
    if isinstance(stored, Response):
        return stored
    body = export_csv(kind, stored.state, session_locale(request))
    return _download(body, "text/csv; charset=utf-8", f"{slug(stored.state.title)}-{kind}.csv")


async def notes_csv(request: Request) -> Response:
    return await _csv(request, "notes")


async def questions_csv(request: Request) -> Response:
    return await _csv(request, "questions")


async def votes_csv(request: Request) -> Response:
    return await _csv(request, "votes")


async def dilemmas_csv(request: Request) -> Response:
    return await _csv(request, "dilemmas")


# --- import ----------------------------------------------------------------------------------


async def _refused(request: Request, facilitator_id: str, status: int, text: str) -> Response:
    """The dashboard again, with the reason where the import form is."""
    rt = runtime(request)
    async with rt.db.read() as conn:
        rows = await workshop_rows.for_facilitator(conn, facilitator_id)
        committees = await dashboard_context(conn, facilitator_id)
    form = {
        "title": "",
        "date": datetime.date.today().isoformat(),
        "groups": "\n".join(DEFAULT_GROUPS),
    }
    context: dict[str, Any] = {"workshops": rows, "form": form, "error": None, **committees}
    return page(request, "facilitator/dashboard.html", status=status, import_error=text, **context)


async def import_workshop(request: Request) -> Response:
    """POST multipart: `csrf` and `file` (a JSON export). A new workshop, or the reason not."""
    fid = session_facilitator(request.session)
    if fid is None:
        return redirect("/login")
    locale = session_locale(request)
    too_large = message("import.too_large", locale, max=MAX_IMPORT_BYTES // MB)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await _refused(request, fid, 400, message("import.no_file", locale))
    try:
        form = await capped_file_form(request, MAX_IMPORT_BYTES, max_fields=5)
    except BodyTooLarge:
        return await _refused(request, fid, 413, too_large)
    except HTTPException:  # malformed multipart
        return await _refused(request, fid, 400, message("import.no_file", locale))
    try:
        token = form.get("csrf")
        if not csrf_valid(request.session, token if isinstance(token, str) else None):
            return csrf_failed(request)
        upload = form.get("file")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
    finally:
        await form.close()
    if not data:
        return await _refused(request, fid, 422, message("import.no_file", locale))
    try:
        state = await import_file(runtime(request).service, fid, data)
    except ImportProblem as problem:
        return await _refused(request, fid, 422, problem.text(locale))
    except StoreUnavailable:
        return await _refused(request, fid, 503, message("server.try_again", locale))
    return redirect(f"/f/workshops/{state.id}")
