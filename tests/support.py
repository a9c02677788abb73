"""Driving Samskab the way users do: real uvicorn processes, HTTP sessions and WebSocket clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import websockets
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.asyncio.client import ClientConnection

ROOT = Path(__file__).resolve().parents[1]
FACILITATOR = "facilitator"
PASSWORD = "correct-horse-battery"
SECRET = "test-secret-" + "x" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, redis_url: str = "", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET,
        HUB_CHECK_SECONDS="0.5",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def create_facilitator(
    env: dict[str, str], name: str = FACILITATOR, password: str = PASSWORD
) -> None:
    """Through the real CLI, which also migrates the database."""
    subprocess.run(
        [sys.executable, "-m", "server", "facilitator", "create", name],
        env={**env, "FACILITATOR_PASSWORD": password},
        cwd=ROOT,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )


class ServerProcess:
    """`python -m server serve` on a free port, as a user would start it."""

    def __init__(
        self,
        env: dict[str, str],
        log_dir: Path,
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.env = env
        self.extra_args = extra_args
        self.port = port or free_port()
        self.log_path = log_dir / f"server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        log = open(self.log_path, "ab")
        self._log = log
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server",
                "serve",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                *self.extra_args,
            ],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        pid_dir = os.environ.get("SAMSKAB_TEST_PIDS")
        if pid_dir:
            Path(pid_dir, f"server-{self.proc.pid}").write_text(str(self.proc.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        with contextlib.suppress(AttributeError):
            self._log.close()

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)
        self.stop()


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browserless:
    """An HTTP session (cookies kept) against one server, like one person's browser."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, follow_redirects=True, timeout=15)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def csrf(self, path: str = "/") -> str:
        r = await self.http.get(path)
        m = _CSRF.search(r.text)
        assert m, r.text[:500]
        return m.group(1)

    async def login(self, name: str = FACILITATOR, password: str = PASSWORD) -> httpx.Response:
        token = await self.csrf("/login")
        return await self.http.post(
            "/login", data={"csrf": token, "name": name, "password": password}
        )

    async def create_workshop(
        self, title: str = "Visionsworkshop", groups: str = "Politiker\nBorger"
    ) -> tuple[str, str]:
        token = await self.csrf("/f")
        r = await self.http.post(
            "/f/workshops",
            data={"csrf": token, "title": title, "date": "2026-11-22", "groups": groups},
        )
        assert r.status_code == 200, r.text[:500]
        workshop_id = str(r.url).rstrip("/").rsplit("/", 1)[1]
        code = re.search(r'class="code">([A-Z0-9]{6})<', r.text)
        assert code, r.text[:1000]
        return workshop_id, code.group(1)

    async def join(self, code: str, name: str = "", group: str = "Borger") -> httpx.Response:
        token = await self.csrf(f"/w/{code}")
        return await self.http.post(
            f"/w/{code}/join", data={"csrf": token, "display_name": name, "group": group}
        )

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())

    def use_server(self, base_url: str) -> None:
        """Same person, same cookies, another server process (behind a load balancer)."""
        self.http.base_url = httpx.URL(base_url)


async def wait_until(
    check: Callable[[], Any], changed: asyncio.Event, timeout: float, why: Callable[[], str]
) -> Any:
    """Check again whenever a client's reader says something came (or every 0.5 s) until
    `check` gives a true value; fail with `why()` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(why())
        changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), min(remaining, 0.5))


class LiveClient:
    """A WebSocket client speaking the JSON format; collects everything it receives."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn
        self.received: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.seq: int | None = None
        self.epoch: str | None = None
        self.closed_code: int | None = None
        self._new = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(
        cls,
        ws_base: str,
        workshop_id: str,
        session: Browserless,
        *,
        origin: str | None = None,
        since: int | None = None,
        epoch: str | None = None,
        hello: bool = True,
        fmt: str = "json",
    ) -> LiveClient:
        conn = await websockets.connect(
            f"{ws_base}/ws/workshops/{workshop_id}?format={fmt}",
            additional_headers={"Cookie": session.cookie_header()},
            origin=origin or ws_base.replace("ws://", "http://", 1),  # type: ignore[arg-type]
            max_size=2**22,
            open_timeout=10,
        )
        client = cls(conn)
        if hello:
            await client.send({"type": "hello", "since": since, "epoch": epoch})
        return client

    async def _read(self) -> None:
        try:
            async for raw in self.conn:
                msg = json.loads(raw)
                self.received.append(msg)
                if msg.get("type") == "events":
                    self.events.extend(msg.get("events", []))  # html feeds carry `content`
                    self.seq, self.epoch = msg["seq"], msg["epoch"]
                elif msg.get("type") == "snapshot":
                    self.seq, self.epoch = msg["seq"], msg["epoch"]
                self._new.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed_code = self.conn.close_code
            self._new.set()

    async def send(self, msg: dict[str, Any] | str) -> None:
        await self.conn.send(msg if isinstance(msg, str) else json.dumps(msg))

    async def command(self, type_: str, **fields: Any) -> str:
        cid = fields.pop("command_id", None) or secrets.token_hex(8)
        await self.send({"type": type_, "command_id": cid, **fields})
        return str(cid)

    async def wait_for(self, pred: Callable[[LiveClient], Any], timeout: float = 10.0) -> Any:
        return await wait_until(
            lambda: pred(self),
            self._new,
            timeout,
            lambda: f"timed out; last messages: {self.received[-5:]}",
        )

    def reply_to(self, command_id: str) -> dict[str, Any] | None:
        for m in self.received:
            if m.get("command_id") == command_id and m.get("type") in ("ack", "error"):
                return m
        return None

    async def wait_reply(self, command_id: str, timeout: float = 10.0) -> dict[str, Any]:
        result: dict[str, Any] = await self.wait_for(lambda c: c.reply_to(command_id), timeout)
        return result

    def note_texts(self) -> list[str]:
        """Notes as this client's event stream describes them (adds minus deletes), in order."""
        notes: dict[str, str] = {}
        for e in self.events:
            if e["type"] == "note.added":
                notes[e["data"]["note_id"]] = e["data"]["text"]
            elif e["type"] == "note.deleted":
                notes.pop(e["data"]["note_id"], None)
        return list(notes.values())

    async def close(self) -> None:
        await self.conn.close()
        with contextlib.suppress(Exception):
            await self._reader


@asynccontextmanager
async def people(*base_urls: str) -> AsyncIterator[list[Browserless]]:
    sessions = [Browserless(u) for u in base_urls]
    try:
        yield sessions
    finally:
        for s in sessions:
            await s.aclose()


async def setup_workshop(base_url: str) -> tuple[Browserless, str, str]:
    fac = Browserless(base_url)
    r = await fac.login()
    assert r.status_code == 200
    workshop_id, code = await fac.create_workshop()
    return fac, workshop_id, code


async def query(database_url: str, sql: str, **params: Any) -> list[sa.Row[Any]]:
    """Read the database directly: what was really stored, whatever the clients saw."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(sa.text(sql), params))
    finally:
        await engine.dispose()


# --- many devices at once: the fault tests (tests/system/test_faults.py) -----------------------


async def join_participants(
    base_urls: list[str], code: str, n: int, *, group: str = "Borger", concurrency: int = 16
) -> list[str]:
    """`n` people join through the real form, spread over `base_urls`; each one's Cookie
    header (a signed session, valid on every process). Wrong codes are rate-limited per
    address, right ones are not, but raise JOIN_RATE_PER_MINUTE anyway for many joins."""
    gate = asyncio.Semaphore(concurrency)

    async def join(i: int) -> str:
        url = base_urls[i % len(base_urls)]
        async with gate, httpx.AsyncClient(base_url=url, timeout=60) as http:
            page = await http.get(f"/w/{code}")
            token = _CSRF.search(page.text)
            assert token, page.text[:500]
            r = await http.post(
                f"/w/{code}/join",
                data={"csrf": token.group(1), "display_name": f"p{i}", "group": group},
            )
            assert r.status_code == 303, (r.status_code, r.text[:300])
            return "; ".join(f"{k}={v}" for k, v in http.cookies.items())

    return list(await asyncio.gather(*(join(i) for i in range(n))))


async def api_command(
    session: Browserless, workshop_id: str, type_: str, **fields: Any
) -> dict[str, Any]:
    """One command through the JSON API as `session`; the answer (ack or error)."""
    cid = fields.pop("command_id", None) or secrets.token_hex(8)
    r = await session.http.post(
        f"/api/workshops/{workshop_id}/commands",
        json={"type": type_, "command_id": cid, **fields},
        headers={"Origin": str(session.http.base_url).rstrip("/")},
    )
    answer: dict[str, Any] = r.json()
    return answer


async def open_question(session: Browserless, workshop_id: str, text: str = "Hvor enig?") -> str:
    """The facilitator creates a 0-10 question and opens it; its id."""
    assert (await api_command(session, workshop_id, "question.create", text=text))["type"] == "ack"
    snap = (await session.http.get(f"/api/workshops/{workshop_id}/snapshot")).json()
    question_id = str(snap["state"]["questions"][-1]["id"])
    opened = await api_command(session, workshop_id, "question.open", question_id=question_id)
    assert opened["type"] == "ack", opened
    return question_id


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


RECONNECT_DELAY = 0.3  # as static/app.js: 300 ms, doubling to 2 s, +-30 % jitter
RECONNECT_MAX_DELAY = 2.0
NO_RECONNECT = (4003, 4004, 4029, 1007)


class SteadyClient:
    """One participant's device behaving as static/app.js does: JSON over one socket, every
    command kept until its ack or error, and after a drop a reconnect (300 ms, doubling, with
    jitter) with `hello {since, epoch}` and every unanswered command resent with its id.

    It records what a user's screen would show and what a test needs to judge it: the notes
    (snapshot plus events), every event's seq in arrival order, every reply to every command
    id, every close code, and how long each reconnect took (from the drop until the server's
    first presence on the new socket, which `attach` sends after the replay).
    """

    def __init__(self, ws_base: str, workshop_id: str, cookie: str, name: str = "") -> None:
        self.ws_base = ws_base  # change it to send the next reconnect elsewhere
        self.workshop_id = workshop_id
        self.cookie = cookie
        self.name = name
        self.conn: ClientConnection | None = None
        self.seq: int | None = None
        self.epoch: str | None = None
        self.notes: dict[str, str] = {}
        self.snapshot_seqs: list[int] = []
        self.event_seqs: list[int] = []
        self.pending: dict[str, dict[str, Any]] = {}
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.sent_count: dict[str, int] = {}
        self.resent: set[str] = set()
        self.close_codes: list[int] = []
        self.reconnect_seconds: list[float] = []
        self.received_at: dict[str, float] = {}  # note text -> when its note.added arrived
        self._live = False  # attached and every pending command sent on this socket
        self._dropped_at: float | None = None
        self._wanted = asyncio.Event()  # cleared while the device stays away on purpose
        self._wanted.set()
        self._stopping = False
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # --- life ---

    async def start(self, timeout: float = 30.0) -> None:
        """Connect and wait for the first snapshot."""
        self._task = asyncio.create_task(self._run(), name=f"steady-{self.name}")
        await self.wait_for(lambda c: c.seq is not None, timeout)

    async def close(self) -> None:
        self._stopping = True
        self._wanted.set()
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.conn.close(), 5)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def drop(self) -> None:
        """The network goes: the TCP connection is cut without a close frame, and the device
        stays away until `come_back`."""
        self._wanted.clear()
        if self.conn is not None:
            self.conn.transport.abort()

    def come_back(self) -> None:
        """The network returns: reconnect now; the reconnect time counts from here."""
        self._dropped_at = time.monotonic()
        self._wanted.set()

    @property
    def live(self) -> bool:
        return self._live

    async def _run(self) -> None:
        delay = RECONNECT_DELAY
        while not self._stopping:
            await self._wanted.wait()
            if self._stopping:
                return
            try:
                self.conn = await websockets.connect(
                    f"{self.ws_base}/ws/workshops/{self.workshop_id}?format=json",
                    additional_headers={"Cookie": self.cookie},
                    origin=self.ws_base.replace("ws://", "http://", 1),  # type: ignore[arg-type]
                    max_size=2**22,
                    open_timeout=10,
                    ping_interval=None,
                )
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                await asyncio.sleep(delay * (0.7 + 0.6 * secrets.randbelow(1000) / 1000))
                delay = min(delay * 2, RECONNECT_MAX_DELAY)
                continue
            delay = RECONNECT_DELAY
            code = await self._session(self.conn)
            self._live = False
            self.close_codes.append(code)
            self._changed.set()
            if self._stopping or code in NO_RECONNECT:
                return
            if self._dropped_at is None:
                self._dropped_at = time.monotonic()
            if self._wanted.is_set():
                await asyncio.sleep(delay * (0.7 + 0.6 * secrets.randbelow(1000) / 1000))

    async def _session(self, conn: ClientConnection) -> int:
        """One socket's life: hello, resend what is pending, read until it closes."""
        try:
            await conn.send(json.dumps({"type": "hello", "since": self.seq, "epoch": self.epoch}))
            sent_here: set[str] = set()
            while True:  # commands may be added while we send: until none is left unsent
                unsent = [cid for cid in self.pending if cid not in sent_here]
                if not unsent:
                    break
                for cid in unsent:
                    if cid in self.pending:
                        sent_here.add(cid)
                        if self.sent_count.get(cid, 0) > 0:
                            self.resent.add(cid)
                        self.sent_count[cid] = self.sent_count.get(cid, 0) + 1
                        await conn.send(json.dumps(self.pending[cid]))
            self._live = True
            self._changed.set()
            async for raw in conn:
                self._receive(json.loads(raw))
        except (websockets.ConnectionClosed, OSError):
            pass
        return conn.close_code if conn.close_code is not None else 1006

    def _receive(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        now = time.monotonic()
        if kind == "snapshot":
            self.seq, self.epoch = msg["seq"], msg["epoch"]
            self.snapshot_seqs.append(msg["seq"])
            self.notes = {
                n["id"]: n["text"]
                for b in msg["state"]["boards"]
                for n in b["notes"]
                if "text" in n
            }
        elif kind == "events":
            for e in msg["events"]:
                self.event_seqs.append(e["seq"])
                if e["type"] == "note.added":
                    text = e["data"].get("text")
                    if text is not None:
                        self.notes[e["data"]["note_id"]] = text
                        self.received_at.setdefault(text, now)
                elif e["type"] == "note.deleted":
                    self.notes.pop(e["data"]["note_id"], None)
            self.seq, self.epoch = msg["seq"], msg["epoch"]
        elif kind in ("ack", "error"):
            cid = msg.get("command_id")
            if isinstance(cid, str):
                self.replies.setdefault(cid, []).append(msg)
                self.pending.pop(cid, None)
        elif kind == "presence" and self._dropped_at is not None:
            self.reconnect_seconds.append(now - self._dropped_at)
            self._dropped_at = None
        self._changed.set()

    # --- acting ---

    async def command(self, type_: str, **fields: Any) -> str:
        """Send a command now if the socket is up, else with the next reconnect; its id."""
        cid = str(fields.pop("command_id", None) or secrets.token_hex(12))
        body = {"type": type_, "command_id": cid, **fields}
        self.pending[cid] = body
        if self._live and self.conn is not None:
            self.sent_count[cid] = self.sent_count.get(cid, 0) + 1
            with contextlib.suppress(websockets.ConnectionClosed, OSError):
                await self.conn.send(json.dumps(body))
        return cid

    # --- waiting ---

    async def wait_for(self, pred: Callable[[SteadyClient], Any], timeout: float = 10.0) -> Any:
        return await wait_until(
            lambda: pred(self),
            self._changed,
            timeout,
            lambda: (
                f"{self.name}: timed out; seq={self.seq} pending={len(self.pending)} "
                f"closes={self.close_codes}"
            ),
        )

    async def reply(self, command_id: str, nth: int = 1, timeout: float = 10.0) -> dict[str, Any]:
        """The `nth` reply to this command id (a retry with the same id gets a second one)."""

        def found(c: SteadyClient) -> dict[str, Any] | None:
            got = c.replies.get(command_id, [])
            return got[nth - 1] if len(got) >= nth else None

        result: dict[str, Any] = await self.wait_for(found, timeout)
        return result

    def gaps_and_repeats(self) -> tuple[list[int], list[int]]:
        """Seqs missing between the first snapshot and the latest seq, and seqs seen twice."""
        assert self.snapshot_seqs, "no snapshot yet"
        counts = Counter(self.event_seqs)
        repeats = sorted(s for s, n in counts.items() if n > 1)
        start = self.snapshot_seqs[0]
        missing = sorted(set(range(start + 1, (self.seq or start) + 1)) - counts.keys())
        return missing, repeats
