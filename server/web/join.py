"""The participant's way in: the join code, the join form, the live workshop page, leaving."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.domain.commands import Actor, EraseParticipant, JoinWorkshop, UpdateParticipant
from server.i18n import message
from server.realtime.source import Viewer
from server.render.board_view import BoardView
from server.service import new_id
from server.store import workshops as workshop_rows
from server.web.committee_pages import committee_page
from server.web.forms import client_ip, csrf_failed, page, read_form, redirect
from server.web.security import csrf_valid
from server.web.state import (
    runtime,
    session_locale,
    session_participant,
    set_session_participant,
)


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())[:6]


async def home(request: Request) -> Response:
    return page(request, "home.html", error=None, code=request.query_params.get("code", "")[:12])


async def join_code(request: Request) -> Response:
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
    code = normalise_code(form.get("code", ""))
    return redirect(f"/w/{code}") if code else redirect("/")


async def _workshop_by_code(request: Request, code: str) -> workshop_rows.WorkshopRow | None:
    rt = runtime(request)
    async with rt.db.read() as conn:
        return await workshop_rows.by_join_code(conn, code)


async def _find_by_code(request: Request, code: str) -> workshop_rows.WorkshopRow | Response:
    """The workshop behind a join code, or the page to show instead. Guessing is rate-limited:
    only a code that finds no workshop costs from the address's budget, so a hall full of
    tablets behind one address joins (and reloads) freely, while a guesser is stopped."""
    locale = session_locale(request)
    limiter, ip = runtime(request).join_limiter, client_ip(request)
    if limiter.blocked(ip):
        error = message("join.rate_limited", locale)
        return page(request, "home.html", status=429, error=error, code=code)
    row = await _workshop_by_code(request, code)
    if row is None:
        limiter.charge(ip)
        error = message("join.unknown_code", locale)
        return page(request, "home.html", status=404, error=error, code=code)
    return row


async def workshop_page(request: Request) -> Response:
    rt = runtime(request)
    code = normalise_code(request.path_params["code"])
    row = await _find_by_code(request, code)
    if isinstance(row, Response):
        return row
    snap = await rt.source.snapshot(row.id)
    assert snap is not None
    pid = session_participant(request.session, row.id)
    me = snap.state.participants.get(pid or "")
    if me is not None and me.kicked:
        return _removed(request)
    if pid is None or me is None:
        return page(
            request, "join.html", workshop=snap.state, error=None, display_name="", group=""
        )
    if snap.state.committee is not None:
        return committee_page(request, row, snap, "participant")
    viewer = Viewer("participant", "html", session_locale(request), pid)
    return page(
        request,
        "workshop.html",
        state=snap.state,
        view=BoardView(snap.state, viewer),
        seq=snap.position.last_seq,
        epoch=snap.position.epoch,
        role="participant",
        me=pid,
        join_url="",
    )


def _removed(request: Request) -> Response:
    """A removed participant keeps the session entry, so this browser cannot join again."""
    error = message("participant.kicked", session_locale(request))
    return page(request, "home.html", status=403, error=error, code="")


async def join_submit(request: Request) -> Response:
    rt = runtime(request)
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
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
    known = snap.state.participants.get(existing or "")
    if known is not None and known.kicked:
        return _removed(request)
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


async def erase_me(request: Request) -> Response:
    """ "Delete my data": the participant's own erasure (their notes go too), then this device
    forgets them as "leave this device" does."""
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
    locale = session_locale(request)
    row = await _workshop_by_code(request, normalise_code(request.path_params["code"]))
    pid = None if row is None else session_participant(request.session, row.id)
    if row is None or pid is None:
        return page(
            request, "home.html", status=404, error=message("participant.unknown", locale), code=""
        )
    if form.get("confirm") != "yes":
        return redirect(f"/w/{row.join_code}")
    rt = runtime(request)
    result = await rt.service.execute(
        row.id, Actor("participant", pid), f"erase-{pid}", EraseParticipant(pid, "delete")
    )
    if not result.ok and result.error_code != "participant.already_erased":
        assert result.error_code is not None
        return page(
            request,
            "home.html",
            status=422,
            error=message(result.error_code, locale, **(result.error_params or {})),
            code="",
        )
    set_session_participant(request.session, row.id, None)
    response = page(request, "home.html", notice=message("erase.done", locale), error=None, code="")
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


async def leave(request: Request) -> Response:
    """Leave this device: forget the participant in this browser (the data stays in the workshop)."""
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
    row = await _workshop_by_code(request, normalise_code(request.path_params["code"]))
    if row is not None:
        set_session_participant(request.session, row.id, None)
    response = redirect("/")
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
