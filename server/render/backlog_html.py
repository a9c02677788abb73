"""A task committee's page as htmx partials, on a page load and live.

Everyone in a committee's stream sees the same backlog and sprints, so a batch is rendered
once per role and language and `personal` names nobody. A batch marks which parts of the page
its events touched (the committee's facts, the backlog, planning, the sprint board, the
reports, the velocity) and each touched part is rendered once from the state after the batch,
with the partials the page itself uses, and morphed in place: every client ends with the
server's order and totals, and what someone is typing in a form survives (a morph keeps a
field's value unless the server's changed). A short sentence per change goes to the page's
status region for screen readers.
"""

from __future__ import annotations

from collections.abc import Iterable

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.backlog_view import BacklogView
from server.render.templating import render

HEAD, BACKLOG, PLANNING, BOARD, REPORTS, VELOCITY = (
    "committee-head",
    "backlog",
    "planning",
    "sprint-board",
    "reports",
    "velocity",
)
# In the page's order; each is `partials/committee_<name>.html`, whose root has the same id.
SECTIONS: dict[str, str] = {
    HEAD: "partials/committee_head.html",
    BACKLOG: "partials/committee_backlog.html",
    PLANNING: "partials/committee_planning.html",
    BOARD: "partials/committee_board.html",
    REPORTS: "partials/committee_reports.html",
    VELOCITY: "partials/committee_velocity.html",
}
_EVERYTHING = frozenset(SECTIONS)
_ITEMS = frozenset((BACKLOG, PLANNING))
# Which parts of the page each event changes. An edited item may be in the backlog, a sprint
# being planned or on the board; a sprint's name shows in the close form's choices too.
TOUCHES: dict[str, frozenset[str]] = {
    ev.COMMITTEE_SET_UP: _EVERYTHING,
    ev.COMMITTEE_CAPACITY_RULE_CHANGED: frozenset((HEAD, PLANNING)),
    ev.COMMITTEE_MEETING_ADDED: frozenset((HEAD,)),
    ev.BACKLOG_ITEM_ADDED: _ITEMS,
    ev.BACKLOG_ITEM_EDITED: frozenset((BACKLOG, PLANNING, BOARD)),
    ev.BACKLOG_ITEMS_REORDERED: _ITEMS,
    ev.BACKLOG_ITEM_REMOVED: _ITEMS,
    ev.SPRINT_CREATED: frozenset((PLANNING, BOARD)),
    ev.SPRINT_EDITED: frozenset((PLANNING, BOARD)),
    ev.SPRINT_ITEM_PLANNED: _ITEMS,
    ev.SPRINT_ITEM_UNPLANNED: _ITEMS,
    ev.SPRINT_STARTED: frozenset((PLANNING, BOARD)),
    ev.SPRINT_PLANNING_REOPENED: frozenset((PLANNING, BOARD)),
    ev.SPRINT_ITEM_MOVED: frozenset((BOARD,)),
    ev.SPRINT_CLOSED: frozenset((BACKLOG, PLANNING, BOARD, REPORTS, VELOCITY)),
    # Members count for a test group, and the head says how many there are.
    ev.PARTICIPANT_JOINED: frozenset((HEAD,)),
    ev.PARTICIPANT_KICKED: frozenset((HEAD,)),
    ev.PARTICIPANT_ERASED: frozenset((HEAD,)),
}


def _partial(target: str, swap: str, body: str) -> str:
    return f'<hx-partial hx-target="{target}" hx-swap="{swap}">{body}</hx-partial>'


def touched(events: Iterable[StoredEvent]) -> set[str]:
    out: set[str] = set()
    for e in events:
        out |= TOUCHES.get(e.type, frozenset())
    return out


def sections_html(bv: BacklogView, names: Iterable[str]) -> str:
    """The named parts of the page, in the page's order, each morphed into its place."""
    wanted = set(names)
    return "".join(
        _partial(f"#{name}", "outerMorph", render(template, bv.locale, bv=bv))
        for name, template in SECTIONS.items()
        if name in wanted
    )


def _said(events: list[StoredEvent], state: WorkshopState) -> list[tuple[str, str, str]]:
    """(kind, text, extra) for each change worth saying, from the events as stored."""
    c = state.committee
    assert c is not None
    out: list[tuple[str, str, str]] = []

    def title(item_id: str) -> str:
        item = c.items.get(item_id)
        return item.title if item is not None else ""

    def name(sprint_id: str) -> str:
        sprint = c.sprints.get(sprint_id)
        return sprint.name if sprint is not None else ""

    for e in events:
        d = e.data
        if e.type == ev.BACKLOG_ITEM_ADDED:
            out.append(("added", d["title"], ""))
        elif e.type == ev.BACKLOG_ITEM_EDITED:
            out.append(("edited", d["title"], ""))
        elif e.type == ev.BACKLOG_ITEM_REMOVED:
            out.append(("removed", "", ""))
        elif e.type == ev.BACKLOG_ITEMS_REORDERED:
            out.append(("reordered", "", ""))
        elif e.type == ev.SPRINT_ITEM_PLANNED:
            out.append(("planned", title(d["item_id"]), ""))
        elif e.type == ev.SPRINT_ITEM_UNPLANNED:
            out.append(("unplanned", title(d["item_id"]), ""))
        elif e.type == ev.SPRINT_CREATED:
            out.append(("created", d["name"], ""))
        elif e.type == ev.SPRINT_STARTED:
            out.append(("started", name(d["sprint_id"]), ""))
        elif e.type == ev.SPRINT_PLANNING_REOPENED:
            out.append(("reopened", name(d["sprint_id"]), d["reason"]))
        elif e.type == ev.SPRINT_ITEM_MOVED:
            out.append(("moved", title(d["item_id"]), d["status"]))
        elif e.type == ev.SPRINT_CLOSED:
            out.append(("closed", name(d["sprint_id"]), ""))
        elif e.type == ev.COMMITTEE_CAPACITY_RULE_CHANGED:
            out.append(("rule", d["capacity_rule"], ""))
    return out


def events_html(events: list[StoredEvent], state: WorkshopState, viewer: Viewer) -> str:
    """What a batch changed on the committee page, for `viewer` (the same for everyone in the
    role). Nothing for a stream that is no committee."""
    if state.committee is None:
        return ""
    names = touched(events)
    if not names:
        return ""
    bv = BacklogView(state, viewer)
    parts = [sections_html(bv, names)]
    said = _said(events, state)
    if said:
        text = render("partials/committee_announce.html", viewer.locale, said=said[-3:])
        parts.append(_partial("#committee-status", "textContent", text))
    return "".join(parts)


def snapshot_html(state: WorkshopState, viewer: Viewer) -> str:
    """The whole committee page's live parts (after a reconnect that could not replay), and the
    facilitator's participant list. Nothing for a stream that is no committee."""
    if state.committee is None:
        return ""
    bv = BacklogView(state, viewer)
    parts = [sections_html(bv, SECTIONS)]
    if viewer.role == "facilitator":
        rows = render("partials/participants.html", viewer.locale, state=state)
        parts.append(_partial("#participants", "innerMorph", rows))
    return "".join(parts)


def personal(events: list[StoredEvent], state: WorkshopState) -> frozenset[str]:
    """Nobody: a committee's backlog and sprints look the same to everyone in a role."""
    return frozenset()
