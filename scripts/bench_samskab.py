"""What a configuration runs on (its services and app processes) and how the benchmark sets up a
Samskab workshop: through the front door, as a facilitator and participants would.

The facilitator logs in through the form and creates workshops and boards; every participant
joins through `GET /w/{code}` + `POST /w/{code}/join` and so has its own signed session cookie,
valid on every process. Nothing is written into the database behind the server's back.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from bench_clients import Target
from bench_services import HOST, ROOT, Child, Postgres, Watched, free_port, start_redis, wait_http

SECRET = "bench-secret-" + "x" * 40
FACILITATOR = "bench"
PASSWORD = "bench-password-123"
PER_BOARD = 900  # notes the bench puts on one board (a board holds at most 1000)
MAX_BOARDS = 30  # boards one workshop may have (server/domain/boards.py)


def client_format() -> str:
    """What the participants' sockets ask for: HTML, as the tablets do (one rendering per role
    and language), unless ``--format json`` (the integration format, rendered per socket)."""
    return os.environ.get("BENCH_CLIENT_FORMAT", "html")


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_CODE = re.compile(r'class="code">([A-Z0-9]{6})<')


class WorkshopFull(RuntimeError):
    """A run needs more boards than one workshop may have."""


def cookie_header(http: httpx.AsyncClient) -> str:
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


def as_session(url: str, cookie: str, **kwargs: object) -> httpx.AsyncClient:
    """An HTTP client that carries ``cookie`` in its jar, so that the session cookie the server
    sets again (a new CSRF token, say) replaces it as in a browser."""
    jar = dict(part.strip().split("=", 1) for part in cookie.split(";") if "=" in part)
    return httpx.AsyncClient(base_url=url, cookies=jar, timeout=60, **kwargs)  # type: ignore[arg-type]


async def csrf_token(http: httpx.AsyncClient, path: str) -> str:
    r = await http.get(path)
    m = _CSRF.search(r.text)
    if m is None:
        raise RuntimeError(f"no CSRF token on {path}: {r.status_code} {r.text[:300]}")
    return m.group(1)


async def login(http: httpx.AsyncClient) -> None:
    """The facilitator's session on ``http`` (follows redirects)."""
    token = await csrf_token(http, "/login")
    r = await http.post("/login", data={"csrf": token, "name": FACILITATOR, "password": PASSWORD})
    if r.status_code != 200:
        raise RuntimeError(f"login failed: {r.status_code}")


async def create_workshop(fac: httpx.AsyncClient, title: str) -> tuple[str, str]:
    """A new workshop through the dashboard's form: its id and join code."""
    token = await csrf_token(fac, "/f")
    r = await fac.post(
        "/f/workshops",
        data={"csrf": token, "title": title, "date": "2026-11-22", "groups": "Borger"},
    )
    code = _CODE.search(r.text)
    if r.status_code != 200 or code is None:
        raise RuntimeError(f"creating the workshop failed: {r.status_code} {r.text[:300]}")
    return str(r.url).rstrip("/").rsplit("/", 1)[1], code.group(1)


async def command(fac: httpx.AsyncClient, workshop_id: str, body: dict[str, object]) -> None:
    """One command over the JSON API as the facilitator; fails loudly when refused."""
    r = await fac.post(f"/api/workshops/{workshop_id}/commands", json=body)
    if r.status_code != 200:
        raise RuntimeError(f"{body['type']} failed: {r.status_code} {r.text[:300]}")


async def board_ids(fac: httpx.AsyncClient, workshop_id: str) -> list[str]:
    snap = (await fac.get(f"/api/workshops/{workshop_id}/snapshot")).json()
    return [str(b["id"]) for b in snap["state"]["boards"]]


async def join(url: str, code: str, name: str) -> str:
    """One participant joins through the form; the session cookie it got."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        token = await csrf_token(http, f"/w/{code}")
        r = await http.post(
            f"/w/{code}/join", data={"csrf": token, "display_name": name, "group": "Borger"}
        )
        if r.status_code != 303:
            raise RuntimeError(f"join {name} failed: {r.status_code} {r.text[:300]}")
        return cookie_header(http)


@dataclass
class BoardPool:
    """The boards of one workshop and how full the bench has made them, so that runs sharing a
    workshop each get room for their notes; new boards are made on demand."""

    url: str
    fac_cookie: str
    workshop_id: str
    boards: list[str]
    used: dict[str, int] = field(default_factory=dict)
    made: int = 0

    async def take(self, notes: int) -> list[tuple[str, int]]:
        """Room for ``notes`` notes: (board, how many) in the order the writer fills them."""
        out: list[tuple[str, int]] = []
        left = notes
        async with as_session(self.url, self.fac_cookie) as fac:
            while left > 0:
                board = next((b for b in self.boards if self.used.get(b, 0) < PER_BOARD), None)
                if board is None:
                    if len(self.boards) >= MAX_BOARDS:
                        raise WorkshopFull(f"{len(self.boards)} boards x {PER_BOARD} notes used")
                    self.made += 1
                    await command(
                        fac,
                        self.workshop_id,
                        {
                            "type": "board.create",
                            "command_id": f"bench-board-{self.made}",
                            "title": f"Bench {self.made}",
                            "template": "blank",
                        },
                    )
                    known = set(self.boards)
                    self.boards += [
                        b for b in await board_ids(fac, self.workshop_id) if b not in known
                    ]
                    continue
                k = min(left, PER_BOARD - self.used.get(board, 0))
                self.used[board] = self.used.get(board, 0) + k
                out.append((board, k))
                left -= k
        return out


@dataclass
class Workshop:
    """A workshop ready for a session: its id, code, boards, and one cookie per participant."""

    workshop_id: str
    code: str
    cookies: list[str]
    pool: BoardPool
    fac_cookie: str


async def facilitator_cookie(url: str) -> str:
    """Log the facilitator in once (a password check costs a few hundred ms): the session
    cookie is valid on every process and after a restart, as it is signed with SECRET_KEY."""
    async with httpx.AsyncClient(base_url=url, follow_redirects=True, timeout=60) as fac:
        await login(fac)
        return cookie_header(fac)


async def setup_workshop(
    urls: list[str], clients: int, fac_cookie: str, title: str = "Benchmark", concurrency: int = 16
) -> Workshop:
    """A new workshop with ``clients`` participants (joins spread over ``urls``)."""
    async with as_session(urls[0], fac_cookie, follow_redirects=True) as fac:
        workshop_id, code = await create_workshop(fac, title)
        boards = await board_ids(fac, workshop_id)
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> str:
        async with gate:
            return await join(urls[i % len(urls)], code, f"p{i}")

    cookies = await asyncio.gather(*(one(i) for i in range(clients)))
    pool = BoardPool(urls[0], fac_cookie, workshop_id, boards)
    return Workshop(workshop_id, code, list(cookies), pool, fac_cookie)


def samskab_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The environment of every Samskab process: defaults except the bench's two limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET,
        SAMSKAB_ENV="development",
        PYTHONUNBUFFERED="1",
        # A writer sends up to thousands of events/s on one socket; the default allows 20.
        WS_RATE_PER_SECOND="5000",
        WS_RATE_BURST="5000",
        # Hundreds of joins come from one address (loopback) within a minute.
        JOIN_RATE_PER_MINUTE="1000000",
    )
    return env


class Stack:
    """What a configuration runs on: its services and, per session, its app processes."""

    def __init__(
        self, key: str, tmp: Path, cleanup: contextlib.ExitStack, extra_env: dict[str, str]
    ) -> None:
        self.key = key
        self.samskab = key in ("a", "b")
        self.extra_env = extra_env
        self.tmp = tmp / key
        self.tmp.mkdir()
        self.cleanup = cleanup
        self.redis: Child | None = None
        self.redis_url = ""
        self.postgres: Postgres | None = None
        self.database_url = ""
        self.env: dict[str, str] = {}
        self.fac_cookie = ""

    async def facilitator(self, url: str) -> str:
        """The facilitator's session cookie (logged in on first use)."""
        if not self.fac_cookie:
            self.fac_cookie = await facilitator_cookie(url)
        return self.fac_cookie

    def start_services(self) -> None:
        """Redis (b, c), PostgreSQL (b), the database and the facilitator account (a, b)."""
        if self.key in ("b", "c"):
            self.redis, self.redis_url = start_redis(self.tmp)
            self.cleanup.callback(self.redis.stop)
        if self.key == "b":
            self.postgres = Postgres(self.tmp)
            self.cleanup.callback(self.postgres.stop)
            self.postgres.start()
            self.database_url = self.postgres.url
        elif self.key == "a":
            self.database_url = f"sqlite+aiosqlite:///{self.tmp}/samskab.db"
        if self.samskab:
            self.env = {**samskab_env(self.database_url, self.redis_url), **self.extra_env}
            subprocess.run(
                [sys.executable, "-m", "server", "facilitator", "create", FACILITATOR],
                env={**self.env, "FACILITATOR_PASSWORD": PASSWORD},
                cwd=ROOT,
                check=True,
                capture_output=True,
                stdin=subprocess.DEVNULL,
            )

    def start_apps(self) -> list[Child]:
        """Fresh app processes (1 for a, 2 for b and c), each answering /healthz."""
        count = 1 if self.key == "a" else 2
        apps: list[Child] = []
        for i in range(count):
            port = free_port()
            log = self.tmp / f"app-{port}.log"
            if self.key == "c":
                argv = [sys.executable, str(ROOT / "scripts" / "relay_floor.py")]
                argv += ["--port", str(port), "--redis", self.redis_url]
                child = Child(f"floor{i + 1}", argv, log, port=port)
            else:
                argv = [sys.executable, "-m", "server", "serve", "--port", str(port)]
                argv += ["--log-level", "warning"]
                child = Child(f"samskab{i + 1}", argv, log, self.env, port)
            apps.append(child)
            self.cleanup.callback(child.stop)
        for child in apps:
            wait_http(child, f"http://{HOST}:{child.port}/healthz")
        return apps

    def watched(self, apps: list[Child]) -> Watched:
        """The processes whose CPU each run reports."""
        return Watched(apps, self.redis, self.postgres)


def target(
    key: str,
    apps: list[Child],
    i: int,
    room: int,
    workshop: Workshop | None,
    cookie: str | None,
    slow: bool = False,
) -> Target:
    """Where client number ``i`` connects: process ``i`` mod the number of processes."""
    port = apps[i % len(apps)].port
    origin = f"http://{HOST}:{port}"
    if workshop is None:  # the floor: one relay channel per room
        return Target(f"ws://{HOST}:{port}/ws/{room}", None, origin, False, room, slow)
    url = f"ws://{HOST}:{port}/ws/workshops/{workshop.workshop_id}?format={client_format()}"
    return Target(url, cookie, origin, True, room, slow)
