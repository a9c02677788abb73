"""The virtual council hall: pictures (rooms) with stations placed on them, as ThingLink did
for Lyngby-Taarbæk's covid workshops, but live.

Every workshop has its hall, the room `HALL` (it exists without an event, with the default
council-chamber illustration). The facilitator adds more rooms: linked rooms (group rooms,
reached by a "door" station) and break rooms (green, with music). A room that a quiz station
leads to is *gated*: a participant enters it only after answering that quiz right, checked
here, on the server; nothing of a gated room (its stations, picture or music) is shown to a
participant before their unlock.

Positions are integers in hundredths of a percent of the picture (0..10000), so a station sits
on the same spot from phone to projector and no float ever reaches the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

HALL = "hall"  # the id of every workshop's hall

RoomKind = Literal["hall", "room", "break"]
ROOM_KINDS: tuple[RoomKind, ...] = ("room", "break")  # what the facilitator may add

StationKind = Literal[
    "programme", "rules", "films", "plan", "maps", "helpline", "board", "info", "quiz", "door"
]
STATION_KINDS: tuple[StationKind, ...] = (
    "programme",
    "rules",
    "films",
    "plan",
    "maps",
    "helpline",
    "board",
    "info",
    "quiz",
    "door",
)

AssetKind = Literal["image", "audio", "video", "captions"]

MAX_ROOMS = 20
MAX_STATIONS = 80  # per workshop
MAX_ASSETS = 200
MAX_ROOM_TITLE = 80
MAX_STATION_TITLE = 80
MAX_BODY = 5000  # Markdown of rules, information, help-line and the films' and maps' intro
MAX_ITEMS = 40  # programme items, milestones, links, images
MAX_ITEM_TEXT = 200
MAX_TIME = 20  # "09:30", "kl. 9.30"
MAX_URL = 500
MAX_PHONE = 30
MAX_QUIZ_QUESTIONS = 10
MAX_QUIZ_OPTIONS = 6
MAX_CALL_MESSAGE = 200
SPAN = 10000  # a position is 0..SPAN hundredths of a percent


@dataclass(frozen=True)
class Room:
    id: str
    title: str  # the hall's is "" (the page names it in the viewer's language)
    kind: RoomKind
    position: int
    picture_id: str | None = None  # an image asset; None: the default picture for its kind
    music_id: str | None = None  # an audio asset, played only when the participant presses play


@dataclass(frozen=True)
class AgendaItem:
    time: str  # as typed, "09:30"; may be ""
    text: str


@dataclass(frozen=True)
class Milestone:
    when: str  # as typed, "marts 2027"
    text: str
    done: bool = False


@dataclass(frozen=True)
class Link:
    title: str
    url: str  # http:// or https:// only


@dataclass(frozen=True)
class QuizQuestion:
    text: str
    options: tuple[str, ...]  # 2..MAX_QUIZ_OPTIONS
    answer: int  # the index of the right option: never shown to a participant


@dataclass(frozen=True)
class Station:
    """One hotspot. Which content fields count depends on `kind`; the others stay empty:

    programme: items, current_item · rules, info: body · films: body, links (videos),
    video_id, captions_id · plan: milestones · maps: body, links, image_ids ·
    helpline: phone, body · board: board_id · quiz: quiz, target_room_id ·
    door: target_room_id.
    """

    id: str
    room_id: str
    kind: StationKind
    title: str
    x: int  # 0..SPAN
    y: int  # 0..SPAN
    position: int  # reading order in its room: the text view, the tab order
    body: str = ""
    items: tuple[AgendaItem, ...] = ()
    current_item: int | None = None  # programme: the item highlighted now
    milestones: tuple[Milestone, ...] = ()
    links: tuple[Link, ...] = ()
    phone: str = ""
    board_id: str | None = None
    target_room_id: str | None = None
    quiz: tuple[QuizQuestion, ...] = ()
    video_id: str | None = None
    captions_id: str | None = None
    image_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asset:
    """An uploaded file's facts; its bytes live beside the log (`store.assets`), written in the
    same transaction as the `hall.asset_added` event."""

    id: str
    kind: AssetKind
    media_type: str  # "image/png", "image/jpeg", "image/webp", "audio/mpeg", "video/mp4", ...
    name: str  # the uploaded file's name, cleaned, for the editor's lists
    size: int  # bytes as stored (images: after re-encoding)
    width: int = 0  # images only
    height: int = 0


@dataclass(frozen=True)
class Call:
    """A participant pressed "call me" at a help-line: the facilitators see it until handled."""

    id: str
    participant_id: str
    station_id: str
    message: str
    seq: int
    resolved: bool = False


@dataclass(frozen=True)
class Hall:
    rooms: Mapping[str, Room]
    stations: Mapping[str, Station]
    assets: Mapping[str, Asset]
    unlocked: frozenset[tuple[str, str]]  # (room id, participant id)
    calls: Mapping[str, Call]
    spotlight: str | None = None  # the station every participant's view opens
    spotlight_seq: int = 0  # the seq of the last spotlight: a client opens each one once
    # (station id, participant id): who has opened which station at least once (the report's
    # "stations opened"); goes with its station
    opened: frozenset[tuple[str, str]] = frozenset()


THE_HALL = Room(HALL, "", "hall", 0)


def rooms_in_order(hall: Hall) -> list[Room]:
    return sorted(hall.rooms.values(), key=lambda r: (r.position, r.id))


def stations_in(hall: Hall, room_id: str) -> list[Station]:
    """A room's stations in reading order."""
    return sorted(
        (s for s in hall.stations.values() if s.room_id == room_id),
        key=lambda s: (s.position, s.id),
    )


def gate_of(hall: Hall, room_id: str) -> Station | None:
    """The quiz station leading to this room, if any (the first in reading order)."""
    gates = [s for s in hall.stations.values() if s.kind == "quiz" and s.target_room_id == room_id]
    return min(gates, key=lambda s: (s.position, s.id)) if gates else None


def is_gated(hall: Hall, room_id: str) -> bool:
    return room_id != HALL and gate_of(hall, room_id) is not None


def may_enter(hall: Hall, room_id: str, participant_id: str | None, facilitator: bool) -> bool:
    """Facilitators and the room screen (`facilitator=True`) go everywhere; a participant into
    any room that no quiz guards, and into a guarded one after answering its quiz right."""
    if room_id not in hall.rooms:
        return False
    if facilitator or not is_gated(hall, room_id):
        return True
    return participant_id is not None and (room_id, participant_id) in hall.unlocked


def room_of_asset(hall: Hall, asset_id: str) -> set[str]:
    """The rooms that show this asset (as picture, music, or in a station's media)."""
    out = {r.id for r in hall.rooms.values() if asset_id in (r.picture_id, r.music_id)}
    for s in hall.stations.values():
        if asset_id in (s.video_id, s.captions_id) or asset_id in s.image_ids:
            out.add(s.room_id)
    return out


def may_fetch(hall: Hall, asset_id: str, participant_id: str | None, facilitator: bool) -> bool:
    """An asset is served to whoever may enter some room that shows it; an asset no room shows
    yet only to facilitators. So a break room's music is not reachable by its URL alone."""
    if asset_id not in hall.assets:
        return False
    if facilitator:
        return True
    return any(may_enter(hall, r, participant_id, False) for r in room_of_asset(hall, asset_id))


def empty_hall() -> Hall:
    """A new workshop's hall: the one room, no stations."""
    return Hall(
        rooms=MappingProxyType({HALL: THE_HALL}),
        stations=MappingProxyType({}),
        assets=MappingProxyType({}),
        unlocked=frozenset(),
        calls=MappingProxyType({}),
    )
