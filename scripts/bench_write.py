"""The writing clients of ``scripts/bench``'s load generator: each sends marked notes at a
fixed rate on its own socket and collects the acks (see ``bench_load`` for the marker and the
orders); one process holds all of a session's writers, so they write at the same time."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from typing import Any

import websockets
from bench_clients import Target, cast_vote, open_socket, sleep_until
from websockets.asyncio.client import ClientConnection


class Writer:
    """One client that sends marked notes at a fixed rate and collects its acks.

    If the server closes the socket (an eviction, 4001), it reconnects as the browser does and
    sends every unanswered command again with the same ``command_id``; the server's idempotency
    answers a command it already has without a second event. Latency still counts from the
    first send, which the marker carries.
    """

    def __init__(self, wid: int, target: Target) -> None:
        self.wid = wid
        self.target = target
        self.conn: ClientConnection | None = None
        self.pending: dict[str, int] = {}
        self.frames: dict[str, str] = {}
        self.acks: list[float] = []
        self.acked_send_ns: list[int] = []
        self.errors: dict[str, int] = {}
        self.waiters: dict[str, asyncio.Future[tuple[dict[str, Any], int]]] = {}
        self.reconnects = 0
        self.closed_codes: list[int] = []
        self.ready = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._connect()

    async def _connect(self) -> None:
        self.ready.clear()
        self.conn = await open_socket(self.target)
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

    async def _send(self, frame: str) -> None:
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
                    self._answer(json.loads(text), now)

    def _answer(self, msg: dict[str, Any], now: int) -> None:
        cid = str(msg.get("command_id"))
        waiter = self.waiters.get(cid)
        if waiter is not None:
            if not waiter.done():
                waiter.set_result((msg, now))
            return
        if msg["type"] == "error" and msg.get("code") == "wire.rate_limited":
            return  # never applied: it stays pending and is sent again
        sent = self.pending.pop(cid, None)
        self.frames.pop(cid, None)
        if msg["type"] == "ack":
            if sent is not None:
                self.acks.append((now - sent) / 1e6)
                self.acked_send_ns.append(sent)
        else:
            code = str(msg.get("code"))
            self.errors[code] = self.errors.get(code, 0) + 1

    async def write(
        self, run: int, rate: float, seconds: float, quotas: list[tuple[str, int]]
    ) -> dict[str, Any]:
        """Send ``rate * seconds`` notes on a fixed schedule (open loop: late sends go at once),
        filling the boards of ``quotas`` in order; wait for every ack."""
        self.acks, self.acked_send_ns, self.errors = [], [], {}
        self.pending, self.frames = {}, {}
        boards = [b for b, k in quotas for _ in range(k)]
        reconnects0 = self.reconnects
        total = round(rate * seconds)
        sent_ns: list[int] = []
        t0 = time.monotonic()
        behind = 0.0
        for i in range(total):
            due = t0 + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                behind = max(behind, -delay)
            cid = f"b{run}x{self.wid}x{i}x{secrets.token_hex(4)}"
            sent = time.monotonic_ns()
            msg: dict[str, Any] = {
                "type": "note.add",
                "command_id": cid,
                "text": f"bench:{run}:{self.wid}:{i}:{sent}",
            }
            if boards:
                msg["board_id"] = boards[min(i, len(boards) - 1)]
            frame = json.dumps(msg, separators=(",", ":"))
            if self.target.samskab:
                self.pending[cid] = sent
                self.frames[cid] = frame
            else:
                sent_ns.append(sent)
            await self._send(frame)
        wall = time.monotonic() - t0
        deadline = time.monotonic() + 120  # a server behind on commands still answers them
        while self.target.samskab and self.pending and time.monotonic() < deadline:
            if self.conn is None or self.conn.close_code is not None:
                await self._reconnect()
            await asyncio.sleep(0.05)
        acked = len(self.acks) if self.target.samskab else total
        return {
            "writer": self.wid,
            "room": self.target.room,
            "rate": rate,
            "sent": total,
            "acked": acked,
            "unanswered": len(self.pending),
            "errors": dict(self.errors),
            "ack_ms": sorted(self.acks),
            "acked_send_ns": sorted(self.acked_send_ns if self.target.samskab else sent_ns),
            "send_seconds": wall,
            "max_behind_ms": behind * 1000,
            "reconnects": self.reconnects - reconnects0,
        }

    def _register(self, cid: str) -> asyncio.Future[tuple[dict[str, Any], int]]:
        self.waiters[cid] = asyncio.get_running_loop().create_future()
        return self.waiters[cid]

    def _live(self) -> ClientConnection | None:
        return self.conn if self.conn is not None and self.conn.close_code is None else None

    async def vote(self, question_id: str, value: int, at_ns: int) -> dict[str, Any]:
        """As ``Reader.vote``, on the writer's socket (reconnected if it was closed)."""
        await sleep_until(at_ns)
        cid = f"vote-w{self.wid}-{secrets.token_hex(6)}"
        frame = json.dumps(
            {"type": "vote.cast", "command_id": cid, "question_id": question_id, "value": value}
        )
        if self._live() is None:
            with contextlib.suppress(RuntimeError):
                await self._reconnect()
        try:
            return await cast_vote(self._live, self._register, cid, frame, value)
        finally:
            self.waiters.pop(cid, None)

    async def stop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.conn.close(), 2)
        if self.reader is not None:
            self.reader.cancel()
            await asyncio.gather(self.reader, return_exceptions=True)


class WriterWorker:
    """The writing clients of a session, in one process; they write at the same time."""

    def __init__(self, targets: list[Target]) -> None:
        self.writers = [Writer(i, t) for i, t in enumerate(targets)]

    async def start(self) -> dict[str, Any]:
        t0 = time.monotonic()
        outcomes = await asyncio.gather(*(w.start() for w in self.writers), return_exceptions=True)
        errors = [f"{type(e).__name__}: {e}" for e in outcomes if isinstance(e, BaseException)]
        return {
            "clients": len(self.writers),
            "failed": len(errors),
            "errors": sorted(set(errors))[:5],
            "seconds": time.monotonic() - t0,
        }

    async def write(self, run: int, specs: list[tuple[int, float, float, Any]]) -> dict[str, Any]:
        cpu0, t0 = time.process_time(), time.monotonic()
        results = await asyncio.gather(
            *(self.writers[w].write(run, rate, sec, quotas) for w, rate, sec, quotas in specs)
        )
        cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
        return {"writers": list(results), "cpu_pct": 100.0 * cpu / wall if wall > 0 else 0.0}

    async def vote(
        self, question_id: str, plan: list[tuple[int, int] | None]
    ) -> list[dict[str, Any]]:
        """Writers with a plan vote (``None``: this one does not)."""
        votes = [
            w.vote(question_id, p[0], p[1])
            for w, p in zip(self.writers, plan, strict=True)
            if p is not None
        ]
        return list(await asyncio.gather(*votes))

    def status(self) -> dict[str, Any]:
        codes: dict[int, int] = {}
        for w in self.writers:
            for c in w.closed_codes:
                codes[c] = codes.get(c, 0) + 1
        return {
            "reconnects": sum(w.reconnects for w in self.writers),
            "close_codes": codes,
            "failed": 0,
        }

    async def stop(self) -> None:
        await asyncio.gather(*(w.stop() for w in self.writers), return_exceptions=True)
