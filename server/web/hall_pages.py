"""The facilitator's hall editor page, and its "preview as a participant".

GET /f/workshops/{workshop_id}/hall: the workshop's owner only (others: the login page, or 404
for someone else's workshop, as the workshop page does). The page holds the same live socket as
the workshop page, so every change shows on every screen at once, the editor's included.

`?preview=participant` shows the hall exactly as a participant who has unlocked nothing sees
it, read-only and without a socket (a fresh look each time the page is loaded).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from server.i18n import message
from server.realtime.source import Viewer
from server.render.hall_view import HallView
from server.store import workshops as workshop_rows
from server.web.forms import page, redirect
from server.web.state import runtime, session_facilitator, session_locale


async def hall_editor(request: Request) -> Response:
    fid = session_facilitator(request.session)
    if fid is None:
        return redirect("/login")
    rt = runtime(request)
    async with rt.db.read() as conn:
        row = await workshop_rows.by_id(conn, request.path_params["workshop_id"][:64])
    locale = session_locale(request)
    if row is None or row.facilitator_id != fid:
        return HTMLResponse(message("workshop.not_found", locale), status_code=404)
    snap = await rt.source.snapshot(row.id)
    assert snap is not None
    preview = request.query_params.get("preview") == "participant"
    if preview:
        viewer = Viewer("participant", "html", locale, "")
    else:
        viewer = Viewer("facilitator", "html", locale, fid)
    return page(
        request,
        "facilitator/hall_editor.html",
        state=snap.state,
        hv=HallView(snap.state, viewer, preview=preview),
        preview=preview,
        seq=snap.position.last_seq,
        epoch=snap.position.epoch,
        role="facilitator",
        me=fid,
    )
