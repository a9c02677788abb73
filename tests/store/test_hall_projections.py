"""Every hall command through `Service.execute`, on SQLite and PostgreSQL: after each commit the
stored state equals the state before plus the events, a refused command leaves it as it was,
and the replayed log equals it at the end. The database itself keys the hall by workshop (every
workshop's hall is "hall") and refuses unknown kinds, stations off the picture and files that
are not there.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

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
    PublishReport,
    RemoveRoom,
    RemoveStation,
    ReorderStation,
    ResolveCall,
    SetProgrammeItem,
    Spotlight,
    StationContent,
    UnpublishReport,
)
from server.domain.hall import HALL, THE_HALL, Room, empty_hall
from server.service import Service
from server.store.tables import (
    hall_assets,
    hall_rooms,
    hall_spotlights,
    hall_stations,
    hall_unlocks,
)
from tests.store.twin import FAC, P1, P2, P3, Twin, new_twin

SCREEN = Actor("screen", "screen1")
QUIZ = (("Hvornår?", ("I dag", "Til foråret", "Aldrig"), 1), ("Hvem?", ("KB", "Borgm."), 0))


async def rows(service: Service, table: sa.Table, workshop_id: str) -> list[tuple[Any, ...]]:
    async with service.db.read() as conn:
        q = sa.select(table).where(table.c.workshop_id == workshop_id)
        return sorted(tuple(r) for r in await conn.execute(q))


async def a_morning_in_the_hall(service: Service, p1: Actor, p2: Actor, p3: Actor) -> Twin:
    """Files, rooms (the hall edited twice), a station of every kind with its content, a
    programme's current item through edits, moves, a gate and its quiz, the spotlight, calls,
    and a room removed with what hangs on it. The hall's ids are the same in every workshop."""
    twin = await new_twin(service, (p1, p2, p3))
    main = (await twin.state()).main_board.id
    for asset_id, kind, media_type in (
        ("img", "image", "image/png"),
        ("mp3", "audio", "audio/mpeg"),
        ("mp4", "video", "video/mp4"),
        ("vtt", "captions", "text/vtt"),
    ):
        await twin.do(FAC, AddAsset(asset_id, kind, media_type, f"{asset_id}.x", 1234, 8, 6))
    await twin.refused(FAC, AddAsset("img", "image", "image/png", "x", 1), "hall.asset_exists")
    await twin.refused(p1, AddRoom("g1", "Gruppe 1", "room"), "permission.facilitators_only")
    await twin.refused(SCREEN, AddRoom("g1", "Gruppe 1", "room"), "permission.read_only")
    await twin.do(FAC, AddRoom("g1", "Gruppe 1", "room"))
    await twin.do(FAC, AddRoom("pause", "Pause", "break"))
    await twin.do(FAC, EditRoom(HALL, "ignored", "img", None))  # the hall's row comes
    await twin.do(FAC, EditRoom(HALL, "", "img", "mp3"))  # and is replaced
    await twin.do(FAC, EditRoom("pause", "Kaffepause", None, "mp3"))

    kinds = {
        "prog": (HALL, "programme"),
        "help": (HALL, "helpline"),
        "quiz": (HALL, "quiz"),
        "door": (HALL, "door"),
        "plan": (HALL, "plan"),
        "board": (HALL, "board"),
        "maps": ("pause", "maps"),
        "info": ("g1", "info"),
        "films": ("g1", "films"),
    }
    for i, (station_id, (room_id, kind)) in enumerate(kinds.items()):
        await twin.do(FAC, AddStation(station_id, room_id, kind, kind.title(), i * 1000, 10000))
    await twin.refused(FAC, AddStation("x", HALL, "info", "Info", 10001, 0), "hall.position")

    items = (("09:30", "Velkomst"), ("", "Kaffe"), ("10:00-11:00", "Oplæg"))
    edits = {
        "prog": StationContent(items=items),
        "help": StationContent(phone="+45 45 97 30 00", body="Ring **nu**"),
        "door": StationContent(target_room_id="pause"),
        "plan": StationContent(
            milestones=(("marts 2027", "Høring", True), ("", "Vedtagelse", False))
        ),
        "board": StationContent(board_id=main),
        "maps": StationContent(
            body="Kort", links=(("Plan", "https://ltk.dk"),), image_ids=("img",)
        ),
        "info": StationContent(body="Velkommen i gruppe 1"),
        "films": StationContent(
            links=(("", "https://video.dk/1"),), video_id="mp4", captions_id="vtt"
        ),
    }
    for station_id, content in edits.items():
        await twin.do(FAC, EditStation(station_id, station_id.title(), content))
    await twin.refused(
        FAC, EditStation("help", "Hjælp", StationContent(phone="ring")), "hall.phone"
    )

    await twin.do(FAC, SetProgrammeItem("prog", 2))
    await twin.do(FAC, EditStation("prog", "Program", StationContent(items=items)))  # kept
    assert (await twin.state()).hall.stations["prog"].current_item == 2
    await twin.do(FAC, EditStation("prog", "Program", StationContent(items=items[:2])))  # gone
    assert (await twin.state()).hall.stations["prog"].current_item is None
    await twin.do(FAC, SetProgrammeItem("prog", 0))
    await twin.do(FAC, PlaceStation("prog", 5000, 2500))
    await twin.do(FAC, ReorderStation("board", 0))
    await twin.do(FAC, ReorderStation("prog", 99))

    await twin.do(FAC, EditStation("quiz", "Quiz", StationContent(quiz=QUIZ, target_room_id="g1")))
    await twin.refused(p1, AnswerQuiz("info", ()), "hall.station_unknown")
    await twin.refused(p1, AnswerQuiz("quiz", (0, 0)), "hall.quiz_wrong")
    await twin.do(p1, AnswerQuiz("quiz", (1, 0)))
    await twin.refused(p1, AnswerQuiz("quiz", (1, 0)), "hall.already_unlocked")
    await twin.do(p1, OpenStation("info"))  # in the room just unlocked
    await twin.do(p1, OpenStation("prog"))
    await twin.do(p2, OpenStation("prog"))
    await twin.refused(p2, OpenStation("prog"), "hall.already_opened")
    await twin.do(p3, OpenStation("door"))

    await twin.refused(FAC, Spotlight(None), "hall.no_spotlight")
    await twin.refused(FAC, Spotlight("info"), "hall.spotlight_gated")
    await twin.do(FAC, Spotlight("prog"))
    await twin.do(FAC, Spotlight(None))
    await twin.do(FAC, Spotlight("door"))
    await twin.do(FAC, RemoveStation("door"))  # the spotlight (and an opening) go with it

    await twin.do(p2, CallMe("help", "c1", "Efter kl. 14"))
    await twin.refused(p2, CallMe("help", "c2", ""), "hall.call_open")
    await twin.do(FAC, ResolveCall("c1"))
    await twin.do(p3, CallMe("help", "c2", ""))

    await twin.refused(FAC, RemoveRoom("g1"), "hall.room_in_use")
    await twin.do(
        FAC, EditStation("quiz", "Quiz", StationContent(quiz=QUIZ, target_room_id="pause"))
    )
    await twin.do(p2, AnswerQuiz("quiz", (1, 0)))
    await twin.do(FAC, Spotlight("films"))  # in group room 1, no longer gated
    await twin.do(FAC, RemoveRoom("g1"))  # with its stations, unlocks and the spotlight
    state = await twin.assert_replay_equals_stored()
    h = state.hall
    assert set(h.rooms) == {HALL, "pause"} and h.rooms[HALL] == Room(
        HALL, "", "hall", 0, "img", "mp3"
    )
    assert set(h.stations) == {"prog", "help", "quiz", "plan", "board", "maps"}
    assert h.unlocked == {("pause", p2.id)}
    assert h.opened == {("prog", p1.id), ("prog", p2.id)}
    assert h.spotlight is None and h.spotlight_seq > 0
    assert {k: c.resolved for k, c in h.calls.items()} == {"c1": True, "c2": False}
    return twin


async def test_every_hall_command_keeps_the_tables_the_twin_of_the_domain(
    service: Service,
) -> None:
    await a_morning_in_the_hall(service, P1, P2, P3)


async def test_a_published_report_link_is_stored_and_revoked(service: Service) -> None:
    twin = await new_twin(service)
    await twin.refused(P1, PublishReport("link1"), "permission.facilitators_only")
    await twin.refused(FAC, UnpublishReport(), "report.not_published")
    await twin.do(FAC, PublishReport("link1"))
    assert (await twin.state()).report_link == "link1"
    await twin.refused(FAC, PublishReport("link1"), "report.link_id")
    await twin.do(FAC, PublishReport("link2"))  # a new link: the first stops working
    assert (await twin.state()).report_link == "link2"
    await twin.do(FAC, UnpublishReport())
    state = await twin.assert_replay_equals_stored()
    assert state.report_link is None


async def test_two_workshops_have_halls_and_stations_of_the_same_ids(service: Service) -> None:
    first = await a_morning_in_the_hall(service, P1, P2, P3)
    people = (Actor("participant", "q1"), Actor("participant", "q2"), Actor("participant", "q3"))
    second = await a_morning_in_the_hall(service, *people)
    one, two = await first.state(), await second.state()
    assert one.hall.stations.keys() == two.hall.stations.keys()
    assert one.hall.unlocked == {("pause", P2.id)} and two.hall.unlocked == {("pause", "q2")}
    assert len(await rows(service, hall_rooms, first.workshop_id)) == 2


async def test_a_new_workshop_loads_the_default_hall_with_no_rows(service: Service) -> None:
    twin = await new_twin(service)
    assert (await twin.state()).hall == empty_hall()
    assert await rows(service, hall_rooms, twin.workshop_id) == []
    assert await rows(service, hall_spotlights, twin.workshop_id) == []
    await twin.do(FAC, AddStation("s", HALL, "info", "Info", 0, 0))
    state = await twin.assert_replay_equals_stored()
    assert state.hall.rooms == {HALL: THE_HALL}


async def test_the_database_holds_the_hall_to_its_kinds_and_files(service: Service) -> None:
    """Written past the domain, straight into the tables: the schema holds the line too."""
    twin = await new_twin(service)
    await twin.do(FAC, AddAsset("img", "image", "image/png", "a.png", 10, 1, 1))
    w = twin.workshop_id

    async def insert(table: sa.Table, row: dict[str, Any]) -> None:
        async with service.db.write() as conn:
            await conn.execute(sa.insert(table).values(workshop_id=w, **row))

    room = {"title": "R", "position": 1, "picture_id": None, "music_id": None}
    for bad in ({"id": "r", "kind": "lobby"}, {"id": "r", "kind": "room", "picture_id": "nope"}):
        with pytest.raises(sa.exc.IntegrityError):
            await insert(hall_rooms, {**room, **bad})
    await insert(hall_rooms, {**room, "id": "r", "kind": "room", "picture_id": "img"})
    with pytest.raises(sa.exc.IntegrityError):
        await insert(hall_rooms, {**room, "id": "r", "kind": "break"})

    station = {
        "id": "s",
        "room_id": HALL,
        "kind": "info",
        "title": "S",
        "x": 0,
        "y": 0,
        "position": 0,
        "body": "",
        "items": [],
        "milestones": [],
        "links": [],
        "phone": "",
        "quiz": [],
        "image_ids": [],
    }
    bad_stations: list[dict[str, Any]] = [
        {"kind": "cinema"},
        {"x": -1},
        {"y": 10001},
        {"current_item": -1},
        {"video_id": "img2"},
        {"board_id": "nope"},
    ]
    for bad in bad_stations:
        with pytest.raises(sa.exc.IntegrityError):
            await insert(hall_stations, {**station, **bad})
    asset = {"id": "a", "media_type": "x", "name": "x", "size": 1, "width": 0, "height": 0}
    with pytest.raises(sa.exc.IntegrityError):
        await insert(hall_assets, {**asset, "kind": "pdf"})
    with pytest.raises(sa.exc.IntegrityError):
        await insert(hall_unlocks, {"room_id": "r", "participant_id": "nobody"})
    await insert(hall_stations, station)
    assert [r[1] for r in await rows(service, hall_stations, w)] == ["s"]
