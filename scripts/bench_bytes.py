"""What travels: bytes per event per client, and the weight of the first participant page.

- **Bytes per event**: in a workshop of its own, a writer adds notes and then moves them, one at
  a time (each waits until every listener has it); a participant on the HTML format (what
  htmx's `hx-ws` gets), a participant on the JSON format and the facilitator on the HTML
  format listen. Per event: the UTF-8 payload of the `events` frames each listener got
  (WebSocket framing adds 2 to 4 bytes a frame; presence frames are not counted).
- **First participant page**: the join page (`GET /w/{code}` without a session) and the
  participant's workshop page after joining (one empty board), each with every style sheet
  and script it loads, every resource compressed on its own with gzip level 6 (what nginx's
  `gzip_comp_level 6` sends), as a first visit with an empty cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import websockets
from bench_clients import POSITION
from bench_samskab import as_session, create_workshop, join
from websockets.asyncio.client import ClientConnection

KB = 1024
_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", re.I)
_LINK = re.compile(r"<link\b[^>]*>", re.I)
_HREF = re.compile(r"\bhref=\"([^\"]+)\"", re.I)


class Listener:
    """One socket that counts the bytes of the `events` frames it receives."""

    def __init__(self, name: str, url: str, workshop_id: str, fmt: str, cookie: str) -> None:
        self.name = name
        self.origin = url
        self.ws_url = url.replace("http://", "ws://") + f"/ws/workshops/{workshop_id}?format={fmt}"
        self.cookie = cookie
        self.conn: ClientConnection | None = None
        self.seq = 0
        self.bytes = 0
        self.frames = 0
        self.moved = asyncio.Event()
        self.snapshot = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.notes: list[tuple[str, str]] = []  # json: (note id, column id) of notes added

    async def start(self) -> None:
        self.conn = await websockets.connect(
            self.ws_url,
            additional_headers={"Cookie": self.cookie},
            origin=self.origin,  # type: ignore[arg-type]
            max_size=2**24,
            compression=None,
        )
        await self.conn.send(json.dumps({"type": "hello", "since": None, "epoch": None}))
        self.task = asyncio.create_task(self._read(self.conn))
        await asyncio.wait_for(self.snapshot.wait(), 60)

    async def _read(self, conn: ClientConnection) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in conn:
                text = raw if isinstance(raw, str) else raw.decode()
                self.on_frame(text)

    def on_frame(self, text: str) -> None:
        head = text[:120]
        if head.startswith('{"type":"snapshot"'):
            self.snapshot.set()
        if not head.startswith('{"type":"events"'):
            return
        self.bytes += len(text.encode())
        self.frames += 1
        if '"note.added"' in text and self.ws_url.endswith("json"):
            for e in json.loads(text)["events"]:
                if e["type"] == "note.added":
                    self.notes.append((e["data"]["note_id"], e["data"]["column_id"]))
        pos = POSITION.search(head)
        if pos is not None:
            self.seq = max(self.seq, int(pos.group(2)))
            self.moved.set()

    def reset(self) -> None:
        self.bytes = self.frames = 0

    async def until(self, seq: int) -> None:
        while self.seq < seq:
            self.moved.clear()
            await asyncio.wait_for(self.moved.wait(), 30)

    async def stop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.conn.close(), 2)
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


class Commander(Listener):
    """The writer: a JSON participant socket that sends one command and waits for its ack."""

    def __init__(self, url: str, workshop_id: str, cookie: str) -> None:
        super().__init__("writer", url, workshop_id, "json", cookie)
        self.acks: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def on_frame(self, text: str) -> None:
        if text.startswith(('{"type":"ack"', '{"type":"error"')):
            msg = json.loads(text)
            fut = self.acks.get(str(msg.get("command_id")))
            if fut is not None and not fut.done():
                fut.set_result(msg)
            return
        super().on_frame(text)

    async def command(self, body: dict[str, Any]) -> int:
        assert self.conn is not None
        cid = f"bytes-{time.monotonic_ns():x}"
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.acks[cid] = fut
        await self.conn.send(json.dumps({**body, "command_id": cid}))
        msg = await asyncio.wait_for(fut, 30)
        if msg["type"] != "ack":
            raise RuntimeError(f"{body['type']} refused: {msg}")
        return int(msg["seq"])


async def _weigh(http: httpx.AsyncClient, path: str) -> dict[str, Any]:
    """One page and the style sheets and scripts it loads, raw and gzipped (level 6) each."""
    r = await http.get(path)
    r.raise_for_status()
    html = r.content
    text = r.text
    wanted: list[str] = _SCRIPT.findall(text)
    for tag in _LINK.findall(text):
        href = _HREF.search(tag)
        if href is not None and re.search(r"\brel=\"stylesheet\"", tag, re.I):
            wanted.append(href.group(1))
    assets: list[dict[str, Any]] = []
    for src in dict.fromkeys(wanted):  # once each, in order
        if urlsplit(src).netloc:
            continue  # nothing is loaded from elsewhere; if it were, it would not be ours
        data = (await http.get(src)).content
        assets.append({"path": src, "bytes": len(data), "gzip": len(gzip.compress(data, 6))})
    html_gz = len(gzip.compress(html, 6))
    return {
        "path": path,
        "html_bytes": len(html),
        "html_gzip": html_gz,
        "assets": assets,
        "raw_kb": round((len(html) + sum(a["bytes"] for a in assets)) / KB, 1),
        "gzip_kb": round((html_gz + sum(a["gzip"] for a in assets)) / KB, 1),
    }


async def measure(
    urls: list[str], events: int, fac_cookie: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(bytes per event, first participant page) on a workshop of their own."""
    async with as_session(urls[0], fac_cookie, follow_redirects=True) as fac:
        workshop_id, code = await create_workshop(fac, "Benchmark bytes")
    async with httpx.AsyncClient(base_url=urls[0], timeout=60) as fresh:
        join_page = await _weigh(fresh, f"/w/{code}")
    cookies = [await join(urls[i % len(urls)], code, f"bytes{i}") for i in range(3)]
    async with as_session(urls[0], cookies[0]) as participant:
        workshop_page = await _weigh(participant, f"/w/{code}")
    page = {"join_page": join_page, "workshop_page": workshop_page}

    listeners = [
        Listener("participant_html", urls[0], workshop_id, "html", cookies[0]),
        Listener("participant_json", urls[-1], workshop_id, "json", cookies[1]),
        Listener("facilitator_html", urls[0], workshop_id, "html", fac_cookie),
    ]
    writer = Commander(urls[-1], workshop_id, cookies[2])
    per_event: dict[str, dict[str, float]] = {}
    try:
        for sock in [*listeners, writer]:
            await sock.start()
        await asyncio.sleep(0.5)  # let the presence pushes of our own joins pass

        async def phase(kind: str, bodies: list[dict[str, Any]]) -> None:
            for sock in listeners:
                sock.reset()
            for body in bodies:
                seq = await writer.command(body)
                await asyncio.gather(*(sock.until(seq) for sock in listeners))
            per_event[kind] = {s.name: round(s.bytes / len(bodies), 1) for s in listeners}
            per_event[kind]["frames_per_event"] = round(listeners[0].frames / len(bodies), 2)

        await phase(
            "note.add",
            [
                {"type": "note.add", "text": f"Forslag nummer {i + 1} til søparken"}
                for i in range(events)
            ],
        )
        notes = list(writer.notes)
        await phase(
            "note.move",
            [
                {"type": "note.move", "note_id": nid, "column_id": col, "index": 100000}
                for nid, col in notes[:events]
            ],
        )
    finally:
        for sock in [*listeners, writer]:
            await sock.stop()
    return {"events": events, "per_event": per_event}, page
