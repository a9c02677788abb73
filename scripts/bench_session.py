"""A session: fresh app processes, the workshops (or relay channels) the clients are in, the
load-generator processes with every client connected, and the measured run that every
latency workload (fan-out, city mix, saturation, slow consumers, reconnect storm) is made of.

One run: the writers send marked notes at their rates for a fixed time; every reader records
when each note arrives; the bench waits for stragglers, then collects the figures. CPU per
server process, Redis and PostgreSQL comes from ``/proc/<pid>/stat`` over the run, the load
generator's from its own processes; a run where a load-generator process used more than 70 %
of a core is marked discarded.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from bench_clients import Target
from bench_load import worker_main
from bench_report import LOADGEN_CPU_LIMIT, percentile, summary
from bench_samskab import Stack, Workshop, setup_workshop, target
from bench_services import HOST, Child, cpu_percent, rss_kb, system_busy_seconds


@dataclass
class Worker:
    """One load-generator process and our end of its pipe."""

    role: str
    proc: BaseProcess
    orders: Connection
    conn: Connection

    def send(self, order: tuple[Any, ...]) -> None:
        self.orders.send(order)

    def answer(self, timeout: float, kind: str | None = None) -> tuple[Any, ...]:
        if not self.conn.poll(timeout):
            raise RuntimeError(f"load generator ({self.role}) did not answer in {timeout:.0f} s")
        reply: tuple[Any, ...] = self.conn.recv()
        if kind is not None and reply[0] != kind:
            raise RuntimeError(f"load generator ({self.role}) answered {reply[0]!r}, not {kind!r}")
        return reply

    def ask(self, order: tuple[Any, ...], timeout: float = 60.0) -> tuple[Any, ...]:
        self.send(order)
        return self.answer(timeout)

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


def say(text: str) -> None:
    import sys

    print(text, file=sys.stderr, flush=True)


@dataclass
class Layout:
    """Who is in a session: the clients of each room (a workshop for Samskab, a relay channel for
    the floor), writers included; the writers of each room; the share of slow candidates."""

    rooms: list[int]
    writers: list[int]
    slow_fraction: float = 0.0

    @staticmethod
    def one_board(n: int, writers: int = 1, slow_fraction: float = 0.0) -> Layout:
        """N clients, one of them a writer, so N - 1 receivers; a second writer (the
        saturation ramp on two processes) comes on top, so every configuration has the same
        receivers."""
        return Layout([n + writers - 1], [writers], slow_fraction)


@dataclass
class Session:
    """App processes, workshops and connected clients that several workloads share in turn."""

    stack: Stack
    layout: Layout
    procs: int
    settle: float
    drain: float
    run_ids: Iterator[int]
    apps: list[Child] = field(default_factory=list)
    workshops: list[Workshop] = field(default_factory=list)
    writer_targets: list[Target] = field(default_factory=list)
    reader_targets: list[Target] = field(default_factory=list)
    writer: Worker | None = None
    readers: list[Worker] = field(default_factory=list)
    rss_before: dict[str, int] = field(default_factory=dict)
    cleanup: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def key(self) -> str:
        return self.stack.key

    @property
    def urls(self) -> list[str]:
        return [f"http://{HOST}:{a.port}" for a in self.apps]

    def label(self) -> str:
        if len(self.layout.rooms) == 1:  # N as the workloads count it: the receivers and one writer
            return f"{self.key} N={self.layout.rooms[0] - self.layout.writers[0] + 1}"
        return f"{self.key} N={sum(self.layout.rooms)}"

    def open(self) -> dict[str, Any]:
        """Start the apps, set up the workshops, connect every client; the connect figures."""
        self.apps = self.stack.start_apps()
        for app in self.apps:
            self.cleanup.callback(app.stop)
        if self.stack.samskab:
            t0 = time.monotonic()

            async def setup() -> list[Workshop]:
                fac = await self.stack.facilitator(self.urls[0])
                return [
                    await setup_workshop(self.urls, n, fac, f"Benchmark {k + 1}")
                    for k, n in enumerate(self.layout.rooms)
                ]

            self.workshops = asyncio.run(setup())
            say(
                f"  [{self.label()}] {sum(self.layout.rooms)} joined in {time.monotonic() - t0:.1f} s"
            )
        i = 0  # client number across rooms: client i connects to process i mod processes
        readers_meta: list[tuple[int, int]] = []
        for room, (n, w) in enumerate(zip(self.layout.rooms, self.layout.writers, strict=True)):
            ws = self.workshops[room] if self.workshops else None
            for j in range(n):
                cookie = ws.cookies[j] if ws else None
                if j < w:
                    self.writer_targets.append(target(self.key, self.apps, i, room, ws, cookie))
                else:
                    readers_meta.append((i, room))
                    self.reader_targets.append(target(self.key, self.apps, i, room, ws, cookie))
                i += 1
        self._mark_slow(readers_meta)
        time.sleep(min(1.0, self.settle))  # the joins' work is done before RSS is read
        self.rss_before = {a.name: rss_kb(a.pid) for a in self.apps}
        t0 = time.monotonic()
        self.writer = spawn("writer", self.writer_targets)
        self.cleanup.callback(self.writer.stop)
        procs = max(1, min(self.procs, len(self.reader_targets)))
        for k in range(procs):
            worker = spawn("readers", self.reader_targets[k::procs])
            self.cleanup.callback(worker.stop)
            self.readers.append(worker)
        ready = [w.answer(240.0, "ready")[1] for w in [self.writer, *self.readers]]
        failed = sum(int(r["failed"]) for r in ready)
        errors = sorted({e for r in ready for e in r["errors"]})
        total = len(self.writer_targets) + len(self.reader_targets)
        say(
            f"  [{self.label()}] {total - failed}/{total} sockets ready in"
            f" {time.monotonic() - t0:.1f} s" + (f"; failures: {errors}" if failed else "")
        )
        if failed:
            raise RuntimeError(f"{failed} sockets failed to connect: {errors}")
        return {"seconds_to_connect": round(time.monotonic() - t0, 1)}

    def _mark_slow(self, meta: list[tuple[int, int]]) -> None:
        """Spread the slow candidates evenly over the readers (at least one when asked)."""
        n = len(self.reader_targets)
        if self.layout.slow_fraction <= 0 or n == 0:
            return
        count = min(n, max(1, round(self.layout.slow_fraction * n)))
        chosen = {int((j + 0.5) * n / count) for j in range(count)}
        for k in chosen:
            t = self.reader_targets[k]
            self.reader_targets[k] = Target(t.url, t.cookie, t.origin, t.samskab, t.room, True)

    def close(self) -> None:
        self.cleanup.close()

    # --- what the workloads use ---------------------------------------------------------------

    def idle_memory(self) -> dict[str, Any]:
        """RSS per idle connection after ``settle`` quiet seconds: (after - before) / sockets."""
        time.sleep(self.settle)
        statuses = [w.ask(("status",))[1] for w in self.readers]
        reconnects = sum(int(st["reconnects"]) for st in statuses)
        codes: dict[str, int] = {}
        for st in statuses:
            for c, k in st["close_codes"].items():
                codes[str(c)] = codes.get(str(c), 0) + int(k)
        targets = self.writer_targets + self.reader_targets
        per_process: list[dict[str, Any]] = []
        for a in self.apps:
            conns = sum(1 for t in targets if t.origin.endswith(f":{a.port}"))
            after = rss_kb(a.pid)
            per_process.append(
                {
                    "process": a.name,
                    "rss_before_kb": self.rss_before[a.name],
                    "rss_after_kb": after,
                    "connections": conns,
                    "kb_per_conn": round((after - self.rss_before[a.name]) / max(conns, 1), 1),
                }
            )
        delta = sum(int(p["rss_after_kb"]) - int(p["rss_before_kb"]) for p in per_process)
        return {
            "config": self.key,
            "n": self.layout.rooms[0] - self.layout.writers[0] + 1
            if len(self.layout.rooms) == 1
            else len(targets),
            "connections": len(targets),
            "kb_per_conn": round(delta / max(len(targets), 1), 1),
            "per_process": per_process,
            "reconnects_while_connecting": reconnects,
            "close_codes_while_connecting": codes,
        }

    def counts(self) -> tuple[int, int]:
        healthy = slow = 0
        for r in self.readers:
            reply = r.ask(("count",))
            healthy += int(reply[1])
            slow += int(reply[2])
        return healthy, slow

    def _wait(self, done: Callable[[int, int], bool], seconds: float) -> tuple[int, int]:
        """Until ``done(healthy, slow)``, no progress for a while, or ``seconds`` passed. The
        while: 3 s for Samskab (above its periodic log check, 2 s), 1 s for the floor, which
        has no log: what it did not deliver by then it never will."""
        stable = 3.0 if self.stack.samskab else 1.0
        deadline = time.monotonic() + seconds
        last, since = (-1, -1), time.monotonic()
        while True:
            got = self.counts()
            if done(*got) or time.monotonic() > deadline:
                return got
            if got != last:
                last, since = got, time.monotonic()
            elif time.monotonic() - since > stable:
                return got
            time.sleep(0.2)

    def run(
        self,
        specs: list[tuple[int, float, float]],
        *,
        exclude_slow: bool = False,
        pause_slow: bool = False,
        storm: tuple[float, float] | None = None,
    ) -> dict[str, Any]:
        """One measured run: ``specs`` are (writer, events/s, seconds); ``storm`` is (seconds
        after the start when every reader drops, seconds they stay away)."""
        assert self.writer is not None
        run = next(self.run_ids)
        quotas: dict[int, list[tuple[str, int]]] = {}
        for w, rate, seconds in specs:
            if self.workshops:
                pool = self.workshops[self.writer_targets[w].room].pool
                quotas[w] = asyncio.run(pool.take(round(rate * seconds)))
            else:
                quotas[w] = []
        storm_ns: tuple[int, int] | None = None
        if storm is not None:
            drop = time.monotonic_ns() + int(storm[0] * 1e9)
            storm_ns = (drop, drop + int(storm[1] * 1e9))
        how = {"exclude_slow": exclude_slow, "pause_slow": pause_slow, "storm": storm_ns}
        for r in self.readers:
            r.ask(("measure", run, how))
        watched = self.stack.watched(self.apps)
        cpu0, busy0, t0 = watched.sample(), system_busy_seconds(), time.monotonic()
        self.writer.send(("write", run, [(w, rate, sec, quotas[w]) for w, rate, sec in specs]))
        longest = max(sec for _, _, sec in specs)
        written = self.writer.answer(longest + 300, "written")[1]
        excluded = exclude_slow or pause_slow
        healthy_by_room: dict[int, int] = {}
        slow_by_room: dict[int, int] = {}
        for t in self.reader_targets:
            bucket = slow_by_room if (excluded and t.slow) else healthy_by_room
            bucket[t.room] = bucket.get(t.room, 0) + 1
        receivers = {
            int(x["writer"]): healthy_by_room.get(int(x["room"]), 0) for x in written["writers"]
        }
        expected = sum(int(x["acked"]) * receivers[int(x["writer"])] for x in written["writers"])
        expected_slow = sum(
            int(x["acked"]) * slow_by_room.get(int(x["room"]), 0) for x in written["writers"]
        )
        self._wait(lambda h, s: h >= expected, self.drain)
        cpu1, busy1, t1 = watched.sample(), system_busy_seconds(), time.monotonic()
        if pause_slow:
            for r in self.readers:
                r.ask(("resume",))
            self._wait(lambda h, s: s >= expected_slow, self.drain + 20)
        reports = [r.ask(("report",), timeout=120)[1] for r in self.readers]
        out = self._figures(written, reports, receivers, expected, expected_slow, specs)
        servers_cpu = cpu_percent(cpu0, cpu1, t1 - t0)
        machine_pct = 100.0 * (busy1 - busy0) / (t1 - t0)
        gen = [round(float(rep["cpu_pct"]), 1) for rep in reports]
        writer_cpu = round(float(written["cpu_pct"]), 1)
        worst = max([*gen, writer_cpu])
        ours = sum(servers_cpu.values()) + sum(gen) + writer_cpu
        out.update(
            config=self.key,
            cpu_pct=servers_cpu,
            loadgen_cpu_pct={"readers": gen, "writer": writer_cpu},
            loadgen_cpu_max=worst,
            # All cores together (200 % on two cores), and what neither the servers nor the
            # load generator used: other work on the machine (noise in the latencies).
            machine_cpu_pct=round(machine_pct, 1),
            other_cpu_pct=round(max(0.0, machine_pct - ours), 1),
            loadavg_after=os.getloadavg(),
            discarded=worst > LOADGEN_CPU_LIMIT,
            discard_reason=(
                f"a load-generator process used {worst:.0f} % CPU (limit {LOADGEN_CPU_LIMIT:.0f} %)"
                if worst > LOADGEN_CPU_LIMIT
                else None
            ),
        )
        if storm_ns is not None:
            out["storm"] = self._storm_figures(written, reports, storm_ns)
        return out

    def _figures(
        self,
        written: dict[str, Any],
        reports: list[dict[str, Any]],
        receivers: dict[int, int],
        expected: int,
        expected_slow: int,
        specs: list[tuple[int, float, float]],
    ) -> dict[str, Any]:
        latencies: list[float] = []
        slow_latencies: list[float] = []
        last: dict[tuple[int, int], float] = {}
        counts: dict[tuple[int, int], int] = {}
        codes: dict[str, dict[str, int]] = {"healthy": {}, "slow": {}}
        for rep in reports:
            arr = array("d")
            arr.frombytes(rep["latencies"])
            latencies.extend(arr)
            arr = array("d")
            arr.frombytes(rep["slow_latencies"])
            slow_latencies.extend(arr)
            for key, ms in rep["last"].items():
                last[key] = max(last.get(key, 0.0), ms)
            for key, c in rep["count_by_index"].items():
                counts[key] = counts.get(key, 0) + c
            for kind in ("healthy", "slow"):
                for c, k in rep["close_codes"][kind].items():
                    codes[kind][str(c)] = codes[kind].get(str(c), 0) + int(k)
        complete = [last[k] for k, c in counts.items() if c >= receivers.get(k[0], 0)]
        deliveries = sum(int(rep["deliveries"]) for rep in reports)
        slow_deliveries = sum(int(rep["slow_deliveries"]) for rep in reports)
        firsts = [int(rep["first_ns"]) for rep in reports if rep["first_ns"]]
        lasts = [int(rep["last_ns"]) for rep in reports if rep["last_ns"]]
        window = (max(lasts) - min(firsts)) / 1e9 if firsts and lasts else 0.0
        writers = written["writers"]
        acks = [ms for x in writers for ms in x["ack_ms"]]
        errors: dict[str, int] = {}
        for x in writers:
            for code, k in x["errors"].items():
                errors[code] = errors.get(code, 0) + int(k)
        out: dict[str, Any] = {
            "rate": sum(rate for _, rate, _ in specs),
            "seconds": max(sec for _, _, sec in specs),
            "writers": len(specs),
            "receivers": sum(receivers.values()),
            "sent": sum(int(x["sent"]) for x in writers),
            "acked": sum(int(x["acked"]) for x in writers),
            "errors": errors,
            "unanswered": sum(int(x["unanswered"]) for x in writers),
            "ack_ms": summary(acks) if acks else None,
            "writer_max_behind_ms": round(max(float(x["max_behind_ms"]) for x in writers), 1),
            "writer_reconnects": sum(int(x["reconnects"]) for x in writers),
            "expected": expected,
            "deliveries": deliveries,
            "loss": max(0, expected - deliveries),
            "loss_pct": round(100.0 * max(0, expected - deliveries) / expected, 3)
            if expected
            else 0,
            "duplicates": sum(int(rep["duplicates"]) for rep in reports),
            "reconnects": sum(int(rep["reconnects"]) for rep in reports),
            "close_codes": codes["healthy"],
            "latency_ms": summary(latencies),
            "last_client_ms": summary(complete),
            "events_reaching_all": len(complete),
            "deliveries_per_s": round(deliveries / window, 1) if window > 0 else 0.0,
        }
        if expected_slow or slow_deliveries or codes["slow"]:
            out["slow"] = {
                "expected": expected_slow,
                "deliveries": slow_deliveries,
                "missing": max(0, expected_slow - slow_deliveries),
                "latency_ms": summary(slow_latencies),
                "close_codes": codes["slow"],
            }
        return out

    def _storm_figures(
        self, written: dict[str, Any], reports: list[dict[str, Any]], storm_ns: tuple[int, int]
    ) -> dict[str, Any]:
        """Per reader: how long after the common reconnect it held every note sent before it
        (the gap, replayed from the log); the floor has no log, so there: until its first live
        note."""
        reconnect = storm_ns[1]
        before_by_room: dict[int, int] = {}
        for x in written["writers"]:
            n = sum(1 for ns in x["acked_send_ns"] if ns < reconnect)
            before_by_room[int(x["room"])] = before_by_room.get(int(x["room"]), 0) + n
        caught: list[float] = []
        reconnect_s: list[float] = []
        missing = 0
        not_caught = 0
        for rep in reports:
            for r in rep["storm"] or []:
                if r["hello_ns"] > reconnect:
                    reconnect_s.append((r["hello_ns"] - reconnect) / 1e9)
                if self.stack.samskab:
                    short = before_by_room.get(int(r["room"]), 0) - int(r["before"])
                    missing += max(0, short)
                    if short > 0:
                        not_caught += 1
                    else:
                        caught.append(max(0, int(r["max_before_ns"]) - reconnect) / 1e9)
                elif r["first_after_ns"]:
                    caught.append(max(0, int(r["first_after_ns"]) - reconnect) / 1e9)
                else:
                    not_caught += 1
        return {
            "caught_up_s": summary(caught),
            "reconnect_s": summary(reconnect_s),
            "missing": missing if self.stack.samskab else None,
            "not_caught_up": not_caught,
            "p95_s": round(percentile(sorted(caught), 95), 3),
        }
