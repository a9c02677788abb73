"""The virtual council hall as htmx partials for one viewer, on a page load and live.

A batch that changes what a viewer's hall shows re-renders `#hall` from the state after it
(outerMorph: an open station panel stays open, see `HallView.dialog_stations`), and for the
facilitators also their editor (`#hall-editor`). What is someone's own is rendered only for
them: a participant's unlocked rooms and their call's status. So a shared rendering (one per
role and language, `live.audience`) shows no unlocks and no calls, and `personal` names
everyone whose own hall differs whenever the hall is re-rendered. Short announcements go to
the `role=status` region `#hall-status`; a call for the help-line to the facilitators'
`role=alert` region `#hall-alert`.
"""

from __future__ import annotations

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.hall_view import HallView
from server.render.templating import render

_OWN = {ev.HALL_ROOM_UNLOCKED, ev.HALL_CALL_REQUESTED, ev.HALL_CALL_RESOLVED}
# Everything else in the hall shows alike to everyone who may enter its room; an upload shows
# only in the facilitators' editor until a room or station uses it.
# A first opening of a station is the report's record: nothing on a screen changes.
_SHOWN = ev.HALL_EVENTS - {ev.HALL_STATION_OPENED}
_SHARED = (_SHOWN - _OWN - {ev.HALL_ASSET_ADDED}) | {ev.BOARD_CREATED, ev.BOARD_RENAMED}
_PARTICIPANTS = {
    ev.PARTICIPANT_JOINED,
    ev.PARTICIPANT_RENAMED,
    ev.PARTICIPANT_KICKED,
    ev.PARTICIPANT_ERASED,
}


def _partial(target: str, swap: str, body: str) -> str:
    return f'<hx-partial hx-target="{target}" hx-swap="{swap}">{body}</hx-partial>'


def section_html(state: WorkshopState, viewer: Viewer) -> str:
    html = render("partials/hall.html", viewer.locale, hv=HallView(state, viewer))
    return _partial("#hall", "outerMorph", html)


def editor_html(state: WorkshopState, viewer: Viewer) -> str:
    """The facilitators' editor (on /f/workshops/{id}/hall); nothing for anyone else."""
    if viewer.role != "facilitator":
        return ""
    html = render("partials/hall_editor.html", viewer.locale, hv=HallView(state, viewer))
    return _partial("#hall-editor", "outerMorph", html)


def snapshot_html(state: WorkshopState, viewer: Viewer) -> str:
    return section_html(state, viewer) + editor_html(state, viewer)


def _caller(e: StoredEvent, state: WorkshopState) -> str | None:
    if e.type == ev.HALL_CALL_REQUESTED:
        return str(e.data["participant_id"])
    if e.type == ev.HALL_CALL_RESOLVED:
        call = state.hall.calls.get(e.data["call_id"])
        return call.participant_id if call is not None else None
    return None


def _own_for(events: list[StoredEvent], state: WorkshopState, who: str) -> bool:
    """Whether the batch holds something of this participant's own: their unlock or call."""
    for e in events:
        if e.type == ev.HALL_ROOM_UNLOCKED and e.data["participant_id"] == who:
            return True
        if _caller(e, state) == who:
            return True
    return False


def _announcements(events: list[StoredEvent], hv: HallView, viewer: Viewer) -> list[str]:
    loc = viewer.locale
    hall = hv.state.hall
    out: list[str] = []
    for e in events:
        d = e.data
        text = ""
        if e.type == ev.HALL_SPOTLIGHTED and d.get("station_id"):
            s = hall.stations.get(d["station_id"])
            if s is not None and hv.may_enter(s.room_id):
                text = render("partials/hall_announce.html", loc, kind="spotlight", title=s.title)
        elif e.type == ev.HALL_PROGRAMME_ITEM_SET:
            s = hall.stations.get(d["station_id"])
            if s is not None and hv.may_enter(s.room_id):
                item = d.get("item")
                if isinstance(item, int) and 0 <= item < len(s.items):
                    text = render(
                        "partials/hall_announce.html",
                        loc,
                        kind="programme",
                        title=s.title,
                        item=s.items[item].text,
                    )
                else:
                    text = render(
                        "partials/hall_announce.html", loc, kind="programme_none", title=s.title
                    )
        elif e.type == ev.HALL_ROOM_UNLOCKED and hv.me and d["participant_id"] == hv.me:
            room = hall.rooms.get(d["room_id"])
            if room is not None:
                text = render("partials/hall_announce.html", loc, kind="unlocked", title=room.title)
        elif e.type == ev.HALL_CALL_REQUESTED and hv.me and d["participant_id"] == hv.me:
            text = render("partials/hall_announce.html", loc, kind="call_sent")
        elif e.type == ev.HALL_CALL_RESOLVED and hv.me and _caller(e, hv.state) == hv.me:
            text = render("partials/hall_announce.html", loc, kind="call_handled")
        if text.strip():
            out.append(text.strip())
    return out


def _alerts(events: list[StoredEvent], hv: HallView, viewer: Viewer) -> list[str]:
    """A call for the help-line, said at once to the facilitators."""
    if not hv.facilitator:
        return []
    out: list[str] = []
    for e in events:
        if e.type != ev.HALL_CALL_REQUESTED:
            continue
        p = hv.state.participants.get(e.data["participant_id"])
        name = p.display_name if p is not None and p.display_name else None
        text = render(
            "partials/hall_announce.html",
            viewer.locale,
            kind="call",
            name=name,
            message=e.data.get("message") or "",
        )
        out.append(text.strip())
    return out


def events_html(events: list[StoredEvent], state: WorkshopState, viewer: Viewer) -> str:
    types = {e.type for e in events}
    hv = HallView(state, viewer)
    whole = bool(types & _SHARED)
    if hv.facilitator and types & (_OWN | (_PARTICIPANTS if hv.open_calls() else set())):
        whole = True  # the calls waiting (and who is calling) are the facilitators'
    if hv.me is not None and types & _OWN and _own_for(events, state, hv.me):
        whole = True
    parts: list[str] = []
    if whole:
        parts.append(section_html(state, viewer))
    if hv.facilitator and types & (_SHOWN | {ev.BOARD_CREATED, ev.BOARD_RENAMED}):
        parts.append(editor_html(state, viewer))
    said = _announcements(events, hv, viewer)
    if said:
        parts.append(_partial("#hall-status", "textContent", " ".join(said)))
    alerts = _alerts(events, hv, viewer)
    if alerts:
        parts.append(_partial("#hall-alert", "textContent", " ".join(alerts)))
    return "".join(parts)


def personal(events: list[StoredEvent], state: WorkshopState) -> frozenset[str]:
    """Participants whose own hall differs from their role's shared rendering of this batch:
    whoever unlocked a room or called (or was answered) in it; and, when the hall is
    re-rendered for everyone, everyone with an unlocked room or a call still open."""
    out: set[str] = set()
    for e in events:
        if e.type == ev.HALL_ROOM_UNLOCKED:
            out.add(str(e.data["participant_id"]))
        else:
            who = _caller(e, state)
            if who is not None:
                out.add(who)
    if {e.type for e in events} & _SHARED:
        out.update(pid for _room, pid in state.hall.unlocked)
        out.update(c.participant_id for c in state.hall.calls.values() if not c.resolved)
    return frozenset(out)
