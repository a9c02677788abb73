"""The rules for the virtual council hall: commands in, events out, or a DomainError whose code
is a message-catalogue key. Pure: new ids come in the commands.

Who may do what: the facilitator builds and runs the hall (rooms, stations, the programme's
current item, the spotlight, calls, files); a participant answers quizzes and asks to be
called; the room screen only shows. A station in a room a participant may not enter yet (a
gated room they have not unlocked) does not exist for them: asking about it gets the same
answer as asking about a station that is not there, so nothing leaks through an error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import fields
from types import MappingProxyType
from typing import TypeVar, get_args

from server.domain import events as ev
from server.domain.commands import (
    Actor,
    AddAsset,
    AddRoom,
    AddStation,
    AnswerQuiz,
    CallMe,
    EditRoom,
    EditStation,
    OpenStation,
    PlaceStation,
    RemoveRoom,
    RemoveStation,
    ReorderStation,
    ResolveCall,
    SetProgrammeItem,
    Spotlight,
    StationContent,
)
from server.domain.errors import DomainError
from server.domain.events import JSON, Event
from server.domain.hall import (
    HALL,
    MAX_ASSETS,
    MAX_BODY,
    MAX_CALL_MESSAGE,
    MAX_ITEM_TEXT,
    MAX_ITEMS,
    MAX_PHONE,
    MAX_QUIZ_OPTIONS,
    MAX_QUIZ_QUESTIONS,
    MAX_ROOM_TITLE,
    MAX_ROOMS,
    MAX_STATION_TITLE,
    MAX_STATIONS,
    MAX_TIME,
    MAX_URL,
    ROOM_KINDS,
    SPAN,
    STATION_KINDS,
    AssetKind,
    Room,
    Station,
    StationKind,
    is_gated,
    may_enter,
    stations_in,
)
from server.domain.permissions import facilitator_only
from server.domain.text import clean_text
from server.domain.workshop import Participant, WorkshopState

ASSET_KINDS: tuple[AssetKind, ...] = get_args(AssetKind)

# The `StationContent` fields each kind of station shows; any other must come empty.
CONTENT_FIELDS: Mapping[StationKind, frozenset[str]] = MappingProxyType(
    {
        "programme": frozenset({"items"}),
        "rules": frozenset({"body"}),
        "info": frozenset({"body"}),
        "films": frozenset({"body", "links", "video_id", "captions_id"}),
        "plan": frozenset({"milestones"}),
        "maps": frozenset({"body", "links", "image_ids"}),
        "helpline": frozenset({"phone", "body"}),
        "board": frozenset({"board_id"}),
        "quiz": frozenset({"quiz", "target_room_id"}),
        "door": frozenset({"target_room_id"}),
    }
)
LEADS_TO: frozenset[StationKind] = frozenset({"door", "quiz"})  # stations with a target room

_PHONE = re.compile(r"[0-9 +\-()]+")
_SCHEMES = ("http://", "https://")

T = TypeVar("T")


# --- who ---------------------------------------------------------------------------------


def _participant(state: WorkshopState, actor: Actor) -> Participant:
    """Quizzes and calls are a participant's own: a facilitator cannot answer for them."""
    if actor.role == "screen":
        raise DomainError("permission.read_only")
    if actor.role != "participant":
        raise DomainError("permission.participants_only")
    p = state.participants.get(actor.id)
    if p is None:
        raise DomainError("participant.unknown")
    if p.kicked:
        raise DomainError("participant.kicked")
    return p


# --- what --------------------------------------------------------------------------------


def _room(state: WorkshopState, room_id: str) -> Room:
    room = state.hall.rooms.get(room_id)
    if room is None:
        raise DomainError("hall.room_unknown")
    return room


def _station(state: WorkshopState, actor: Actor, station_id: str) -> Station:
    """A station the actor may see: for a participant, only in a room they may enter."""
    s = state.hall.stations.get(station_id)
    facilitator = actor.role != "participant"
    if s is None or not may_enter(state.hall, s.room_id, actor.id, facilitator):
        raise DomainError("hall.station_unknown")
    return s


def _place(x: int, y: int) -> None:
    for v in (x, y):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= SPAN:
            raise DomainError("hall.position")


def _asset(state: WorkshopState, asset_id: str, kind: AssetKind) -> str:
    asset = state.hall.assets.get(asset_id)
    if asset is None:
        raise DomainError("hall.asset_unknown")
    if asset.kind != kind:
        raise DomainError("hall.asset_kind")
    return asset.id


def _maybe_asset(state: WorkshopState, asset_id: str | None, kind: AssetKind) -> str | None:
    """None (or "", as a form sends "none") means no file."""
    return _asset(state, asset_id, kind) if asset_id else None


# --- text --------------------------------------------------------------------------------


def _title(title: str, max_length: int) -> str:
    return clean_text(title, field="title", max_length=max_length, multiline=False)


def _item(text: str) -> str:
    return clean_text(text, field="item", max_length=MAX_ITEM_TEXT, multiline=False)


def _time(text: str) -> str:
    """A programme item's time or a milestone's "when", as typed; may be left out."""
    if not text.strip():
        return ""
    return clean_text(text, field="item", max_length=MAX_TIME, multiline=False)


def _body(text: str) -> str:
    if not text.strip():
        return ""
    return clean_text(text, field="body", max_length=MAX_BODY, multiline=True)


def _url(url: str) -> str:
    """http(s) only (no javascript:, no data:), and nothing invisible or spacy in it."""
    u = url.strip()
    scheme = next((s for s in _SCHEMES if u.lower().startswith(s)), None)
    if (
        scheme is None
        or len(u) == len(scheme)
        or len(u) > MAX_URL
        or any(unicodedata.category(ch)[0] in "CZ" for ch in u)
    ):
        raise DomainError("hall.url")
    return u


def _phone(phone: str) -> str:
    if not phone.strip():
        return ""
    p = clean_text(phone, field="phone", max_length=MAX_PHONE, multiline=False)
    if not _PHONE.fullmatch(p) or not any(ch.isdigit() for ch in p):
        raise DomainError("hall.phone")
    return p


def _link(title: str, url: str) -> list[str]:
    """A link without a title of its own (or titled by its url) is shown as its url."""
    u = _url(url)
    return [u if title.strip() in ("", u) else _item(title), u]


def _at_most(values: Sequence[T], limit: int = MAX_ITEMS) -> Sequence[T]:
    if len(values) > limit:
        raise DomainError("hall.too_many_items", max=limit)
    return values


def _index(value: object, length: int) -> bool:
    """An int (not a bool) in 0..length-1."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < length


# --- a station's content -----------------------------------------------------------------


def _filled(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


def _target(state: WorkshopState, s: Station, target: str | None) -> str | None:
    """Where a door or quiz leads: another room; a quiz never locks the hall, nor a room whose
    station is in everyone's spotlight (a gated room's stations are never spotlit)."""
    if s.kind not in LEADS_TO:
        return None
    if not target:
        raise DomainError("hall.target_missing")
    if target not in state.hall.rooms or target == s.room_id:
        raise DomainError("hall.target_unknown")
    if s.kind == "quiz":
        if target == HALL:
            raise DomainError("hall.quiz_target")
        lit = state.hall.stations.get(state.hall.spotlight or "")
        if lit is not None and lit.room_id == target:
            raise DomainError("hall.spotlight_gated")
    return target


def _quiz(s: Station, quiz: Sequence[tuple[str, Sequence[str], int]]) -> list[JSON]:
    if s.kind != "quiz":
        return []
    if not quiz:
        raise DomainError("hall.quiz_empty")
    out: list[JSON] = []
    for text, options, answer in _at_most(quiz, MAX_QUIZ_QUESTIONS):
        if not 2 <= len(options) <= MAX_QUIZ_OPTIONS or not _index(answer, len(options)):
            raise DomainError("hall.quiz_options", max=MAX_QUIZ_OPTIONS)
        out.append({"text": _item(text), "options": [_item(o) for o in options], "answer": answer})
    return out


def _content(state: WorkshopState, s: Station, c: StationContent) -> JSON:
    """The event's content fields, each cleaned and checked; the ones `s.kind` does not use
    must come empty (so a station never holds content nobody sees)."""
    used = CONTENT_FIELDS[s.kind]
    for f in fields(StationContent):
        if f.name not in used and _filled(getattr(c, f.name)):
            raise DomainError("hall.content_not_for_kind")
    video_id = _maybe_asset(state, c.video_id, "video")
    captions_id = _maybe_asset(state, c.captions_id, "captions")
    if captions_id is not None and video_id is None:
        raise DomainError("hall.content_not_for_kind")  # captions belong to a video
    board_id = c.board_id or None
    if board_id is not None and board_id not in state.boards:
        raise DomainError("hall.board_unknown")
    images = _at_most(c.image_ids)
    return {
        "body": _body(c.body),
        "items": [[_time(t), _item(x)] for t, x in _at_most(c.items)],
        "milestones": [[_time(w), _item(x), bool(done)] for w, x, done in _at_most(c.milestones)],
        "links": [_link(t, u) for t, u in _at_most(c.links)],
        "phone": _phone(c.phone),
        "board_id": board_id,
        "target_room_id": _target(state, s, c.target_room_id),
        "quiz": _quiz(s, c.quiz),
        "video_id": video_id,
        "captions_id": captions_id,
        "image_ids": list(dict.fromkeys(_asset(state, i, "image") for i in images)),
    }


# --- rooms -------------------------------------------------------------------------------


def add_room(state: WorkshopState, actor: Actor, c: AddRoom) -> list[Event]:
    facilitator_only(actor)
    if c.kind not in ROOM_KINDS:
        raise DomainError("hall.room_kind")
    rooms = state.hall.rooms
    if c.room_id in rooms:
        raise DomainError("hall.room_exists")
    if len(rooms) >= MAX_ROOMS:  # the hall counts
        raise DomainError("hall.too_many_rooms", max=MAX_ROOMS)
    title = _title(c.title, MAX_ROOM_TITLE)
    position = max((r.position for r in rooms.values()), default=0) + 1
    return [
        Event(
            ev.HALL_ROOM_ADDED,
            {"room_id": c.room_id, "title": title, "kind": c.kind, "position": position},
        )
    ]


def edit_room(state: WorkshopState, actor: Actor, c: EditRoom) -> list[Event]:
    facilitator_only(actor)
    room = _room(state, c.room_id)
    title = "" if room.id == HALL else _title(c.title, MAX_ROOM_TITLE)
    return [
        Event(
            ev.HALL_ROOM_EDITED,
            {
                "room_id": room.id,
                "title": title,
                "picture_id": _maybe_asset(state, c.picture_id, "image"),
                "music_id": _maybe_asset(state, c.music_id, "audio"),
            },
        )
    ]


def remove_room(state: WorkshopState, actor: Actor, c: RemoveRoom) -> list[Event]:
    facilitator_only(actor)
    if c.room_id == HALL:
        raise DomainError("hall.hall_kept")
    room = _room(state, c.room_id)
    if any(s.target_room_id == room.id for s in state.hall.stations.values()):
        raise DomainError("hall.room_in_use")
    return [Event(ev.HALL_ROOM_REMOVED, {"room_id": room.id})]


# --- stations ----------------------------------------------------------------------------


def add_station(state: WorkshopState, actor: Actor, c: AddStation) -> list[Event]:
    facilitator_only(actor)
    room = _room(state, c.room_id)
    if c.kind not in STATION_KINDS:
        raise DomainError("hall.station_kind")
    _place(c.x, c.y)
    stations = state.hall.stations
    if c.station_id in stations:
        raise DomainError("hall.station_exists")
    if len(stations) >= MAX_STATIONS:
        raise DomainError("hall.too_many_stations", max=MAX_STATIONS)
    title = _title(c.title, MAX_STATION_TITLE)
    position = max((s.position for s in stations_in(state.hall, room.id)), default=-1) + 1
    return [
        Event(
            ev.HALL_STATION_ADDED,
            {
                "station_id": c.station_id,
                "room_id": room.id,
                "kind": c.kind,
                "title": title,
                "x": c.x,
                "y": c.y,
                "position": position,
            },
        )
    ]


def edit_station(state: WorkshopState, actor: Actor, c: EditStation) -> list[Event]:
    facilitator_only(actor)
    s = _station(state, actor, c.station_id)
    title = _title(c.title, MAX_STATION_TITLE)
    content = _content(state, s, c.content)
    return [Event(ev.HALL_STATION_EDITED, {"station_id": s.id, "title": title, **content})]


def place_station(state: WorkshopState, actor: Actor, c: PlaceStation) -> list[Event]:
    facilitator_only(actor)
    s = _station(state, actor, c.station_id)
    _place(c.x, c.y)
    return [Event(ev.HALL_STATION_PLACED, {"station_id": s.id, "x": c.x, "y": c.y})]


def reorder_station(state: WorkshopState, actor: Actor, c: ReorderStation) -> list[Event]:
    """An index past the end means last; the event names the room's whole new order."""
    facilitator_only(actor)
    s = _station(state, actor, c.station_id)
    if isinstance(c.index, bool) or not isinstance(c.index, int) or c.index < 0:
        raise DomainError("hall.position")
    order = [x.id for x in stations_in(state.hall, s.room_id) if x.id != s.id]
    order.insert(min(c.index, len(order)), s.id)
    return [Event(ev.HALL_STATIONS_REORDERED, {"room_id": s.room_id, "order": order})]


def remove_station(state: WorkshopState, actor: Actor, c: RemoveStation) -> list[Event]:
    facilitator_only(actor)
    s = _station(state, actor, c.station_id)
    return [Event(ev.HALL_STATION_REMOVED, {"station_id": s.id})]


def set_programme_item(state: WorkshopState, actor: Actor, c: SetProgrammeItem) -> list[Event]:
    facilitator_only(actor)
    s = _station(state, actor, c.station_id)
    if s.kind != "programme":
        raise DomainError("hall.not_programme")
    if c.item is not None and not _index(c.item, len(s.items)):
        raise DomainError("hall.item_unknown")
    return [Event(ev.HALL_PROGRAMME_ITEM_SET, {"station_id": s.id, "item": c.item})]


def spotlight(state: WorkshopState, actor: Actor, c: Spotlight) -> list[Event]:
    """Bring everyone to a station. Never one in a gated room: the participants who have not
    unlocked it would be sent somewhere they may not see."""
    facilitator_only(actor)
    if not c.station_id:
        if state.hall.spotlight is None:
            raise DomainError("hall.no_spotlight")
        return [Event(ev.HALL_SPOTLIGHTED, {"station_id": None})]
    s = _station(state, actor, c.station_id)
    if is_gated(state.hall, s.room_id):
        raise DomainError("hall.spotlight_gated")
    return [Event(ev.HALL_SPOTLIGHTED, {"station_id": s.id})]


# --- participants ------------------------------------------------------------------------


def open_station(state: WorkshopState, actor: Actor, c: OpenStation) -> list[Event]:
    """Recorded once per participant and station; opening it again is not news."""
    p = _participant(state, actor)
    s = _station(state, actor, c.station_id)
    if (s.id, p.id) in state.hall.opened:
        raise DomainError("hall.already_opened")
    return [Event(ev.HALL_STATION_OPENED, {"station_id": s.id, "participant_id": p.id})]


def answer_quiz(state: WorkshopState, actor: Actor, c: AnswerQuiz) -> list[Event]:
    """All right unlocks the room the quiz leads to, for this participant only. A wrong try
    says how many were right, never which."""
    p = _participant(state, actor)
    s = _station(state, actor, c.station_id)
    if s.kind != "quiz":
        raise DomainError("hall.not_quiz")
    room_id = s.target_room_id
    if not s.quiz or room_id is None:  # added but not written yet: nothing to answer
        raise DomainError("hall.quiz_empty")
    if len(c.answers) != len(s.quiz):
        raise DomainError("hall.quiz_answers")
    if (room_id, p.id) in state.hall.unlocked:
        raise DomainError("hall.already_unlocked")
    right = sum(
        1
        for q, a in zip(s.quiz, c.answers, strict=True)
        if _index(a, len(q.options)) and a == q.answer
    )
    if right < len(s.quiz):
        raise DomainError("hall.quiz_wrong", right=right, total=len(s.quiz))
    return [
        Event(
            ev.HALL_ROOM_UNLOCKED, {"room_id": room_id, "participant_id": p.id, "station_id": s.id}
        )
    ]


def call_me(state: WorkshopState, actor: Actor, c: CallMe) -> list[Event]:
    """One open call per participant: pressing again says the first one is still waiting."""
    p = _participant(state, actor)
    s = _station(state, actor, c.station_id)
    if s.kind != "helpline":
        raise DomainError("hall.not_helpline")
    calls = state.hall.calls
    if c.call_id in calls:
        raise DomainError("hall.call_exists")
    if any(k.participant_id == p.id and not k.resolved for k in calls.values()):
        raise DomainError("hall.call_open")
    message = ""
    if c.message.strip():
        message = clean_text(
            c.message, field="message", max_length=MAX_CALL_MESSAGE, multiline=True
        )
    return [
        Event(
            ev.HALL_CALL_REQUESTED,
            {"call_id": c.call_id, "participant_id": p.id, "station_id": s.id, "message": message},
        )
    ]


def resolve_call(state: WorkshopState, actor: Actor, c: ResolveCall) -> list[Event]:
    facilitator_only(actor)
    call = state.hall.calls.get(c.call_id)
    if call is None:
        raise DomainError("hall.call_unknown")
    if call.resolved:
        raise DomainError("hall.call_resolved")
    return [Event(ev.HALL_CALL_RESOLVED, {"call_id": call.id})]


# --- files -------------------------------------------------------------------------------


def add_asset(state: WorkshopState, actor: Actor, c: AddAsset) -> list[Event]:
    """Only the upload endpoint sends this, after checking the file; the bytes are stored in
    the same transaction as the event."""
    facilitator_only(actor)
    if c.kind not in ASSET_KINDS:
        raise DomainError("hall.asset_kind")
    assets = state.hall.assets
    if c.asset_id in assets:
        raise DomainError("hall.asset_exists")
    if len(assets) >= MAX_ASSETS:
        raise DomainError("hall.too_many_assets", max=MAX_ASSETS)
    return [
        Event(
            ev.HALL_ASSET_ADDED,
            {
                "asset_id": c.asset_id,
                "kind": c.kind,
                "media_type": c.media_type,
                "name": c.name,
                "size": c.size,
                "width": c.width,
                "height": c.height,
            },
        )
    ]
