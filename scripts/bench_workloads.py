"""The latency workloads, each made of measured runs on a session (``bench_session.Session``):
fan-out, city mix, saturation, slow consumers and the reconnect storm. Each returns the
figures that go into the JSON under its name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench_report import p99_unchanged
from bench_samskab import WorkshopFull
from bench_session import Session, say


def _lat(r: dict[str, Any]) -> str:
    lat = r["latency_ms"]
    return f"p50 {lat['p50']} p99 {lat['p99']} max {lat['max']} ms, loss {r['loss']}" + (
        f"  DISCARDED: {r['discard_reason']}" if r["discarded"] else ""
    )


def fanout(session: Session, rate: float, seconds: float) -> dict[str, Any]:
    """One writer on one board at ``rate`` events/s; every other client receives (N counts the
    writer and the receivers, as the issue does)."""
    r = session.run([(0, rate, seconds)])
    r.update(n=len(session.reader_targets) + 1, rate=rate)
    say(
        f"  [{session.label()} fan-out {rate:g}/s] {_lat(r)}, {r['deliveries_per_s']:.0f} deliveries/s"
    )
    return r


def city(session: Session, rate: float, seconds: float, layout: str) -> dict[str, Any]:
    """A writer on every board (room) at ``rate`` events/s each, all at once."""
    specs = [(w, rate, seconds) for w in range(len(session.writer_targets))]
    r = session.run(specs)
    r.update(
        layout=layout,
        rooms=session.layout.rooms,
        n=sum(session.layout.rooms),
        rate_total=r["rate"],
        rate=rate,
    )
    say(f"  [{session.label()} city {layout}, {rate:g}/s per board] {_lat(r)}")
    return r


def saturation(
    session: Session,
    rates: list[float],
    seconds: float,
    limit_ms: float,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Raise the rate step by step until p99 passes ``limit_ms`` (or anything is lost); the
    highest rate below it. The writers (one per server process, each on its own process) share
    the rate, so in b both processes take commands. ``progress`` gets the figures so far after
    every step, so an interrupted ramp keeps what it measured."""
    writers = len(session.writer_targets)
    processes = min(writers, len(session.apps))  # the processes that take the commands
    steps: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    stopped = "the last rate passed: raise --saturation-rates"

    def entry() -> dict[str, Any]:
        rate = float(best["rate"]) if best else 0.0
        return {
            "config": session.key,
            "n": len(session.reader_targets) + 1,
            "writers": writers,
            "processes": len(session.apps),
            "processes_writing": processes,
            "limit_p99_ms": limit_ms,
            "seconds_per_step": seconds,
            "steps": steps,
            "best_rate": rate,
            "best_per_process": round(rate / processes, 1),
            "p99_at_best": best["latency_ms"]["p99"] if best else None,
            "cpu_at_best": best["cpu_pct"] if best else None,
            "stopped_because": stopped,
        }

    for rate in rates:
        try:
            r = session.run([(w, rate / writers, seconds) for w in range(writers)])
        except WorkshopFull as e:
            stopped = f"the workshop is full ({e}); the ramp stops here"
            break
        r.update(rate=rate, achieved_rate=round(r["sent"] / seconds, 1))
        steps.append(r)
        say(f"  [{session.label()} saturation {rate:g}/s] {_lat(r)}")
        problem = None
        if r["discarded"]:
            problem = "discarded: " + str(r["discard_reason"])
        elif r["loss"] or r["unanswered"] or r["errors"]:
            problem = f"loss {r['loss']}, unanswered {r['unanswered']}, errors {r['errors']}"
        elif r["latency_ms"]["p99"] > limit_ms:
            problem = f"p99 {r['latency_ms']['p99']} ms > {limit_ms:g} ms at {rate:g}/s"
        elif r["writer_max_behind_ms"] > 1000:
            problem = f"the writers fell {r['writer_max_behind_ms']:.0f} ms behind at {rate:g}/s"
        if problem is not None:
            stopped = problem
        else:
            best = r
        if progress is not None:
            progress(entry())
        if problem is not None:
            break
    return entry()


def slow(session: Session, rate: float, seconds: float) -> dict[str, Any]:
    """The same run twice: everyone reading, then with the slow candidates (5 %) not reading.
    The healthy clients' figures compare the two; the slow ones read again afterwards, and we
    see what became of them (closed with 4001? caught up from the log?)."""
    clients = sum(1 for t in session.reader_targets if t.slow)
    base = session.run([(0, rate, seconds)], exclude_slow=True)
    for worker in session.readers:
        worker.send(("refresh",))
    for worker in session.readers:
        worker.answer(60, "refreshed")
    with_slow = session.run([(0, rate, seconds)], pause_slow=True)
    s = with_slow.get("slow", {"missing": 0, "close_codes": {}, "expected": 0, "deliveries": 0})
    missing = int(s["missing"])
    caught: bool | None = missing == 0
    if not session.stack.samskab and missing:
        caught = None  # the floor keeps no log: what a closed socket missed is gone
    entry = {
        "config": session.key,
        "n": len(session.reader_targets) + 1,
        "rate": rate,
        "seconds": seconds,
        "baseline": base,
        "with_slow": with_slow,
        "healthy_loss": with_slow["loss"] + base["loss"],
        "p99_base": base["latency_ms"]["p99"],
        "p99_slow": with_slow["latency_ms"]["p99"],
        "p99_change_pct": round(
            100.0
            * (with_slow["latency_ms"]["p99"] - base["latency_ms"]["p99"])
            / max(base["latency_ms"]["p99"], 1e-9),
            1,
        ),
        "p99_unchanged": p99_unchanged(base["latency_ms"]["p99"], with_slow["latency_ms"]["p99"]),
        "slow": {
            "clients": clients,
            "closed_4001": int(s["close_codes"].get("4001", 0)),
            "close_codes": s["close_codes"],
            "expected": s["expected"],
            "deliveries": s["deliveries"],
            "missing": missing,
            "caught_up": caught,
        },
    }
    say(
        f"  [{session.label()} slow consumers {rate:g}/s] healthy p99 {entry['p99_base']} ->"
        f" {entry['p99_slow']} ms, loss {entry['healthy_loss']}; slow: {entry['slow']}"
    )
    return entry


def reconnect(
    session: Session, rate: float, seconds: float, drop_after: float, down: float
) -> dict[str, Any]:
    """Every reader drops at once ``drop_after`` s into the run, stays away ``down`` s, and
    reconnects with ``since`` while the writer goes on."""
    r = session.run([(0, rate, seconds)], storm=(drop_after, down))
    s = r.pop("storm")
    entry = {
        "config": session.key,
        "clients": len(session.reader_targets),
        "rate": rate,
        "seconds": seconds,
        "down_s": down,
        "caught_up_s": s["caught_up_s"],
        "reconnect_s": s["reconnect_s"],
        "missing": s["missing"],
        "not_caught_up": s["not_caught_up"],
        "duplicates": r["duplicates"],
        "loss": r["loss"],
        "run": r,
    }
    say(
        f"  [{session.label()} reconnect storm] caught up p95 {s['caught_up_s']['p95']} s,"
        f" max {s['caught_up_s']['max']} s, missing {s['missing']}, duplicated {r['duplicates']}"
    )
    return entry
