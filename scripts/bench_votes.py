"""Vote burst (issue 8): N participants, each on their own socket, cast their 0-10 vote at the
same moment, as a hall does when the facilitator opens the question. Prints the ack latency
(send to `ack`) and how many votes were stored; the target is 0 lost and p95 ack <= 250 ms.

    .venv/bin/python scripts/bench_votes.py                 # N = 200 and 500 on a and b
    .venv/bin/python scripts/bench_votes.py --clients 100 --only a

Configurations as in scripts/bench.py: a, Samskab embedded (one process, SQLite, memory
broker); b, two processes with Redis and PostgreSQL (the voters are spread over both). Run by
hand; figures go to docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import websockets
from bench import (
    FACILITATOR,
    HOST,
    PASSWORD,
    Stack,
    _csrf,
    percentile,
    setup_workshop,
)
from sqlalchemy.ext.asyncio import create_async_engine


async def open_question(url: str, workshop_id: str) -> str:
    """The facilitator creates and opens one question (the JSON API); its id."""
    async with httpx.AsyncClient(base_url=url, follow_redirects=True, timeout=60) as fac:
        token = await _csrf(fac, "/login")
        await fac.post("/login", data={"csrf": token, "name": FACILITATOR, "password": PASSWORD})
        api = f"/api/workshops/{workshop_id}/commands"
        r = await fac.post(
            api,
            json={"type": "question.create", "command_id": "burst-question", "text": "Hvor enig?"},
        )
        r.raise_for_status()
        snap = (await fac.get(f"/api/workshops/{workshop_id}/snapshot")).json()
        question_id = str(snap["state"]["questions"][0]["id"])
        r = await fac.post(
            api,
            json={
                "type": "question.open",
                "command_id": "burst-open-question",
                "question_id": question_id,
            },
        )
        r.raise_for_status()
        return question_id


class Voter:
    def __init__(self, url: str, workshop_id: str, cookie: str, i: int) -> None:
        self.ws_url = url.replace("http://", "ws://") + f"/ws/workshops/{workshop_id}?format=json"
        self.origin = url
        self.cookie = cookie
        self.i = i
        self.conn: Any = None
        self.ack_ms: float | None = None

    async def connect(self) -> None:
        self.conn = await websockets.connect(
            self.ws_url,
            additional_headers={"Cookie": self.cookie},
            origin=self.origin,  # type: ignore[arg-type]
            max_size=2**22,
            open_timeout=30,
        )
        await self.conn.send(json.dumps({"type": "hello", "since": None, "epoch": None}))
        while True:  # until the snapshot: the socket is attached
            msg = json.loads(await self.conn.recv())
            if msg.get("type") == "snapshot":
                return

    async def vote(self, question_id: str, start: float) -> None:
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        cid = f"vote-{self.i:05d}"
        sent = time.monotonic()
        await self.conn.send(
            json.dumps(
                {
                    "type": "vote.cast",
                    "command_id": cid,
                    "question_id": question_id,
                    "value": self.i % 11,
                }
            )
        )
        while True:
            msg = json.loads(await asyncio.wait_for(self.conn.recv(), 60))
            if msg.get("command_id") == cid and msg.get("type") in ("ack", "error"):
                if msg["type"] == "ack":
                    self.ack_ms = (time.monotonic() - sent) * 1000
                return


async def stored_votes(database_url: str, question_id: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            q = sa.text("SELECT count(*) FROM votes WHERE question_id = :q")
            return int((await conn.execute(q, {"q": question_id})).scalar_one())
    finally:
        await engine.dispose()


async def burst(urls: list[str], database_url: str, n: int) -> dict[str, Any]:
    w = await setup_workshop(urls, n, [1])
    question_id = await open_question(urls[0], w.workshop_id)
    voters = [Voter(urls[i % len(urls)], w.workshop_id, w.cookies[i], i) for i in range(n)]
    gate = asyncio.Semaphore(50)

    async def connect(v: Voter) -> None:
        async with gate:
            await v.connect()

    await asyncio.gather(*(connect(v) for v in voters))
    start = time.monotonic() + 1.0
    await asyncio.gather(*(v.vote(question_id, start) for v in voters), return_exceptions=True)
    for v in voters:
        with contextlib.suppress(Exception):
            await v.conn.close()
    acks = sorted(v.ack_ms for v in voters if v.ack_ms is not None)
    stored = await stored_votes(database_url, question_id)
    return {
        "n": n,
        "acked": len(acks),
        "stored": stored,
        "lost": n - stored,
        "p50": percentile(acks, 50) if acks else None,
        "p95": percentile(acks, 95) if acks else None,
        "max": acks[-1] if acks else None,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, action="append", help="N (repeatable)")
    p.add_argument("--only", default="a,b", help="configurations: a, b")
    args = p.parse_args(argv)
    sizes = args.clients or [200, 500]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as cleanup:
        os.chmod(tmp, 0o755)  # PostgreSQL runs as its own user and must reach its cluster
        for key in args.only.split(","):
            stack = Stack(key, Path(tmp), cleanup, {"JOIN_RATE_PER_MINUTE": "1000000"})
            stack.start_services()
            for n in sizes:
                apps = stack.start_apps()
                urls = [f"http://{HOST}:{a.port}" for a in apps]
                r = asyncio.run(burst(urls, stack.database_url, n))
                r["config"] = key
                rows.append(r)
                print(json.dumps(r), flush=True)
                for a in apps:
                    a.stop()
    print(
        f"\n{'config':6} {'N':>5} {'acked':>6} {'stored':>6} {'lost':>5} {'p50':>8} "
        f"{'p95':>8} {'max':>8}  (ack ms; target: 0 lost, p95 <= 250)"
    )
    for r in rows:

        def ms(v: float | None) -> str:
            return "-" if v is None else f"{v:8.1f}"

        print(
            f"{r['config']:6} {r['n']:>5} {r['acked']:>6} {r['stored']:>6} {r['lost']:>5} "
            f"{ms(r['p50'])} {ms(r['p95'])} {ms(r['max'])}"
        )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
