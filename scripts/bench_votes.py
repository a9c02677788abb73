"""Vote burst (issue 8): every client of a session, each on its own socket, casts one 0-10 vote
on an open question within a few seconds, as a hall does at the end of a timer.

Then the bench counts the stored votes in the database, and the facilitator reveals the
question on their own socket: the mean, median and histogram they are shown must be those of
the votes that were acknowledged (and stored). Target: 0 lost, p95 ack <= 250 ms.

Part of ``scripts/bench`` (``--workloads votes``); ``python scripts/bench_votes.py ...`` is
kept as a shortcut for ``scripts/bench --workloads votes --only a,b ...``.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import websockets
from bench_report import summary
from bench_samskab import as_session, command
from bench_services import cpu_percent
from bench_session import Session, say
from sqlalchemy.ext.asyncio import create_async_engine


async def open_question(url: str, workshop_id: str, fac_cookie: str) -> str:
    """The facilitator creates and opens one question (the JSON API); its id."""
    async with as_session(url, fac_cookie) as fac:
        tag = f"{time.monotonic_ns():x}"
        await command(
            fac,
            workshop_id,
            {"type": "question.create", "command_id": f"burst-q-{tag}", "text": "Hvor enig?"},
        )
        snap = (await fac.get(f"/api/workshops/{workshop_id}/snapshot")).json()
        question_id = str(snap["state"]["questions"][-1]["id"])
        await command(
            fac,
            workshop_id,
            {"type": "question.open", "command_id": f"burst-o-{tag}", "question_id": question_id},
        )
        return question_id


async def reveal(url: str, workshop_id: str, fac_cookie: str, question_id: str) -> dict[str, Any]:
    """Reveal on the facilitator's own socket (json format) and return the ``results`` of the
    ``question.revealed`` event they are sent: what the facilitator's screen shows."""
    ws_url = url.replace("http://", "ws://") + f"/ws/workshops/{workshop_id}?format=json"
    async with websockets.connect(
        ws_url,
        additional_headers={"Cookie": fac_cookie},
        origin=url,  # type: ignore[arg-type]
        max_size=2**25,
        open_timeout=60,
    ) as conn:
        await conn.send(json.dumps({"type": "hello", "since": None, "epoch": None}))
        deadline = time.monotonic() + 120
        sent = False
        while time.monotonic() < deadline:
            msg = json.loads(await asyncio.wait_for(conn.recv(), 60))
            if msg["type"] == "snapshot" and not sent:
                await conn.send(
                    json.dumps(
                        {
                            "type": "question.reveal",
                            "command_id": f"burst-r-{time.monotonic_ns():x}",
                            "question_id": question_id,
                        }
                    )
                )
                sent = True
            elif msg["type"] == "error":
                raise RuntimeError(f"reveal refused: {msg}")
            elif msg["type"] == "events":
                for e in msg["events"]:
                    data = e.get("data") or {}
                    if e["type"] == "question.revealed" and data.get("question_id") == question_id:
                        return dict(data["results"])
    raise RuntimeError("the facilitator's socket never showed the revealed results")


async def stored_votes(database_url: str, question_id: str) -> list[int]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            q = sa.text("SELECT value FROM votes WHERE question_id = :q")
            return [int(v) for v in (await conn.execute(q, {"q": question_id})).scalars()]
    finally:
        await engine.dispose()


def expected_figures(values: list[int]) -> dict[str, Any]:
    hist = [0] * 11
    for v in values:
        hist[v] += 1
    return {
        "n": len(values),
        "mean": statistics.fmean(values) if values else None,
        "median": float(statistics.median(values)) if values else None,
        "histogram": hist,
    }


def figures_agree(shown: dict[str, Any], expected: dict[str, Any]) -> bool:
    if shown.get("n") != expected["n"] or shown.get("histogram") != expected["histogram"]:
        return False
    if expected["mean"] is None:
        return shown.get("mean") is None and shown.get("median") is None
    return bool(
        abs(float(shown["mean"]) - expected["mean"]) < 1e-9
        and abs(float(shown["median"]) - expected["median"]) < 1e-9
    )


def votes(session: Session, window: float) -> dict[str, Any]:
    """Every client votes once, at a random moment within ``window`` seconds."""
    assert session.writer is not None and session.stack.samskab
    ws = session.workshops[0]
    url = session.urls[0]
    question_id = asyncio.run(open_question(url, ws.workshop_id, ws.fac_cookie))
    rng = random.Random(8)
    start = time.monotonic_ns() + 500_000_000  # the orders reach every worker first

    def plan(clients: int) -> list[tuple[int, int] | None]:
        return [
            (rng.randint(0, 10), start + int(rng.uniform(0, window) * 1e9)) for _ in range(clients)
        ]

    readers = [
        len(session.reader_targets[k :: len(session.readers)]) for k in range(len(session.readers))
    ]
    # The first writer votes too, so the N clients of the session cast N votes; a second writer
    # (there for the saturation ramp) does not.
    extra = len(session.writer_targets) - 1
    watched = session.stack.watched(session.apps)
    cpu0, t0 = watched.sample(), time.monotonic()
    session.writer.send(("vote", question_id, plan(1) + [None] * extra))
    for worker, size in zip(session.readers, readers, strict=True):
        worker.send(("vote", question_id, plan(size)))
    workers = [session.writer, *session.readers]
    answers = [a for w in workers for a in w.answer(window + 180, "voted")[1]]
    cpu1, t1 = watched.sample(), time.monotonic()
    acked = [a for a in answers if a["ack_ms"] is not None]
    errors: dict[str, int] = {}
    for a in answers:
        if a["error"]:
            errors[a["error"]] = errors.get(a["error"], 0) + 1
    shown = asyncio.run(reveal(url, ws.workshop_id, ws.fac_cookie, question_id))
    # Counted after the reveal, which waits for the workshop's earlier commands.
    stored = asyncio.run(stored_votes(session.stack.database_url, question_id))
    cast = [int(a["value"]) for a in acked]
    expected = expected_figures(cast)
    correct = figures_agree(shown, expected) and sorted(stored) == sorted(cast)
    entry: dict[str, Any] = {
        "config": session.key,
        "voters": len(answers),
        "window_s": window,
        "question_id": question_id,
        "sent": len(answers),
        "acked": len(acked),
        "errors": errors,
        "retried": sum(int(a.get("retries", 0)) for a in answers),
        "stored": len(stored),
        "lost": len(answers) - len(stored),
        "ack_ms": summary([float(a["ack_ms"]) for a in acked]),
        "revealed": {k: shown.get(k) for k in ("n", "mean", "median", "histogram")},
        "expected": expected,
        "stats_correct": correct,
        "cpu_pct": cpu_percent(cpu0, cpu1, t1 - t0),
    }
    say(
        f"  [{session.label()} vote burst] {len(acked)}/{len(answers)} acked, {len(stored)} stored,"
        f" p95 ack {entry['ack_ms']['p95']} ms, statistics {'right' if correct else 'WRONG'}"
    )
    return entry


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench import main

    sys.exit(main(["--workloads", "votes", "--only", "a,b", *sys.argv[1:]]))
