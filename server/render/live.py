"""What the hub pushes: events, snapshots and presence, as htmx partials or as JSON.

One template partial serves the page and the live update, so a pushed note looks exactly like
a note on a freshly loaded page.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.snapshot import Snapshot
from server.domain.workshop import Note, WorkshopState
from server.realtime.source import Format, PresenceEntry, ViewerRole
from server.render.templating import render


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def state_json(state: WorkshopState, role: ViewerRole) -> dict[str, Any]:
    """The JSON view of a workshop; the same fields for every role for now (nothing is hidden yet)."""
    out: dict[str, Any] = {
        "id": state.id,
        "title": state.title,
        "date": state.date,
        "groups": list(state.groups),
        "boards": [
            {
                "id": b.id,
                "title": b.title,
                "notes": [note_json(n) for n in state.notes_on(b.id)],
            }
            for b in state.boards.values()
        ],
    }
    if role == "facilitator":
        out["join_code"] = state.join_code
        out["participants"] = [
            {"id": p.id, "display_name": p.display_name, "group": p.group}
            for p in state.participants.values()
        ]
    return out


def note_json(n: Note) -> dict[str, Any]:
    return {
        "id": n.id,
        "board_id": n.board_id,
        "author_id": n.author_id,
        "author_name": n.author_name,
        "text": n.text,
        "seq": n.seq,
    }


def _event_json(e: StoredEvent, role: ViewerRole) -> dict[str, Any]:
    data = dict(e.data)
    if e.type == ev.WORKSHOP_CREATED and role != "facilitator":
        data.pop("join_code", None)
        data.pop("facilitator_id", None)
    if e.type in (ev.PARTICIPANT_JOINED, ev.PARTICIPANT_RENAMED) and role != "facilitator":
        data.pop("display_name", None)  # only facilitators see the participant list
    return {"seq": e.seq, "type": e.type, "data": data}


def _note_from_event(e: StoredEvent) -> Note:
    d = e.data
    return Note(d["note_id"], d["board_id"], d["author_id"], d["author_name"], d["text"], e.seq)


class LiveRenderer:
    def events(
        self, events: list[StoredEvent], epoch: str, role: ViewerRole, fmt: Format, locale: str
    ) -> str:
        seq = events[-1].seq
        if fmt == "json":
            return _dumps(
                {
                    "type": "events",
                    "epoch": epoch,
                    "seq": seq,
                    "events": [_event_json(e, role) for e in events],
                }
            )
        parts: list[str] = []
        for e in events:
            if e.type == ev.NOTE_ADDED:
                parts.append(
                    render("partials/note_added.html", locale, note=_note_from_event(e), role=role)
                )
            elif e.type == ev.NOTE_DELETED:
                parts.append(
                    render("partials/note_deleted.html", locale, note_id=e.data["note_id"])
                )
            elif (
                e.type in (ev.PARTICIPANT_JOINED, ev.PARTICIPANT_RENAMED) and role == "facilitator"
            ):
                parts.append(
                    render(
                        "partials/participant_changed.html",
                        locale,
                        participant_id=e.data["participant_id"],
                        display_name=e.data["display_name"],
                        group=e.data["group"],
                        joined=e.type == ev.PARTICIPANT_JOINED,
                    )
                )
        first = events[0].seq
        return _dumps(
            {
                "type": "events",
                "epoch": epoch,
                "seq": seq,
                "first": first,
                "content": "".join(parts),
            }
        )

    def snapshot(self, snap: Snapshot, role: ViewerRole, fmt: Format, locale: str) -> str:
        pos = snap.position
        if fmt == "json":
            return _dumps(
                {
                    "type": "snapshot",
                    "epoch": pos.epoch,
                    "seq": pos.last_seq,
                    "state": state_json(snap.state, role),
                }
            )
        content = render("partials/snapshot.html", locale, state=snap.state, role=role)
        return _dumps(
            {"type": "snapshot", "epoch": pos.epoch, "seq": pos.last_seq, "content": content}
        )

    def presence(
        self, online: list[PresenceEntry], role: ViewerRole, fmt: Format, locale: str
    ) -> str:
        by_group = Counter(p.group for p in online)
        if fmt == "json":
            body: dict[str, Any] = {
                "type": "presence",
                "online": len(online),
                "by_group": dict(sorted(by_group.items())),
            }
            if role == "facilitator":
                body["participants"] = [
                    {"id": p.participant_id, "display_name": p.display_name, "group": p.group}
                    for p in online
                ]
            return _dumps(body)
        content = render(
            "partials/presence.html",
            locale,
            online=online,
            by_group=sorted(by_group.items()),
            role=role,
        )
        return _dumps({"type": "presence", "content": content})
