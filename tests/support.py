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
        deadline = time.monotonic() + timeout
        while True:
            result = pred(self)
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; last messages: {self.received[-5:]}")
            self._new.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), min(remaining, 0.5))

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
