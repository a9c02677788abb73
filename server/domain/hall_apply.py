"""How the hall's events change a `WorkshopState` (the hall part of `workshop.apply`).

Everything stays frozen: mappings are rebuilt as MappingProxyType, unlocks as a frozenset, and
JSON lists from the log become tuples, so a state replayed from the log, one built event by
event and one loaded from the tables compare equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from server.domain import events as ev
from server.domain.events import JSON
from server.domain.hall import (
    AgendaItem,
    Asset,
    Call,
    Hall,
    Link,
    Milestone,
    QuizQuestion,
    Room,
    Station,
)

if TYPE_CHECKING:  # workshop.py imports this module for `apply`
    from server.domain.workshop import WorkshopState

V = TypeVar("V")


def _with(mapping: Mapping[str, V], key: str, value: V | None) -> Mapping[str, V]:
    d = dict(mapping)
    if value is None:
        d.pop(key, None)
    else:
        d[key] = value
    return MappingProxyType(d)


def agenda(items: list[Any]) -> tuple[AgendaItem, ...]:
    """`[[time, text], ...]` as the event and the `items` column hold it."""
    return tuple(AgendaItem(time, text) for time, text in items)


def milestones(rows: list[Any]) -> tuple[Milestone, ...]:
    return tuple(Milestone(when, text, done) for when, text, done in rows)


def links(rows: list[Any]) -> tuple[Link, ...]:
    return tuple(Link(title, url) for title, url in rows)


def quiz(rows: list[Any]) -> tuple[QuizQuestion, ...]:
    return tuple(QuizQuestion(q["text"], tuple(q["options"]), q["answer"]) for q in rows)


def kept_item(current: int | None, items: tuple[AgendaItem, ...]) -> int | None:
    """A programme's current item survives an edit while it is still one of the items."""
    return current if current is not None and current < len(items) else None


def _room_removed(hall: Hall, d: JSON, seq: int) -> Hall:
    """Its stations go, with the unlocks of it and a spotlight on one of its stations."""
    room_id = d["room_id"]
    gone = {k for k, s in hall.stations.items() if s.room_id == room_id}
    return replace(
        hall,
        rooms=_with(hall.rooms, room_id, None),
        stations=MappingProxyType({k: s for k, s in hall.stations.items() if k not in gone}),
        unlocked=frozenset(u for u in hall.unlocked if u[0] != room_id),
        spotlight=None if hall.spotlight in gone else hall.spotlight,
        opened=frozenset(o for o in hall.opened if o[0] not in gone),
    )


def _station_added(hall: Hall, d: JSON, seq: int) -> Hall:
    s = Station(
        id=d["station_id"],
        room_id=d["room_id"],
        kind=d["kind"],
        title=d["title"],
        x=d["x"],
        y=d["y"],
        position=d["position"],
    )
    return replace(hall, stations=_with(hall.stations, s.id, s))


def _station_edited(hall: Hall, d: JSON, seq: int) -> Hall:
    old = hall.stations[d["station_id"]]
    items = agenda(d["items"])
    s = replace(
        old,
        title=d["title"],
        body=d["body"],
        items=items,
        current_item=kept_item(old.current_item, items),
        milestones=milestones(d["milestones"]),
        links=links(d["links"]),
        phone=d["phone"],
        board_id=d["board_id"],
        target_room_id=d["target_room_id"],
        quiz=quiz(d["quiz"]),
        video_id=d["video_id"],
        captions_id=d["captions_id"],
        image_ids=tuple(d["image_ids"]),
    )
    return replace(hall, stations=_with(hall.stations, s.id, s))


def _station_placed(hall: Hall, d: JSON, seq: int) -> Hall:
    s = replace(hall.stations[d["station_id"]], x=d["x"], y=d["y"])
    return replace(hall, stations=_with(hall.stations, s.id, s))


def _stations_reordered(hall: Hall, d: JSON, seq: int) -> Hall:
    stations = dict(hall.stations)
    for i, station_id in enumerate(d["order"]):
        stations[station_id] = replace(stations[station_id], position=i)
    return replace(hall, stations=MappingProxyType(stations))


def _station_removed(hall: Hall, d: JSON, seq: int) -> Hall:
    station_id = d["station_id"]
    return replace(
        hall,
        stations=_with(hall.stations, station_id, None),
        spotlight=None if hall.spotlight == station_id else hall.spotlight,
        opened=frozenset(o for o in hall.opened if o[0] != station_id),
    )


def _programme_item_set(hall: Hall, d: JSON, seq: int) -> Hall:
    s = replace(hall.stations[d["station_id"]], current_item=d["item"])
    return replace(hall, stations=_with(hall.stations, s.id, s))


def _room_added(hall: Hall, d: JSON, seq: int) -> Hall:
    room = Room(d["room_id"], d["title"], d["kind"], d["position"])
    return replace(hall, rooms=_with(hall.rooms, room.id, room))


def _room_edited(hall: Hall, d: JSON, seq: int) -> Hall:
    room = replace(
        hall.rooms[d["room_id"]],
        title=d["title"],
        picture_id=d["picture_id"],
        music_id=d["music_id"],
    )
    return replace(hall, rooms=_with(hall.rooms, room.id, room))


def _spotlighted(hall: Hall, d: JSON, seq: int) -> Hall:
    return replace(hall, spotlight=d["station_id"], spotlight_seq=seq)


def _room_unlocked(hall: Hall, d: JSON, seq: int) -> Hall:
    return replace(hall, unlocked=hall.unlocked | {(d["room_id"], d["participant_id"])})


def _station_opened(hall: Hall, d: JSON, seq: int) -> Hall:
    return replace(hall, opened=hall.opened | {(d["station_id"], d["participant_id"])})


def _call_requested(hall: Hall, d: JSON, seq: int) -> Hall:
    call = Call(d["call_id"], d["participant_id"], d["station_id"], d["message"], seq)
    return replace(hall, calls=_with(hall.calls, call.id, call))


def _call_resolved(hall: Hall, d: JSON, seq: int) -> Hall:
    call = replace(hall.calls[d["call_id"]], resolved=True)
    return replace(hall, calls=_with(hall.calls, call.id, call))


def _asset_added(hall: Hall, d: JSON, seq: int) -> Hall:
    asset = Asset(
        id=d["asset_id"],
        kind=d["kind"],
        media_type=d["media_type"],
        name=d["name"],
        size=d["size"],
        width=d["width"],
        height=d["height"],
    )
    return replace(hall, assets=_with(hall.assets, asset.id, asset))


_HANDLERS: dict[str, Callable[[Hall, JSON, int], Hall]] = {
    ev.HALL_ROOM_ADDED: _room_added,
    ev.HALL_ROOM_EDITED: _room_edited,
    ev.HALL_ROOM_REMOVED: _room_removed,
    ev.HALL_STATION_ADDED: _station_added,
    ev.HALL_STATION_EDITED: _station_edited,
    ev.HALL_STATION_PLACED: _station_placed,
    ev.HALL_STATIONS_REORDERED: _stations_reordered,
    ev.HALL_STATION_REMOVED: _station_removed,
    ev.HALL_PROGRAMME_ITEM_SET: _programme_item_set,
    ev.HALL_SPOTLIGHTED: _spotlighted,
    ev.HALL_ROOM_UNLOCKED: _room_unlocked,
    ev.HALL_CALL_REQUESTED: _call_requested,
    ev.HALL_CALL_RESOLVED: _call_resolved,
    ev.HALL_ASSET_ADDED: _asset_added,
    ev.HALL_STATION_OPENED: _station_opened,
}


def apply_hall(state: WorkshopState, t: str, d: JSON, seq: int) -> WorkshopState | None:
    """Hall events; None if `t` is not one of them."""
    handler = _HANDLERS.get(t)
    if handler is None:
        return None
    return replace(state, hall=handler(state.hall, d, seq))
