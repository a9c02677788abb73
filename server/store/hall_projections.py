"""Projections of the hall's events: the rows `hall_apply.apply_hall` would change.

One row per room (the hall only once edited), station, file, unlock and call, and one
spotlight row per workshop once the spotlight was first used. A station's lists are stored as
the event carries them (JSON), and `loading` turns them into tuples as `apply` does. A removed
room takes its stations, its unlocks and a spotlight on one of its stations with it; a removed
station a spotlight on it. Calls stay: the caller still waits for their call.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.hall import HALL
from server.store.projection_types import Handler
from server.store.tables import (
    hall_assets,
    hall_calls,
    hall_opens,
    hall_rooms,
    hall_spotlights,
    hall_stations,
    hall_unlocks,
)


def _room(e: StoredEvent, room_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(hall_rooms.c.workshop_id == e.workshop_id, hall_rooms.c.id == room_id)


def _station(e: StoredEvent) -> sa.ColumnElement[bool]:
    return sa.and_(
        hall_stations.c.workshop_id == e.workshop_id, hall_stations.c.id == e.data["station_id"]
    )


async def _room_added(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(hall_rooms).values(
            workshop_id=e.workshop_id,
            id=d["room_id"],
            title=d["title"],
            kind=d["kind"],
            position=d["position"],
        )
    )


async def _room_edited(conn: AsyncConnection, e: StoredEvent) -> None:
    """The hall's first edit gives it its row (it exists without one until then)."""
    d = e.data
    values = {"title": d["title"], "picture_id": d["picture_id"], "music_id": d["music_id"]}
    if d["room_id"] == HALL:
        await conn.execute(sa.delete(hall_rooms).where(_room(e, HALL)))
        await conn.execute(
            sa.insert(hall_rooms).values(
                workshop_id=e.workshop_id, id=HALL, kind="hall", position=0, **values
            )
        )
    else:
        await conn.execute(sa.update(hall_rooms).where(_room(e, d["room_id"])).values(**values))


async def _room_removed(conn: AsyncConnection, e: StoredEvent) -> None:
    room_id = e.data["room_id"]
    in_room = sa.select(hall_stations.c.id).where(
        hall_stations.c.workshop_id == e.workshop_id, hall_stations.c.room_id == room_id
    )
    await conn.execute(
        sa.update(hall_spotlights)
        .where(hall_spotlights.c.workshop_id == e.workshop_id)
        .where(hall_spotlights.c.station_id.in_(in_room))
        .values(station_id=None)
    )
    await conn.execute(
        sa.delete(hall_opens).where(
            hall_opens.c.workshop_id == e.workshop_id, hall_opens.c.station_id.in_(in_room)
        )
    )
    await conn.execute(
        sa.delete(hall_stations).where(
            hall_stations.c.workshop_id == e.workshop_id, hall_stations.c.room_id == room_id
        )
    )
    await conn.execute(
        sa.delete(hall_unlocks).where(
            hall_unlocks.c.workshop_id == e.workshop_id, hall_unlocks.c.room_id == room_id
        )
    )
    await conn.execute(sa.delete(hall_rooms).where(_room(e, room_id)))


async def _station_added(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(hall_stations).values(
            workshop_id=e.workshop_id,
            id=d["station_id"],
            room_id=d["room_id"],
            kind=d["kind"],
            title=d["title"],
            x=d["x"],
            y=d["y"],
            position=d["position"],
            body="",
            items=[],
            current_item=None,
            milestones=[],
            links=[],
            phone="",
            board_id=None,
            target_room_id=None,
            quiz=[],
            video_id=None,
            captions_id=None,
            image_ids=[],
        )
    )


_CONTENT = (
    "title",
    "body",
    "items",
    "milestones",
    "links",
    "phone",
    "board_id",
    "target_room_id",
    "quiz",
    "video_id",
    "captions_id",
    "image_ids",
)


async def _station_edited(conn: AsyncConnection, e: StoredEvent) -> None:
    """A programme's current item stays while it is still one of the items."""
    d = e.data
    current = hall_stations.c.current_item
    await conn.execute(
        sa.update(hall_stations)
        .where(_station(e))
        .values(
            current_item=sa.case((current < len(d["items"]), current), else_=sa.null()),
            **{k: d[k] for k in _CONTENT},
        )
    )


async def _station_placed(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(hall_stations).where(_station(e)).values(x=e.data["x"], y=e.data["y"])
    )


async def _stations_reordered(conn: AsyncConnection, e: StoredEvent) -> None:
    for i, station_id in enumerate(e.data["order"]):
        await conn.execute(
            sa.update(hall_stations)
            .where(hall_stations.c.workshop_id == e.workshop_id, hall_stations.c.id == station_id)
            .values(position=i)
        )


async def _station_removed(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(hall_spotlights)
        .where(
            hall_spotlights.c.workshop_id == e.workshop_id,
            hall_spotlights.c.station_id == e.data["station_id"],
        )
        .values(station_id=None)
    )
    await conn.execute(
        sa.delete(hall_opens).where(
            hall_opens.c.workshop_id == e.workshop_id,
            hall_opens.c.station_id == e.data["station_id"],
        )
    )
    await conn.execute(sa.delete(hall_stations).where(_station(e)))


async def _programme_item_set(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(hall_stations).where(_station(e)).values(current_item=e.data["item"])
    )


async def _spotlighted(conn: AsyncConnection, e: StoredEvent) -> None:
    """The same on every database: the old row (if any) goes, the new one comes."""
    await conn.execute(
        sa.delete(hall_spotlights).where(hall_spotlights.c.workshop_id == e.workshop_id)
    )
    await conn.execute(
        sa.insert(hall_spotlights).values(
            workshop_id=e.workshop_id, station_id=e.data["station_id"], seq=e.seq
        )
    )


async def _room_unlocked(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(hall_unlocks).values(
            workshop_id=e.workshop_id, room_id=d["room_id"], participant_id=d["participant_id"]
        )
    )


async def _station_opened(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(hall_opens).values(
            workshop_id=e.workshop_id,
            station_id=d["station_id"],
            participant_id=d["participant_id"],
        )
    )


async def _call_requested(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(hall_calls).values(
            workshop_id=e.workshop_id,
            id=d["call_id"],
            participant_id=d["participant_id"],
            station_id=d["station_id"],
            message=d["message"],
            seq=e.seq,
            resolved=False,
        )
    )


async def _call_resolved(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(hall_calls)
        .where(hall_calls.c.workshop_id == e.workshop_id, hall_calls.c.id == e.data["call_id"])
        .values(resolved=True)
    )


async def _asset_added(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(hall_assets).values(
            workshop_id=e.workshop_id,
            id=d["asset_id"],
            kind=d["kind"],
            media_type=d["media_type"],
            name=d["name"],
            size=d["size"],
            width=d["width"],
            height=d["height"],
        )
    )


HANDLERS: dict[str, Handler] = {
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
