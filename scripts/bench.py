#!/usr/bin/env python3
"""Samskab benchmark harness (issue 8): every workload, three configurations, one run.

Starts, in turn, each configuration fresh on loopback, measures it, stops it:

- **a**: Samskab on the embedded default (one process, SQLite file, in-process broker);
- **b**: Samskab as two processes with a real redis-server and PostgreSQL, clients on both;
- **c**: the floor, ``scripts/relay_floor.py`` (bare Starlette + websockets relay through Redis
  pub/sub), two processes.

Workloads (``--workloads``, default all): fan-out, city mix, saturation, slow consumers, vote
burst, reconnect storm, memory (with CPU in every run), bytes per event and the first
participant page's weight; the floor takes part where it applies. Workloads with the same
number of clients share one session (fresh app processes, one workshop, every client
connected). Prints one table with a, b and c side by side and the targets; writes every figure
as JSON after every run. See docs/BENCHMARKS.md.

    scripts/bench                 # everything at the issue's scale
    scripts/bench --quick         # everything scaled down: a few minutes
    scripts/bench --smoke         # a few clients, a few seconds (the test suite's smoke run)
    scripts/bench --only b,c --workloads fanout,saturation --out results.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import itertools
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_report import CONFIG_TITLES, FLOOR_WORKLOADS, WORKLOADS, Results, table

if TYPE_CHECKING:
    from bench_samskab import Stack
    from bench_session import Session

# The workload modules (httpx, SQLAlchemy, websockets) are imported where they are used: the
# load generator's processes start by importing this module again (multiprocessing's spawn),
# and on a busy machine every import there is a second before the clients connect.


@dataclass
class Plan:
    """The size of every workload; the presets are the issue's scale, --quick and --smoke."""

    fanout_clients: list[int]
    rates: list[float]
    seconds: float
    city: str
    city_rate: float
    city_seconds: float
    saturation_clients: int
    saturation_rates: list[float]
    saturation_seconds: float
    slow_clients: int
    slow_rate: float
    slow_seconds: float
    vote_clients: int
    vote_seconds: float
    storm_clients: int
    storm_rate: float
    storm_seconds: float
    storm_drop_after: float
    storm_down: float
    memory_clients: int
    bytes_events: int
    settle: float
    drain: float
    procs: int = 4  # reader processes of the load generator
    saturation_writers: int = 0  # 0: one writer per server process, each on its own process
    saturation_limit_ms: float = 50.0
    slow_fraction: float = 0.05


PRESETS = {
    "full": Plan(
        fanout_clients=[50, 200, 500],
        rates=[20, 100],
        seconds=10,
        city="20x25,2x200",
        city_rate=5,
        city_seconds=10,
        saturation_clients=200,
        saturation_rates=[50, 100, 150, 200, 300, 400, 600, 800, 1000, 1500, 2000],
        saturation_seconds=5,
        slow_clients=200,
        slow_rate=100,
        slow_seconds=15,
        vote_clients=500,
        vote_seconds=10,
        storm_clients=200,
        storm_rate=20,
        storm_seconds=10,
        storm_drop_after=2,
        storm_down=1,
        memory_clients=500,
        bytes_events=20,
        settle=3,
        drain=10,
    ),
    "quick": Plan(
        fanout_clients=[50, 200],
        rates=[20, 100],
        seconds=4,
        city="6x10,2x40",
        city_rate=5,
        city_seconds=4,
        saturation_clients=100,
        saturation_rates=[50, 100, 200, 300, 400, 600, 800, 1000],
        saturation_seconds=2,
        slow_clients=100,
        slow_rate=100,
        slow_seconds=5,
        vote_clients=100,
        vote_seconds=3,
        storm_clients=99,
        storm_rate=20,
        storm_seconds=5,
        storm_drop_after=1.5,
        storm_down=1,
        memory_clients=200,
        bytes_events=10,
        settle=2,
        drain=8,
    ),
    "smoke": Plan(
        fanout_clients=[4],
        rates=[20],
        seconds=1,
        city="2x3,1x4",
        city_rate=5,
        city_seconds=1,
        saturation_clients=4,
        saturation_rates=[20, 40],
        saturation_seconds=1,
        slow_clients=4,
        slow_rate=20,
        slow_seconds=1,
        vote_clients=4,
        vote_seconds=1,
        storm_clients=3,
        storm_rate=20,
        storm_seconds=2,
        storm_drop_after=0.5,
        storm_down=0.5,
        memory_clients=4,
        bytes_events=3,
        settle=0.5,
        drain=5,
        procs=1,
    ),
}


@dataclass
class Options:
    configs: list[str]
    workloads: list[str]
    plan: Plan
    preset: str
    procs: int
    out: Path
    keep: bool
    server_env: dict[str, str]


@dataclass
class SessionPlan:
    """One session of a configuration: its size and the workloads it serves, in order."""

    n: int
    workloads: list[str] = field(default_factory=list)


WORKLOAD_ORDER = ("memory", "fanout", "slow", "votes", "reconnect", "saturation")


def sessions_for(key: str, opts: Options) -> list[SessionPlan]:
    """Group the one-board workloads by their number of clients (writers included)."""
    p = opts.plan
    wanted = [w for w in opts.workloads if key in ("a", "b") or w in FLOOR_WORKLOADS]
    sizes: dict[int, SessionPlan] = {}

    def need(n: int, workload: str) -> None:
        sizes.setdefault(n, SessionPlan(n)).workloads.append(workload)

    if "fanout" in wanted:
        for n in p.fanout_clients:
            need(n, "fanout")
    if "slow" in wanted:
        need(p.slow_clients, "slow")
    if "votes" in wanted:
        need(p.vote_clients, "votes")
    if "reconnect" in wanted:
        need(p.storm_clients + 1, "reconnect")  # the writer goes on while they reconnect
    if "saturation" in wanted:
        need(p.saturation_clients, "saturation")
    if "memory" in wanted and p.memory_clients not in sizes:
        need(p.memory_clients, "memory")
    for s in sizes.values():
        if "memory" in wanted and "memory" not in s.workloads:
            s.workloads.append("memory")  # free: the idle RSS at the start of every session
        s.workloads.sort(key=WORKLOAD_ORDER.index)
    return sorted(sizes.values(), key=lambda s: s.n)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_session(
    stack: Stack, sp: SessionPlan, opts: Options, results: Results, run_ids: Iterator[int]
) -> None:
    from bench_session import Layout, Session

    p = opts.plan
    writers = 1
    if "saturation" in sp.workloads:
        writers = p.saturation_writers or (1 if stack.key == "a" else 2)
    fraction = p.slow_fraction if "slow" in sp.workloads else 0.0
    session = Session(
        stack, Layout.one_board(sp.n, writers, fraction), opts.procs, p.settle, p.drain, run_ids
    )
    try:
        session.open()
        for workload in sp.workloads:
            try:
                run_workload(session, workload, opts, results)
            except Exception as e:  # one failed workload does not end the run
                results.problems.append(f"{stack.key} N={sp.n} {workload}: {type(e).__name__}: {e}")
                say(f"  [{session.label()} {workload}] FAILED: {type(e).__name__}: {e}")
            results.save(opts.out)
    finally:
        session.close()


def run_workload(session: Session, workload: str, opts: Options, results: Results) -> None:
    import bench_votes
    import bench_workloads as wl

    p = opts.plan
    if workload == "memory":
        memory = session.idle_memory()
        results.add("memory", memory)
        say(f"  [{session.label()}] idle RSS per connection: {memory['kb_per_conn']} KB")
    elif workload == "fanout":
        for rate in p.rates:
            results.add("fanout", wl.fanout(session, rate, p.seconds))
            results.save(opts.out)
            time.sleep(0.5)
    elif workload == "slow":
        results.add("slow", wl.slow(session, p.slow_rate, p.slow_seconds))
    elif workload == "votes":
        results.add("votes", bench_votes.votes(session, p.vote_seconds))
    elif workload == "reconnect":
        results.add(
            "reconnect",
            wl.reconnect(session, p.storm_rate, p.storm_seconds, p.storm_drop_after, p.storm_down),
        )
    elif workload == "saturation":
        entry: dict[str, Any] = {}

        def progress(current: dict[str, Any]) -> None:
            entry.update(current)
            if entry not in results.workloads["saturation"]:
                results.add("saturation", entry)
            results.save(opts.out)

        progress(
            wl.saturation(
                session,
                p.saturation_rates,
                p.saturation_seconds,
                p.saturation_limit_ms,
                progress,
            )
        )


def run_city(stack: Stack, opts: Options, results: Results, run_ids: Iterator[int]) -> None:
    import bench_workloads as wl
    from bench_session import Layout, Session

    rooms = city_rooms(opts.plan.city)
    layout = Layout(rooms, [1] * len(rooms))
    session = Session(stack, layout, opts.procs, opts.plan.settle, opts.plan.drain, run_ids)
    try:
        session.open()
        results.add(
            "city", wl.city(session, opts.plan.city_rate, opts.plan.city_seconds, opts.plan.city)
        )
    finally:
        session.close()


def run_bytes(stack: Stack, opts: Options, results: Results) -> None:
    """Bytes per event and the page weight, on fresh app processes and a workshop of their own."""
    import bench_bytes

    with contextlib.ExitStack() as local:
        apps = stack.start_apps()
        for app in apps:
            local.callback(app.stop)
        urls = [f"http://127.0.0.1:{a.port}" for a in apps]

        async def both() -> tuple[dict[str, Any], dict[str, Any]]:
            fac = await stack.facilitator(urls[0])
            return await bench_bytes.measure(urls, opts.plan.bytes_events, fac)

        per_event, page = asyncio.run(both())
    if "bytes" in opts.workloads:
        results.add("bytes", {"config": stack.key, **per_event})
        add = per_event["per_event"]["note.add"]
        say(f"  [{stack.key} bytes] note.add per client: {add}")
    if "page" in opts.workloads:
        results.add("page", {"config": stack.key, **page})
        say(
            f"  [{stack.key} page] join page {page['join_page']['gzip_kb']} KB, participant page"
            f" {page['workshop_page']['gzip_kb']} KB gzipped"
        )


def run_config(
    key: str, opts: Options, results: Results, tmp: Path, run_ids: Iterator[int]
) -> bool:
    """Every wanted workload on one configuration; False when something failed."""
    from bench_samskab import Stack

    ok = True
    say(f"== configuration {CONFIG_TITLES[key]}")
    with contextlib.ExitStack() as cleanup:
        stack = Stack(key, tmp, cleanup, opts.server_env)
        stack.start_services()
        steps: list[tuple[str, Callable[[], None]]] = [
            (
                f"N={sp.n} {','.join(sp.workloads)}",
                functools.partial(run_session, stack, sp, opts, results, run_ids),
            )
            for sp in sessions_for(key, opts)
        ]
        if "city" in opts.workloads:
            steps.append(("city", lambda: run_city(stack, opts, results, run_ids)))
        if stack.samskab and ({"bytes", "page"} & set(opts.workloads)):
            steps.append(("bytes/page", lambda: run_bytes(stack, opts, results)))
        for name, step in steps:
            problems = len(results.problems)
            started = time.monotonic()
            try:
                step()
            except Exception as e:  # one failed session does not end the run
                results.problems.append(f"{key} {name}: {type(e).__name__}: {e}")
                say(f"  [{key} {name}] FAILED: {type(e).__name__}: {e}")
            ok = ok and len(results.problems) == problems
            results.save(opts.out)
            say(f"  [{key} {name}] {time.monotonic() - started:.1f} s")
    return ok


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


def city_rooms(spec: str) -> list[int]:
    """``20x25,2x200`` -> twenty rooms of 25 clients and two of 200, a writer in each."""
    rooms: list[int] = []
    for part in spec.split(","):
        count, _, size = part.strip().partition("x")
        if not count.isdigit() or not size.isdigit():
            raise ValueError(f"{part!r} is not COUNTxCLIENTS")
        rooms += [int(size)] * int(count)
    if not rooms or any(n < 2 for n in rooms):
        raise ValueError("every room needs at least 2 clients (a writer and a reader)")
    if len(rooms) > 200:
        raise ValueError("at most 200 rooms")
    return rooms


def _numbers(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None = None) -> Options:
    p = argparse.ArgumentParser(prog="scripts/bench", description=(__doc__ or "").split("\n\n")[0])
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="every workload scaled down")
    size.add_argument("--smoke", action="store_true", help="a few clients, a few seconds")
    p.add_argument("--only", default="a,b,c", help="configurations: a, b, c or a list (b,c)")
    p.add_argument(
        "--workloads",
        default=",".join(WORKLOADS),
        help="comma-separated, from: %(default)s (default: all)",
    )
    p.add_argument(
        "--format",
        choices=("html", "json"),
        default="html",
        help="what the participants' sockets ask for (html, as the tablets do)",
    )
    p.add_argument("--out", default="bench-results.json", help="JSON results (%(default)s)")
    p.add_argument("--procs", type=int, help="reader processes (4; 1 with --smoke)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir with the server logs")
    p.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the Samskab processes (repeatable), e.g. HUB_CHECK_SECONDS=0.5",
    )
    g = p.add_argument_group("sizes (override the preset)")
    g.add_argument("--clients", help="fan-out client counts, e.g. 50,200,500")
    g.add_argument("--rates", help="fan-out events/s, e.g. 20,100")
    g.add_argument("--seconds", type=float, help="fan-out writing time per run")
    g.add_argument("--city", help="city rooms: COUNTxCLIENTS,... e.g. 20x25,2x200")
    g.add_argument("--city-rate", type=float, help="city events/s per board")
    g.add_argument("--saturation-clients", type=int)
    g.add_argument("--saturation-rates", help="the ramp, events/s, e.g. 50,100,200")
    g.add_argument("--saturation-seconds", type=float, help="writing time per step")
    g.add_argument(
        "--saturation-writers",
        type=int,
        help="writers sharing the rate (default: one per server process, each on its own)",
    )
    g.add_argument("--slow-clients", type=int)
    g.add_argument("--slow-rate", type=float)
    g.add_argument("--slow-seconds", type=float)
    g.add_argument("--vote-clients", type=int)
    g.add_argument("--vote-seconds", type=float, help="the window the votes are cast in")
    g.add_argument("--storm-clients", type=int, help="clients that drop together")
    g.add_argument("--storm-down", type=float, help="seconds they stay away")
    g.add_argument("--memory-clients", type=int)
    g.add_argument("--settle", type=float, help="idle seconds before RSS is read")
    g.add_argument("--drain", type=float, help="most seconds to wait for stragglers")
    a = p.parse_args(argv)
    os.environ["BENCH_CLIENT_FORMAT"] = a.format  # read where the sockets' URLs are made
    configs = [c.strip() for c in a.only.split(",") if c.strip()]
    if not configs or any(c not in CONFIG_TITLES for c in configs):
        p.error("--only takes a, b, c or a comma-separated list of them")
    workloads = [w.strip() for w in a.workloads.split(",") if w.strip()]
    if not workloads or any(w not in WORKLOADS for w in workloads):
        p.error(f"--workloads takes a comma-separated list from {', '.join(WORKLOADS)}")
    preset = "smoke" if a.smoke else "quick" if a.quick else "full"
    plan = dataclasses.replace(PRESETS[preset])
    overrides: dict[str, Any] = {
        "fanout_clients": [int(x) for x in a.clients.split(",")] if a.clients else None,
        "rates": _numbers(a.rates) if a.rates else None,
        "seconds": a.seconds,
        "city": a.city,
        "city_rate": a.city_rate,
        "saturation_clients": a.saturation_clients,
        "saturation_rates": _numbers(a.saturation_rates) if a.saturation_rates else None,
        "saturation_seconds": a.saturation_seconds,
        "saturation_writers": a.saturation_writers,
        "slow_clients": a.slow_clients,
        "slow_rate": a.slow_rate,
        "slow_seconds": a.slow_seconds,
        "vote_clients": a.vote_clients,
        "vote_seconds": a.vote_seconds,
        "storm_clients": a.storm_clients,
        "storm_down": a.storm_down,
        "memory_clients": a.memory_clients,
        "settle": a.settle,
        "drain": a.drain,
        "procs": max(1, a.procs) if a.procs else None,
    }
    plan = dataclasses.replace(plan, **{k: v for k, v in overrides.items() if v is not None})
    if any(c < 2 or c > 2000 for c in plan.fanout_clients):
        p.error("--clients: each count from 2 to 2000 (one writer, at least one receiver)")
    for n in (plan.saturation_clients, plan.slow_clients, plan.memory_clients):
        if not 3 <= n <= 2000:
            p.error("client counts: 3 to 2000")
    if not 1 <= plan.vote_clients <= 2000 or not 1 <= plan.storm_clients <= 2000:
        p.error("--vote-clients and --storm-clients: 1 to 2000")
    if any(r <= 0 or r > 5000 for r in [*plan.rates, *plan.saturation_rates, plan.city_rate]):
        p.error("rates: each from 0 to 5000 events/s")
    if not 0.5 <= plan.seconds <= 120:
        p.error("--seconds: 0.5 to 120")
    try:
        city_rooms(plan.city)
    except ValueError as e:
        p.error(f"--city: {e}")
    extra: dict[str, str] = {}
    for item in a.server_env:
        name, eq, value = item.partition("=")
        if not eq or not name:
            p.error("--server-env takes NAME=VALUE")
        extra[name] = value
    return Options(configs, workloads, plan, preset, plan.procs, Path(a.out), a.keep, extra)


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
            "preset": opts.preset,
            "configs": opts.configs,
            "workloads": opts.workloads,
            "plan": dataclasses.asdict(opts.plan),
            "reader_processes": opts.procs,
            "client_format": os.environ["BENCH_CLIENT_FORMAT"],
            "server_env": opts.server_env,
        },
        machine=machine(),
    )
    tmp = Path(tempfile.mkdtemp(prefix="samskab-bench-"))
    tmp.chmod(0o755)  # PostgreSQL runs as the postgres user and must reach its cluster in here
    run_ids = itertools.count(1)
    status = 0
    t0 = time.monotonic()
    try:
        for key in opts.configs:
            if not run_config(key, opts, results, tmp, run_ids):
                status = 1
        results.save(opts.out)
        print(table(results))
        say(f"results: {opts.out.resolve()} ({time.monotonic() - t0:.0f} s)")
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
