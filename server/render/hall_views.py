"""What each viewer may know of the virtual council hall, and its JSON views.

The server decides, never the client:
- Facilitators see everything: every room and station, quiz answers, every call and unlock.
- The room screen sees every room and station, but no quiz answer, call or unlock.
- A participant sees the rooms they may enter (`hall.may_enter`) with their stations; a gated
  room they have not unlocked only as {id, title, kind, locked: true}: none of its stations,
  picture or music, and no event about them. Quizzes reach them without the right answers;
  calls and unlocks only their own.
- An asset (its facts and URL) only where `hall.may_fetch` allows, so a break room's music is
  named to nobody who could not fetch it.

Lists keep the shapes `station.edit` takes ([[time, text]], [[when, text, done]], [[title,
url]], [{text, options, answer}]), so a JSON client can send back what it was shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.hall import (
    Asset,
    Call,
    Room,
    Station,
    is_gated,
    may_enter,
    may_fetch,
    rooms_in_order,
    stations_in,
)
from server.domain.workshop import WorkshopState
from server.realtime.source import PresenceEntry, Viewer

CHAMBER_PICTURE = "/static/hall/chamber.svg"  # the hall's and a linked room's default
BREAK_PICTURE = "/static/hall/break.svg"  # a break room's default


# --- who may see what -----------------------------------------------------------------------


def sees_all_rooms(viewer: Viewer) -> bool:
    """Facilitators and the room screen go everywhere (the screen is the facilitator's)."""
    return viewer.role in ("facilitator", "screen")


def _participant(viewer: Viewer) -> str | None:
    return viewer.actor_id if viewer.role == "participant" and viewer.actor_id else None


def may_see_room(state: WorkshopState, room_id: str, viewer: Viewer) -> bool:
    return may_enter(state.hall, room_id, _participant(viewer), sees_all_rooms(viewer))


def visible_station(state: WorkshopState, station_id: str | None, viewer: Viewer) -> Station | None:
    """The station, if it exists and its room is one this viewer may enter."""
    s = state.hall.stations.get(station_id or "")
    return s if s is not None and may_see_room(state, s.room_id, viewer) else None


def may_get_asset(state: WorkshopState, asset_id: str, viewer: Viewer) -> bool:
    return may_fetch(state.hall, asset_id, _participant(viewer), sees_all_rooms(viewer))


def sees_call(call: Call, viewer: Viewer) -> bool:
    """Calls are for the facilitators and the caller; never the room screen."""
    return viewer.role == "facilitator" or call.participant_id == _participant(viewer)


def sees_unlock(participant_id: str, viewer: Viewer) -> bool:
    """Who unlocked what is for the facilitators and that participant."""
    return viewer.role == "facilitator" or participant_id == _participant(viewer)


# --- JSON -----------------------------------------------------------------------------------


def asset_url(state: WorkshopState, asset_id: str, viewer: Viewer) -> str:
    """Participants fetch with their session through the join code; the facilitator (and the
    room screen, which is the facilitator's browser) through the workshop."""
    if viewer.role == "participant":
        return f"/w/{state.join_code}/assets/{asset_id}"
    return f"/f/workshops/{state.id}/assets/{asset_id}"


def asset_json(state: WorkshopState, a: Asset, viewer: Viewer) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind,
        "media_type": a.media_type,
        "name": a.name,
        "size": a.size,
        "width": a.width,
        "height": a.height,
        "url": asset_url(state, a.id, viewer),
    }


def media_json(state: WorkshopState, asset_id: str | None, viewer: Viewer) -> dict[str, Any] | None:
    """An asset a room or station shows, if this viewer may fetch it (else None)."""
    a = state.hall.assets.get(asset_id or "")
    if a is None or not may_get_asset(state, a.id, viewer):
        return None
    return asset_json(state, a, viewer)


def station_json(state: WorkshopState, s: Station, viewer: Viewer) -> dict[str, Any]:
    """One station; a quiz's right answers for facilitators only."""
    answers = viewer.role == "facilitator"
    images = (media_json(state, i, viewer) for i in s.image_ids)
    return {
        "id": s.id,
        "room_id": s.room_id,
        "kind": s.kind,
        "title": s.title,
        "x": s.x,
        "y": s.y,
        "position": s.position,
        "body": s.body,
        "items": [[i.time, i.text] for i in s.items],
        "current_item": s.current_item,
        "milestones": [[m.when, m.text, m.done] for m in s.milestones],
        "links": [[link.title, link.url] for link in s.links],
        "phone": s.phone,
        "board_id": s.board_id,
        "target_room_id": s.target_room_id,
        "quiz": [
            {
                "text": q.text,
                "options": list(q.options),
                **({"answer": q.answer} if answers else {}),
            }
            for q in s.quiz
        ],
        "video": media_json(state, s.video_id, viewer),
        "captions": media_json(state, s.captions_id, viewer),
        "images": [i for i in images if i is not None],
    }


def default_picture(room: Room) -> str:
    return BREAK_PICTURE if room.kind == "break" else CHAMBER_PICTURE


def room_json(state: WorkshopState, room: Room, viewer: Viewer) -> dict[str, Any]:
    """A room with its stations in reading order, or, for a participant who has not unlocked
    it, only that it is there and locked."""
    if not may_see_room(state, room.id, viewer):
        return {"id": room.id, "title": room.title, "kind": room.kind, "locked": True}
    picture = media_json(state, room.picture_id, viewer)
    return {
        "id": room.id,
        "title": room.title,
        "kind": room.kind,
        "position": room.position,
        "locked": False,
        "gated": is_gated(state.hall, room.id),
        "picture": {
            "id": None if picture is None else picture["id"],
            "url": default_picture(room) if picture is None else picture["url"],
        },
        "music": media_json(state, room.music_id, viewer),
        "stations": [station_json(state, s, viewer) for s in stations_in(state.hall, room.id)],
    }


def rooms_json(state: WorkshopState, viewer: Viewer) -> list[dict[str, Any]]:
    return [room_json(state, r, viewer) for r in rooms_in_order(state.hall)]


def call_json(c: Call) -> dict[str, Any]:
    return {
        "id": c.id,
        "participant_id": c.participant_id,
        "station_id": c.station_id,
        "message": c.message,
        "seq": c.seq,
        "resolved": c.resolved,
    }


def hall_json(state: WorkshopState, viewer: Viewer) -> dict[str, Any]:
    """The hall for one viewer. `spotlight`: the station every view opens (None, also when
    this viewer may not see it); `spotlight_seq` tells a client whether it opened it already."""
    h = state.hall
    spot = visible_station(state, h.spotlight, viewer)
    return {
        "rooms": rooms_json(state, viewer),
        "spotlight": None if spot is None else spot.id,
        "spotlight_seq": h.spotlight_seq,
        "assets": [
            asset_json(state, a, viewer)
            for a in sorted(h.assets.values(), key=lambda a: a.id)
            if may_get_asset(state, a.id, viewer)
        ],
        "calls": [
            call_json(c)
            for c in sorted(h.calls.values(), key=lambda c: (c.seq, c.id))
            if sees_call(c, viewer)
        ],
        "unlocked": [
            {"room_id": room_id, "participant_id": who}
            for room_id, who in sorted(h.unlocked)
            if sees_unlock(who, viewer)
        ],
    }


def station_counts(
    online: Iterable[PresenceEntry], state: WorkshopState, viewer: Viewer
) -> dict[str, int]:
    """How many participants have each station open, for the stations this viewer may see. A
    participant counts only at a station they may enter themselves (a station id sent for a
    locked room counts nowhere)."""
    counts: Counter[str] = Counter()
    for p in online:
        s = state.hall.stations.get(p.station or "")
        if (
            s is not None
            and may_enter(state.hall, s.room_id, p.participant_id, False)
            and may_see_room(state, s.room_id, viewer)
        ):
            counts[s.id] += 1
    return dict(sorted(counts.items()))


# --- events ---------------------------------------------------------------------------------


def _station_event(e: StoredEvent, state: WorkshopState, viewer: Viewer) -> dict[str, Any] | None:
    """station_added, station_edited: the station as this viewer sees it now (None once
    gone, for those who see every room); nothing to whom its room is locked."""
    sid = e.data["station_id"]
    s = visible_station(state, sid, viewer)
    if s is not None:
        return {"station_id": sid, "station": station_json(state, s, viewer)}
    if sees_all_rooms(viewer) and sid not in state.hall.stations:
        return {"station_id": sid, "station": None}
    return None


def _about_a_station(e: StoredEvent, state: WorkshopState, viewer: Viewer) -> dict[str, Any] | None:
    """station_placed, programme_item_set: as stored, to whoever may see the station (and,
    once it is gone, to those who see every room)."""
    sid = e.data["station_id"]
    if visible_station(state, sid, viewer) is not None:
        return dict(e.data)
    if sees_all_rooms(viewer) and sid not in state.hall.stations:
        return dict(e.data)
    return None


def _hall_event_data(e: StoredEvent, state: WorkshopState, viewer: Viewer) -> dict[str, Any] | None:
    d = e.data
    h = state.hall
    fac = viewer.role == "facilitator"
    participant = viewer.role == "participant"
    if e.type in (ev.HALL_ROOM_ADDED, ev.HALL_ROOM_EDITED):
        room = h.rooms.get(d["room_id"])
        return {
            "room_id": d["room_id"],
            "room": None if room is None else room_json(state, room, viewer),
        }
    if e.type == ev.HALL_ROOM_REMOVED:
        data: dict[str, Any] = {"room_id": d["room_id"]}
        if participant:  # its quizzes went with it: other rooms may be open to them now
            data["rooms"] = rooms_json(state, viewer)
        return data
    if e.type == ev.HALL_STATION_ADDED:
        return _station_event(e, state, viewer)
    if e.type == ev.HALL_STATION_EDITED:
        data_ = _station_event(e, state, viewer)
        s = h.stations.get(d["station_id"])
        if participant and s is not None and s.kind == "quiz":
            # A quiz's target may have changed, even one in a room they cannot see: which
            # rooms are locked to them now (without naming the quiz if it is not theirs).
            return {**(data_ or {}), "rooms": rooms_json(state, viewer)}
        return data_
    if e.type == ev.HALL_STATION_REMOVED:
        if participant:  # never an id they may not have seen: their rooms as they are now
            return {"rooms": rooms_json(state, viewer)}
        return {"station_id": d["station_id"]}
    if e.type in (ev.HALL_STATION_PLACED, ev.HALL_PROGRAMME_ITEM_SET):
        return _about_a_station(e, state, viewer)
    if e.type == ev.HALL_STATIONS_REORDERED:
        room_id = d["room_id"]
        if may_see_room(state, room_id, viewer):
            return {"room_id": room_id, "order": [s.id for s in stations_in(h, room_id)]}
        return dict(d) if sees_all_rooms(viewer) else None
    if e.type == ev.HALL_SPOTLIGHTED:
        sid = d.get("station_id")
        if sid is None or visible_station(state, sid, viewer) is not None:
            return {"station_id": sid}
        return {"station_id": sid} if sees_all_rooms(viewer) and sid not in h.stations else None
    if e.type == ev.HALL_ROOM_UNLOCKED:
        if not sees_unlock(d["participant_id"], viewer):
            return None
        data = dict(d)
        room = h.rooms.get(d["room_id"])
        if not fac and room is not None:  # the participant's way in: the room, now open
            data["room"] = room_json(state, room, viewer)
        return data
    if e.type in (ev.HALL_CALL_REQUESTED, ev.HALL_CALL_RESOLVED):
        call = h.calls.get(d["call_id"])
        caller = d.get("participant_id") if call is None else call.participant_id
        if fac or (caller is not None and caller == _participant(viewer)):
            return dict(d)
        return None
    if e.type == ev.HALL_ASSET_ADDED:
        asset = h.assets.get(d["asset_id"])
        if asset is None or not may_get_asset(state, asset.id, viewer):
            return dict(d) if fac else None
        return {"asset_id": asset.id, "asset": asset_json(state, asset, viewer)}
    return None


def hall_event_json(e: StoredEvent, state: WorkshopState, viewer: Viewer) -> dict[str, Any] | None:
    """A hall event as this viewer may receive it, built afresh from the state after the
    batch; None when it is not for them at all (a first opening of a station is for no one: it
    is the report's record)."""
    if e.type == ev.HALL_STATION_OPENED:
        return None
    data = _hall_event_data(e, state, viewer)
    return None if data is None else {"seq": e.seq, "type": e.type, "data": data}
