"""The hub on its own: gap healing from the log, and a stuck socket that cannot stall a board."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from server.domain.events import StoredEvent
from server.domain.snapshot import Position, Snapshot
from server.domain.workshop import WorkshopState
from server.realtime.broker import channel_for
from server.realtime.client import CLOSE_RESYNC, Client, Viewer
from server.realtime.hub import Hub
from server.realtime.memory_broker import MemoryBroker
from server.realtime.source import PresenceEntry
from server.realtime.wire import encode_doorbell


class LogInMemory:
    """An event log kept in a list: the hub's EventSource protocol without a database."""

    def __init__(self) -> None:
        self.events: list[StoredEvent] = []
        self.epoch = "e1"

    def add(self, n: int) -> list[StoredEvent]:
        start = len(self.events)
        new = [StoredEvent("w1", start + i + 1, "note.added", {"i": start + i}) for i in range(n)]
        self.events.extend(new)
        return new

    async def read_since(self, workshop_id: str, since: int, limit: int) -> list[StoredEvent]:
        return [e for e in self.events if e.seq > since][:limit]

    async def positions(self, workshop_ids: Iterable[str]) -> dict[str, Position]:
        return {"w1": Position(len(self.events), self.epoch)}

    async def snapshot(self, workshop_id: str) -> Snapshot | None:
        state = WorkshopState("w1", "t", "2026-11-22", ("A",), "ABCDEF")
        return Snapshot(state, Position(len(self.events), self.epoch))


class SeqRenderer:
    """Renders a batch as its seqs, so a test can see exactly what each socket got."""

    def personal(self, events: list[StoredEvent], state: WorkshopState) -> frozenset[str]:
        return frozenset()

    def audience(self, viewer: Viewer, personal: frozenset[str]) -> Viewer:
        return viewer

    def events(
        self, events: list[StoredEvent], epoch: str, state: WorkshopState, viewer: Viewer
    ) -> str:
        return ",".join(str(e.seq) for e in events)

    def snapshot(self, snap: Snapshot, viewer: Viewer) -> str:
        return f"snapshot@{snap.position.last_seq}"

    def presence(self, online: list[PresenceEntry], state: WorkshopState, viewer: Viewer) -> str:
        return "presence"


def keep_state(state: WorkshopState, events: list[StoredEvent]) -> WorkshopState:
    """The log here holds stand-in events the domain cannot fold; the hub's logic is the same."""
    return state


class Socket:
    def __init__(self, stuck: bool = False) -> None:
        self.stuck = stuck
        self.sent: list[str] = []
        self.closed_with: int | None = None

    async def send(self, text: str) -> None:
        if self.stuck:
            await asyncio.Event().wait()  # a tablet that stopped reading
        self.sent.append(text)

    async def close(self, code: int) -> None:
        if self.stuck:
            await asyncio.Event().wait()  # even the close would block
        self.closed_with = code

    def seqs(self) -> list[int]:
        return [int(s) for m in self.sent if m[0].isdigit() for s in m.split(",")]


async def start_hub(log: LogInMemory) -> tuple[Hub, MemoryBroker]:
    broker = MemoryBroker()
    hub = Hub(broker, log, SeqRenderer(), replay_limit=100, check_seconds=0.2, fold=keep_state)
    await hub.start()
    return hub, broker


def client_for(sock: Socket, queue: int = 8) -> Client:
    c = Client(Viewer("participant", "json", "da"), sock.send, sock.close, queue)
    c.start()
    return c


async def test_a_stuck_socket_is_evicted_and_the_others_get_everything() -> None:
    log = LogInMemory()
    hub, broker = await start_hub(log)
    healthy, stuck = Socket(), Socket(stuck=True)
    ch, cs = client_for(healthy), client_for(stuck)
    await hub.attach(ch, "w1", 0, "e1")
    await hub.attach(cs, "w1", 0, "e1")
    for _ in range(50):
        await broker.publish(channel_for("w1"), encode_doorbell("e1", log.add(1)))
        await asyncio.sleep(0)
    for _ in range(100):
        if healthy.seqs() == list(range(1, 51)):
            break
        await asyncio.sleep(0.02)
    assert healthy.seqs() == list(range(1, 51))
    assert cs.closed and cs.close_code == CLOSE_RESYNC
    assert cs not in hub.rooms["w1"].clients
    await ch.stop()
    await hub.stop()


async def test_a_lost_doorbell_is_healed_from_the_log() -> None:
    log = LogInMemory()
    hub, broker = await start_hub(log)
    sock = Socket()
    c = client_for(sock, queue=64)
    await hub.attach(c, "w1", 0, "e1")
    log.add(3)  # committed, but the publish never happened (a crash between commit and publish)
    await broker.publish(
        channel_for("w1"), encode_doorbell("e1", log.add(1))
    )  # seq 4 arrives: a gap
    for _ in range(100):
        if sock.seqs() == [1, 2, 3, 4]:
            break
        await asyncio.sleep(0.02)
    assert sock.seqs() == [1, 2, 3, 4]
    log.add(2)  # nobody rings at all: the periodic check finds them
    for _ in range(100):
        if sock.seqs() == [1, 2, 3, 4, 5, 6]:
            break
        await asyncio.sleep(0.05)
    assert sock.seqs() == [1, 2, 3, 4, 5, 6]
    await c.stop()
    await hub.stop()


async def test_reconnect_replays_the_gap_or_sends_a_snapshot() -> None:
    log = LogInMemory()
    log.add(10)
    hub, _ = await start_hub(log)
    replayed, fresh, stale = Socket(), Socket(), Socket()
    for sock, since, epoch in ((replayed, 7, "e1"), (fresh, None, None), (stale, 7, "old")):
        c = client_for(sock)
        await hub.attach(c, "w1", since, epoch)
        await asyncio.sleep(0.05)
        await c.stop()
    assert replayed.sent[0] == "8,9,10"
    assert fresh.sent[0] == "snapshot@10"
    assert stale.sent[0] == "snapshot@10"
    await hub.stop()


async def test_doorbells_that_wait_together_reach_a_socket_as_one_frame_in_order() -> None:
    """A vote burst: while the room is busy, 60 doorbells queue up. Each socket then gets every
    seq once, in order, in a few frames instead of 60 (one rendering per turn, not per event)."""
    log = LogInMemory()
    hub, broker = await start_hub(log)
    sock = Socket()
    c = client_for(sock, queue=256)
    await hub.attach(c, "w1", 0, "e1")
    room = hub.rooms["w1"]
    async with room.lock:  # the room is rendering something else meanwhile
        for _ in range(60):
            await broker.publish(channel_for("w1"), encode_doorbell("e1", log.add(1)))
    for _ in range(100):
        if sock.seqs() == list(range(1, 61)):
            break
        await asyncio.sleep(0.02)
    assert sock.seqs() == list(range(1, 61))
    frames = [m for m in sock.sent if m[0].isdigit()]
    assert len(frames) <= 2, frames
    await c.stop()
    await hub.stop()


async def test_a_doorbell_after_a_gap_in_a_waiting_batch_reads_the_log() -> None:
    """Seq 3 never rang: the batch 1-2 goes out, the gap is read from the log, nothing twice."""
    log = LogInMemory()
    hub, broker = await start_hub(log)
    sock = Socket()
    c = client_for(sock, queue=256)
    await hub.attach(c, "w1", 0, "e1")
    room = hub.rooms["w1"]
    async with room.lock:
        await broker.publish(channel_for("w1"), encode_doorbell("e1", log.add(2)))
        log.add(1)  # committed, never published
        await broker.publish(channel_for("w1"), encode_doorbell("e1", log.add(2)))
    for _ in range(100):
        if sock.seqs() == [1, 2, 3, 4, 5]:
            break
        await asyncio.sleep(0.02)
    assert sock.seqs() == [1, 2, 3, 4, 5]
    await c.stop()
    await hub.stop()
