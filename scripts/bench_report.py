"""The results of a benchmark run: statistics, the JSON written after every run, the issue's
targets (met, missed or not measured) and the one table with a, b and c side by side."""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKLOADS = (
    "fanout",
    "city",
    "saturation",
    "slow",
    "votes",
    "reconnect",
    "memory",
    "bytes",
    "page",
)
CONFIGS = ("a", "b", "c")
CONFIG_TITLES = {
    "a": "a Samskab embedded (1 proc, SQLite, memory broker)",
    "b": "b Samskab 2 procs + Redis + PostgreSQL",
    "c": "c floor: bare relay, 2 procs + Redis",
}
# Where the floor (c) takes part: it has no log, no votes and renders nothing.
FLOOR_WORKLOADS = ("fanout", "city", "saturation", "slow", "reconnect", "memory")
LOADGEN_CPU_LIMIT = 70.0
P99_CHANGE_TOLERANCE = (1.2, 2.0)  # "no p99 change": at most 20 % or 2 ms above the baseline


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


@dataclass
class Results:
    """Everything measured so far; written to JSON after every run."""

    options: dict[str, Any]
    machine: dict[str, Any]
    workloads: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {w: [] for w in WORKLOADS}
    )
    problems: list[str] = field(default_factory=list)

    def add(self, workload: str, entry: dict[str, Any]) -> None:
        self.workloads[workload].append(entry)

    def find(self, workload: str, config: str, **match: Any) -> dict[str, Any] | None:
        for e in self.workloads[workload]:
            if e["config"] == config and all(e.get(k) == v for k, v in match.items()):
                return e
        return None

    def runs(self) -> list[dict[str, Any]]:
        """Every measured run, wherever it sits (for the discarded count)."""
        out: list[dict[str, Any]] = []
        for w in ("fanout", "city", "reconnect"):
            out += [e.get("run", e) for e in self.workloads[w]]
        for e in self.workloads["saturation"]:
            out += e["steps"]
        for e in self.workloads["slow"]:
            out += [e["baseline"], e["with_slow"]]
        return out

    def as_json(self) -> dict[str, Any]:
        runs = self.runs()
        return {
            "harness": "scripts/bench (issue 8)",
            "finished": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": self.machine,
            "options": self.options,
            "workloads": self.workloads,
            "discarded_runs": sum(1 for r in runs if r.get("discarded")),
            "loadgen_cpu_max_pct": max((r.get("loadgen_cpu_max", 0.0) for r in runs), default=0.0),
            "targets": evaluate_targets(self),
            "problems": self.problems,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=1) + "\n")


# --- targets ----------------------------------------------------------------------------------


def _target(name: str, config: str, measured: str | None, met: bool | None) -> dict[str, Any]:
    return {"target": name, "config": config, "measured": measured, "met": met}


def p99_unchanged(base: float, other: float) -> bool:
    factor, slack = P99_CHANGE_TOLERANCE
    return other <= max(base * factor, base + slack)


def evaluate_targets(results: Results) -> list[dict[str, Any]]:
    """The issue's targets, each met, missed or not measured (None) at the issue's scale."""
    out: list[dict[str, Any]] = []
    b = results.find("fanout", "b", n=200, rate=100.0)
    out.append(
        _target(
            "fan-out N=200, 100 events/s: p99 <= 10 ms, 0 loss",
            "b",
            None if b is None else f"p99 {b['latency_ms']['p99']} ms, loss {b['loss']}",
            None
            if b is None
            else b["latency_ms"]["p99"] <= 10 and b["loss"] == 0 and not b["discarded"],
        )
    )
    b5, c5 = (
        results.find("fanout", "b", n=500, rate=20.0),
        results.find("fanout", "c", n=500, rate=20.0),
    )
    measured, met = None, None
    if b5 is not None and c5 is not None:
        measured = f"p99 {b5['latency_ms']['p99']} ms vs floor {c5['latency_ms']['p99']} ms"
        met = b5["latency_ms"]["p99"] <= 2 * c5["latency_ms"]["p99"] and not (
            b5["discarded"] or c5["discarded"]
        )
    out.append(_target("fan-out N=500, 20 events/s: p99 <= 2x the floor's", "b", measured, met))
    sat = results.find("saturation", "b")
    measured, met = None, None
    if sat is not None:
        measured = f"{sat['best_per_process']} events/s per process"
        met = sat["best_per_process"] >= 300
        if not met and str(sat["stopped_because"]).startswith("the last rate passed"):
            measured, met = f">= {measured} (the ramp ended before p99 passed the limit)", None
    out.append(
        _target("saturation: >= 300 events/s per process at p99 <= 50 ms", "b", measured, met)
    )
    for key in ("a", "b"):
        slow = results.find("slow", key)
        out.append(
            _target(
                "slow consumers: healthy clients 0 loss, no p99 change",
                key,
                None
                if slow is None
                else f"loss {slow['healthy_loss']}, p99 {slow['p99_base']} -> {slow['p99_slow']} ms",
                None
                if slow is None
                else slow["healthy_loss"] == 0
                and p99_unchanged(slow["p99_base"], slow["p99_slow"]),
            )
        )
        v = results.find("votes", key)
        out.append(
            _target(
                "vote burst: 0 lost, p95 ack <= 250 ms, statistics right",
                key,
                None
                if v is None
                else f"{v['voters']} voters: lost {v['lost']}, p95 {v['ack_ms']['p95']} ms,"
                f" statistics {'right' if v['stats_correct'] else 'WRONG'}",
                None
                if v is None
                else v["lost"] == 0 and v["ack_ms"]["p95"] <= 250 and bool(v["stats_correct"]),
            )
        )
        s = results.find("reconnect", key)
        out.append(
            _target(
                "reconnect storm: caught up p95 <= 2 s, max <= 5 s, 0 missing, 0 duplicated",
                key,
                None
                if s is None
                else f"{s['clients']} clients: p95 {s['caught_up_s']['p95']} s, max"
                f" {s['caught_up_s']['max']} s, missing {s['missing']}, duplicated {s['duplicates']}",
                None
                if s is None
                else s["caught_up_s"]["p95"] <= 2
                and s["caught_up_s"]["max"] <= 5
                and s["missing"] == 0
                and s["duplicates"] == 0
                and s["not_caught_up"] == 0,
            )
        )
        mems = [m for m in results.workloads["memory"] if m["config"] == key]
        mem = max(mems, key=lambda m: int(m["n"])) if mems else None
        out.append(
            _target(
                "<= 50 KB RSS per idle connection at N=500",
                key,
                None if mem is None else f"{mem['kb_per_conn']} KB at N={mem['n']}",
                None if mem is None or mem["n"] < 500 else mem["kb_per_conn"] <= 50,
            )
        )
    page = results.find("page", "a") or results.find("page", "b")
    out.append(
        _target(
            "first participant page <= 60 KB gzipped",
            str(page["config"]) if page else "a",
            None if page is None else f"{page['workshop_page']['gzip_kb']} KB",
            None if page is None else page["workshop_page"]["gzip_kb"] <= 60,
        )
    )
    runs = results.runs()
    worst = max((r.get("loadgen_cpu_max", 0.0) for r in runs), default=0.0)
    out.append(
        _target(
            "load generator <= 70 % CPU (else the run is discarded)",
            "all",
            f"busiest process {worst:.0f} %, {sum(1 for r in runs if r.get('discarded'))} runs discarded"
            if runs
            else None,
            None if not runs else not any(r.get("discarded") for r in runs),
        )
    )
    return out


# --- the table --------------------------------------------------------------------------------


def _ms(v: float) -> str:
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}"


def _lat(run: dict[str, Any]) -> str:
    lat = run["latency_ms"]
    cell = f"{_ms(lat['p50'])}/{_ms(lat['p95'])}/{_ms(lat['p99'])} L{run['loss']}"
    return cell + (" DISC" if run.get("discarded") else "")


Row = tuple[str, Callable[[str], str | None], str]


def _rows(results: Results) -> list[Row]:
    """Each figure once, as a label, a cell per configuration and the target it answers."""
    rows: list[Row] = []
    fan = sorted({(e["n"], e["rate"]) for e in results.workloads["fanout"]})
    for n, rate in fan:

        def fan_cell(key: str, n: int = n, rate: float = rate) -> str | None:
            e = results.find("fanout", key, n=n, rate=rate)
            return None if e is None else _lat(e)

        target = ""
        if (n, rate) == (200, 100.0):
            target = "b p99 <= 10, L0"
        elif (n, rate) == (500, 20.0):
            target = "b p99 <= 2x c"
        rows.append((f"fan-out N={n} {rate:g}/s p50/p95/p99 ms, lost", fan_cell, target))
    for e0 in results.workloads["city"][:1]:

        def city_cell(key: str) -> str | None:
            e = results.find("city", key)
            return None if e is None else _lat(e)

        rows.append((f"city {e0['layout']} {e0['rate']:g}/s per board", city_cell, ""))
    if results.workloads["saturation"]:

        def sat_cell(key: str) -> str | None:
            e = results.find("saturation", key)
            if e is None:
                return None
            return f"{e['best_rate']:g} ({e['best_per_process']:g}/proc) p99 {_ms(e['p99_at_best'] or 0)}"

        n = results.workloads["saturation"][0]["n"]
        rows.append((f"saturation N={n}: ev/s at p99<=50 ms", sat_cell, ">= 300/proc (b)"))
    if results.workloads["slow"]:

        def slow_cell(key: str) -> str | None:
            e = results.find("slow", key)
            if e is None:
                return None
            return f"{_ms(e['p99_base'])}->{_ms(e['p99_slow'])} L{e['healthy_loss']}"

        def slow_fate(key: str) -> str | None:
            e = results.find("slow", key)
            if e is None:
                return None
            s = e["slow"]
            caught = {True: "caught up", False: "NOT caught up", None: "no log"}[s["caught_up"]]
            return f"{s['closed_4001']}/{s['clients']} got 4001, {caught}"

        e0 = results.workloads["slow"][0]
        rows.append(
            (f"slow 5% N={e0['n']} {e0['rate']:g}/s: healthy p99 ms", slow_cell, "L0, p99 same")
        )
        rows.append(("  the slow ones", slow_fate, ""))
    if results.workloads["votes"]:

        def vote_cell(key: str) -> str | None:
            e = results.find("votes", key)
            if e is None:
                return None
            ok = "ok" if e["stats_correct"] else "WRONG"
            return (
                f"{_ms(e['ack_ms']['p95'])}/{_ms(e['ack_ms']['p99'])} "
                f"{e['stored']}/{e['sent']} {ok}"
            )

        e0 = results.workloads["votes"][0]
        rows.append(
            (
                f"votes {e0['voters']} in {e0['window_s']:g} s: ack p95/p99 ms, stored, stats",
                vote_cell,
                "L0, p95 <= 250",
            )
        )
    if results.workloads["reconnect"]:

        def storm_cell(key: str) -> str | None:
            e = results.find("reconnect", key)
            if e is None:
                return None
            c = e["caught_up_s"]
            miss = "-" if e["missing"] is None else e["missing"]
            return f"{c['p95']:.2f}/{c['max']:.2f} s M{miss} D{e['duplicates']}"

        e0 = results.workloads["reconnect"][0]
        rows.append(
            (
                f"reconnect {e0['clients']}: caught up p95/max, missing, dup",
                storm_cell,
                "2/5 s, M0 D0",
            )
        )
    if results.workloads["memory"]:
        top = max(int(m["n"]) for m in results.workloads["memory"])

        def mem_cell(key: str) -> str | None:
            e = results.find("memory", key, n=top)
            return None if e is None else f"{e['kb_per_conn']:.1f}"

        rows.append((f"memory N={top}: KB RSS per idle conn", mem_cell, "<= 50"))
    cpu_run = max(results.workloads["fanout"], key=lambda e: (e["n"], e["rate"]), default=None)
    if cpu_run is not None:
        n, rate = cpu_run["n"], cpu_run["rate"]

        def cpu_cell(key: str) -> str | None:
            e = results.find("fanout", key, n=n, rate=rate)
            if e is None:
                return None
            return (
                " ".join(f"{v:.0f}" for v in e["cpu_pct"].values())
                + f" gen {e['loadgen_cpu_max']:.0f}"
            )

        rows.append((f"CPU % N={n} {rate:g}/s: servers, redis, pg, gen", cpu_cell, "gen <= 70"))
    if results.workloads["bytes"]:

        def bytes_cell(key: str) -> str | None:
            e = results.find("bytes", key)
            if e is None:
                return None
            add = e["per_event"]["note.add"]
            return f"{add['participant_html']:.0f} / {add['participant_json']:.0f}"

        rows.append(("bytes per note.add per client: html / json", bytes_cell, ""))
    if results.workloads["page"]:

        def page_cell(key: str) -> str | None:
            e = results.find("page", key)
            return None if e is None else f"{e['workshop_page']['gzip_kb']:.1f}"

        rows.append(("first participant page, KB gzip -6", page_cell, "<= 60"))
    return rows


def table(results: Results) -> str:
    """One table with a, b and c side by side, then the targets."""
    configs = [c for c in CONFIGS if c in results.options.get("configs", CONFIGS)]
    width = 26
    head = f"{'figure':<54}" + "".join(f"{c:<{width}}" for c in configs) + "target"
    lines = [head, "-" * len(head)]
    for label, cell, target in _rows(results):
        cells = "".join(f"{(cell(c) or '-'):<{width}}" for c in configs)
        lines.append(f"{label:<54}{cells}{target}")
    lines.append(
        "latency: ms from the writer's send to receipt by each other client; L = lost deliveries;"
        " DISC = discarded (a load-generator process above 70 % CPU); M = missing, D = duplicated."
    )
    lines.append(
        "a = Samskab embedded (1 process, SQLite, memory broker); b = Samskab, 2 processes +"
        " Redis + PostgreSQL; c = the floor (bare relay, 2 processes + Redis)."
    )
    lines.append("")
    for t in evaluate_targets(results):
        mark = {True: "met", False: "MISSED", None: "-"}[t["met"]]
        lines.append(
            f"  [{mark:>6}] ({t['config']}) {t['target']}: {t['measured'] or 'not measured'}"
        )
    return "\n".join(lines)
