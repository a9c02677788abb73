"""What every HTML page and form shares: rendering with the CSRF token, redirects, form reading."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import Message, Receive

from server.i18n import message
from server.render.templating import render
from server.web.security import csrf_token, csrf_valid
from server.web.state import session_locale


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


async def read_form(request: Request) -> dict[str, str]:
    form = await request.form(max_files=0, max_fields=50, max_part_size=64 * 1024)
    out = {k: v for k, v in form.items() if isinstance(v, str)}
    await form.close()
    return out


def csrf_failed(request: Request) -> Response:
    locale = session_locale(request)
    return HTMLResponse(message("form.csrf", locale), status_code=403)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def set_language(request: Request) -> Response:
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
    if form.get("locale") in ("da", "en"):
        request.session["locale"] = form["locale"]
    nxt = form.get("next", "/")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/")


class BodyTooLarge(Exception):
    """A request body went (or said it would go) past its cap: stop reading it."""


async def capped_file_form(request: Request, limit: int, *, max_fields: int) -> FormData:
    """The multipart form of a one-file upload, read with a hard cap: refused at once when
    Content-Length says more than `limit`, and counted as it arrives whatever it says (the
    parser spools to disk, so an endless body could fill it). Raises BodyTooLarge, or
    starlette's HTTPException for a malformed body; the caller closes the form."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    counted = Request(request.scope, _counted(request.receive, limit))
    return await counted.form(max_files=1, max_fields=max_fields, max_part_size=64 * 1024)


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def inner() -> Message:
        nonlocal seen
        msg = await receive()
        if msg["type"] == "http.request":
            seen += len(msg.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return msg

    return inner
