"""The facilitator's pages: login, the dashboard, creating a workshop, its page and QR code."""

from __future__ import annotations

import datetime
import io

import segno
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from server.domain.errors import DomainError
from server.domain.workshop import DEFAULT_GROUPS
from server.i18n import message
from server.realtime.source import Viewer, ViewerRole
from server.render.board_view import BoardView
from server.store import facilitators as facilitator_rows
from server.store import loading
from server.store import workshops as workshop_rows
from server.web.committee_pages import committee_page
from server.web.committees import dashboard_context
from server.web.forms import client_ip, csrf_failed, page, read_form, redirect
from server.web.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from server.web.security import csrf_valid
from server.web.state import runtime, session_facilitator, session_locale


async def login_form(request: Request) -> Response:
    return page(request, "login.html", error=None)


async def login_submit(request: Request) -> Response:
    rt = runtime(request)
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
    locale = session_locale(request)
    if not rt.join_limiter.allow("login:" + client_ip(request)):
        return page(request, "login.html", status=429, error=message("join.rate_limited", locale))
    name = form.get("name", "").strip()[:60]
    password = form.get("password", "")[:200]
    async with rt.db.read() as conn:
        row = await facilitator_rows.by_name(conn, name)
    if row is None:
        verify_password(DUMMY_HASH, password)  # same time whether or not the name exists
        return page(request, "login.html", status=401, error=message("login.failed", locale))
    if not verify_password(row.password_hash, password):
        return page(request, "login.html", status=401, error=message("login.failed", locale))
    if needs_rehash(row.password_hash):
        async with rt.db.write() as conn:
            await facilitator_rows.update_password(conn, row.id, hash_password(password))
    keep = {k: request.session.get(k) for k in ("locale",) if k in request.session}
    request.session.clear()
    request.session.update(keep)
    request.session["facilitator_id"] = row.id
    return redirect("/f")


async def logout(request: Request) -> Response:
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
    request.session.clear()
    return redirect("/")


def _require_facilitator(request: Request) -> str | None:
    return session_facilitator(request.session)


async def dashboard(request: Request) -> Response:
    fid = _require_facilitator(request)
    if fid is None:
        return redirect("/login")
    rt = runtime(request)
    async with rt.db.read() as conn:
        rows = await workshop_rows.for_facilitator(conn, fid)
        committees = await dashboard_context(conn, fid)  # the committee forms
    form = {
        "title": "",
        "date": datetime.date.today().isoformat(),
        "groups": "\n".join(DEFAULT_GROUPS),
    }
    return page(
        request, "facilitator/dashboard.html", workshops=rows, form=form, error=None, **committees
    )


async def create_workshop(request: Request) -> Response:
    fid = _require_facilitator(request)
    if fid is None:
        return redirect("/login")
    rt = runtime(request)
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
    locale = session_locale(request)
    groups = form.get("groups", "").splitlines()
    try:
        state = await rt.service.create_workshop(
            facilitator_id=fid,
            title=form.get("title", "")[:1000],
            date=form.get("date", ""),
            groups=groups[:100],
            board_title=message("board.default_title", locale),
            column_title=message("template.blank.notes", locale),
        )
    except DomainError as e:
        async with rt.db.read() as conn:
            rows = await workshop_rows.for_facilitator(conn, fid)
            committees = await dashboard_context(conn, fid)
        return page(
            request,
            "facilitator/dashboard.html",
            status=422,
            workshops=rows,
            form={k: form.get(k, "") for k in ("title", "date", "groups")},
            error=message(e.code, locale, **e.params),
            **committees,
        )
    return redirect(f"/f/workshops/{state.id}")


async def _owned_workshop(request: Request) -> workshop_rows.WorkshopRow | None:
    fid = _require_facilitator(request)
    if fid is None:
        return None
    rt = runtime(request)
    async with rt.db.read() as conn:
        row = await workshop_rows.by_id(conn, request.path_params["workshop_id"][:64])
    return row if row is not None and row.facilitator_id == fid else None


def join_url(request: Request, code: str) -> str:
    return str(request.url_for("workshop_page", code=code))


async def facilitator_workshop(request: Request) -> Response:
    if _require_facilitator(request) is None:
        return redirect("/login")
    row = await _owned_workshop(request)
    if row is None:
        return HTMLResponse(message("workshop.not_found", session_locale(request)), status_code=404)
    return await _live_page(request, row, "workshop.html", "facilitator")


async def room_screen(request: Request) -> Response:
    """The projector view: read-only, large type, follows the facilitator's current board."""
    if _require_facilitator(request) is None:
        return redirect("/login")
    row = await _owned_workshop(request)
    if row is None:
        return HTMLResponse(message("workshop.not_found", session_locale(request)), status_code=404)
    return await _live_page(request, row, "screen.html", "screen")


async def _live_page(
    request: Request, row: workshop_rows.WorkshopRow, template: str, role: ViewerRole
) -> Response:
    snap = await runtime(request).source.snapshot(row.id)
    assert snap is not None
    if snap.state.committee is not None:
        return committee_page(request, row, snap, role)
    fid = _require_facilitator(request) or ""
    viewer = Viewer(role, "html", session_locale(request), fid)
    async with runtime(request).db.read() as conn:
        committee_id = await loading.committee_of(conn, row.id)
    return page(
        request,
        template,
        state=snap.state,
        view=BoardView(snap.state, viewer),
        seq=snap.position.last_seq,
        epoch=snap.position.epoch,
        role=role,
        me=fid,
        join_url=join_url(request, row.join_code),
        committee_id=committee_id,
    )


async def workshop_qr(request: Request) -> Response:
    row = await _owned_workshop(request)
    if row is None:
        return Response(status_code=404)
    qr = segno.make(join_url(request, row.join_code), error="m")
    # A standalone image needs the SVG namespace, which `svg_inline` leaves out (it is for
    # markup pasted into HTML): without it the browser shows the broken-image alt text.
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return Response(out.getvalue(), media_type="image/svg+xml")
