"""Presence at a hall station in the hub: kept like `editing`, carried across processes, kept
through a rename, gone with the socket; and pushed again after a batch that changes who may see
which station. Two hubs share a broker here, as two processes share Redis."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable

from server.domain.events import StoredEvent
from server.domain.snapshot import Position, Snapshot
from server.domain.workshop import WorkshopState
from server.realtime.broker import OnMessage, OnReconnect, channel_for
from server.realtime.client import Client, Viewer
from server.realtime.hub import Hub
from server.realtime.source import PresenceEntry
from server.realtime.wire import encode_doorbell

IDA = PresenceEntry("p1", "Ida", "Borger")


class SharedBroker:
    """One broker per hub, all delivering to each other: Redis pub/sub in miniature."""

    def __init__(self, bus: list[SharedBroker]) -> None:
        self.bus = bus
        bus.append(self)
        self.channels: set[str] = set()
        self.on_message: OnMessage | None = None

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self.channels.clear()

    def set_listener(self, on_message: OnMessage, on_reconnect: OnReconnect) -> None:
        self.on_message = on_message

    async def publish(self, channel: str, message: bytes) -> None:
        for b in self.bus:
            if channel in b.channels and b.on_message is not None:
                b.on_message(channel, message)

    async def subscribe(self, channel: str) -> None:
        self.channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self.channels.discard(channel)

    async def healthy(self) -> bool:
        return True


class OneLog:
    def __init__(self) -> None:
        self.events: list[StoredEvent] = []

    async def read_since(self, workshop_id: str, since: int, limit: int) -> list[StoredEvent]:
        return [e for e in self.events if e.seq > since][:limit]

    async def positions(self, workshop_ids: Iterable[str]) -> dict[str, Position]:
        return {"w1": Position(len(self.events), "e1")}

    async def snapshot(self, workshop_id: str) -> Snapshot | None:
        state = WorkshopState("w1", "t", "2026-11-22", ("Borger",), "ABCDEF")
        return Snapshot(state, Position(len(self.events), "e1"))


class StationRenderer:
    """Presence as the stations of everyone online, so a test can read what each socket got."""

    def personal(self, events: list[StoredEvent], state: WorkshopState) -> frozenset[str]:
        return frozenset()

    def audience(self, viewer: Viewer, personal: frozenset[str]) -> Viewer:
        return viewer

    def events(
        self, events: list[StoredEvent], epoch: str, state: WorkshopState, viewer: Viewer
    ) -> str:
        return json.dumps({"events": [e.type for e in events]})

    def snapshot(self, snap: Snapshot, viewer: Viewer) -> str:
        return json.dumps({"snapshot": snap.position.last_seq})

    def presence(self, online: list[PresenceEntry], state: WorkshopState, viewer: Viewer) -> str:
        return json.dumps(
            {"presence": {p.participant_id: [p.display_name, p.station] for p in online}}
        )


class Socket:
    def __init__(self) -> None:
        self.sent: list[dict[str, object]] = []

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))

    async def close(self, code: int) -> None:
        return None

    def last_presence(self) -> object:
        return next((m["presence"] for m in reversed(self.sent) if "presence" in m), None)


async def eventually(check: Callable[[], bool]) -> None:
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0.01)
    assert check()


def keep_state(state: WorkshopState, events: list[StoredEvent]) -> WorkshopState:
    return state


async def two_hubs(log: OneLog) -> tuple[Hub, Hub]:
    bus: list[SharedBroker] = []
    hubs = (
        Hub(SharedBroker(bus), log, StationRenderer(), check_seconds=0.2, fold=keep_state),
        Hub(SharedBroker(bus), log, StationRenderer(), check_seconds=0.2, fold=keep_state),
    )
    for h in hubs:
        await h.start()
    return hubs


async def test_a_participant_s_station_crosses_processes_and_ends_with_the_socket() -> None:
    a, b = await two_hubs(OneLog())
    ida_sock, fac_sock = Socket(), Socket()
    ida = Client(Viewer("participant", "json", "da", "p1", IDA), ida_sock.send, ida_sock.close, 64)
    fac = Client(Viewer("facilitator", "json", "da", "f1"), fac_sock.send, fac_sock.close, 64)
    for c in (ida, fac):
        c.start()
    await a.attach(ida, "w1", None, None)
    await b.attach(fac, "w1", None, None)

    a.visiting("w1", ida, "s1")
    await eventually(lambda: fac_sock.last_presence() == {"p1": ["Ida", "s1"]})
    assert [p.station for p in b.online("w1")] == ["s1"]

    # Renaming keeps her place, on every process.
    a.participant_changed("w1", PresenceEntry("p1", "Ida K", "Borger"))
    await eventually(lambda: fac_sock.last_presence() == {"p1": ["Ida K", "s1"]})

    a.visiting("w1", ida, None)
    await eventually(lambda: fac_sock.last_presence() == {"p1": ["Ida K", None]})

    # A facilitator has no presence entry: their visit changes nothing, and is not an error.
    b.visiting("w1", fac, "s2")
    assert fac.viewer.presence is None

    a.visiting("w1", ida, "s3")
    await eventually(lambda: fac_sock.last_presence() == {"p1": ["Ida K", "s3"]})
    await a.detach(ida, "w1")
    await eventually(lambda: fac_sock.last_presence() == {})
    for c in (ida, fac):
        await c.stop()
    for h in (a, b):
        await h.stop()


async def test_presence_is_pushed_again_after_a_batch_that_changes_who_sees_which_station() -> None:
    log = OneLog()
    a, b = await two_hubs(log)
    ida_sock = Socket()
    ida = Client(Viewer("participant", "json", "da", "p1", IDA), ida_sock.send, ida_sock.close, 64)
    ida.start()
    await a.attach(ida, "w1", 0, "e1")
    a.visiting("w1", ida, "s1")
    await eventually(lambda: ida_sock.last_presence() == {"p1": ["Ida", "s1"]})

    for kind, pushed in (
        ("hall.room_unlocked", True),
        ("hall.station_removed", True),
        ("hall.station_edited", True),
        ("hall.room_removed", True),
        ("hall.station_placed", False),
        ("note.added", False),
    ):
        before = len(ida_sock.sent)
        log.events.append(StoredEvent("w1", len(log.events) + 1, kind, {}))
        await a.broker.publish(channel_for("w1"), encode_doorbell("e1", log.events[-1:]))
        await eventually(lambda n=before: any("events" in m for m in ida_sock.sent[n:]))  # type: ignore[misc]
        await asyncio.sleep(0.05)
        got = ida_sock.sent[before:]
        assert got[0] == {"events": [kind]}, kind
        assert any("presence" in m for m in got[1:]) == pushed, kind
    await ida.stop()
    for h in (a, b):
        await h.stop()


async def test_a_hundred_joining_at_once_cost_each_screen_a_few_presence_frames() -> None:
    """The youth camp arrives: 100 tablets join within moments. The facilitator's screen gets
    a handful of presence frames, not one per join, and the last one lists all 100 on both
    processes."""
    a, b = await two_hubs(OneLog())
    fac_sock = Socket()
    fac = Client(Viewer("facilitator", "json", "da", "f1"), fac_sock.send, fac_sock.close, 256)
    fac.start()
    await b.attach(fac, "w1", None, None)
    await eventually(lambda: fac_sock.last_presence() == {})
    await asyncio.sleep(0.3)  # quiet spell
    people: list[Client] = []
    for i in range(100):
        entry = PresenceEntry(f"p{i}", f"Deltager {i}", "Borger")
        c = Client(Viewer("participant", "json", "da", entry.participant_id, entry), *_noop(), 256)
        c.start()
        people.append(c)
        await a.attach(c, "w1", None, None)
    everyone = {f"p{i}": [f"Deltager {i}", None] for i in range(100)}
    await eventually(lambda: fac_sock.last_presence() == everyone)
    pushes = [m for m in fac_sock.sent if "presence" in m]
    assert 2 <= len(pushes) <= 10, len(pushes)
    # One more, after a quiet spell: no push is held back for ever.
    await asyncio.sleep(0.3)
    late = PresenceEntry("late", "Sen", "Borger")
    lc = Client(Viewer("participant", "json", "da", "late", late), *_noop(), 256)
    lc.start()
    await a.attach(lc, "w1", None, None)
    await eventually(lambda: "late" in (fac_sock.last_presence() or {}))  # type: ignore[operator]
    for c in [*people, lc, fac]:
        await c.stop()
    for h in (a, b):
        await h.stop()


def _noop() -> tuple[Callable[[str], Awaitable[None]], Callable[[int], Awaitable[None]]]:
    s = Socket()
    return s.send, s.close
