"""The load generator of ``scripts/bench``: WebSocket clients in worker processes.

Each worker is its own OS process (``multiprocessing``, spawn) with its own event loop (uvloop
when installed) and takes orders from the orchestrator over a pipe. A *reader* worker holds many
clients and records, per run, when each client receives each marked event; the *writer* worker
holds the writing clients (one per board in the city mix, one per server process in the
saturation ramp) and sends marked events at a fixed rate each.

A marked event carries ``bench:RUN:WRITER:INDEX:SEND_NS`` in its text, where ``SEND_NS`` is the
writer's ``time.monotonic_ns()`` just before the frame was sent (CLOCK_MONOTONIC is one clock
for every process on the machine). Readers find the marker with a regular expression on the raw
frame, without decoding the JSON, so the generator spends little per message.

Clients behave like the browser: a socket closed with 4001 (evicted), 1012 or 1013, or dropped,
reconnects and sends ``hello`` with its last ``seq`` and ``epoch``; the writer sends its
unanswered commands again with the same ``command_id``.

Orders (tuples) and answers:

- every worker answers ``("ready", {...})`` once its clients are connected, and ``("bye",)``
  to ``("quit",)``; ``("status",)`` -> ``("status", {...})`` (reconnects so far);
- readers: ``("measure", run, how)`` -> ``("ok",)``, where ``how`` says whether the slow
  candidates are left out of the healthy figures (``exclude_slow``), stop reading
  (``pause_slow``), and when every reader drops and reconnects (``storm``: drop and reconnect
  times in ns); ``("count",)`` -> ``("count", healthy, slow)`` deliveries so far;
  ``("resume",)`` -> ``("ok",)`` (the slow ones read again); ``("refresh",)`` ->
  ``("refreshed", n)`` (the slow ones reconnect, before a run that pauses them); ``("report",)`` ->
  ``("report", {...})`` (the run's latencies and counts);
- writers: ``("write", run, specs)`` -> ``("written", {...})``, ``specs`` a list of
  ``(writer, rate, seconds, quotas)``, ``quotas`` the boards to fill in order;
- both: ``("vote", question_id, plan)`` -> ``("voted", [...])``: each client casts
  ``value`` at ``at_ns`` (one ``(value, at_ns)`` per client) and reports its ack time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import time
from array import array
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import websockets
from bench_clients import (
    MARK,
    POSITION,
    RECONNECT_CODES,
    Target,
    cast_vote,
    open_socket,
    sleep_until,
)
from bench_write import WriterWorker
from websockets.asyncio.client import ClientConnection


@dataclass
class Run:
    """What one reader worker records during one measured run."""

    run: int
    excluded: set[int]  # readers left out of the healthy figures (the slow candidates)
    readers: int
    storm_reconnect_ns: int = 0
    seen: list[dict[int, bytearray]] = field(default_factory=list)
    latencies: array[float] = field(default_factory=lambda: array("d"))
    slow_latencies: array[float] = field(default_factory=lambda: array("d"))
    last: dict[tuple[int, int], float] = field(default_factory=dict)
    count_by_index: dict[tuple[int, int], int] = field(default_factory=dict)
    duplicates: int = 0
    deliveries: int = 0
    slow_deliveries: int = 0
    first_ns: int = 0
    last_ns: int = 0
    before: list[int] = field(default_factory=list)  # storm: marks sent before the reconnect
    max_before_ns: list[int] = field(default_factory=list)
    first_after_ns: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.seen = [{} for _ in range(self.readers)]
        self.before = [0] * self.readers
        self.max_before_ns = [0] * self.readers
        self.first_after_ns = [0] * self.readers

    def record(self, reader: int, raw: str, now: int, snapshot: bool) -> None:
        """Every marked note of this run in one frame, once per reader. A snapshot holds every
        note again, so a note already seen there is not a duplicate."""
        in_frame: set[tuple[int, int]] = set()
        for m in MARK.finditer(raw):
            if int(m.group(1)) != self.run:
                continue
            w, idx, sent = int(m.group(2)), int(m.group(3)), int(m.group(4))
            if (w, idx) in in_frame:  # an HTML frame may name a note twice (note + announcement)
                continue
            in_frame.add((w, idx))
            seen = self.seen[reader].get(w)
            if seen is None:
                seen = self.seen[reader][w] = bytearray()
            if idx >= len(seen):
                seen.extend(bytes(idx + 1 - len(seen)))
            if seen[idx]:
                if not snapshot:
                    self.duplicates += 1
                continue
            seen[idx] = 1
            if self.storm_reconnect_ns:
                if sent < self.storm_reconnect_ns:
                    self.before[reader] += 1
                    self.max_before_ns[reader] = max(self.max_before_ns[reader], now)
                elif not self.first_after_ns[reader]:
                    self.first_after_ns[reader] = now
            ms = (now - sent) / 1e6
            if reader in self.excluded:
                self.slow_latencies.append(ms)
                self.slow_deliveries += 1
                continue
            self.latencies.append(ms)
            key = (w, idx)
            if ms > self.last.get(key, -1.0):
                self.last[key] = ms
            self.count_by_index[key] = self.count_by_index.get(key, 0) + 1
            self.deliveries += 1
            if not self.first_ns:
                self.first_ns = now
            self.last_ns = now


class Reader:
    """One receiving client; reconnects with ``since`` as the browser does."""

    def __init__(self, worker: ReaderWorker, index: int, target: Target) -> None:
        self.worker = worker
        self.index = index
        self.target = target
        self.conn: ClientConnection | None = None
        self.ready = asyncio.Event()
        self.reading = asyncio.Event()  # cleared: a slow consumer that stopped reading
        self.reading.set()
        self.epoch: str | None = None
        self.seq: int | None = None
        self.frames = 0
        self.reconnects = 0
        self.failed: str | None = None
        self.closed_codes: list[int] = []
        self.hold_until_ns = 0  # a dropped reader reconnects no earlier than this
        self.hello_ns = 0
        self.vote_cid: str | None = None
        self.vote_reply: asyncio.Future[tuple[dict[str, Any], int]] | None = None

    async def connect(self) -> None:
        self.conn = await open_socket(self.target)
        self.hello_ns = time.monotonic_ns()
        if self.target.samskab:
            await self.conn.send(
                json.dumps({"type": "hello", "since": self.seq, "epoch": self.epoch})
            )
        else:
            self.ready.set()

    def drop(self) -> None:
        """Lose the connection as a tablet losing Wi-Fi does: no closing handshake."""
        if self.conn is not None:
            self.conn.transport.abort()

    async def run(self) -> None:
        """Read until told to stop (or while paused, not at all); reconnect after a close."""
        while not self.worker.stopping:
            try:
                if self.conn is None:
                    await self.connect()
                conn = self.conn
                assert conn is not None
                while True:
                    if not self.reading.is_set():
                        await self.reading.wait()
                    raw = await conn.recv()
                    self.on_frame(raw if isinstance(raw, str) else raw.decode())
            except websockets.ConnectionClosed:
                pass
            except (OSError, TimeoutError, websockets.InvalidHandshake) as e:
                if not self.ready.is_set():
                    self.failed = f"{type(e).__name__}: {e}"
                    self.ready.set()
                    return
            code = self.conn.close_code if self.conn is not None else None
            self.conn = None
            if self.worker.stopping:
                return
            self.closed_codes.append(code or 0)
            if code not in RECONNECT_CODES and code is not None:
                self.failed = f"closed {code}"
                self.ready.set()
                return
            self.reconnects += 1
            await asyncio.sleep(max(0.2, (self.hold_until_ns - time.monotonic_ns()) / 1e9))

    def on_frame(self, raw: str) -> None:
        now = time.monotonic_ns()
        self.frames += 1
        head = raw[:120]
        snapshot = False
        if self.target.samskab:
            if head.startswith('{"type":"events"') or head.startswith('{"type":"snapshot"'):
                snapshot = head.startswith('{"type":"snapshot"')
                pos = POSITION.search(head)
                if pos is not None:
                    self.epoch, self.seq = pos.group(1), int(pos.group(2))
                self.ready.set()
            elif self.vote_cid is not None and head.startswith(
                ('{"type":"ack"', '{"type":"error"')
            ):
                self._answer(raw, now)
                return
        run = self.worker.current
        if run is not None and "bench:" in raw:
            run.record(self.index, raw, now, snapshot)

    def _answer(self, raw: str, now: int) -> None:
        msg = json.loads(raw)
        reply = self.vote_reply
        if msg.get("command_id") == self.vote_cid and reply is not None and not reply.done():
            reply.set_result((msg, now))

    def _register(self, cid: str) -> asyncio.Future[tuple[dict[str, Any], int]]:
        self.vote_cid = cid
        self.vote_reply = asyncio.get_running_loop().create_future()
        return self.vote_reply

    async def vote(self, question_id: str, value: int, at_ns: int) -> dict[str, Any]:
        """Cast one vote at ``at_ns`` and report its ack time."""
        await sleep_until(at_ns)
        cid = f"vote-{os.getpid()}-{self.index}-{secrets.token_hex(4)}"
        frame = json.dumps(
            {"type": "vote.cast", "command_id": cid, "question_id": question_id, "value": value}
        )
        try:
            return await cast_vote(lambda: self.conn, self._register, cid, frame, value)
        finally:
            self.vote_cid, self.vote_reply = None, None


class ReaderWorker:
    """Many readers in one process."""

    def __init__(self, targets: list[Target], connect_concurrency: int) -> None:
        self.readers = [Reader(self, i, t) for i, t in enumerate(targets)]
        self.connect_concurrency = connect_concurrency
        self.current: Run | None = None
        self.stopping = False
        self.tasks: list[asyncio.Task[None]] = []
        self.storm: asyncio.Task[None] | None = None
        self.cpu0 = 0.0
        self.wall0 = 0.0
        self.reconnects0 = 0
        self.codes0: list[int] = []

    async def start(self) -> dict[str, Any]:
        """Connect every reader, a few at a time, and wait for each one's first state."""
        gate = asyncio.Semaphore(self.connect_concurrency)

        async def one(r: Reader) -> None:
            async with gate:
                try:
                    await r.connect()
                except Exception as e:
                    r.failed = f"{type(e).__name__}: {e}"
                    r.ready.set()
                    return
                self.tasks.append(asyncio.create_task(r.run()))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(r.ready.wait(), 60)

        t0 = time.monotonic()
        await asyncio.gather(*(one(r) for r in self.readers))
        failed = [r.failed for r in self.readers if r.failed or not r.ready.is_set()]
        return {
            "clients": len(self.readers),
            "failed": len(failed),
            "errors": sorted({str(f) for f in failed})[:5],
            "seconds": time.monotonic() - t0,
        }

    def measure(self, run: int, how: dict[str, Any]) -> None:
        slow = {r.index for r in self.readers if r.target.slow}
        excluded = slow if how.get("exclude_slow") or how.get("pause_slow") else set()
        storm = how.get("storm")
        self.current = Run(run, excluded, len(self.readers), int(storm[1]) if storm else 0)
        if how.get("pause_slow"):
            for r in self.readers:
                if r.index in excluded:
                    r.reading.clear()
        if storm:
            self.storm = asyncio.create_task(self._storm(int(storm[0]), int(storm[1])))
        self.cpu0, self.wall0 = time.process_time(), time.monotonic()
        self.reconnects0 = sum(r.reconnects for r in self.readers)
        self.codes0 = [len(r.closed_codes) for r in self.readers]

    async def _storm(self, drop_ns: int, reconnect_ns: int) -> None:
        await sleep_until(drop_ns)
        for r in self.readers:
            r.hold_until_ns = reconnect_ns
            r.drop()

    def resume(self) -> None:
        for r in self.readers:
            r.reading.set()

    async def refresh_slow(self) -> int:
        """Give the slow candidates a new connection before they stop reading, as a tablet that
        just joined: a connection that carried a lot has a large congestion window, so the
        server's kernel would buffer a megabyte for it before the server could notice."""
        t = time.monotonic_ns()
        slow = [r for r in self.readers if r.target.slow]
        for r in slow:
            r.hold_until_ns = 0
            r.drop()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
            r.conn is None or r.hello_ns < t for r in slow if not r.failed
        ):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # the replay of what they missed meanwhile
        return len(slow)

    def status(self) -> dict[str, Any]:
        """Reconnects so far and the close codes that caused them (evictions are 4001)."""
        codes: dict[int, int] = {}
        for r in self.readers:
            for c in r.closed_codes:
                codes[c] = codes.get(c, 0) + 1
        return {
            "reconnects": sum(r.reconnects for r in self.readers),
            "close_codes": codes,
            "failed": sum(1 for r in self.readers if r.failed),
        }

    def report(self) -> dict[str, Any]:
        run = self.current
        self.current = None
        cpu, wall = time.process_time() - self.cpu0, time.monotonic() - self.wall0
        if run is None:
            return {}
        codes: dict[str, dict[int, int]] = {"healthy": {}, "slow": {}}
        for r, n0 in zip(self.readers, self.codes0, strict=True):
            kind = "slow" if r.index in run.excluded else "healthy"
            for c in r.closed_codes[n0:]:
                codes[kind][c] = codes[kind].get(c, 0) + 1
        storm = None
        if run.storm_reconnect_ns:
            storm = [
                {
                    "room": r.target.room,
                    "before": run.before[r.index],
                    "max_before_ns": run.max_before_ns[r.index],
                    "first_after_ns": run.first_after_ns[r.index],
                    "hello_ns": r.hello_ns,
                }
                for r in self.readers
            ]
        return {
            "latencies": run.latencies.tobytes(),
            "slow_latencies": run.slow_latencies.tobytes(),
            "last": run.last,
            "count_by_index": run.count_by_index,
            "duplicates": run.duplicates,
            "deliveries": run.deliveries,
            "slow_deliveries": run.slow_deliveries,
            "first_ns": run.first_ns,
            "last_ns": run.last_ns,
            "cpu_pct": 100.0 * cpu / wall if wall > 0 else 0.0,
            "reconnects": sum(r.reconnects for r in self.readers) - self.reconnects0,
            "close_codes": codes,
            "failed": sum(1 for r in self.readers if r.failed),
            "storm": storm,
        }

    async def vote(self, question_id: str, plan: list[tuple[int, int]]) -> list[dict[str, Any]]:
        return list(
            await asyncio.gather(
                *(r.vote(question_id, v, at) for r, (v, at) in zip(self.readers, plan, strict=True))
            )
        )

    async def stop(self) -> None:
        self.stopping = True
        self.resume()
        for r in self.readers:
            if r.conn is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(r.conn.close(), 2)
        for t in [*self.tasks, *([self.storm] if self.storm else [])]:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _serve(
    inbox: Connection, conn: Connection, role: str, targets: list[Target], concurrency: int
) -> None:
    """Obey orders from ``inbox`` (watched by the loop, so non-blocking); answer on ``conn``
    (a separate pipe that stays blocking, so a large report is never cut short). Writing and
    voting run as tasks, so ``status`` and ``count`` are answered meanwhile."""
    loop = asyncio.get_running_loop()
    orders: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

    def readable() -> None:
        try:
            orders.put_nowait(inbox.recv())
        except (EOFError, OSError):
            loop.remove_reader(inbox.fileno())
            orders.put_nowait(("quit",))

    loop.add_reader(inbox.fileno(), readable)
    worker: ReaderWorker | WriterWorker
    worker = ReaderWorker(targets, concurrency) if role == "readers" else WriterWorker(targets)
    try:
        conn.send(("ready", await worker.start()))
    except Exception as e:
        conn.send(("ready", {"clients": len(targets), "failed": len(targets), "errors": [repr(e)]}))
    busy: set[asyncio.Task[None]] = set()

    async def answer_later(kind: str, work: Any) -> None:
        conn.send((kind, await work))

    while True:
        order = await orders.get()
        kind = order[0]
        if kind == "quit":
            break
        if kind == "status":
            conn.send(("status", worker.status()))
        elif kind == "vote":
            task = asyncio.create_task(answer_later("voted", worker.vote(order[1], order[2])))
            busy.add(task)
            task.add_done_callback(busy.discard)
        elif isinstance(worker, ReaderWorker) and kind == "measure":
            worker.measure(order[1], order[2])
            conn.send(("ok",))
        elif isinstance(worker, ReaderWorker) and kind == "count":
            run = worker.current
            conn.send(("count", run.deliveries if run else 0, run.slow_deliveries if run else 0))
        elif isinstance(worker, ReaderWorker) and kind == "refresh":
            task = asyncio.create_task(answer_later("refreshed", worker.refresh_slow()))
            busy.add(task)
            task.add_done_callback(busy.discard)
        elif isinstance(worker, ReaderWorker) and kind == "resume":
            worker.resume()
            conn.send(("ok",))
        elif isinstance(worker, ReaderWorker) and kind == "report":
            conn.send(("report", worker.report()))
        elif isinstance(worker, WriterWorker) and kind == "write":
            task = asyncio.create_task(answer_later("written", worker.write(order[1], order[2])))
            busy.add(task)
            task.add_done_callback(busy.discard)
        else:
            conn.send(("error", f"unknown order {kind!r} for {role}"))
    loop.remove_reader(inbox.fileno())
    for task in busy:
        task.cancel()
    await asyncio.gather(*busy, return_exceptions=True)
    await worker.stop()
    with contextlib.suppress(Exception):
        conn.send(("bye",))


def worker_main(
    inbox: Connection, conn: Connection, role: str, targets: list[Target], concurrency: int
) -> None:
    """Entry point of a load-generator process (the orchestrator handles Ctrl-C for us)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import uvloop
    except ImportError:  # the plain asyncio loop works, only slower
        asyncio.run(_serve(inbox, conn, role, targets, concurrency))
    else:
        uvloop.run(_serve(inbox, conn, role, targets, concurrency))
