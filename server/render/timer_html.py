"""Countdown timers as htmx partials for one viewer, on a page load and live.

A timer hides nothing, so every viewer gets the same `#timer` (the facilitator's has a Stop
button, the room screen's is styled large). A batch with a timer event re-renders `#timer` from
the state after it and, when a timer started, puts one short sentence in the polite
`#timer-status` ("Countdown started: 2:00"). The remaining time is never pushed: each browser
counts down to `data-ends-at-ms` on its estimate of the server's clock (`static/app.js`).

The facilitator's start form lists the open questions a timer may close at zero, so for them a
question's lifecycle re-renders `#timer-controls` too.
"""

from __future__ import annotations

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.board_view import BoardView
from server.render.templating import render

_TIMER_EVENTS = {ev.TIMER_STARTED, ev.TIMER_STOPPED}
# What changes the list of open questions (or their text) in the facilitator's start form.
_QUESTION_EVENTS = {
    ev.QUESTION_CREATED,
    ev.QUESTION_EDITED,
    ev.QUESTION_OPENED,
    ev.QUESTION_CLOSED,
    ev.QUESTION_REVEALED,
    ev.QUESTION_REOPENED,
}


def _partial(target: str, swap: str, body: str) -> str:
    return f'<hx-partial hx-target="{target}" hx-swap="{swap}">{body}</hx-partial>'


def timer_part(view: BoardView) -> str:
    return _partial(
        "#timer", "outerMorph", render("partials/timer.html", view.viewer.locale, view=view)
    )


def controls_part(view: BoardView) -> str:
    html = render("partials/timer_controls.html", view.viewer.locale, view=view)
    return _partial("#timer-controls", "outerMorph", html)


def events_html(events: list[StoredEvent], state: WorkshopState, viewer: Viewer) -> str:
    types = {e.type for e in events}
    view = BoardView(state, viewer)
    parts: list[str] = []
    if types & _TIMER_EVENTS:
        parts.append(timer_part(view))
        started = {e.data["timer_id"] for e in events if e.type == ev.TIMER_STARTED}
        timer = view.timer
        if timer is not None and timer.id in started:
            text = render("partials/timer_announce.html", viewer.locale, timer=timer)
            parts.append(_partial("#timer-status", "textContent", text))
    if view.facilitator and types & _QUESTION_EVENTS:
        parts.append(controls_part(view))
    return "".join(parts)


def snapshot_html(state: WorkshopState, viewer: Viewer) -> str:
    view = BoardView(state, viewer)
    parts = [timer_part(view)]
    if view.facilitator:
        parts.append(controls_part(view))
    return "".join(parts)
