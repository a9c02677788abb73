"""A task committee's live page: its backlog, sprint planning, sprint board and reports.

A committee is a stream like a workshop, joined with its own code, so its page is served where
a workshop's is (`/w/{code}` for members, `/f/workshops/{id}` for its facilitator) whenever the
stream's state has a committee; the callers decide that and hand over the snapshot they read.
The page holds the same live socket as a workshop page (`templates/committee.html`), and
`server.render.backlog_html` renders the same partials live.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.domain.snapshot import Snapshot
from server.realtime.source import Viewer, ViewerRole
from server.render.backlog_view import BacklogView
from server.store.workshops import WorkshopRow
from server.web.forms import page
from server.web.state import session_facilitator, session_locale, session_participant


def viewer_id(request: Request, row: WorkshopRow, role: ViewerRole) -> str:
    """Who is looking: the participant of this stream, or the logged-in facilitator."""
    if role == "participant":
        return session_participant(request.session, row.id) or ""
    return session_facilitator(request.session) or ""


def committee_page(
    request: Request, row: WorkshopRow, snap: Snapshot, role: ViewerRole
) -> Response:
    """The committee page for `role`, from `snap` (whose position the socket resumes from)."""
    me = viewer_id(request, row, role)
    viewer = Viewer(role, "html", session_locale(request), me)
    join_url = ""
    if role in ("facilitator", "screen"):
        join_url = str(request.url_for("workshop_page", code=row.join_code))
    return page(
        request,
        "committee.html",
        state=snap.state,
        bv=BacklogView(snap.state, viewer),
        seq=snap.position.last_seq,
        epoch=snap.position.epoch,
        role=role,
        me=me,
        join_url=join_url,
    )
