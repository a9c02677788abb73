"""What the hub pushes: events, snapshots and presence, as htmx partials or as JSON.

One template partial serves the page and the live update, so a pushed note looks exactly like
a note on a freshly loaded page. Every rendering is for one viewer (role, format, language, and
for private content the person), so nothing reaches a viewer who may not see it.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from server.domain.events import StoredEvent
from server.domain.snapshot import Snapshot
from server.domain.workshop import WorkshopState
from server.realtime.source import PresenceEntry, Viewer
from server.render import (
    backlog_html,
    board_html,
    dilemma_html,
    hall_html,
    question_html,
    timer_html,
)
from server.render.hall_views import station_counts
from server.render.templating import render
from server.render.views import event_json, state_json


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class LiveRenderer:
    def personal(self, events: list[StoredEvent], state: WorkshopState) -> frozenset[str]:
        return (
            board_html.personal(events, state)
            | question_html.personal(events, state)
            | dilemma_html.personal(events, state)
            | hall_html.personal(events, state)
            | backlog_html.personal(events, state)
        )

    def audience(self, viewer: Viewer, personal: frozenset[str]) -> Viewer:
        """HTML is shared per role and language (a participant's own controls are shown by a
        style sheet), except for those `personal` names: their own notes or votes are in the
        batch. JSON carries per-person fields (`mine`), so each JSON viewer gets its own."""
        if viewer.fmt == "json" or viewer.actor_id in personal:
            return viewer
        return Viewer(viewer.role, viewer.fmt, viewer.locale)

    def events(
        self, events: list[StoredEvent], epoch: str, state: WorkshopState, viewer: Viewer
    ) -> str:
        seq = events[-1].seq
        if viewer.fmt == "json":
            shown = [event_json(e, state, viewer) for e in events]
            return _dumps(
                {
                    "type": "events",
                    "epoch": epoch,
                    "seq": seq,
                    "events": [e for e in shown if e is not None],
                }
            )
        return _dumps(
            {
                "type": "events",
                "epoch": epoch,
                "seq": seq,
                "first": events[0].seq,
                "content": board_html.events_html(events, state, viewer)
                + question_html.events_html(events, state, viewer)
                + timer_html.events_html(events, state, viewer)
                + dilemma_html.events_html(events, state, viewer)
                + hall_html.events_html(events, state, viewer)
                + backlog_html.events_html(events, state, viewer),
            }
        )

    def snapshot(self, snap: Snapshot, viewer: Viewer) -> str:
        pos = snap.position
        if viewer.fmt == "json":
            return _dumps(
                {
                    "type": "snapshot",
                    "epoch": pos.epoch,
                    "seq": pos.last_seq,
                    "state": state_json(snap.state, viewer),
                }
            )
        if snap.state.committee is not None:
            content = backlog_html.snapshot_html(snap.state, viewer)
        else:
            content = board_html.snapshot_html(snap.state, viewer)
        return _dumps(
            {"type": "snapshot", "epoch": pos.epoch, "seq": pos.last_seq, "content": content}
        )

    def presence(self, online: list[PresenceEntry], state: WorkshopState, viewer: Viewer) -> str:
        by_group = Counter(p.group for p in online)
        stations = station_counts(online, state, viewer)  # only stations this viewer may see
        if viewer.fmt == "json":
            body: dict[str, Any] = {
                "type": "presence",
                "online": len(online),
                "by_group": dict(sorted(by_group.items())),
                "stations": stations,
            }
            if viewer.role == "facilitator":
                body["participants"] = [
                    {"id": p.participant_id, "display_name": p.display_name, "group": p.group}
                    for p in online
                ]
            return _dumps(body)
        content = render(
            "partials/presence.html",
            viewer.locale,
            online=online,
            by_group=sorted(by_group.items()),
            role=viewer.role,
            stations=stations,
        )
        return _dumps({"type": "presence", "content": content})
