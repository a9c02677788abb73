"""The load generator of ``scripts/bench``: WebSocket clients in worker processes.

Each worker is its own OS process (``multiprocessing``, spawn) with its own event loop (uvloop
when installed) and takes orders from the orchestrator over a pipe. A *reader* worker holds many
clients and records, per run, when each client receives each marked event; the *writer* worker
holds one client and sends marked events at a fixed rate.

A marked event carries ``bench:RUN:INDEX:SEND_NS`` in its text, where ``SEND_NS`` is the
writer's ``time.monotonic_ns()`` just before the frame was sent (CLOCK_MONOTONIC is one clock
for every process on the machine). Readers find the marker with a regular expression on the raw
frame, without decoding the JSON, so the generator spends little per message.

Orders (tuples) and answers:

- every worker answers ``("ready", {...})`` once its clients are connected, and ``("bye",)``
  to ``("quit",)``;
- readers: ``("measure", run, expected)`` -> ``("ok",)``; ``("count",)`` -> ``("count", n)``;
  ``("status",)`` -> ``("status", {...})`` (reconnects so far); ``("report",)`` ->
  ``("report", {...})`` (the run's latencies and counts);
- writer: ``("write", run, rate, seconds, boards, per_board)`` -> ``("written", {...})``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import signal
import time
from array import array
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

MARK = re.compile(r"bench:(\d+):(\d+):(\d+)")
POSITION = re.compile(r'"epoch":"([A-Za-z0-9]+)","seq":(\d+)')
RECONNECT_CODES = {1006, 1011, 1012, 1013, 4001}
PER_BOARD = 900  # notes per board before the writer moves on (a board holds at most 1000)


@dataclass(frozen=True)
class Target:
    """Where one client connects: the socket URL, its session cookie and its Origin."""

    url: str
    cookie: str | None
    origin: str
    samskab: bool


@dataclass
class Run:
    """What one worker records during one measured run."""

    run: int
    seen: list[bytearray]
    latencies: array[float] = field(default_factory=lambda: array("d"))
    last: dict[int, float] = field(default_factory=dict)
    count_by_index: dict[int, int] = field(default_factory=dict)
    duplicates: int = 0
    deliveries: int = 0
    first_ns: int = 0
    last_ns: int = 0


class Reader:
    """One receiving client; reconnects with ``since`` as the browser does when evicted."""

    def __init__(self, worker: ReaderWorker, index: int, target: Target) -> None:
        self.worker = worker
        self.index = index
        self.target = target
        self.conn: ClientConnection | None = None
        self.ready = asyncio.Event()
        self.epoch: str | None = None
        self.seq: int | None = None
        self.frames = 0
        self.reconnects = 0
        self.failed: str | None = None
        self.closed_codes: list[int] = []

    async def connect(self) -> None:
        headers = {"Cookie": self.target.cookie} if self.target.cookie else {}
        self.conn = await websockets.connect(
            self.target.url,
            additional_headers=headers,
            origin=self.target.origin,  # type: ignore[arg-type]
            max_size=2**23,
            open_timeout=60,
            close_timeout=2,
            compression=None,
        )
        if self.target.samskab:
            await self.conn.send(
                json.dumps({"type": "hello", "since": self.seq, "epoch": self.epoch})
            )
        else:
            self.ready.set()

    async def run(self) -> None:
        """Read until told to stop; reconnect after an eviction or a server restart."""
        while not self.worker.stopping:
            try:
                if self.conn is None:
                    await self.connect()
                assert self.conn is not None
                async for raw in self.conn:
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
            await asyncio.sleep(0.2)

    def on_frame(self, raw: str) -> None:
        now = time.monotonic_ns()
        self.frames += 1
        head = raw[:120]
        if self.target.samskab:
            if head.startswith('{"type":"snapshot"') or head.startswith('{"type":"events"'):
                pos = POSITION.search(head)
                if pos is not None:
                    self.epoch, self.seq = pos.group(1), int(pos.group(2))
                self.ready.set()
        run = self.worker.current
        if run is None or "bench:" not in raw:
            return
        for m in MARK.finditer(raw):
            if int(m.group(1)) != run.run:
                continue
            idx = int(m.group(2))
            seen = run.seen[self.index]
            if idx >= len(seen):
                seen.extend(bytes(idx + 1 - len(seen)))
            if seen[idx]:
                run.duplicates += 1
                continue
            seen[idx] = 1
            ms = (now - int(m.group(3))) / 1e6
            run.latencies.append(ms)
            if ms > run.last.get(idx, -1.0):
                run.last[idx] = ms
            run.count_by_index[idx] = run.count_by_index.get(idx, 0) + 1
            run.deliveries += 1
            if not run.first_ns:
                run.first_ns = now
            run.last_ns = now


class ReaderWorker:
    """Many readers in one process."""

    def __init__(self, targets: list[Target], connect_concurrency: int) -> None:
        self.readers = [Reader(self, i, t) for i, t in enumerate(targets)]
        self.connect_concurrency = connect_concurrency
        self.current: Run | None = None
        self.stopping = False
        self.tasks: list[asyncio.Task[None]] = []
        self.cpu0 = 0.0
        self.wall0 = 0.0
        self.reconnects0 = 0

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

    def measure(self, run: int, expected: int) -> None:
        self.current = Run(run, [bytearray(expected) for _ in self.readers])
        self.cpu0, self.wall0 = time.process_time(), time.monotonic()
        self.reconnects0 = sum(r.reconnects for r in self.readers)

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
        return {
            "latencies": run.latencies.tobytes(),
            "last": run.last,
            "count_by_index": run.count_by_index,
            "duplicates": run.duplicates,
            "deliveries": run.deliveries,
            "first_ns": run.first_ns,
            "last_ns": run.last_ns,
            "cpu_pct": 100.0 * cpu / wall if wall > 0 else 0.0,
            "reconnects": sum(r.reconnects for r in self.readers) - self.reconnects0,
            "failed": sum(1 for r in self.readers if r.failed),
        }

    async def stop(self) -> None:
        self.stopping = True
        for r in self.readers:
            if r.conn is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(r.conn.close(), 2)
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class Writer:
    """One client that sends marked events at a fixed rate and collects its acks.

    If the server closes the socket (an eviction, 4001), it reconnects as the browser does and
    sends every unanswered command again with the same ``command_id``; the server's idempotency
    answers a command it already has without a second event. Latency still counts from the
    first send, which the marker carries.
    """

    def __init__(self, target: Target) -> None:
        self.target = target
        self.conn: ClientConnection | None = None
        self.pending: dict[str, int] = {}
        self.frames: dict[str, str] = {}
        self.acks: list[float] = []
        self.errors: dict[str, int] = {}
        self.reconnects = 0
        self.closed_codes: list[int] = []
        self.ready = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None

    async def start(self) -> dict[str, Any]:
        await self._connect()
        return {"clients": 1, "failed": 0, "errors": []}

    async def _connect(self) -> None:
        headers = {"Cookie": self.target.cookie} if self.target.cookie else {}
        self.ready.clear()
        self.conn = await websockets.connect(
            self.target.url,
            additional_headers=headers,
            origin=self.target.origin,  # type: ignore[arg-type]
            max_size=2**23,
            open_timeout=60,
            close_timeout=2,
            compression=None,
        )
        self.reader = asyncio.create_task(self._read(self.conn))
        if self.target.samskab:
            await self.conn.send(json.dumps({"type": "hello", "since": None, "epoch": None}))
            await asyncio.wait_for(self.ready.wait(), 60)

    async def _reconnect(self) -> None:
        """A new socket, then every unanswered command again, in the order first sent."""
        if self.conn is not None:
            self.closed_codes.append(self.conn.close_code or 0)
        self.reconnects += 1
        for attempt in range(20):
            await asyncio.sleep(0.2 * (attempt + 1))
            try:
                await self._connect()
                assert self.conn is not None
                for cid in list(self.pending):
                    await self.conn.send(self.frames[cid])
                return
            except (OSError, TimeoutError, websockets.WebSocketException):
                continue
        raise RuntimeError("the writer could not reconnect")

    async def _send(self, cid: str, frame: str) -> None:
        assert self.conn is not None
        try:
            await self.conn.send(frame)
        except websockets.ConnectionClosed:
            await self._reconnect()  # sends every pending command again, this one included
            if not self.target.samskab:  # the floor has no acks, so nothing is pending
                assert self.conn is not None
                await self.conn.send(frame)

    async def _read(self, conn: ClientConnection) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in conn:
                now = time.monotonic_ns()
                text = raw if isinstance(raw, str) else raw.decode()
                if text.startswith('{"type":"snapshot"'):
                    self.ready.set()
                elif text.startswith(('{"type":"ack"', '{"type":"error"')):
                    msg = json.loads(text)
                    cid = str(msg.get("command_id"))
                    if msg["type"] == "error" and msg.get("code") == "wire.rate_limited":
                        continue  # never applied: it stays pending and is sent again
                    sent = self.pending.pop(cid, None)
                    self.frames.pop(cid, None)
                    if msg["type"] == "ack":
                        if sent is not None:
                            self.acks.append((now - sent) / 1e6)
                    else:
                        code = str(msg.get("code"))
                        self.errors[code] = self.errors.get(code, 0) + 1

    async def write(
        self, run: int, rate: float, seconds: float, boards: list[str], per_board: int
    ) -> dict[str, Any]:
        """Send ``rate * seconds`` notes on a fixed schedule (open loop: late sends go at once)."""
        self.acks, self.errors, self.pending, self.frames = [], {}, {}, {}
        reconnects0 = self.reconnects
        total = round(rate * seconds)
        cpu0 = time.process_time()
        t0 = time.monotonic()
        behind = 0.0
        for i in range(total):
            due = t0 + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                behind = max(behind, -delay)
            cid = f"b{run}x{i}x{secrets.token_hex(4)}"
            sent = time.monotonic_ns()
            msg: dict[str, Any] = {
                "type": "note.add",
                "command_id": cid,
                "text": f"bench:{run}:{i}:{sent}",
            }
            if boards:
                msg["board_id"] = boards[min(i // per_board, len(boards) - 1)]
            frame = json.dumps(msg, separators=(",", ":"))
            if self.target.samskab:
                self.pending[cid] = sent
                self.frames[cid] = frame
            await self._send(cid, frame)
        wall = time.monotonic() - t0
        deadline = time.monotonic() + 120  # a server behind on commands still answers them
        while self.target.samskab and self.pending and time.monotonic() < deadline:
            if self.conn is None or self.conn.close_code is not None:
                await self._reconnect()
            await asyncio.sleep(0.05)
        cpu = time.process_time() - cpu0
        acked = len(self.acks) if self.target.samskab else total
        return {
            "sent": total,
            "acked": acked,
            "unanswered": len(self.pending),
            "errors": dict(self.errors),
            "ack_ms": sorted(self.acks),
            "send_seconds": wall,
            "max_behind_ms": behind * 1000,
            "reconnects": self.reconnects - reconnects0,
            "cpu_pct": 100.0 * cpu / max(time.monotonic() - t0, 1e-9),
        }

    async def stop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.conn.close(), 2)
        if self.reader is not None:
            self.reader.cancel()
            await asyncio.gather(self.reader, return_exceptions=True)


async def _serve(
    inbox: Connection, conn: Connection, role: str, targets: list[Target], concurrency: int
) -> None:
    """Obey orders from ``inbox`` (watched by the loop, so non-blocking); answer on ``conn``
    (a separate pipe that stays blocking, so a large report is never cut short)."""
    loop = asyncio.get_running_loop()
    orders: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

    def readable() -> None:
        try:
            orders.put_nowait(inbox.recv())
        except (EOFError, OSError):
            loop.remove_reader(inbox.fileno())
            orders.put_nowait(("quit",))

    loop.add_reader(inbox.fileno(), readable)
    worker: ReaderWorker | Writer
    worker = ReaderWorker(targets, concurrency) if role == "readers" else Writer(targets[0])
    try:
        conn.send(("ready", await worker.start()))
    except Exception as e:
        conn.send(("ready", {"clients": len(targets), "failed": len(targets), "errors": [repr(e)]}))
    while True:
        order = await orders.get()
        kind = order[0]
        if kind == "quit":
            break
        if kind == "measure" and isinstance(worker, ReaderWorker):
            worker.measure(order[1], order[2])
            conn.send(("ok",))
        elif kind == "count" and isinstance(worker, ReaderWorker):
            run = worker.current
            conn.send(("count", run.deliveries if run else 0))
        elif kind == "status" and isinstance(worker, ReaderWorker):
            conn.send(("status", worker.status()))
        elif kind == "report" and isinstance(worker, ReaderWorker):
            conn.send(("report", worker.report()))
        elif kind == "write" and isinstance(worker, Writer):
            conn.send(("written", await worker.write(*order[1:])))
        else:
            conn.send(("error", f"unknown order {kind!r} for {role}"))
    loop.remove_reader(inbox.fileno())
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
