"""HTML pages and forms: joining, facilitator login, the dashboard and the workshop page."""

from __future__ import annotations

import datetime
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from server.domain.commands import Actor, JoinWorkshop, UpdateParticipant
from server.domain.errors import DomainError
from server.domain.workshop import DEFAULT_GROUPS
from server.i18n import message
from server.render.templating import render
from server.service import new_id
from server.store import facilitators as facilitator_rows
from server.store import workshops as workshop_rows
from server.web.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from server.web.security import csrf_token, csrf_valid
from server.web.state import (
    runtime,
    session_facilitator,
    session_locale,
    session_participant,
    set_session_participant,
)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    locale = session_locale(request)
    html = render(
        template,
        locale,
        csrf=csrf_token(request.session),
        request_path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())[:6]


async def _form(request: Request) -> dict[str, str]:
    form = await request.form(max_files=0, max_fields=50, max_part_size=64 * 1024)
    out = {k: v for k, v in form.items() if isinstance(v, str)}
    await form.close()
    return out


def _csrf_failed(request: Request) -> Response:
    locale = session_locale(request)
    return HTMLResponse(message("form.csrf", locale), status_code=403)


async def home(request: Request) -> Response:
    return page(request, "home.html", error=None, code=request.query_params.get("code", "")[:12])


async def join_code(request: Request) -> Response:
    form = await _form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return _csrf_failed(request)
    code = normalise_code(form.get("code", ""))
    return redirect(f"/w/{code}") if code else redirect("/")


async def _workshop_by_code(request: Request, code: str) -> workshop_rows.WorkshopRow | None:
    rt = runtime(request)
    async with rt.db.read() as conn:
        return await workshop_rows.by_join_code(conn, code)


async def _find_by_code(request: Request, code: str) -> workshop_rows.WorkshopRow | Response:
    """The workshop behind a join code, or the page to show instead; guessing is rate-limited."""
    locale = session_locale(request)
    if not runtime(request).join_limiter.allow(_client_ip(request)):
        error = message("join.rate_limited", locale)
        return page(request, "home.html", status=429, error=error, code=code)
    row = await _workshop_by_code(request, code)
    if row is None:
        error = message("join.unknown_code", locale)
        return page(request, "home.html", status=404, error=error, code=code)
    return row


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def workshop_page(request: Request) -> Response:
    rt = runtime(request)
    code = normalise_code(request.path_params["code"])
    row = await _find_by_code(request, code)
    if isinstance(row, Response):
        return row
    snap = await rt.source.snapshot(row.id)
    assert snap is not None
    pid = session_participant(request.session, row.id)
    if pid is None or pid not in snap.state.participants:
        return page(
            request, "join.html", workshop=snap.state, error=None, display_name="", group=""
        )
    return page(
        request,
        "workshop.html",
        state=snap.state,
        seq=snap.position.last_seq,
        epoch=snap.position.epoch,
        role="participant",
        me=pid,
        join_url="",
    )


async def join_submit(request: Request) -> Response:
    rt = runtime(request)
    form = await _form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return _csrf_failed(request)
    locale = session_locale(request)
    code = normalise_code(request.path_params["code"])
    row = await _find_by_code(request, code)
    if isinstance(row, Response):
        return row
    display_name = form.get("display_name", "")[:200]
    group = form.get("group", "")[:200]
    existing = session_participant(request.session, row.id)
    snap = await rt.source.snapshot(row.id)
    assert snap is not None
    if existing is not None and existing in snap.state.participants:
        result = await rt.service.execute(
            row.id,
            Actor("participant", existing),
            new_id(),
            UpdateParticipant(display_name=display_name, group=group),
        )
        pid = existing
    else:
        pid = new_id()
        result = await rt.service.execute(
            row.id,
            Actor("participant", pid),
            new_id(),
            JoinWorkshop(participant_id=pid, display_name=display_name, group=group),
        )
    if not result.ok:
        assert result.error_code is not None
        return page(
            request,
            "join.html",
            status=422,
            workshop=snap.state,
            error=message(result.error_code, locale, **(result.error_params or {})),
            display_name=display_name,
            group=group,
        )
    set_session_participant(request.session, row.id, pid)
    return redirect(f"/w/{code}")


async def leave(request: Request) -> Response:
    """Leave this device: forget the participant in this browser (the data stays in the workshop)."""
    form = await _form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return _csrf_failed(request)
    row = await _workshop_by_code(request, normalise_code(request.path_params["code"]))
    if row is not None:
        set_session_participant(request.session, row.id, None)
    response = redirect("/")
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


async def login_form(request: Request) -> Response:
    return page(request, "login.html", error=None)


async def login_submit(request: Request) -> Response:
    rt = runtime(request)
    form = await _form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return _csrf_failed(request)
    locale = session_locale(request)
    if not rt.join_limiter.allow("login:" + _client_ip(request)):
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
    form = await _form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return _csrf_failed(request)
    request.session.clear()
    return redirect("/")


async def set_language(request: Request) -> Response:
    form = await _form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return _csrf_failed(request)
    if form.get("locale") in ("da", "en"):
        request.session["locale"] = form["locale"]
    nxt = form.get("next", "/")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/")


def _require_facilitator(request: Request) -> str | None:
    return session_facilitator(request.session)


async def dashboard(request: Request) -> Response:
    fid = _require_facilitator(request)
    if fid is None:
        return redirect("/login")
    rt = runtime(request)
    async with rt.db.read() as conn:
        rows = await workshop_rows.for_facilitator(conn, fid)
    form = {
        "title": "",
        "date": datetime.date.today().isoformat(),
        "groups": "\n".join(DEFAULT_GROUPS),
    }
    return page(request, "facilitator/dashboard.html", workshops=rows, form=form, error=None)


async def create_workshop(request: Request) -> Response:
    fid = _require_facilitator(request)
    if fid is None:
        return redirect("/login")
    rt = runtime(request)
    form = await _form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return _csrf_failed(request)
    locale = session_locale(request)
    groups = form.get("groups", "").splitlines()
    try:
        state = await rt.service.create_workshop(
            facilitator_id=fid,
            title=form.get("title", "")[:1000],
            date=form.get("date", ""),
            groups=groups[:100],
            board_title=message("board.default_title", locale),
        )
    except DomainError as e:
        async with rt.db.read() as conn:
            rows = await workshop_rows.for_facilitator(conn, fid)
        return page(
            request,
            "facilitator/dashboard.html",
            status=422,
            workshops=rows,
            form={k: form.get(k, "") for k in ("title", "date", "groups")},
            error=message(e.code, locale, **e.params),
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
    snap = await runtime(request).source.snapshot(row.id)
    assert snap is not None
    return page(
        request,
        "workshop.html",
        state=snap.state,
        seq=snap.position.last_seq,
        epoch=snap.position.epoch,
        role="facilitator",
        me=_require_facilitator(request),
        join_url=join_url(request, row.join_code),
    )


async def workshop_qr(request: Request) -> Response:
    row = await _owned_workshop(request)
    if row is None:
        return Response(status_code=404)
    qr = segno.make(join_url(request, row.join_code), error="m")
    return Response(qr.svg_inline(scale=4, border=2), media_type="image/svg+xml")
