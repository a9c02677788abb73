#!/usr/bin/env python3
"""Samskab benchmark harness (issue 8, first increment): fan-out latency and idle memory.

Starts, in one run and in turn, each configuration fresh on loopback, measures it, stops it:

- **a**: Samskab on the embedded default (one process, SQLite file, in-process broker);
- **b**: Samskab as two processes with a real redis-server and PostgreSQL, clients on both;
- **c**: the floor, ``scripts/relay_floor.py`` (bare Starlette + websockets relay through Redis
  pub/sub), two processes.

For every client count N the servers are started again (so each memory figure starts clean),
N clients connect over WebSockets from several load-generator processes (one of them is the
writer; the other N - 1 receive), RSS is read per server process, and then the writer adds notes
at each rate for a fixed time while every receiver records when each note arrives. Prints one
table and writes every figure as JSON. See docs/BENCHMARKS.md.

    scripts/bench                 # full fan-out: N = 50, 200, 500 at 20 and 100 events/s, 10 s
    scripts/bench --quick         # N = 50 and 200, 5 s
    scripts/bench --only b,c --out results.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import math
import multiprocessing as mp
import os
import platform
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import httpx
from bench_load import PER_BOARD, Target, worker_main

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
SECRET = "bench-secret-" + "x" * 40
FACILITATOR = "bench"
PASSWORD = "bench-password-123"
CLK_TCK = os.sysconf("SC_CLK_TCK")
LOADGEN_CPU_LIMIT = 70.0
CONFIG_TITLES = {
    "a": "a Samskab embedded (1 proc, SQLite, memory broker)",
    "b": "b Samskab 2 procs + Redis + PostgreSQL",
    "c": "c floor: bare relay, 2 procs + Redis",
}


# --- processes and services ---------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Child:
    """A server process in its own session (Ctrl-C reaches only us), logged to a file."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        log: Path,
        env: dict[str, str] | None = None,
        port: int = 0,
    ) -> None:
        self.name = name
        self.log = log
        self.port = port
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                argv,
                env=env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def wait_http(child: Child, url: str, timeout: float = 30.0) -> None:
    """Until ``url`` answers 200, or fail with the child's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited:\n{child.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{child.name} did not answer {url}:\n{child.tail()}")


def start_redis(tmp: Path) -> tuple[Child, str]:
    """redis-server on a free loopback port, no persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not found: apt-get install redis-server")
    port = free_port()
    d = tmp / f"redis-{port}"
    d.mkdir()
    argv = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    child = Child("redis", [*argv, "--dir", str(d)], d / "redis.log")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return child, f"redis://{HOST}:{port}/0"
        if not child.alive():
            break
        time.sleep(0.05)
    child.stop()
    raise RuntimeError(f"redis-server did not start:\n{child.tail()}")


class Postgres:
    """A throw-away PostgreSQL cluster (as the ``postgres`` user when we are root).

    Default durability settings (fsync and synchronous_commit on): "persistence on".
    """

    def __init__(self, tmp: Path) -> None:
        versions = sorted(
            Path("/usr/lib/postgresql").glob("*/bin/initdb"),
            key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        )
        if not versions:
            raise RuntimeError("PostgreSQL not found: apt-get install postgresql")
        self.bin = versions[-1].parent
        self.dir = tmp / "pg"
        self.dir.mkdir()
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root
            uid = pwd.getpwnam("postgres").pw_uid
            os.chown(self.dir, uid, -1)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.started = False

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@{HOST}:{self.port}/postgres"

    def _run(self, *argv: str) -> None:
        subprocess.run(
            [*self.as_user, *argv],
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            cwd=self.dir,
        )

    def start(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        self.started = True
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses={HOST} -c max_connections=200"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            opts,
            "start",
        )

    @property
    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pid = self.pid
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


# --- /proc readings -----------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def system_busy_seconds() -> float:
    """CPU time all cores spent busy so far (everything but idle and iowait), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / CLK_TCK


def children_of(pid: int) -> list[int]:
    """Direct children of ``pid`` (PostgreSQL's backends under the postmaster)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rpartition(")")[2].split()[1]) == pid:
                out.append(int(stat.parent.name))
    return out


def rss_kb(pid: int) -> int:
    """VmRSS of one process in KiB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Watched:
    """The processes whose CPU a run reports: servers, Redis, PostgreSQL (with backends)."""

    servers: list[Child]
    redis: Child | None = None
    postgres: Postgres | None = None

    def sample(self) -> dict[str, dict[int, float]]:
        out: dict[str, dict[int, float]] = {}
        for s in self.servers:
            out[s.name] = {s.pid: cpu_seconds(s.pid)}
        if self.redis is not None:
            out["redis"] = {self.redis.pid: cpu_seconds(self.redis.pid)}
        if self.postgres is not None and self.postgres.pid is not None:
            pids = [self.postgres.pid, *children_of(self.postgres.pid)]
            out["postgres"] = {p: cpu_seconds(p) for p in pids}
        return out


def cpu_percent(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]], wall: float
) -> dict[str, float]:
    """Per named process group: CPU time used between the samples, as % of one core."""
    out = {}
    for name, pids in after.items():
        used = sum(t - before.get(name, {}).get(p, 0.0) for p, t in pids.items())
        out[name] = round(100.0 * used / wall, 1) if wall > 0 else 0.0
    return out


# --- setting up a workshop ------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_CODE = re.compile(r'class="code">([A-Z0-9]{6})<')


async def _csrf(http: httpx.AsyncClient, path: str) -> str:
    r = await http.get(path)
    m = _CSRF.search(r.text)
    if m is None:
        raise RuntimeError(f"no CSRF token on {path}: {r.status_code} {r.text[:300]}")
    return m.group(1)


@dataclass
class Workshop:
    """A workshop ready for a run: its id, the boards each run writes on, one cookie a client."""

    workshop_id: str
    boards: list[list[str]]
    cookies: list[str]


async def setup_workshop(
    urls: list[str], clients: int, boards_per_run: list[int], concurrency: int = 16
) -> Workshop:
    """Log in the facilitator, create a workshop and its boards, join ``clients`` people.

    Joins go through the real form (one HTTP session each, spread over ``urls``), so each
    participant has its own signed session cookie, valid on every process.
    """
    async with httpx.AsyncClient(base_url=urls[0], follow_redirects=True, timeout=60) as fac:
        token = await _csrf(fac, "/login")
        r = await fac.post(
            "/login", data={"csrf": token, "name": FACILITATOR, "password": PASSWORD}
        )
        if r.status_code != 200:
            raise RuntimeError(f"login failed: {r.status_code}")
        token = await _csrf(fac, "/f")
        r = await fac.post(
            "/f/workshops",
            data={"csrf": token, "title": "Benchmark", "date": "2026-11-22", "groups": "Borger"},
        )
        code = _CODE.search(r.text)
        if r.status_code != 200 or code is None:
            raise RuntimeError(f"creating the workshop failed: {r.status_code} {r.text[:300]}")
        workshop_id = str(r.url).rstrip("/").rsplit("/", 1)[1]
        for i in range(sum(boards_per_run) - 1):  # the workshop has one board already
            r = await fac.post(
                f"/api/workshops/{workshop_id}/commands",
                json={
                    "type": "board.create",
                    "command_id": f"bench-board-{i}",
                    "title": f"Bench {i + 2}",
                    "template": "blank",
                },
            )
            if r.status_code != 200:
                raise RuntimeError(f"board.create failed: {r.status_code} {r.text[:300]}")
        snap = (await fac.get(f"/api/workshops/{workshop_id}/snapshot")).json()
        all_boards = [b["id"] for b in snap["state"]["boards"]]
    boards: list[list[str]] = []
    for k in boards_per_run:
        boards.append(all_boards[:k])
        all_boards = all_boards[k:]

    gate = asyncio.Semaphore(concurrency)

    async def join(i: int) -> str:
        async with gate, httpx.AsyncClient(base_url=urls[i % len(urls)], timeout=60) as http:
            token = await _csrf(http, f"/w/{code.group(1)}")
            r = await http.post(
                f"/w/{code.group(1)}/join",
                data={"csrf": token, "display_name": f"p{i}", "group": "Borger"},
            )
            if r.status_code != 303:
                raise RuntimeError(f"join {i} failed: {r.status_code} {r.text[:300]}")
            return "; ".join(f"{k}={v}" for k, v in http.cookies.items())

    cookies = await asyncio.gather(*(join(i) for i in range(clients)))
    return Workshop(workshop_id, boards, list(cookies))


# --- load generator processes -----------------------------------------------------------------


@dataclass
class Worker:
    """One load-generator process and our end of its pipe."""

    role: str
    proc: BaseProcess
    orders: Connection
    conn: Connection

    def ask(self, order: tuple[Any, ...], timeout: float = 60.0) -> tuple[Any, ...]:
        self.orders.send(order)
        return self.answer(timeout)

    def answer(self, timeout: float) -> tuple[Any, ...]:
        if not self.conn.poll(timeout):
            raise RuntimeError(f"load generator ({self.role}) did not answer in {timeout:.0f} s")
        reply: tuple[Any, ...] = self.conn.recv()
        return reply

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.orders.send(("quit",))
            self.conn.poll(5)
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.orders.close()
        self.conn.close()


def spawn(role: str, targets: list[Target], concurrency: int = 20) -> Worker:
    ctx = mp.get_context("spawn")
    inbox, orders = ctx.Pipe(duplex=False)  # orders: us -> worker
    answers, outbox = ctx.Pipe(duplex=False)  # answers: worker -> us
    proc = ctx.Process(
        target=worker_main,
        args=(inbox, outbox, role, targets, concurrency),
        daemon=True,
        name=role,
    )
    proc.start()
    inbox.close()
    outbox.close()
    return Worker(role, proc, orders, answers)


# --- statistics -------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values (0 for none)."""
    if not values:
        return 0.0
    return values[max(0, math.ceil(p / 100.0 * len(values)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "p50": round(percentile(values, 50), 3),
        "p95": round(percentile(values, 95), 3),
        "p99": round(percentile(values, 99), 3),
        "max": round(values[-1], 3) if values else 0.0,
        "count": len(values),
    }


# --- one configuration ------------------------------------------------------------------------


@dataclass
class Options:
    configs: list[str]
    clients: list[int]
    rates: list[float]
    seconds: float
    procs: int
    settle: float
    drain: float
    out: Path
    keep: bool
    server_env: dict[str, str]


@dataclass
class Results:
    """Everything measured so far; written to JSON after every run."""

    options: dict[str, Any]
    machine: dict[str, Any]
    runs: list[dict[str, Any]] = field(default_factory=list)
    memory: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "harness": "scripts/bench (issue 8, first increment: fan-out and idle memory)",
            "finished": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": self.machine,
            "options": self.options,
            "runs": self.runs,
            "memory": self.memory,
            "targets": evaluate_targets(self),
            "problems": self.problems,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=1) + "\n")


def samskab_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The environment of every Samskab process: defaults except the bench's two limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET,
        SAMSKAB_ENV="development",
        PYTHONUNBUFFERED="1",
        # The writer sends up to 100 events/s on one socket; the default allows 20.
        WS_RATE_PER_SECOND="5000",
        WS_RATE_BURST="5000",
        # Hundreds of joins come from one address (loopback) within a minute.
        JOIN_RATE_PER_MINUTE="1000000",
    )
    return env


class Stack:
    """What a configuration runs on: its services and, per client count, its app processes."""

    def __init__(
        self, key: str, tmp: Path, cleanup: contextlib.ExitStack, extra_env: dict[str, str]
    ) -> None:
        self.key = key
        self.extra_env = extra_env
        self.tmp = tmp / key
        self.tmp.mkdir()
        self.cleanup = cleanup
        self.redis: Child | None = None
        self.redis_url = ""
        self.postgres: Postgres | None = None
        self.database_url = ""
        self.env: dict[str, str] = {}

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
        if self.key in ("a", "b"):
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
                child = Child(f"floor{i + 1}:{port}", argv, log, port=port)
            else:
                argv = [sys.executable, "-m", "server", "serve", "--port", str(port)]
                argv += ["--log-level", "warning"]
                child = Child(f"samskab{i + 1}:{port}", argv, log, self.env, port)
            apps.append(child)
            self.cleanup.callback(child.stop)
        for child in apps:
            wait_http(child, f"http://{HOST}:{child.port}/healthz")
        return apps

    def watched(self, apps: list[Child]) -> Watched:
        """The processes whose CPU each run reports."""
        return Watched(apps, self.redis, self.postgres)


def targets_for(key: str, apps: list[Child], workshop: Workshop | None, n: int) -> list[Target]:
    """Client i connects to process i mod len(apps); client 0 is the writer."""
    out = []
    for i in range(n):
        port = apps[i % len(apps)].port
        origin = f"http://{HOST}:{port}"
        if workshop is None:
            out.append(Target(f"ws://{HOST}:{port}/ws", None, origin, samskab=False))
        else:
            url = f"ws://{HOST}:{port}/ws/workshops/{workshop.workshop_id}?format=json"
            out.append(Target(url, workshop.cookies[i], origin, samskab=True))
    return out


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_client_count(
    stack: Stack, n: int, opts: Options, results: Results, run_ids: Iterator[int]
) -> None:
    """Fresh app processes, N clients, idle memory, then one fan-out run per rate."""
    key = stack.key
    with contextlib.ExitStack() as local:
        apps = stack.start_apps()
        for app in apps:
            local.callback(app.stop)
        urls = [f"http://{HOST}:{a.port}" for a in apps]
        workshop = None
        per_run = [math.ceil(r * opts.seconds / PER_BOARD) for r in opts.rates]
        if key in ("a", "b"):
            if sum(per_run) > 30:
                raise RuntimeError("too many notes for one workshop (30 boards x 900): shorten it")
            t0 = time.monotonic()
            workshop = asyncio.run(setup_workshop(urls, n, per_run))
            say(f"  [{key} N={n}] {n} participants joined in {time.monotonic() - t0:.1f} s")
        targets = targets_for(key, apps, workshop, n)
        time.sleep(1.0)
        rss_before = {a.name: rss_kb(a.pid) for a in apps}

        readers_targets = targets[1:]
        procs = max(1, min(opts.procs, len(readers_targets)))
        chunks = [readers_targets[i::procs] for i in range(procs)]
        t0 = time.monotonic()
        writer = spawn("writer", [targets[0]])
        local.callback(writer.stop)
        readers = [spawn("readers", chunk) for chunk in chunks]
        for r in readers:
            local.callback(r.stop)
        ready = [w.answer(180.0)[1] for w in [writer, *readers]]
        connect_seconds = time.monotonic() - t0
        failed = sum(int(r["failed"]) for r in ready)
        errors = sorted({e for r in ready for e in r["errors"]})
        say(
            f"  [{key} N={n}] {n - failed}/{n} sockets ready in {time.monotonic() - t0:.1f} s"
            + (f"; failures: {errors}" if failed else "")
        )
        if failed:
            results.problems.append(f"{key} N={n}: {failed} sockets failed: {errors}")
        time.sleep(opts.settle)
        statuses = [w.ask(("status",))[1] for w in readers]
        setup_reconnects = sum(int(st["reconnects"]) for st in statuses)
        codes: dict[str, int] = {}
        for st in statuses:
            for c, k in st["close_codes"].items():
                codes[str(c)] = codes.get(str(c), 0) + int(k)
        if setup_reconnects:
            say(
                f"  [{key} N={n}] {setup_reconnects} reconnects while connecting (close codes {codes})"
            )
        per_process: list[dict[str, Any]] = []
        for a in apps:
            conns = sum(1 for t in targets if t.origin.endswith(f":{a.port}"))
            after = rss_kb(a.pid)
            per_process.append(
                {
                    "process": a.name,
                    "rss_before_kb": rss_before[a.name],
                    "rss_after_kb": after,
                    "connections": conns,
                    "kb_per_conn": round((after - rss_before[a.name]) / max(conns, 1), 1),
                }
            )
        delta = sum(int(p["rss_after_kb"]) - int(p["rss_before_kb"]) for p in per_process)
        memory = {
            "config": key,
            "n": n,
            "connections": n - failed,
            "kb_per_conn": round(delta / max(n - failed, 1), 1),
            "per_process": per_process,
            "reconnects_while_connecting": setup_reconnects,
            "close_codes_while_connecting": codes,
            "seconds_to_connect": round(connect_seconds, 1),
        }
        results.memory.append(memory)
        say(f"  [{key} N={n}] idle RSS per connection: {memory['kb_per_conn']} KB")

        watched = stack.watched(apps)
        boards_per_rate = workshop.boards if workshop else [[] for _ in opts.rates]
        for rate, boards in zip(opts.rates, boards_per_rate, strict=True):
            run = next(run_ids)
            result = fan_out(key, n, rate, run, boards, writer, readers, watched, opts)
            result["kb_per_conn"] = memory["kb_per_conn"]
            results.runs.append(result)
            results.save(opts.out)
            lat = result["latency_ms"]
            say(
                f"  [{key} N={n} {rate:g}/s] p50 {lat['p50']} p99 {lat['p99']} max {lat['max']} ms,"
                f" loss {result['loss']}, {result['deliveries_per_s']:.0f} deliveries/s"
                + (f"  DISCARDED: {result['discard_reason']}" if result["discarded"] else "")
            )
            time.sleep(1.0)


def fan_out(
    key: str,
    n: int,
    rate: float,
    run: int,
    boards: list[str],
    writer: Worker,
    readers: list[Worker],
    watched: Watched,
    opts: Options,
) -> dict[str, Any]:
    """One writer at ``rate`` events/s for ``opts.seconds``; every reader records each arrival."""
    receivers = n - 1
    planned = round(rate * opts.seconds)
    for r in readers:
        r.ask(("measure", run, planned))
    cpu0, busy0, t0 = watched.sample(), system_busy_seconds(), time.monotonic()
    written: dict[str, Any] = writer.ask(
        ("write", run, rate, opts.seconds, boards, PER_BOARD), timeout=opts.seconds + 60
    )[1]
    expected = int(written["acked"]) * receivers
    deadline = time.monotonic() + opts.drain
    got = 0
    while time.monotonic() < deadline:
        got = sum(int(r.ask(("count",))[1]) for r in readers)
        if got >= expected:
            break
        time.sleep(0.2)
    cpu1, busy1, t1 = watched.sample(), system_busy_seconds(), time.monotonic()
    reports = [r.ask(("report",), timeout=120)[1] for r in readers]

    latencies: list[float] = []
    last: dict[int, float] = {}
    counts: dict[int, int] = {}
    for rep in reports:
        arr = array("d")
        arr.frombytes(rep["latencies"])
        latencies.extend(arr)
        for idx, ms in rep["last"].items():
            last[idx] = max(last.get(idx, 0.0), ms)
        for idx, c in rep["count_by_index"].items():
            counts[idx] = counts.get(idx, 0) + c
    complete = [last[i] for i, c in counts.items() if c >= receivers]
    deliveries = sum(int(rep["deliveries"]) for rep in reports)
    firsts = [int(rep["first_ns"]) for rep in reports if rep["first_ns"]]
    lasts = [int(rep["last_ns"]) for rep in reports if rep["last_ns"]]
    window = (max(lasts) - min(firsts)) / 1e9 if firsts and lasts else 0.0
    gen_cpu = [round(float(rep["cpu_pct"]), 1) for rep in reports]
    writer_cpu = round(float(written["cpu_pct"]), 1)
    worst = max([*gen_cpu, writer_cpu])
    discarded = worst > LOADGEN_CPU_LIMIT
    servers_cpu = cpu_percent(cpu0, cpu1, t1 - t0)
    machine_pct = 100.0 * (busy1 - busy0) / (t1 - t0)
    ours = sum(servers_cpu.values()) + sum(gen_cpu) + writer_cpu
    return {
        "config": key,
        "n": n,
        "receivers": receivers,
        "rate": rate,
        "seconds": opts.seconds,
        "sent": written["sent"],
        "acked": written["acked"],
        "errors": written["errors"],
        "unanswered": written["unanswered"],
        "ack_ms": summary(written["ack_ms"]) if written["ack_ms"] else None,
        "writer_max_behind_ms": round(float(written["max_behind_ms"]), 1),
        "expected": expected,
        "deliveries": deliveries,
        "loss": max(0, expected - deliveries),
        "loss_pct": round(100.0 * max(0, expected - deliveries) / expected, 3) if expected else 0,
        "duplicates": sum(int(rep["duplicates"]) for rep in reports),
        "reconnects": sum(int(rep["reconnects"]) for rep in reports),
        "writer_reconnects": written["reconnects"],
        "latency_ms": summary(latencies),
        "last_client_ms": summary(complete),
        "events_reaching_all": len(complete),
        "deliveries_per_s": round(deliveries / window, 1) if window > 0 else 0.0,
        "cpu_pct": servers_cpu,
        "loadgen_cpu_pct": {"readers": gen_cpu, "writer": writer_cpu},
        # All cores together (200 % on two cores), and what neither the servers nor the load
        # generator used: other work on the machine during the run (noise in the latencies).
        "machine_cpu_pct": round(machine_pct, 1),
        "other_cpu_pct": round(max(0.0, machine_pct - ours), 1),
        "loadavg_after": os.getloadavg(),
        "discarded": discarded,
        "discard_reason": (
            f"a load-generator process used {worst:.0f} % CPU (limit {LOADGEN_CPU_LIMIT:.0f} %)"
            if discarded
            else None
        ),
    }


# --- targets and the table --------------------------------------------------------------------


def _run(results: Results, key: str, n: int, rate: float) -> dict[str, Any] | None:
    for r in results.runs:
        if r["config"] == key and r["n"] == n and r["rate"] == rate:
            return r
    return None


def evaluate_targets(results: Results) -> list[dict[str, Any]]:
    """The issue's targets that this increment measures, met or missed (None: not measured)."""
    out: list[dict[str, Any]] = []
    b = _run(results, "b", 200, 100)
    out.append(
        {
            "target": "(b) N=200, 100 events/s: p99 <= 10 ms, 0 loss",
            "measured": None if b is None else f"p99 {b['latency_ms']['p99']} ms, loss {b['loss']}",
            "met": None
            if b is None
            else (b["latency_ms"]["p99"] <= 10 and b["loss"] == 0 and not b["discarded"]),
        }
    )
    b5, c5 = _run(results, "b", 500, 20), _run(results, "c", 500, 20)
    met = None
    measured = None
    if b5 is not None and c5 is not None:
        measured = f"p99 {b5['latency_ms']['p99']} ms vs floor {c5['latency_ms']['p99']} ms"
        met = b5["latency_ms"]["p99"] <= 2 * c5["latency_ms"]["p99"] and not (
            b5["discarded"] or c5["discarded"]
        )
    out.append(
        {
            "target": "(b) N=500, 20 events/s: p99 <= 2x the floor's",
            "measured": measured,
            "met": met,
        }
    )
    for key in ("a", "b"):
        mem = [m for m in results.memory if m["config"] == key and m["n"] == 500]
        out.append(
            {
                "target": f"({key}) <= 50 KB RSS per idle connection at N=500",
                "measured": f"{mem[0]['kb_per_conn']} KB" if mem else None,
                "met": (mem[0]["kb_per_conn"] <= 50) if mem else None,
            }
        )
    for name in (
        "saturation (b) >= 300 events/s per process at p99 <= 50 ms",
        "slow consumers: 0 loss, no p99 change for healthy clients",
        "vote burst: 0 lost, p95 ack <= 250 ms",
        "reconnect storm: p95 caught up <= 2 s, max <= 5 s",
        "first participant page <= 60 KB gzipped",
    ):
        out.append({"target": name, "measured": "not yet (next increment)", "met": None})
    return out


def table(results: Results) -> str:
    head = (
        f"{'configuration':<52} {'N':>4} {'ev/s':>5} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'max':>7} {'last p99':>8} {'deliv/s':>8} {'loss':>6} {'RSS/conn KB':>11} "
        f"{'ack p50':>8}  note"
    )
    lines = [head, "-" * len(head)]
    for r in results.runs:
        lat, last = r["latency_ms"], r["last_client_ms"]
        ack = f"{r['ack_ms']['p50']:.1f}" if r["ack_ms"] else "-"
        note = []
        if r["discarded"]:
            note.append("DISCARDED (load generator > 70 % CPU)")
        if r["errors"]:
            note.append(f"errors {r['errors']}")
        if r["reconnects"] or r["writer_reconnects"]:
            note.append(f"{r['reconnects'] + r['writer_reconnects']} reconnects")
        if r.get("other_cpu_pct", 0) > 20:
            note.append(f"other work on the machine: {r['other_cpu_pct']:.0f} % CPU")
        lines.append(
            f"{CONFIG_TITLES[r['config']]:<52} {r['n']:>4} {r['rate']:>5g} {lat['p50']:>7.2f} "
            f"{lat['p95']:>7.2f} {lat['p99']:>7.2f} {lat['max']:>7.1f} {last['p99']:>8.2f} "
            f"{r['deliveries_per_s']:>8.0f} {r['loss']:>6} {r['kb_per_conn']:>11.1f} "
            f"{ack:>8}  " + "; ".join(note)
        )
    lines.append(
        "ms from the writer's send to receipt by each other client; 'last p99': until the last"
        " client has it; 'ack p50': the writer's command round trip (Samskab only)"
    )
    lines.append("")
    for t in evaluate_targets(results):
        mark = {True: "met", False: "MISSED", None: "-"}[t["met"]]
        lines.append(f"  target {t['target']}: {t['measured'] or 'not measured'} [{mark}]")
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError):
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])

    def version(argv: list[str]) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""

    import starlette
    import uvicorn
    import websockets

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "uvicorn": uvicorn.__version__,
        "starlette": starlette.__version__,
        "websockets": getattr(websockets, "__version__", "?"),
        "redis_server": version(["redis-server", "--version"]),
        "load_at_start": os.getloadavg(),
    }


def parse_args(argv: list[str] | None = None) -> Options:
    p = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="N = 50 and 200 only, 5 s per run")
    p.add_argument("--only", default="a,b,c", help="configurations to run: a, b, c or a list (b,c)")
    p.add_argument(
        "--out", default="bench-results.json", help="JSON results (default: %(default)s)"
    )
    p.add_argument("--clients", help="comma-separated client counts (overrides the default)")
    p.add_argument("--rates", default="20,100", help="writer events/s (default: %(default)s)")
    p.add_argument("--seconds", type=float, help="writing time per run (10, or 5 with --quick)")
    p.add_argument("--procs", type=int, default=4, help="reader processes (default: %(default)s)")
    p.add_argument("--settle", type=float, default=3.0, help="idle seconds before reading RSS")
    p.add_argument("--drain", type=float, default=10.0, help="max seconds to wait for stragglers")
    p.add_argument("--keep", action="store_true", help="keep the temp dir with the server logs")
    p.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the Samskab processes (repeatable), e.g. HUB_CHECK_SECONDS=0.5",
    )
    a = p.parse_args(argv)
    configs = [c.strip() for c in a.only.split(",") if c.strip()]
    if not configs or any(c not in CONFIG_TITLES for c in configs):
        p.error("--only takes a, b, c or a comma-separated list of them")
    clients = [int(x) for x in a.clients.split(",")] if a.clients else None
    if clients is None:
        clients = [50, 200] if a.quick else [50, 200, 500]
    if any(c < 2 or c > 2000 for c in clients):
        p.error("--clients: each count from 2 to 2000 (one writer, at least one receiver)")
    rates = [float(x) for x in a.rates.split(",")]
    if any(r <= 0 or r > 2000 for r in rates):
        p.error("--rates: each from 0 to 2000 events/s")
    seconds = a.seconds if a.seconds is not None else (5.0 if a.quick else 10.0)
    if not 0.5 <= seconds <= 120:
        p.error("--seconds: 0.5 to 120")
    extra: dict[str, str] = {}
    for item in a.server_env:
        name, eq, value = item.partition("=")
        if not eq or not name:
            p.error("--server-env takes NAME=VALUE")
        extra[name] = value
    return Options(
        configs,
        clients,
        rates,
        seconds,
        max(1, a.procs),
        a.settle,
        a.drain,
        Path(a.out),
        a.keep,
        extra,
    )


def _on_signal(signum: int, frame: object) -> None:
    """First Ctrl-C (or SIGTERM, SIGHUP): unwind and clean up; further ones are ignored."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    results = Results(
        options={
            "configs": opts.configs,
            "clients": opts.clients,
            "rates": opts.rates,
            "seconds": opts.seconds,
            "reader_processes": opts.procs,
            "server_env": opts.server_env,
        },
        machine=machine(),
    )
    tmp = Path(tempfile.mkdtemp(prefix="samskab-bench-"))
    tmp.chmod(0o755)  # PostgreSQL runs as the postgres user and must reach its cluster in here
    run_ids = iter(range(1, 1_000_000))
    status = 0
    try:
        for key in opts.configs:
            say(f"== configuration {CONFIG_TITLES[key]}")
            with contextlib.ExitStack() as cleanup:
                stack = Stack(key, tmp, cleanup, opts.server_env)
                stack.start_services()
                for n in opts.clients:
                    try:
                        run_client_count(stack, n, opts, results, run_ids)
                    except Exception as e:  # one failed client count does not end the run
                        results.problems.append(f"{key} N={n}: {type(e).__name__}: {e}")
                        say(f"  [{key} N={n}] FAILED: {type(e).__name__}: {e}")
                        status = 1
        results.save(opts.out)
        print(table(results))
        say(f"results: {opts.out.resolve()}")
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        say("interrupted: stopping everything")
        results.problems.append("interrupted")
        with contextlib.suppress(Exception):
            results.save(opts.out)
        status = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if opts.keep:
            say(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
