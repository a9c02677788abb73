"""The Hub: sockets per workshop on this process, fan-out in seq order, gap healing, resync.

Every room has one task that takes doorbells from a bounded inbox, in order. A doorbell whose
events follow `last_seq` is delivered as it is; a jump, a full inbox, a broker reconnect or the
periodic position check make the room read the missing events from the log instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState, fold
from server.realtime.broker import CHANNEL_PREFIX, Broker, channel_for
from server.realtime.client import CLOSE_FORBIDDEN, CLOSE_RESYNC, Client
from server.realtime.source import (
    EventSource,
    PresenceEntry,
    Renderer,
    Viewer,
)
from server.realtime.wire import Doorbell, decode_doorbell

logger = logging.getLogger(__name__)

INBOX_SIZE = 1000
RECENT_EVENTS = 2000
PRESENCE_HEARTBEAT = 10.0
PRESENCE_TTL = 35.0
ROOM_IDLE_SECONDS = 60.0
BATCH_EVENTS = 500  # most events one delivery merges from waiting doorbells
PRESENCE_EVERY = 0.25  # seconds: at most one presence push per room in this time


_CATCH_UP = object()
_PRESENCE_CHANGED = object()  # someone on this process came or went: push and tell the others
_REMOTE_PRESENCE_CHANGED = object()  # another process told us: push only
_PRESENCE_DUE = object()  # a held-back presence push is due


# Events after which who-is-at-which-station reads differently: a room unlocked for someone, a
# station or room gone, a quiz now guarding (or no longer guarding) a room.
_RESHAPES_PRESENCE = frozenset(
    (ev.HALL_ROOM_UNLOCKED, ev.HALL_STATION_REMOVED, ev.HALL_ROOM_REMOVED, ev.HALL_STATION_EDITED)
)


def _rooms_unlocked(state: WorkshopState, viewer: Viewer) -> frozenset[str]:
    """What besides role, format and language decides a viewer's presence rendering: the
    gated rooms a participant has unlocked (their station counts include those rooms)."""
    if viewer.role != "participant" or not viewer.actor_id:
        return frozenset()
    return frozenset(r for r, who in state.hall.unlocked if who == viewer.actor_id)


Fold = Callable[[WorkshopState, list[StoredEvent]], WorkshopState]
# Told about every batch a room delivers, with the state after it, in seq order, and with no
# events when a room's state is (re)loaded from a snapshot. It must not block: it runs in the
# room's fan-out (the timekeeper uses it to schedule what happens when a timer runs out).
StateListener = Callable[[str, WorkshopState, list[StoredEvent]], None]


@dataclass
class Room:
    """One workshop served by this process; `state` is the state at `last_seq`, kept by
    folding delivered events, so each viewer's rendering can be computed without a query."""

    workshop_id: str
    last_seq: int
    epoch: str
    state: WorkshopState
    clients: set[Client] = field(default_factory=set)
    inbox: asyncio.Queue[object] = field(default_factory=lambda: asyncio.Queue(maxsize=INBOX_SIZE))
    overflowed: bool = False
    recent: deque[StoredEvent] = field(default_factory=lambda: deque(maxlen=RECENT_EVENTS))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    task: asyncio.Task[None] | None = None
    remote_presence: dict[str, tuple[float, list[PresenceEntry]]] = field(default_factory=dict)
    idle_since: float | None = None
    presence_pushed_at: float = 0.0  # monotonic time of the last presence push
    presence_held: bool = False  # a push is waiting for PRESENCE_EVERY to pass
    presence_publish: bool = False  # and it must tell the other processes too

    def local_presence(self) -> list[PresenceEntry]:
        seen: dict[str, PresenceEntry] = {}
        for c in self.clients:
            if c.viewer.presence is not None:
                seen[c.viewer.presence.participant_id] = c.viewer.presence
        return list(seen.values())


class Hub:
    def __init__(
        self,
        broker: Broker,
        source: EventSource,
        renderer: Renderer,
        *,
        replay_limit: int = 1000,
        check_seconds: float = 2.0,
        fold: Fold = fold,
        on_events: StateListener | None = None,
    ) -> None:
        self.broker = broker
        self.source = source
        self.renderer = renderer
        self.fold = fold
        self.on_events = on_events
        self.replay_limit = replay_limit
        self.check_seconds = check_seconds
        self.process_id = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.rooms: dict[str, Room] = {}
        self._room_creation = asyncio.Lock()
        self._background: list[asyncio.Task[None]] = []
        self.stats = {"catch_ups": 0, "evictions": 0, "doorbells": 0}
        self._pending_publishes: set[asyncio.Task[None]] = set()

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self.broker.set_listener(self._on_broker_message, self._on_broker_reconnect)
        await self.broker.connect()
        self._background = [
            asyncio.create_task(self._check_positions_forever(), name="hub-position-check"),
            asyncio.create_task(self._presence_heartbeat_forever(), name="hub-presence"),
        ]

    async def stop(self) -> None:
        for t in self._background:
            t.cancel()
        for room in list(self.rooms.values()):
            for c in list(room.clients):
                c.evict(1012)  # service restart: the browser reconnects, maybe to another process
            await self._close_room(room)
        for t in self._background:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        await self.broker.disconnect()

    # --- clients -------------------------------------------------------------------------

    async def attach(
        self, client: Client, workshop_id: str, since: int | None, epoch: str | None
    ) -> None:
        """Bring `client` up to date (replay or snapshot), then add it to live fan-out."""
        room = await self._room(workshop_id)
        async with room.lock:
            room.clients.discard(client)
            v = client.viewer
            use_snapshot = (
                since is None or epoch != room.epoch or room.last_seq - since > self.replay_limit
            )
            if not use_snapshot and since is not None and since > room.last_seq:
                # The client is ahead of this room (it saw another process): is it real?
                pos = (await self.source.positions([workshop_id])).get(workshop_id)
                use_snapshot = pos is None or since > pos.last_seq
                if not use_snapshot:
                    client.last_seq = since
                    self._wake(room, _CATCH_UP)
            if use_snapshot:
                snap = await self.source.snapshot(workshop_id)
                if snap is None:
                    client.evict(CLOSE_RESYNC)
                    return
                client.offer(self.renderer.snapshot(snap, v))
                client.last_seq = snap.position.last_seq
                if snap.position.last_seq > room.last_seq:
                    self._wake(room, _CATCH_UP)
            elif since is not None and since < room.last_seq:
                missing = await self._events_after(room, since)
                if missing:
                    client.offer(self.renderer.events(missing, room.epoch, room.state, v))
                client.last_seq = room.last_seq
            elif since is not None and client.last_seq < since:
                client.last_seq = since
            room.clients.add(client)
            room.idle_since = None
            if v.presence is not None:
                self._wake(room, _PRESENCE_CHANGED)
            # Everyone gets the current presence on attach (facilitators see who is online).
            client.offer(self.renderer.presence(self._merged_presence(room), room.state, v))

    async def detach(self, client: Client, workshop_id: str) -> None:
        room = self.rooms.get(workshop_id)
        if room is None:
            return
        room.clients.discard(client)
        if client.viewer.presence is not None:
            self._wake(room, _PRESENCE_CHANGED)
        if not room.clients:
            room.idle_since = time.monotonic()

    def participant_changed(self, workshop_id: str, entry: PresenceEntry) -> None:
        """A participant renamed themselves or changed group: every socket of theirs says so."""
        room = self.rooms.get(workshop_id)
        if room is None:
            return
        for c in room.clients:
            p = c.viewer.presence
            if p is not None and p.participant_id == entry.participant_id:
                c.viewer.presence = replace(entry, editing=p.editing, station=p.station)
        self._wake(room, _PRESENCE_CHANGED)

    def editing(self, workshop_id: str, client: Client, note_id: str | None) -> None:
        """This socket opened (or closed) the editor on a note: others see "someone is
        editing this note". Kept in presence, so it crosses processes and ends with the socket."""
        room = self.rooms.get(workshop_id)
        p = client.viewer.presence
        if room is None or p is None or p.editing == note_id:
            return
        client.viewer.presence = replace(p, editing=note_id)
        self._wake(room, _PRESENCE_CHANGED)

    def visiting(self, workshop_id: str, client: Client, station_id: str | None) -> None:
        """This socket opened (or closed) a station of the hall: others see how many are at
        each station. Kept in presence like `editing`. Not checked against the hall here (this
        process may not have the unlock yet): the renderer counts a participant only at a
        station they may enter, and only for viewers who may see it."""
        room = self.rooms.get(workshop_id)
        p = client.viewer.presence
        if room is None or p is None or p.station == station_id:
            return
        client.viewer.presence = replace(p, station=station_id)
        self._wake(room, _PRESENCE_CHANGED)

    def state_of(self, workshop_id: str) -> WorkshopState | None:
        """The state this process holds for a workshop with sockets here (may lag the log)."""
        room = self.rooms.get(workshop_id)
        return None if room is None else room.state

    def online(self, workshop_id: str) -> list[PresenceEntry]:
        room = self.rooms.get(workshop_id)
        return [] if room is None else self._merged_presence(room)

    # --- rooms ---------------------------------------------------------------------------

    async def _room(self, workshop_id: str) -> Room:
        room = self.rooms.get(workshop_id)
        if room is not None:
            return room
        async with self._room_creation:
            room = self.rooms.get(workshop_id)
            if room is not None:
                return room
            # Subscribe before reading the state, so nothing published in between is missed.
            await self.broker.subscribe(channel_for(workshop_id))
            snap = await self.source.snapshot(workshop_id)
            if snap is None:
                await self.broker.unsubscribe(channel_for(workshop_id))
                raise KeyError(workshop_id)
            room = Room(workshop_id, snap.position.last_seq, snap.position.epoch, snap.state)
            room.task = asyncio.create_task(self._run_room(room), name=f"room-{workshop_id}")
            self.rooms[workshop_id] = room
            self._tell(room, [])
            self._publish_presence_soon(room)
            return room

    async def _close_room(self, room: Room) -> None:
        self.rooms.pop(room.workshop_id, None)
        if room.task is not None:
            room.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await room.task
        with contextlib.suppress(Exception):
            await self.broker.unsubscribe(channel_for(room.workshop_id))

    def _wake(self, room: Room, item: object) -> None:
        try:
            room.inbox.put_nowait(item)
        except asyncio.QueueFull:
            room.overflowed = True  # the room task will read the log instead

    async def _run_room(self, room: Room) -> None:
        while True:
            items = [await room.inbox.get()]
            while not room.inbox.empty():  # whatever else waits is handled in the same turn
                items.append(room.inbox.get_nowait())
            try:
                async with room.lock:
                    await self._handle(room, items)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room %s failed to deliver; will catch up", room.workshop_id)
                await asyncio.sleep(0.2)
                self._wake(room, _CATCH_UP)

    async def _handle(self, room: Room, items: list[object]) -> None:
        """Doorbells that waited together are delivered as one batch: under a burst (a vote
        at the end of a timer) each socket gets one frame per turn instead of one per event,
        and a count shown on every screen is rendered once. Nothing waits for a batch to fill:
        an idle room delivers each doorbell as it comes. Presence changes are merged too."""
        if room.overflowed:
            room.overflowed = False
            await self._catch_up(room)
        bells: list[Doorbell] = []
        changed = publish = due = False
        for item in items:
            if isinstance(item, Doorbell):
                bells.append(item)
            elif item is _CATCH_UP:
                await self._ring(room, bells)
                bells = []
                await self._catch_up(room)
            elif item is _PRESENCE_CHANGED:
                changed = publish = True
            elif item is _REMOTE_PRESENCE_CHANGED:
                changed = True
            elif item is _PRESENCE_DUE:
                due = True
        await self._ring(room, bells)
        if changed or due:
            self._presence(room, publish=publish, due=due)

    def _presence(self, room: Room, *, publish: bool, due: bool = False) -> None:
        """Push who is online now, or once PRESENCE_EVERY has passed since the last push: 500
        tablets joining within seconds would otherwise cost every socket one frame per join,
        and overflow their queues. The first change after a quiet spell goes out at once;
        `due` is the held-back push, whose time has come."""
        room.presence_publish = room.presence_publish or publish
        if not due:
            if room.presence_held:
                return  # the held-back push will carry this change too
            wait = room.presence_pushed_at + PRESENCE_EVERY - time.monotonic()
            if wait > 0:
                room.presence_held = True
                asyncio.get_running_loop().call_later(wait, self._wake, room, _PRESENCE_DUE)
                return
        room.presence_held = False
        room.presence_pushed_at = time.monotonic()
        self._push_presence(room)
        if room.presence_publish:
            room.presence_publish = False
            self._publish_presence_soon(room)

    async def _ring(self, room: Room, bells: list[Doorbell]) -> None:
        """Deliver the events of these doorbells, in seq order, in batches of at most
        BATCH_EVENTS; a jump in seq or a new epoch reads the log instead."""
        batch: list[StoredEvent] = []
        top = room.last_seq
        for bell in bells:
            self.stats["doorbells"] += 1
            if bell.epoch != room.epoch or bell.first_seq > top + 1:
                self._deliver(room, batch)
                batch = []
                await self._catch_up(room)
                top = room.last_seq
                continue
            fresh = [e for e in bell.events if e.seq > top]
            if not fresh:
                continue
            if len(batch) + len(fresh) > BATCH_EVENTS:
                self._deliver(room, batch)
                batch = []
            batch.extend(fresh)
            top = fresh[-1].seq
        self._deliver(room, batch)

    async def _catch_up(self, room: Room) -> None:
        self.stats["catch_ups"] += 1
        pos = (await self.source.positions([room.workshop_id])).get(room.workshop_id)
        if pos is None:
            return
        if pos.epoch != room.epoch:
            # The log was truncated or restored: every client must start again from a snapshot.
            snap = await self.source.snapshot(room.workshop_id)
            if snap is None:
                return
            room.epoch, room.last_seq = snap.position.epoch, snap.position.last_seq
            room.state = snap.state
            room.recent.clear()
            self._tell(room, [])
            for c in list(room.clients):
                c.evict(CLOSE_RESYNC)
            room.clients.clear()
            return
        while room.last_seq < pos.last_seq:
            batch = await self.source.read_since(room.workshop_id, room.last_seq, 500)
            if not batch:
                break
            self._deliver(room, batch)

    async def _events_after(self, room: Room, since: int) -> list[StoredEvent]:
        if room.recent and room.recent[0].seq <= since + 1:
            return [e for e in room.recent if since < e.seq <= room.last_seq]
        out: list[StoredEvent] = []
        cursor = since
        while cursor < room.last_seq:
            batch = await self.source.read_since(room.workshop_id, cursor, 500)
            batch = [e for e in batch if e.seq <= room.last_seq]
            if not batch:
                break
            out.extend(batch)
            cursor = batch[-1].seq
        return out

    def _deliver(self, room: Room, events: list[StoredEvent]) -> None:
        """Fan one batch out: render once per (role, format, locale), and per viewer only for
        those the renderer names as personal; never await a socket."""
        if not events:
            return
        room.state = self.fold(room.state, events)
        room.last_seq = events[-1].seq
        if any(e.type == ev.PARTICIPANT_ERASED for e in events):
            # The log's earlier events were scrubbed of their name: the copies kept here for
            # catching up must not outlive them (a catch-up reads the scrubbed log instead).
            room.recent.clear()
        room.recent.extend(events)
        self._tell(room, events)
        personal = self.renderer.personal(events, room.state)
        rendered: dict[tuple[str, str, str, str], str] = {}
        for c in list(room.clients):
            if c.closed:
                room.clients.discard(c)
                continue
            if c.last_seq >= room.last_seq:
                continue
            v = c.viewer
            if c.last_seq >= events[0].seq:  # partly seen already (it attached ahead of us)
                part = [e for e in events if e.seq > c.last_seq]
                text = self.renderer.events(part, room.epoch, room.state, v)
            else:
                who = self.renderer.audience(v, personal)
                key = (who.role, who.fmt, who.locale, who.actor_id)
                text = rendered.get(key) or rendered.setdefault(
                    key, self.renderer.events(events, room.epoch, room.state, who)
                )
            if c.offer(text):
                c.last_seq = room.last_seq
            else:
                self.stats["evictions"] += 1
                room.clients.discard(c)
        if any(e.type in _RESHAPES_PRESENCE for e in events) and any(
            p.station for p in self._merged_presence(room)
        ):
            self._push_presence(room)  # after the events, so a client knows the stations
        self._disconnect_removed(room)

    def _tell(self, room: Room, events: list[StoredEvent]) -> None:
        """The listener's trouble is never the room's: fan-out goes on."""
        if self.on_events is None:
            return
        try:
            self.on_events(room.workshop_id, room.state, events)
        except Exception:
            logger.exception("state listener failed for room %s", room.workshop_id)

    def _disconnect_removed(self, room: Room) -> None:
        """A participant the facilitator removed loses every socket at once (after the batch
        that says so), on every process, and is not let back in (see web/identity.py)."""
        for c in list(room.clients):
            p = c.viewer.presence
            if p is None:
                continue
            who = room.state.participants.get(p.participant_id)
            if who is not None and who.kicked:
                c.evict(CLOSE_FORBIDDEN)
                room.clients.discard(c)
                self._wake(room, _PRESENCE_CHANGED)

    # --- broker callbacks (must not block) -----------------------------------------------

    def _on_broker_message(self, channel: str, raw: bytes) -> None:
        if not channel.startswith(CHANNEL_PREFIX):
            return
        room = self.rooms.get(channel[len(CHANNEL_PREFIX) :])
        if room is None:
            return
        try:
            msg = json.loads(raw)
            if "presence" in msg:
                self._on_remote_presence(room, msg)
                return
            bell = decode_doorbell(raw)
        except (ValueError, KeyError, TypeError):
            logger.warning("unreadable broker message on %s; catching up from the log", channel)
            self._wake(room, _CATCH_UP)
            return
        self._wake(room, bell)

    def _on_broker_reconnect(self) -> None:
        """We may have missed messages: every room reads the log."""
        for room in self.rooms.values():
            room.remote_presence.clear()
            self._wake(room, _CATCH_UP)
            self._publish_presence_soon(room)

    async def _check_positions_forever(self) -> None:
        """Heals a crash between commit and publish, and any doorbell lost on the way."""
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                if not self.rooms:
                    continue
                positions = await self.source.positions(list(self.rooms))
                now = time.monotonic()
                for wid, room in list(self.rooms.items()):
                    pos = positions.get(wid)
                    if pos is not None and (
                        pos.last_seq > room.last_seq or pos.epoch != room.epoch
                    ):
                        self._wake(room, _CATCH_UP)
                    expired = [
                        p for p, (t, _) in room.remote_presence.items() if now - t > PRESENCE_TTL
                    ]
                    for p in expired:
                        del room.remote_presence[p]
                    if expired:
                        self._wake(room, _REMOTE_PRESENCE_CHANGED)
                    if (
                        not room.clients
                        and room.idle_since is not None
                        and now - room.idle_since > ROOM_IDLE_SECONDS
                    ):
                        await self._close_room(room)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                logger.warning("position check failed: %s", e)

    # --- presence ------------------------------------------------------------------------

    def _merged_presence(self, room: Room) -> list[PresenceEntry]:
        merged = {p.participant_id: p for p in room.local_presence()}
        for _, entries in room.remote_presence.values():
            for p in entries:
                merged.setdefault(p.participant_id, p)
        return sorted(
            merged.values(), key=lambda p: (p.group, p.display_name or "", p.participant_id)
        )

    def _push_presence(self, room: Room) -> None:
        online = self._merged_presence(room)
        rendered: dict[tuple[str, str, str, frozenset[str]], str] = {}
        for c in list(room.clients):
            v = c.viewer
            key = (v.role, v.fmt, v.locale, _rooms_unlocked(room.state, v))
            if key not in rendered:
                rendered[key] = self.renderer.presence(online, room.state, v)
            if not c.offer(rendered[key]):
                room.clients.discard(c)

    def _on_remote_presence(self, room: Room, msg: dict[str, object]) -> None:
        proc = msg.get("proc")
        entries = msg.get("presence")
        if proc == self.process_id or not isinstance(proc, str) or not isinstance(entries, list):
            return
        new = [PresenceEntry(*e[:5]) for e in entries]
        old = room.remote_presence.get(proc)
        room.remote_presence[proc] = (time.monotonic(), new)
        if old is None or old[1] != new:
            self._wake(room, _REMOTE_PRESENCE_CHANGED)

    def _publish_presence_soon(self, room: Room) -> None:
        payload = json.dumps(
            {
                "proc": self.process_id,
                "presence": [
                    [p.participant_id, p.display_name, p.group, p.editing, p.station]
                    for p in room.local_presence()
                ],
            }
        ).encode()

        async def _send() -> None:
            with contextlib.suppress(Exception):
                await self.broker.publish(channel_for(room.workshop_id), payload)

        task = asyncio.create_task(_send())
        self._pending_publishes.add(task)
        task.add_done_callback(self._pending_publishes.discard)

    async def _presence_heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_HEARTBEAT)
            for room in list(self.rooms.values()):
                if room.local_presence():
                    self._publish_presence_soon(room)
