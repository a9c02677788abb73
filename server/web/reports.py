"""The workshop report on the web: the facilitator's page and PDF, publishing a read-only link,
and that link's public page and PDF.

A published link is `/r/<token>`, the token signing (workshop id, link id) with the app's
secret. The link id is the workshop's `report_link`: publishing again stores a new one and
revoking clears it, so an old token stops working without any list of revoked tokens. Every
unusable token gets the same 404 page, and the public pages are never indexed, cached or
leaked through the Referer header (the token is the only key).
"""

from __future__ import annotations

from itsdangerous import BadData, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from server.domain.commands import Actor, PublishReport, UnpublishReport
from server.domain.report import Audience, workshop_report
from server.domain.workshop import WorkshopState
from server.i18n import LOCALES, message
from server.render.pdf import html_to_pdf_async
from server.render.report_view import (
    ReportView,
    facilitator_controls,
    pdf_filename,
    public_tools,
    render_missing,
    render_report,
)
from server.service import new_id
from server.store import loading
from server.store import workshops as workshop_rows
from server.store.projections import load_state
from server.web.forms import csrf_failed, read_form, redirect
from server.web.security import csrf_token, csrf_valid
from server.web.state import runtime, session_facilitator, session_locale

SALT = "samskab-report-link"
MAX_TOKEN = 400
PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(runtime(request).settings.secret_key, salt=SALT)


def report_token(request: Request, workshop_id: str, link_id: str) -> str:
    return str(_serializer(request).dumps([workshop_id, link_id]))


def report_link_url(request: Request, workshop_id: str, link_id: str) -> str:
    """The absolute public URL of a published report link."""
    return str(request.url_for("public_report", token=report_token(request, workshop_id, link_id)))


def _read_token(request: Request, token: str) -> tuple[str, str] | None:
    if len(token) > MAX_TOKEN:
        return None
    try:
        data = _serializer(request).loads(token)
    except BadData:
        return None
    if (
        isinstance(data, list)
        and len(data) == 2
        and all(isinstance(x, str) and 0 < len(x) <= 64 for x in data)
    ):
        return data[0], data[1]
    return None


def report_locale(request: Request) -> str:
    """`?lang=` first, then the session's language."""
    lang = request.query_params.get("lang")
    return lang if lang in LOCALES else session_locale(request)


def _asked_lang(request: Request) -> str | None:
    lang = request.query_params.get("lang")
    return lang if lang in LOCALES else None


async def _load(request: Request, workshop_id: str) -> tuple[WorkshopState, WorkshopState | None]:
    """The workshop and, for a committee meeting, the committee's stream, read together."""
    async with runtime(request).db.read() as conn:
        state = await load_state(conn, workshop_id)
        if state is None:
            raise LookupError(workshop_id)
        committee_id = await loading.committee_of(conn, workshop_id)
        committee = None if committee_id is None else await load_state(conn, committee_id)
    return state, committee


def _view(
    request: Request,
    state: WorkshopState,
    committee: WorkshopState | None,
    audience: Audience,
) -> ReportView:
    names = audience == "facilitator" and request.query_params.get("names") == "1"
    report = workshop_report(state, committee, audience=audience, names=names)
    return ReportView(report, report_locale(request))


def _not_found(request: Request) -> Response:
    return HTMLResponse(message("workshop.not_found", session_locale(request)), status_code=404)


async def _owned(request: Request) -> tuple[str, str] | Response:
    """(facilitator id, workshop id) of a workshop the session's facilitator owns; otherwise
    the answer: log in first, or 404 for someone else's (or no) workshop."""
    fid = session_facilitator(request.session)
    if fid is None:
        return redirect("/login")
    async with runtime(request).db.read() as conn:
        row = await workshop_rows.by_id(conn, request.path_params["workshop_id"][:64])
    if row is None or row.facilitator_id != fid:
        return _not_found(request)
    return fid, row.id


async def _facilitators(
    request: Request,
) -> tuple[str, WorkshopState, WorkshopState | None] | Response:
    """The facilitator's own workshop with its committee's stream, or the answer instead: log
    in, 404, or the committee's own report when the id is a committee's."""
    owned = await _owned(request)
    if isinstance(owned, Response):
        return owned
    _, workshop_id = owned
    state, committee = await _load(request, workshop_id)
    if state.committee is not None:
        return redirect(f"/f/committees/{workshop_id}/report")
    return workshop_id, state, committee


async def facilitator_report(request: Request) -> Response:
    found = await _facilitators(request)
    if isinstance(found, Response):
        return found
    workshop_id, state, committee = found
    view = _view(request, state, committee, "facilitator")
    public_url = (
        None
        if state.report_link is None
        else report_link_url(request, workshop_id, state.report_link)
    )
    controls = facilitator_controls(
        workshop_id,
        csrf=csrf_token(request.session),
        locale=view.locale,
        lang=_asked_lang(request),
        names=view.report.people is not None,
        public_url=public_url,
    )
    return HTMLResponse(render_report(view, controls=controls))


async def _pdf(view: ReportView, title: str, headers: dict[str, str] | None = None) -> Response:
    pdf = await html_to_pdf_async(render_report(view))
    disposition = f'attachment; filename="{pdf_filename(title, view.locale)}"'
    return Response(
        pdf,
        media_type="application/pdf",
        headers={**(headers or {}), "Content-Disposition": disposition},
    )


async def facilitator_report_pdf(request: Request) -> Response:
    found = await _facilitators(request)
    if isinstance(found, Response):
        return found
    _, state, committee = found
    return await _pdf(_view(request, state, committee, "facilitator"), state.title)


async def _publishing(request: Request, publish: bool) -> Response:
    owned = await _owned(request)
    if isinstance(owned, Response):
        return owned
    fid, workshop_id = owned
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
    command = PublishReport(new_id()) if publish else UnpublishReport()
    # Refused only when there is nothing to do (revoking a link that is not published):
    # the page shows the state either way.
    await runtime(request).service.execute(
        workshop_id, Actor("facilitator", fid), new_id(), command
    )
    lang = form.get("lang")
    back = f"/f/workshops/{workshop_id}/report"
    return redirect(back + (f"?lang={lang}" if lang in LOCALES else ""))


async def publish_report(request: Request) -> Response:
    return await _publishing(request, publish=True)


async def unpublish_report(request: Request) -> Response:
    return await _publishing(request, publish=False)


def _missing(request: Request) -> Response:
    return HTMLResponse(
        render_missing(report_locale(request)), status_code=404, headers=PUBLIC_HEADERS
    )


async def _published(
    request: Request,
) -> tuple[WorkshopState, WorkshopState | None] | None:
    parsed = _read_token(request, request.path_params["token"])
    if parsed is None:
        return None
    workshop_id, link_id = parsed
    try:
        state, committee = await _load(request, workshop_id)
    except LookupError:
        return None
    if state.report_link is None or state.report_link != link_id:
        return None
    return state, committee


async def _committee(request: Request, state: WorkshopState, *, pdf: bool) -> Response:
    """A committee's stream publishes the committee report (lane C's page), under the same
    link rules and headers."""
    from server.web.committee_report import public_committee_report

    path = request.url.path.removesuffix(".pdf")
    response = await public_committee_report(request, state, pdf=pdf, pdf_href=path + ".pdf")
    for k, v in PUBLIC_HEADERS.items():
        response.headers.setdefault(k, v)
    return response


async def public_report(request: Request) -> Response:
    """The published, read-only report: no login, never names."""
    found = await _published(request)
    if found is None:
        return _missing(request)
    state, committee = found
    if state.committee is not None:
        return await _committee(request, state, pdf=False)
    view = _view(request, state, committee, "public")
    tools = public_tools(request.url.path, view.locale, _asked_lang(request))
    return HTMLResponse(render_report(view, tools=tools), headers=PUBLIC_HEADERS)


async def public_report_pdf(request: Request) -> Response:
    found = await _published(request)
    if found is None:
        return _missing(request)
    state, committee = found
    if state.committee is not None:
        return await _committee(request, state, pdf=True)
    return await _pdf(_view(request, state, committee, "public"), state.title, PUBLIC_HEADERS)
