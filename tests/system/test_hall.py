"""The virtual council hall across two real processes: the programme's current item and the
spotlight reach everyone; who is at which station converges everywhere; and a break room behind
a quiz stays shut, whatever anyone sends to whichever process, until a participant answers right,
and then only for them (its stations, its music and the music's URL). JSON WebSocket clients."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support import Browserless, LiveClient, ServerProcess, query, setup_workshop
from tests.system.conftest import Cluster
from tests.system.test_boards import ok, refused

pytestmark = [pytest.mark.system, pytest.mark.timeout(240)]

# A tiny MPEG audio file: an ID3 header and one frame header (what the upload check reads).
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + bytes(400)
QUIZ = "Hvor mange sidder i byrådet?\n- 19\n* 21\n- 31\n\nHvem leder mødet?\n* Borgmesteren\n- Mig"
RIGHT = [1, 0]


def events_of(client: LiveClient, type_: str) -> list[dict[str, Any]]:
    return [e["data"] for e in client.events if e["type"] == type_]


def latest(client: LiveClient, type_: str) -> dict[str, Any] | None:
    return next((m for m in reversed(client.received) if m.get("type") == type_), None)


def stations_counted(client: LiveClient) -> dict[str, int] | None:
    p = latest(client, "presence")
    return None if p is None else dict(p["stations"])


def snapshot_hall(client: LiveClient) -> dict[str, Any]:
    snap = latest(client, "snapshot")
    assert snap is not None, client.received[-3:]
    hall: dict[str, Any] = snap["state"]["hall"]
    return hall


def room_seen(client: LiveClient, room_id: str) -> dict[str, Any] | None:
    """A room as this client knows it: from its snapshot, then every event that carries the
    room (or all rooms) as this client may see it."""
    snap = latest(client, "snapshot")
    room = None
    if snap is not None:
        room = next((r for r in snap["state"]["hall"]["rooms"] if r["id"] == room_id), None)
    for e in client.events:
        d = e["data"]
        if e["type"].startswith("hall.") and d.get("room_id") == room_id and "room" in d:
            room = d["room"]
        for r in d.get("rooms", []) if e["type"].startswith("hall.") else []:
            if r["id"] == room_id:
                room = r
    return room


class Crowd:
    """Every session and socket a test opens, closed at the end whatever happens (the suite
    turns a socket left open into an error)."""

    def __init__(self) -> None:
        self.sessions: list[Browserless] = []
        self.clients: list[LiveClient] = []

    async def workshop(self, server: ServerProcess) -> tuple[Browserless, str, str]:
        fac, wid, code = await setup_workshop(server.url)
        self.sessions.append(fac)
        return fac, wid, code

    def same_person(self, session: Browserless, server: ServerProcess) -> Browserless:
        """Another tab of the same person (their cookies), talking to `server`."""
        other = Browserless(server.url)
        other.http.cookies = session.http.cookies
        self.sessions.append(other)
        return other

    async def connect(self, server: ServerProcess, wid: str, session: Browserless) -> LiveClient:
        c = await LiveClient.connect(server.ws_url, wid, session)
        self.clients.append(c)
        await c.wait_for(lambda c: c.seq is not None)
        return c

    async def participant(
        self, server: ServerProcess, code: str, wid: str, name: str
    ) -> tuple[Browserless, LiveClient]:
        s = Browserless(server.url)
        self.sessions.append(s)
        r = await s.join(code, name, "Borger")
        assert r.status_code == 200
        return s, await self.connect(server, wid, s)

    async def close(self) -> None:
        for c in self.clients:
            await c.close()
        for s in self.sessions:
            await s.aclose()


@pytest.fixture
async def crowd() -> AsyncIterator[Crowd]:
    c = Crowd()
    try:
        yield c
    finally:
        await c.close()


async def add_station(fac: LiveClient, room_id: str, kind: str, title: str, **content: Any) -> str:
    """A new station (the position as a form sends it); returns its id, from the event."""
    await ok(fac, "station.add", room_id=room_id, kind=kind, title=title, x="5000", y=4000)
    added = await fac.wait_for(
        lambda c: next(
            (
                d
                for d in reversed(events_of(c, "hall.station_added"))
                if d["station"]["title"] == title
            ),
            None,
        )
    )
    station_id = str(added["station_id"])
    if content:
        await ok(fac, "station.edit", station_id=station_id, title=title, **content)
    return station_id


async def add_room(fac: LiveClient, title: str, kind: str) -> str:
    await ok(fac, "room.add", title=title, kind=kind)
    added = await fac.wait_for(
        lambda c: next(
            (d for d in events_of(c, "hall.room_added") if d["room"]["title"] == title), None
        )
    )
    return str(added["room_id"])


async def test_the_current_item_and_the_spotlight_reach_everyone_on_both_processes(
    cluster: Cluster, crowd: Crowd
) -> None:
    fac_s, wid, code = await crowd.workshop(cluster.a)
    fac = await crowd.connect(cluster.a, wid, fac_s)
    # The facilitator's second screen, on process b.
    fac_b = await crowd.connect(cluster.b, wid, crowd.same_person(fac_s, cluster.b))
    people = [
        await crowd.participant(srv, code, wid, f"P{i}")
        for i, srv in enumerate([cluster.a, cluster.b] * 2)
    ]
    clients = [fac, fac_b, *(c for _, c in people)]
    prog = await add_station(
        fac,
        "hall",
        "programme",
        "Dagens program",
        items="09:30 Velkomst\n10:00 Gruppearbejde\n12:00 Frokost",
    )
    await ok(fac, "programme.set", station_id=prog, item="1")
    await ok(fac, "hall.spotlight", station_id=prog)
    for c in clients:
        await c.wait_for(
            lambda c: {"station_id": prog, "item": 1} in events_of(c, "hall.programme_item_set")
        )
        await c.wait_for(lambda c: {"station_id": prog} in events_of(c, "hall.spotlighted"))
        edited = events_of(c, "hall.station_edited")[-1]["station"]
        assert edited["items"] == [
            ["09:30", "Velkomst"],
            ["10:00", "Gruppearbejde"],
            ["12:00", "Frokost"],
        ]

    # Someone arriving later, on either process, opens on the same item and the same spotlight.
    for server in (cluster.a, cluster.b):
        _, late = await crowd.participant(server, code, wid, f"Sen {server.port}")
        hall = snapshot_hall(late)
        (st,) = [s for r in hall["rooms"] for s in r.get("stations", []) if s["id"] == prog]
        assert st["current_item"] == 1 and hall["spotlight"] == prog
        spotlit = next(e for e in fac.events if e["type"] == "hall.spotlighted")
        assert hall["spotlight_seq"] == spotlit["seq"]
        await late.close()

    # Only the facilitator runs the programme and the spotlight.
    ida = people[0][1]
    assert await refused(ida, "hall.spotlight", station_id=None) == "permission.facilitators_only"
    assert (
        await refused(ida, "programme.set", station_id=prog, item=0)
        == "permission.facilitators_only"
    )
    await ok(fac_b, "hall.spotlight", station_id="")  # the facilitator on the other process
    for c in clients:
        await c.wait_for(lambda c: {"station_id": None} in events_of(c, "hall.spotlighted"))


async def test_who_is_at_which_station_converges_on_both_processes(
    cluster: Cluster, crowd: Crowd
) -> None:
    fac_s, wid, code = await crowd.workshop(cluster.a)
    fac = await crowd.connect(cluster.a, wid, fac_s)
    fac_b = await crowd.connect(cluster.b, wid, crowd.same_person(fac_s, cluster.b))
    info = await add_station(fac, "hall", "info", "Om dagen", body="Velkommen")
    prog = await add_station(fac, "hall", "programme", "Program", items="09:30 Velkomst")
    (_, ida), (_, bo), (_, eva) = [
        await crowd.participant(srv, code, wid, name)
        for srv, name in ((cluster.a, "Ida"), (cluster.b, "Bo"), (cluster.b, "Eva"))
    ]
    everyone = [fac, fac_b, ida, bo, eva]
    db = cluster.env["DATABASE_URL"]

    async def log_length() -> int:
        return len(await query(db, "SELECT seq FROM events WHERE workshop_id = :w", w=wid))

    before = await log_length()

    async def converge(want: dict[str, int], clients: list[LiveClient]) -> None:
        for c in clients:
            await c.wait_for(lambda c: stations_counted(c) == want, timeout=15)

    await ida.send({"type": "station.visiting", "station_id": info})
    await bo.send({"type": "station.visiting", "station_id": info})
    await eva.send({"type": "station.visiting", "station_id": prog})
    await converge({info: 2, prog: 1}, everyone)
    await bo.send({"type": "station.visiting", "station_id": prog})  # Bo moves on
    await converge({info: 1, prog: 2}, everyone)
    await ida.send({"type": "station.visiting", "station_id": None})  # Ida closes the station
    await converge({prog: 2}, everyone)
    await eva.close()  # Eva leaves: her place goes with her socket
    await converge({prog: 1}, [fac, fac_b, ida, bo])
    # Presence, not commands: no ack, no error. Only each first opening of a station by a
    # participant is stored, for the report's "stations opened"; going back stores nothing.
    await bo.send({"type": "station.visiting", "station_id": info})
    await converge({info: 1}, [fac, fac_b, ida, bo])
    await bo.send({"type": "station.visiting", "station_id": prog})
    await converge({prog: 1}, [fac, fac_b, ida, bo])

    async def openings() -> list[Any]:
        return await query(
            db,
            "SELECT type, payload FROM events WHERE workshop_id = :w AND seq > :s ORDER BY seq",
            w=wid,
            s=before,
        )

    # Recorded beside the socket's loop: give the four first openings a moment to be stored.
    deadline = time.monotonic() + 15
    while len(opened := await openings()) < 4 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert all(row.type == "hall.station_opened" for row in opened)
    people = await query(
        db, "SELECT display_name, id FROM participants WHERE workshop_id = :w", w=wid
    )
    pid = {str(r.display_name): str(r.id) for r in people}
    pairs = sorted(
        (p["station_id"], p["participant_id"])
        for p in (
            json.loads(r.payload) if isinstance(r.payload, str) else r.payload for r in opened
        )
    )
    assert pairs == sorted(
        [(info, pid["Ida"]), (info, pid["Bo"]), (prog, pid["Eva"]), (prog, pid["Bo"])]
    )
    assert await log_length() == before + 4
    assert not [m for m in bo.received if m.get("type") in ("ack", "error")]
    # Nobody's screen hears of it: no event reaches any socket.
    assert not [e for c in everyone for e in c.events if e["type"] == "hall.station_opened"]
    await ok(fac, "station.remove", station_id=prog)  # the station goes: so does its count
    await converge({}, [fac, fac_b, ida, bo])


async def upload_music(fac: Browserless, wid: str) -> str:
    token = await fac.csrf("/f")
    r = await fac.http.post(
        f"/f/workshops/{wid}/assets",
        data={"csrf": token, "kind": "audio"},
        files={"file": ("Pausemusik.mp3", MP3, "audio/mpeg")},
    )
    assert r.status_code == 200, r.text[:500]
    return str(r.json()["asset_id"])


async def test_the_break_room_opens_only_with_right_answers_and_only_for_who_gave_them(
    cluster: Cluster, crowd: Crowd
) -> None:
    fac_s, wid, code = await crowd.workshop(cluster.a)
    fac = await crowd.connect(cluster.a, wid, fac_s)
    # Both are there from the start, so they see the room being furnished, or not.
    ida_s, ida = await crowd.participant(cluster.a, code, wid, "Ida")
    bo_s, bo = await crowd.participant(cluster.b, code, wid, "Bo")
    brk = await add_room(fac, "Pause", "break")
    gate = await add_station(fac, "hall", "quiz", "Quiz", quiz=QUIZ, target_room_id=brk)
    music = await upload_music(fac_s, wid)
    await ok(fac, "room.edit", room_id=brk, title="Pause", picture_id=None, music_id=music)
    coffee = await add_station(fac, brk, "info", "Kaffe", body="Kaffe og kage i kantinen")
    help_desk = await add_station(fac, brk, "helpline", "Hjælp", phone="+45 12 34 56 78")
    secrets = (coffee, help_desk, music, "Kaffe og kage", "Pausemusik")
    await bo.wait_for(lambda c: c.seq == fac.seq)
    ida_b_s = crowd.same_person(ida_s, cluster.b)  # Ida's second tab, on the other process
    ida_b = await crowd.connect(cluster.b, wid, ida_b_s)
    db = cluster.env["DATABASE_URL"]

    async def unlocks() -> list[Any]:
        return await query(
            db,
            "SELECT payload FROM events WHERE workshop_id = :w AND type = 'hall.room_unlocked'",
            w=wid,
        )

    for c in (ida, bo, ida_b):
        locked = room_seen(c, brk)
        assert locked == {"id": brk, "title": "Pause", "kind": "break", "locked": True}
    assert (await ida_s.http.get(f"/w/{code}/assets/{music}")).status_code == 404
    assert (await bo_s.http.get(f"/w/{code}/assets/{music}")).status_code == 404

    # Wrong answers, a forged unlock and every other way in, from each client on each process.
    for c in (ida, bo, ida_b):
        assert await refused(c, "quiz.answer", station_id=gate, answers=[0, 0]) == "hall.quiz_wrong"
        assert (
            await refused(c, "quiz.answer", station_id=gate, answer_0="1", answer_1="1")
            == "hall.quiz_wrong"
        )
        assert await refused(c, "quiz.answer", station_id=gate, answers=[1]) == "hall.quiz_answers"
        assert await refused(c, "quiz.answer", station_id=gate, answers=[1, 5]) == "hall.quiz_wrong"
        assert (
            await refused(c, "quiz.answer", station_id=coffee, answers=[]) == "hall.station_unknown"
        )
        assert await refused(c, "call.request", station_id=help_desk) == "hall.station_unknown"
        for forged, ids in (
            ("hall.room_unlocked", {"room_id": brk, "participant_id": "x"}),
            ("room.unlock", {"room_id": brk}),
            ("quiz.unlock", {"station_id": gate}),
        ):
            assert await refused(c, forged, **ids) == "wire.unknown_type"
        assert (
            await refused(c, "quiz.answer", station_id=gate, answers=RIGHT, room_id=brk)
            == "wire.unknown_field"
        )
        attempts: tuple[tuple[str, dict[str, Any]], ...] = (
            ("station.edit", {"station_id": gate, "title": "Quiz", "quiz": QUIZ}),
            ("station.remove", {"station_id": gate}),
            ("room.edit", {"room_id": brk, "title": "Pause", "picture_id": None, "music_id": None}),
            ("station.add", {"room_id": "hall", "kind": "door", "title": "Ind", "x": 1, "y": 1}),
        )
        for type_, fields in attempts:
            assert await refused(c, type_, **fields) == "permission.facilitators_only"
        await c.send({"type": "station.visiting", "station_id": coffee})  # counts nowhere
    r = await bo_s.http.post(
        f"/api/workshops/{wid}/commands",
        json={
            "type": "quiz.answer",
            "command_id": "api-wrong-answer-1",
            "station_id": gate,
            "answers": [2, 1],
        },
    )
    assert (r.status_code, r.json()["code"]) == (422, "hall.quiz_wrong")
    assert await unlocks() == []
    await fac.wait_for(lambda c: (p := latest(c, "presence")) is not None and p["online"] == 2)
    assert coffee not in (stations_counted(fac) or {})

    # Ida answers right, on process a: the room opens for her, on both of her tabs.
    await ok(ida, "quiz.answer", station_id=gate, answer_0="1", answer_1="0")
    (row,) = await unlocks()
    payload = row.payload if isinstance(row.payload, dict) else json.loads(row.payload)
    assert payload["room_id"] == brk
    for c in (ida, ida_b):
        got = await c.wait_for(lambda c: events_of(c, "hall.room_unlocked"))
        assert [s["id"] for s in got[-1]["room"]["stations"]] == [coffee, help_desk]
        assert got[-1]["room"]["music"]["url"] == f"/w/{code}/assets/{music}"
    await fac.wait_for(lambda c: events_of(c, "hall.room_unlocked"))
    assert (await ida_s.http.get(f"/w/{code}/assets/{music}")).status_code == 200
    assert (await ida_b_s.http.get(f"/w/{code}/assets/{music}")).status_code == 200
    assert (await bo_s.http.get(f"/w/{code}/assets/{music}")).status_code == 404
    assert (
        await refused(ida, "quiz.answer", station_id=gate, answers=RIGHT) == "hall.already_unlocked"
    )
    # Her visit to the coffee now counts, for those who may see it; Bo sees no count for it.
    await ida.send({"type": "station.visiting", "station_id": coffee})
    await fac.wait_for(lambda c: stations_counted(c) == {coffee: 1})
    await ok(ida_b, "call.request", station_id=help_desk, message="Ring mig")

    # Bo, still outside, on process b: a fresh snapshot on either process shows the room locked.
    for server in (cluster.a, cluster.b):
        again = await crowd.connect(server, wid, bo_s)
        assert {r["id"]: r for r in snapshot_hall(again)["rooms"]}[brk]["locked"] is True
        await again.close()
        fresh = await crowd.connect(server, wid, ida_s)
        opened = {r["id"]: r for r in snapshot_hall(fresh)["rooms"]}[brk]
        assert opened["locked"] is False and [s["id"] for s in opened["stations"]] == [
            coffee,
            help_desk,
        ]
        await fresh.close()
    await bo.wait_for(lambda c: stations_counted(c) == {})
    everything_bo_got = json.dumps(bo.received, ensure_ascii=False)
    for secret in secrets:
        assert secret not in everything_bo_got, secret
    assert not events_of(bo, "hall.room_unlocked") and not events_of(bo, "hall.call_requested")
    snap = await bo_s.http.get(f"/api/workshops/{wid}/snapshot")
    for secret in secrets:
        assert secret not in snap.text, secret
