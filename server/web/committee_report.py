"""A task committee's report across its meetings, as a page and as a PDF.

`GET /f/committees/{committee_id}/report` (HTML) and `.../report.pdf` (a download) are for the
facilitator who owns the committee: logged out goes to /login; someone else's committee, a
workshop that is no committee, or no such id is 404, as a workshop page is. The states are read
from the store's tables (`load_state`), the committee's and each meeting's, so the report is
what is stored, whatever is live. `public_committee_report` renders the same report for a
published link (no names: the report holds none, and links back to facilitator pages are left
out); the published-link route decides who may see it and calls it.

Danish by default; English with the session's language or `?lang=en` (the PDF link carries
the language shown).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from server.domain.committee_report import committee_report
from server.domain.workshop import WorkshopState
from server.i18n import LOCALES, message
from server.render.committee_report_view import Audience, CommitteeReportView
from server.render.pdf import html_to_pdf_async
from server.render.templating import render
from server.store import workshops as workshop_rows
from server.store.projections import load_state
from server.web.forms import redirect
from server.web.security import csrf_token
from server.web.state import runtime, session_facilitator, session_locale

TEMPLATE = "committee_report.html"


@dataclass(frozen=True)
class Links:
    """What the page's header offers; the PDF has no header."""

    back: str | None
    pdf: str | None
    other_language: str | None
    publishing: Publishing | None = None  # the facilitator's read-only link controls


@dataclass(frozen=True)
class Publishing:
    """The published link (if any) and the forms that make or withdraw it (lane A's routes,
    which send a committee back here)."""

    public_url: str | None
    publish: str
    unpublish: str
    csrf: str


def report_locale(request: Request) -> str:
    """`?lang=en` or `?lang=da` when given, else the session's language."""
    lang = request.query_params.get("lang", "")
    return lang if lang in LOCALES else session_locale(request)


async def meeting_states(conn: AsyncConnection, committee: WorkshopState) -> list[WorkshopState]:
    """The stored states of the committee's meetings (a meeting no longer stored is left out)."""
    assert committee.committee is not None
    out = []
    for m in committee.committee.meetings:
        state = await load_state(conn, m.workshop_id)
        if state is not None:
            out.append(state)
    return out


def report_html(
    committee: WorkshopState,
    meetings: list[WorkshopState],
    locale: str,
    audience: Audience,
    links: Links | None,
) -> str:
    """The report page; `links` None: for the PDF (no screen header)."""
    report = committee_report(committee, meetings)
    view = CommitteeReportView(report, locale, audience)
    return render(TEMPLATE, locale, r=view, links=links)


def _pdf_name(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return f"rapport-{slug or 'udvalg'}.pdf"


async def _pdf_response(html: str, name: str) -> Response:
    pdf = await html_to_pdf_async(html)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_pdf_name(name)}"'},
    )


def _not_found(request: Request, code: str = "workshop.not_found") -> Response:
    return HTMLResponse(message(code, report_locale(request)), status_code=404)


def _other_language(path: str, locale: str) -> str:
    return f"{path}?lang={'en' if locale == 'da' else 'da'}"


async def _owned_committee(
    request: Request,
) -> tuple[WorkshopState, list[WorkshopState]] | Response:
    """The facilitator's own committee and its meetings, or the response that refuses."""
    fid = session_facilitator(request.session)
    if fid is None:
        return redirect("/login")
    committee_id = request.path_params["committee_id"][:64]
    async with runtime(request).db.read() as conn:
        row = await workshop_rows.by_id(conn, committee_id)
        if row is None or row.facilitator_id != fid:
            return _not_found(request)
        state = await load_state(conn, committee_id)
        if state is None or state.committee is None:
            return _not_found(request, "committee.none")
        meetings = await meeting_states(conn, state)
    return state, meetings


async def committee_report_page(request: Request) -> Response:
    """GET /f/committees/{committee_id}/report"""
    found = await _owned_committee(request)
    if isinstance(found, Response):
        return found
    state, meetings = found
    locale = report_locale(request)
    from server.web.reports import report_link_url

    links = Links(
        back=f"/f/workshops/{state.id}",
        pdf=f"/f/committees/{state.id}/report.pdf?lang={locale}",
        other_language=_other_language(request.url.path, locale),
        publishing=Publishing(
            public_url=(
                None
                if state.report_link is None
                else report_link_url(request, state.id, state.report_link)
            ),
            publish=f"/f/workshops/{state.id}/report/publish",
            unpublish=f"/f/workshops/{state.id}/report/unpublish",
            csrf=csrf_token(request.session),
        ),
    )
    return HTMLResponse(report_html(state, meetings, locale, "facilitator", links))


async def committee_report_pdf(request: Request) -> Response:
    """GET /f/committees/{committee_id}/report.pdf: the same report, as an attachment."""
    found = await _owned_committee(request)
    if isinstance(found, Response):
        return found
    state, meetings = found
    html = report_html(state, meetings, report_locale(request), "facilitator", None)
    assert state.committee is not None
    return await _pdf_response(html, state.committee.name)


async def public_committee_report(
    request: Request, state: WorkshopState, *, pdf: bool = False, pdf_href: str | None = None
) -> Response:
    """The committee's report for a published link: the caller has checked the link. `pdf`:
    answer with the PDF; `pdf_href`: where the page's "download as PDF" points, if anywhere."""
    if state.committee is None:
        return _not_found(request, "committee.none")
    async with runtime(request).db.read() as conn:
        meetings = await meeting_states(conn, state)
    locale = report_locale(request)
    if pdf:
        html = report_html(state, meetings, locale, "public", None)
        return await _pdf_response(html, state.committee.name)
    links = Links(
        back=None,
        pdf=None if pdf_href is None else f"{pdf_href}?lang={locale}",
        other_language=_other_language(request.url.path, locale),
    )
    return HTMLResponse(report_html(state, meetings, locale, "public", links))
